/**
 * The AES-128 block cipher (FIPS 197), for OCB3. Blocks are four
 * little-endian 32-bit words (byte 0 of the block is the low byte of the
 * first word), with the classic four 1 KB lookup tables per direction.
 * Our own instead of `@noble/ciphers`' because that module builds 1.3 MB of
 * merged 64K-entry tables at import time and, with the npm loader, cost
 * each process ≈ 9 MB resident (measured 2026-11-25: empty `deno run` 35 MB,
 * importing `@noble/ciphers/aes.js` 44–48 MB) for one cipher we need.
 *
 * @module
 */

/** A key that is not 16 bytes. */
export class AesKeyError extends Error {
  /** An AesKeyError with a message the user can act on. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AesKeyError";
  }
}

/** One block as four little-endian words. */
export interface BlockWords {
  /** Bytes 0–3. */
  s0: number;
  /** Bytes 4–7. */
  s1: number;
  /** Bytes 8–11. */
  s2: number;
  /** Bytes 12–15. */
  s3: number;
}

/** Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
const xtime = (a: number) => ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff;

/** Multiplication in GF(2^8). */
function gmul(a: number, b: number): number {
  let product = 0;
  for (; b; b >>>= 1, a = xtime(a)) if (b & 1) product ^= a;
  return product;
}

const rotl8 = (w: number) => ((w << 8) | (w >>> 24)) >>> 0;

interface Tables {
  sbox: Uint8Array;
  t0: Uint32Array;
  t1: Uint32Array;
  t2: Uint32Array;
  t3: Uint32Array;
}

/** The four round tables of `box`, each entry one MixColumns column (`column`) of S(a). */
function roundTables(box: Uint8Array, column: (s: number) => number): Tables {
  const t0 = new Uint32Array(256), t1 = new Uint32Array(256);
  const t2 = new Uint32Array(256), t3 = new Uint32Array(256);
  for (let a = 0; a < 256; a++) {
    t0[a] = column(box[a]!) >>> 0;
    t1[a] = rotl8(t0[a]!);
    t2[a] = rotl8(t1[a]!);
    t3[a] = rotl8(t2[a]!);
  }
  return { sbox: box, t0, t1, t2, t3 };
}

/** S-box and inverse: the multiplicative inverse then FIPS 197's affine map. */
function sboxes(): { sbox: Uint8Array; inverse: Uint8Array } {
  // Powers of the generator 3 walk every non-zero element: inverse(3^i) = 3^(255−i).
  const power = new Uint8Array(256), log = new Uint8Array(256);
  for (let i = 0, x = 1; i < 255; i++, x ^= xtime(x)) {
    power[i] = x;
    log[x] = i;
  }
  const sbox = new Uint8Array(256), inverse = new Uint8Array(256);
  for (let a = 0; a < 256; a++) {
    const inv = a === 0 ? 0 : power[(255 - log[a]!) % 255]!;
    let s = inv;
    for (let i = 1; i < 5; i++) s ^= ((inv << i) | (inv >>> (8 - i))) & 0xff;
    s ^= 0x63;
    sbox[a] = s;
    inverse[s] = a;
  }
  return { sbox, inverse };
}

const { sbox: SBOX, inverse: INV_SBOX } = sboxes();
const ENC = roundTables(
  SBOX,
  (s) => gmul(s, 2) | (s << 8) | (s << 16) | (gmul(s, 3) << 24),
);
const DEC = roundTables(
  INV_SBOX,
  (s) => gmul(s, 14) | (gmul(s, 9) << 8) | (gmul(s, 13) << 16) | (gmul(s, 11) << 24),
);

/** SubWord: the S-box on each byte of `w`. */
const subWord = (w: number) =>
  (SBOX[w & 0xff]! | (SBOX[(w >>> 8) & 0xff]! << 8) | (SBOX[(w >>> 16) & 0xff]! << 16) |
    (SBOX[w >>> 24]! << 24)) >>> 0;

/**
 * The 44 round-key words of a 16-byte key, for {@linkcode encryptBlock}.
 *
 * @example
 * ```ts
 * import { encryptBlock, expandKey } from "./aes.ts";
 * const { s0 } = encryptBlock(expandKey(new Uint8Array(16)), 0, 0, 0, 0);
 * ```
 * @throws {AesKeyError} when the key is not 16 bytes.
 */
export function expandKey(key: Uint8Array): Uint32Array {
  if (key.length !== 16) {
    throw new AesKeyError(`AES-128 needs a 16-byte key, got ${key.length} bytes`);
  }
  const xk = new Uint32Array(44);
  const view = new DataView(key.buffer, key.byteOffset, 16);
  for (let i = 0; i < 4; i++) xk[i] = view.getUint32(i * 4, true);
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = xk[i - 1]!;
    if (i % 4 === 0) {
      t = subWord((t >>> 8) | (t << 24)) ^ rcon; // RotWord, SubWord, Rcon
      rcon = xtime(rcon);
    }
    xk[i] = xk[i - 4]! ^ t;
  }
  return xk;
}

/**
 * The round keys for {@linkcode decryptBlock} (the equivalent inverse
 * cipher: keys in reverse order, InvMixColumns applied to the middle ones).
 *
 * @throws {AesKeyError} when the key is not 16 bytes.
 */
export function expandDecryptionKey(key: Uint8Array): Uint32Array {
  const enc = expandKey(key);
  const xk = new Uint32Array(44);
  for (let round = 0; round <= 10; round++) {
    for (let j = 0; j < 4; j++) xk[round * 4 + j] = enc[(10 - round) * 4 + j]!;
  }
  for (let i = 4; i < 40; i++) {
    const w = subWord(xk[i]!); // DEC's tables include the inverse S-box: cancel it
    xk[i] = DEC.t0[w & 0xff]! ^ DEC.t1[(w >>> 8) & 0xff]! ^ DEC.t2[(w >>> 16) & 0xff]! ^
      DEC.t3[w >>> 24]!;
  }
  return xk;
}

/**
 * Encrypts one block given as four little-endian words.
 *
 * @example
 * ```ts
 * import { encryptBlock, expandKey } from "./aes.ts";
 * const out = encryptBlock(expandKey(new Uint8Array(16)), 0, 0, 0, 0);
 * ```
 */
export function encryptBlock(
  xk: Uint32Array,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): BlockWords {
  const { t0: T0, t1: T1, t2: T2, t3: T3, sbox: S } = ENC;
  s0 ^= xk[0]!, s1 ^= xk[1]!, s2 ^= xk[2]!, s3 ^= xk[3]!;
  let k = 4;
  for (let round = 1; round < 10; round++, k += 4) {
    const u0 = T0[s0 & 0xff]! ^ T1[(s1 >>> 8) & 0xff]! ^ T2[(s2 >>> 16) & 0xff]! ^
      T3[s3 >>> 24]! ^ xk[k]!;
    const u1 = T0[s1 & 0xff]! ^ T1[(s2 >>> 8) & 0xff]! ^ T2[(s3 >>> 16) & 0xff]! ^
      T3[s0 >>> 24]! ^ xk[k + 1]!;
    const u2 = T0[s2 & 0xff]! ^ T1[(s3 >>> 8) & 0xff]! ^ T2[(s0 >>> 16) & 0xff]! ^
      T3[s1 >>> 24]! ^ xk[k + 2]!;
    const u3 = T0[s3 & 0xff]! ^ T1[(s0 >>> 8) & 0xff]! ^ T2[(s1 >>> 16) & 0xff]! ^
      T3[s2 >>> 24]! ^ xk[k + 3]!;
    s0 = u0, s1 = u1, s2 = u2, s3 = u3;
  }
  return {
    s0: lastRound(S, s0, s1, s2, s3) ^ xk[40]!,
    s1: lastRound(S, s1, s2, s3, s0) ^ xk[41]!,
    s2: lastRound(S, s2, s3, s0, s1) ^ xk[42]!,
    s3: lastRound(S, s3, s0, s1, s2) ^ xk[43]!,
  };
}

/**
 * Decrypts one block given as four little-endian words, with keys from
 * {@linkcode expandDecryptionKey}.
 */
export function decryptBlock(
  xk: Uint32Array,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): BlockWords {
  const { t0: T0, t1: T1, t2: T2, t3: T3, sbox: S } = DEC;
  s0 ^= xk[0]!, s1 ^= xk[1]!, s2 ^= xk[2]!, s3 ^= xk[3]!;
  let k = 4;
  for (let round = 1; round < 10; round++, k += 4) {
    const u0 = T0[s0 & 0xff]! ^ T1[(s3 >>> 8) & 0xff]! ^ T2[(s2 >>> 16) & 0xff]! ^
      T3[s1 >>> 24]! ^ xk[k]!;
    const u1 = T0[s1 & 0xff]! ^ T1[(s0 >>> 8) & 0xff]! ^ T2[(s3 >>> 16) & 0xff]! ^
      T3[s2 >>> 24]! ^ xk[k + 1]!;
    const u2 = T0[s2 & 0xff]! ^ T1[(s1 >>> 8) & 0xff]! ^ T2[(s0 >>> 16) & 0xff]! ^
      T3[s3 >>> 24]! ^ xk[k + 2]!;
    const u3 = T0[s3 & 0xff]! ^ T1[(s2 >>> 8) & 0xff]! ^ T2[(s1 >>> 16) & 0xff]! ^
      T3[s0 >>> 24]! ^ xk[k + 3]!;
    s0 = u0, s1 = u1, s2 = u2, s3 = u3;
  }
  return {
    s0: lastRound(S, s0, s3, s2, s1) ^ xk[40]!,
    s1: lastRound(S, s1, s0, s3, s2) ^ xk[41]!,
    s2: lastRound(S, s2, s1, s0, s3) ^ xk[42]!,
    s3: lastRound(S, s3, s2, s1, s0) ^ xk[43]!,
  };
}

/** The last round's column: byte r of it is `box` of byte r of the r-th argument. */
function lastRound(box: Uint8Array, a: number, b: number, c: number, d: number): number {
  return box[a & 0xff]! | (box[(b >>> 8) & 0xff]! << 8) | (box[(c >>> 16) & 0xff]! << 16) |
    (box[d >>> 24]! << 24);
}

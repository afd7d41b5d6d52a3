/**
 * AES-128-OCB3 (RFC 7253) with a 16-byte tag and a 12-byte nonce: the
 * authenticated encryption that seals every mosh datagram.
 *
 * Built on our AES-128 block function (aes.ts). Blocks are handled as four
 * little-endian 32-bit words (the layout its round function uses),
 * so XORs of offsets, checksums and data need no byte shuffling. Doubling in
 * GF(2^128) is done on bytes, once per key.
 *
 * @module
 */
import { decryptBlock, encryptBlock, expandDecryptionKey, expandKey } from "./aes.ts";

/** Length of the authentication tag appended to every ciphertext. */
export const OCB_TAG_LENGTH = 16;
/** Length of the nonce OCB is used with here (96 bits). */
export const OCB_NONCE_LENGTH = 12;

/** mosh refuses to encrypt more than 2^47 blocks under one key. */
const BLOCK_LIMIT = 2 ** 47;

/** Raised when a key has been used for 2^47 blocks and must not be used again. */
export class CipherExhaustedError extends Error {
  constructor() {
    super("Encrypted 2^47 blocks: start a new session to get a fresh key");
    this.name = "CipherExhaustedError";
  }
}

type Words = Uint32Array; // 4 little-endian words of one 16-byte block

function ntz(i: number): number {
  let n = 0;
  while ((i & 1) === 0) {
    i >>>= 1;
    n++;
  }
  return n;
}

/** GF(2^128) doubling of a big-endian 16-byte value, as RFC 7253 defines it. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  const carry = block[0]! >> 7;
  for (let i = 0; i < 15; i++) out[i] = ((block[i]! << 1) | (block[i + 1]! >> 7)) & 0xff;
  out[15] = ((block[15]! << 1) & 0xff) ^ (carry * 0x87);
  return out;
}

function toWords(bytes: Uint8Array): Words {
  return new Uint32Array(bytes.slice().buffer, 0, 4);
}

/**
 * An AES-128-OCB3 key, ready to seal and open messages.
 *
 * @example
 * ```ts
 * import { AesOcb } from "./ocb.ts";
 * const ocb = new AesOcb(new Uint8Array(16));
 * const nonce = new Uint8Array(12);
 * const sealed = ocb.seal(nonce, new TextEncoder().encode("hi"));
 * const opened = ocb.open(nonce, sealed); // Uint8Array "hi", or null if forged
 * ```
 */
export class AesOcb {
  readonly #enc: Uint32Array;
  readonly #dec: Uint32Array;
  readonly #lStar: Words;
  readonly #lDollar: Words;
  readonly #l: Words[] = [];
  #blocksUsed = 0;
  // Nonces that differ only in their low 6 bits share Ktop: cache the last one.
  readonly #ktopNonce = new Uint8Array(16);
  readonly #stretch = new Uint8Array(24);
  #ktopValid = false;
  // Scratch space reused by every call (no per-block allocation).
  readonly #offset = new Uint32Array(4);
  readonly #checksum = new Uint32Array(4);
  readonly #scratch = new Uint8Array(16);
  readonly #scratchWords = new Uint32Array(this.#scratch.buffer);

  /** An AES-128-OCB3 cipher for a 16-byte `key` (throws on any other length). */
  constructor(key: Uint8Array) {
    if (key.length !== 16) {
      throw new RangeError(`Cannot use AES-128 key: expected 16 bytes, got ${key.length}`);
    }
    this.#enc = expandKey(key);
    this.#dec = expandDecryptionKey(key);
    const zero = new Uint32Array(4);
    this.#encryptWords(zero, zero);
    const lStarBytes = new Uint8Array(zero.buffer.slice(0));
    const lDollarBytes = double(lStarBytes);
    this.#lStar = toWords(lStarBytes);
    this.#lDollar = toWords(lDollarBytes);
    let l = double(lDollarBytes);
    for (let i = 0; i < 64; i++) {
      this.#l.push(toWords(l));
      l = double(l);
    }
  }

  /** Number of 16-byte blocks encrypted under this key so far. */
  get blocksUsed(): number {
    return this.#blocksUsed;
  }

  #encryptWords(inp: Words, out: Words): void {
    const r = encryptBlock(this.#enc, inp[0]!, inp[1]!, inp[2]!, inp[3]!);
    out[0] = r.s0;
    out[1] = r.s1;
    out[2] = r.s2;
    out[3] = r.s3;
  }

  /** Sets #offset to Offset_0 for this nonce (RFC 7253 §4.2). */
  #initOffset(nonce: Uint8Array): void {
    if (nonce.length !== OCB_NONCE_LENGTH) {
      throw new RangeError(`Cannot use OCB nonce: expected 12 bytes, got ${nonce.length}`);
    }
    const n = this.#scratch;
    n[0] = 0;
    n[1] = 0;
    n[2] = 0;
    n[3] = 1;
    n.set(nonce, 4);
    const bottom = n[15]! & 0x3f;
    n[15] = n[15]! & 0xc0;
    let same = this.#ktopValid;
    for (let i = 0; same && i < 16; i++) same = this.#ktopNonce[i] === n[i];
    if (!same) {
      this.#ktopNonce.set(n);
      this.#encryptWords(this.#scratchWords, this.#scratchWords);
      const s = this.#stretch;
      s.set(n);
      for (let i = 0; i < 8; i++) s[16 + i] = s[i]! ^ s[i + 1]!;
      this.#ktopValid = true;
    }
    const s = this.#stretch;
    const byteShift = bottom >> 3;
    const bitShift = bottom & 7;
    for (let i = 0; i < 16; i++) {
      const hi = s[i + byteShift]!;
      const lo = s[i + byteShift + 1] ?? 0;
      n[i] = bitShift === 0 ? hi : ((hi << bitShift) | (lo >> (8 - bitShift))) & 0xff;
    }
    this.#offset.set(this.#scratchWords);
  }

  #countBlocks(length: number): void {
    this.#blocksUsed += Math.ceil(length / 16) + 1;
    if (this.#blocksUsed >= BLOCK_LIMIT) throw new CipherExhaustedError();
  }

  /** HASH(K, A) of RFC 7253 §4.1, XORed into `sum`. */
  #hashAd(ad: Uint8Array, sum: Words): void {
    if (ad.length === 0) return;
    const offset = new Uint32Array(4);
    const block = new Uint8Array(16);
    const blockWords = new Uint32Array(block.buffer);
    const full = ad.length >> 4;
    for (let i = 1; i <= full; i++) {
      const li = this.#l[ntz(i)]!;
      for (let w = 0; w < 4; w++) offset[w]! ^= li[w]!;
      block.set(ad.subarray((i - 1) * 16, i * 16));
      for (let w = 0; w < 4; w++) blockWords[w]! ^= offset[w]!;
      this.#encryptWords(blockWords, blockWords);
      for (let w = 0; w < 4; w++) sum[w]! ^= blockWords[w]!;
    }
    const rest = ad.length & 15;
    if (rest > 0) {
      for (let w = 0; w < 4; w++) offset[w]! ^= this.#lStar[w]!;
      block.fill(0);
      block.set(ad.subarray(full * 16));
      block[rest] = 0x80;
      for (let w = 0; w < 4; w++) blockWords[w]! ^= offset[w]!;
      this.#encryptWords(blockWords, blockWords);
      for (let w = 0; w < 4; w++) sum[w]! ^= blockWords[w]!;
    }
  }

  /**
   * Encrypts and authenticates `plaintext`.
   *
   * @param nonce 12 bytes, never reused under one key.
   * @param plaintext The message.
   * @param ad Optional associated data (mosh uses none).
   * @returns ciphertext ‖ 16-byte tag.
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array = EMPTY): Uint8Array {
    this.#countBlocks(plaintext.length);
    this.#initOffset(nonce);
    const out = new Uint8Array(plaintext.length + OCB_TAG_LENGTH);
    out.set(plaintext);
    this.#crypt(out, plaintext.length, true);
    this.#finishTag(ad, out.subarray(plaintext.length));
    return out;
  }

  /**
   * Checks and decrypts `sealed` (ciphertext ‖ tag).
   *
   * @returns the plaintext, or `null` when the tag does not verify.
   */
  open(nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array = EMPTY): Uint8Array | null {
    if (sealed.length < OCB_TAG_LENGTH) return null;
    const length = sealed.length - OCB_TAG_LENGTH;
    this.#initOffset(nonce);
    const out = new Uint8Array(length);
    out.set(sealed.subarray(0, length));
    this.#crypt(out, length, false);
    const tag = new Uint8Array(OCB_TAG_LENGTH);
    this.#finishTag(ad, tag);
    let diff = 0;
    for (let i = 0; i < OCB_TAG_LENGTH; i++) diff |= tag[i]! ^ sealed[length + i]!;
    return diff === 0 ? out : null;
  }

  /** Encrypts or decrypts `buf[0..length)` in place, accumulating the checksum. */
  #crypt(buf: Uint8Array, length: number, encrypting: boolean): void {
    const offset = this.#offset;
    const checksum = this.#checksum;
    checksum.fill(0);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const xk = encrypting ? this.#enc : this.#dec;
    const cipher = encrypting ? encryptBlock : decryptBlock;
    const full = length >> 4;
    let o0 = offset[0]!, o1 = offset[1]!, o2 = offset[2]!, o3 = offset[3]!;
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (let i = 1, p = 0; i <= full; i++, p += 16) {
      const li = this.#l[ntz(i)]!;
      o0 ^= li[0]!;
      o1 ^= li[1]!;
      o2 ^= li[2]!;
      o3 ^= li[3]!;
      const w0 = view.getUint32(p, true), w1 = view.getUint32(p + 4, true);
      const w2 = view.getUint32(p + 8, true), w3 = view.getUint32(p + 12, true);
      const r = cipher(xk, w0 ^ o0, w1 ^ o1, w2 ^ o2, w3 ^ o3);
      const r0 = r.s0 ^ o0, r1 = r.s1 ^ o1, r2 = r.s2 ^ o2, r3 = r.s3 ^ o3;
      view.setUint32(p, r0, true);
      view.setUint32(p + 4, r1, true);
      view.setUint32(p + 8, r2, true);
      view.setUint32(p + 12, r3, true);
      // The checksum covers the plaintext: the input when encrypting, the output otherwise.
      if (encrypting) {
        c0 ^= w0;
        c1 ^= w1;
        c2 ^= w2;
        c3 ^= w3;
      } else {
        c0 ^= r0;
        c1 ^= r1;
        c2 ^= r2;
        c3 ^= r3;
      }
    }
    offset[0] = o0;
    offset[1] = o1;
    offset[2] = o2;
    offset[3] = o3;
    checksum[0] = c0;
    checksum[1] = c1;
    checksum[2] = c2;
    checksum[3] = c3;
    const rest = length & 15;
    if (rest > 0) {
      for (let w = 0; w < 4; w++) offset[w]! ^= this.#lStar[w]!;
      const pad = this.#scratchWords;
      this.#encryptWords(offset, pad);
      const padBytes = this.#scratch;
      const start = full * 16;
      const last = new Uint8Array(16);
      for (let j = 0; j < rest; j++) {
        const input = buf[start + j]!;
        const output = input ^ padBytes[j]!;
        buf[start + j] = output;
        last[j] = encrypting ? input : output;
      }
      last[rest] = 0x80;
      const lastWords = new Uint32Array(last.buffer);
      for (let w = 0; w < 4; w++) checksum[w]! ^= lastWords[w]!;
    }
  }

  /** Tag = E(Checksum ⊕ Offset ⊕ L$) ⊕ HASH(A), written into `out` (16 bytes). */
  #finishTag(ad: Uint8Array, out: Uint8Array): void {
    const t = this.#checksum;
    for (let w = 0; w < 4; w++) t[w] = t[w]! ^ this.#offset[w]! ^ this.#lDollar[w]!;
    this.#encryptWords(t, t);
    this.#hashAd(ad, t);
    out.set(new Uint8Array(t.buffer, 0, 16));
  }
}

const EMPTY = new Uint8Array(0);

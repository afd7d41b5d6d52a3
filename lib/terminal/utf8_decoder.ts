/**
 * Incremental UTF-8 decoding with glibc's rules and mosh's recovery: an
 * invalid sequence becomes U+FFFD and decoding resumes at its last byte.
 * Input may be split anywhere; the result is the same.
 *
 * @module
 */

/** U+FFFD REPLACEMENT CHARACTER. */
export const REPLACEMENT = 0xfffd;

function expectedLength(first: number): number {
  if (first < 0x80) return 1;
  if (first < 0xc2) return 0;
  if (first < 0xe0) return 2;
  if (first < 0xf0) return 3;
  if (first < 0xf8) return 4;
  if (first < 0xfc) return 5;
  if (first < 0xfe) return 6;
  return 0;
}

const MIN_VALUE = [0, 0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000];

/**
 * Decodes bytes to code points, keeping an incomplete sequence between calls.
 *
 * @example
 * ```ts
 * import { Utf8Decoder } from "./utf8_decoder.ts";
 * const out: number[] = [];
 * const d = new Utf8Decoder();
 * d.decode(new Uint8Array([0xe2, 0x82]), (c) => out.push(c));
 * d.decode(new Uint8Array([0xac]), (c) => out.push(c)); // out = [0x20ac]
 * ```
 */
export class Utf8Decoder {
  #buf = new Uint8Array(6);
  #len = 0;
  #need = 0;

  /** Whether no multi-byte sequence is pending (the next ASCII byte decodes as itself). */
  get idle(): boolean {
    return this.#len === 0;
  }

  /** Feeds bytes; `emit` receives each decoded code point. */
  decode(bytes: Uint8Array, emit: (codePoint: number) => void): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.#len === 0 && b < 0x80) {
        emit(b);
        continue;
      }
      this.#push(b, emit);
    }
  }

  #push(b: number, emit: (codePoint: number) => void): void {
    for (;;) {
      if (this.#len === 0) {
        const need = expectedLength(b);
        if (need === 1) {
          emit(b);
          return;
        }
        if (need === 0) {
          emit(REPLACEMENT);
          return;
        }
        this.#buf[0] = b;
        this.#len = 1;
        this.#need = need;
        return;
      }
      if ((b & 0xc0) !== 0x80) {
        // Not a continuation byte: the pending sequence is invalid; restart at this byte.
        this.#len = 0;
        emit(REPLACEMENT);
        continue;
      }
      this.#buf[this.#len++] = b;
      if (this.#len < this.#need) return;
      const n = this.#need;
      let value = this.#buf[0]! & (0x7f >> n);
      for (let k = 1; k < n; k++) value = value * 64 + (this.#buf[k]! & 0x3f);
      const last = this.#buf[n - 1]!;
      this.#len = 0;
      if (value < MIN_VALUE[n]! || (value >= 0xd800 && value <= 0xdfff)) {
        emit(REPLACEMENT);
        b = last;
        if ((b & 0xc0) === 0x80) {
          // A lone continuation byte is itself invalid.
          emit(REPLACEMENT);
          return;
        }
        continue;
      }
      emit(value > 0x10ffff ? REPLACEMENT : value);
      return;
    }
  }
}

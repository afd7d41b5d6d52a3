/**
 * The mosh session key: 16 random bytes, printed as 22 base64 characters
 * (standard alphabet, the two trailing `=` removed), e.g. in
 * `MOSH CONNECT 60001 AAECAwQFBgcICQoLDA0ODw` and in `MOSH_KEY`.
 *
 * @module
 */

/** Length of the raw AES-128 key. */
export const KEY_BYTES = 16;
/** Length of the printable form of the key. */
export const KEY_TEXT_LENGTH = 22;

/** A printable key that mosh would refuse; the message says why. */
export class KeyFormatError extends SyntaxError {
  /** mosh's own wording, without our detail in parentheses (what mosh-client prints). */
  readonly moshMessage: string;
  /** A KeyFormatError with a message the user can act on. */
  constructor(message: string) {
    super(message);
    this.name = "KeyFormatError";
    this.moshMessage = message.replace(/ \(.*\)$/, "");
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Generates a fresh random session key.
 *
 * @example
 * ```ts
 * import { formatKey, generateKey } from "./session_key.ts";
 * console.log(formatKey(generateKey())); // 22 characters
 * ```
 */
export function generateKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(KEY_BYTES));
}

/**
 * Prints a 16-byte key in mosh's 22-character form.
 *
 * @example
 * ```ts
 * import { formatKey } from "./session_key.ts";
 * formatKey(Uint8Array.from({ length: 16 }, (_, i) => i)); // "AAECAwQFBgcICQoLDA0ODw"
 * ```
 */
export function formatKey(key: Uint8Array): string {
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`Cannot format key: expected 16 bytes, got ${key.length}`);
  }
  let out = "";
  for (let i = 0; i < 15; i += 3) {
    const n = (key[i]! << 16) | (key[i + 1]! << 8) | key[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! +
      ALPHABET[n & 63]!;
  }
  const last = key[15]!;
  return out + ALPHABET[last >> 2]! + ALPHABET[(last & 3) << 4]!;
}

/**
 * Parses mosh's 22-character printable key, applying mosh's own checks in
 * mosh's order (and with its messages).
 *
 * @throws {KeyFormatError} when the text is not a well-formed key.
 * @example
 * ```ts
 * import { parseKey } from "./session_key.ts";
 * parseKey("AAECAwQFBgcICQoLDA0ODw"); // Uint8Array [0, 1, …, 15]
 * ```
 */
export function parseKey(text: string): Uint8Array {
  if (text.length !== KEY_TEXT_LENGTH) {
    throw new KeyFormatError(`Key must be 22 letters long. (got ${text.length})`);
  }
  const values = new Uint8Array(KEY_TEXT_LENGTH);
  for (let i = 0; i < KEY_TEXT_LENGTH; i++) {
    const v = ALPHABET.indexOf(text[i]!);
    if (v < 0) {
      throw new KeyFormatError(
        `Key must be well-formed base64. (character ${i + 1} is ${JSON.stringify(text[i])})`,
      );
    }
    values[i] = v;
  }
  if ((values[21]! & 15) !== 0) {
    throw new KeyFormatError(
      `Base64 key was not encoded 128-bit key. (the last character must be A, Q, g or w, got ${
        text[21]
      })`,
    );
  }
  const key = new Uint8Array(KEY_BYTES);
  for (let i = 0, j = 0; i < 20; i += 4, j += 3) {
    const n = (values[i]! << 18) | (values[i + 1]! << 12) | (values[i + 2]! << 6) |
      values[i + 3]!;
    key[j] = n >> 16;
    key[j + 1] = (n >> 8) & 0xff;
    key[j + 2] = n & 0xff;
  }
  key[15] = (values[20]! << 2) | (values[21]! >> 4);
  return key;
}

/**
 * zlib (RFC 1950) compression of serialized instructions, as mosh's
 * `compress()`/`uncompress()` use it.
 *
 * @module
 */
import { deflateSync, inflateSync } from "node:zlib";

/** mosh refuses instructions that inflate beyond 2048 × 2048 bytes. */
export const MAX_INFLATED = 4_194_304;

/** Compressed bytes that are corrupt or inflate beyond {@linkcode MAX_INFLATED}. */
export class CompressionError extends Error {
  /** A CompressionError with a message the user can act on. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CompressionError";
  }
}

function asBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Compresses with zlib at the default level (header `78 9C`).
 *
 * @example
 * ```ts
 * import { compress, decompress } from "./compression.ts";
 * decompress(compress(new Uint8Array([1, 2, 3]))); // Uint8Array [1, 2, 3]
 * ```
 */
export function compress(data: Uint8Array): Uint8Array {
  return asBytes(deflateSync(data));
}

/**
 * Inflates a zlib stream, refusing corrupt input and anything over 4 MiB.
 *
 * @throws {CompressionError}
 */
export function decompress(data: Uint8Array): Uint8Array {
  try {
    return asBytes(inflateSync(data, { maxOutputLength: MAX_INFLATED }));
  } catch (error) {
    throw new CompressionError(
      "Received an instruction that is not a valid zlib stream of at most 4 MiB",
      {
        cause: error,
      },
    );
  }
}

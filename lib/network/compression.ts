/**
 * zlib (RFC 1950) compression of serialized instructions, as mosh's
 * `compress()`/`uncompress()` use it.
 *
 * pako is a port of zlib itself: at the default level its output is byte for
 * byte what mosh's zlib produces (Deno's `node:zlib` differs in the choice of
 * matches), and it does not pull Deno's Node layer (about 5 MB resident) into
 * every process.
 *
 * @module
 */
// @ts-types="npm:@types/pako@2.0.3"
import { Deflate, Inflate } from "npm:pako@2.1.0";

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
  const deflater = new Deflate();
  deflater.push(data, true);
  if (deflater.err !== 0) throw new CompressionError(`zlib deflate failed: ${deflater.msg}`);
  return deflater.result;
}

/**
 * Inflates a zlib stream, refusing corrupt input and anything over 4 MiB.
 *
 * @throws {CompressionError}
 */
export function decompress(data: Uint8Array): Uint8Array {
  const refuse = (cause?: unknown) =>
    new CompressionError(
      "Received an instruction that is not a valid zlib stream of at most 4 MiB",
      cause === undefined ? undefined : { cause },
    );
  const inflater = new Inflate();
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Counted as it inflates: a small bomb must not be expanded in full first.
  let status: number | null = null; // zlib's status once the stream ended or failed
  inflater.onData = (chunk) => {
    const bytes = chunk as Uint8Array;
    total += bytes.length;
    if (total > MAX_INFLATED) throw refuse();
    chunks.push(bytes);
  };
  inflater.onEnd = (end) => {
    status = end;
  };
  try {
    inflater.push(data, true);
  } catch (error) {
    throw error instanceof CompressionError ? error : refuse(error);
  }
  if (status !== 0) throw refuse(status === null ? "truncated stream" : `zlib status ${status}`);
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

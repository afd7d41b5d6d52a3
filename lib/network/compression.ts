/**
 * zlib (RFC 1950) compression of serialized instructions, as mosh's
 * `compress()`/`uncompress()` use it.
 *
 * pako is a port of zlib itself: at the default level its output is byte for
 * byte what mosh's zlib produces (Deno's `node:zlib` differs in the choice of
 * matches), and it does not pull Deno's Node layer (about 5 MB resident) into
 * every process. It is vendored (vendor/pako.mjs, pako 2.1.0 plus one export
 * line) for zlib's low-level API: one deflate and one inflate stream, reset for
 * each message, instead of pako's classes building a fresh 270 KB (deflate) or
 * 100 KB (inflate) state per message. Measured 2026-11-25 on the 2M-line drain
 * (3 runs each): peak RSS of the server 78–82 → 74–75 MB, of the client 76–79 →
 * 69–71 MB; and no npm package is loaded at run time any more (≈ 2.5 MB).
 *
 * @module
 */
// @ts-types="./vendor/pako.d.mts"
import { zlibDeflate, zlibInflate, ZStream } from "./vendor/pako.mjs";

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

// zlib's constants (zlib.h).
const Z_OK = 0;
const Z_STREAM_END = 1;
const Z_FINISH = 4;
const Z_BUF_ERROR = -5;
const Z_DEFLATED = 8;
const Z_DEFAULT_COMPRESSION = -1;
const Z_DEFAULT_STRATEGY = 0;
const WINDOW_BITS = 15;
const MEM_LEVEL = 8;

/** Output buffers start at this size, and one grown beyond it is not kept between messages. */
const KEPT_OUTPUT = 64 * 1024;

let deflateStream: ZStream | null = null;
let inflateStream: ZStream | null = null;
let deflateOutput = new Uint8Array(KEPT_OUTPUT);
let inflateOutput = new Uint8Array(KEPT_OUTPUT);

/** zlib's `deflateBound` for the default settings: compressed size never exceeds it. */
function deflateBound(n: number): number {
  return n + (n >> 12) + (n >> 14) + (n >> 25) + 13;
}

/** A `size`-byte copy of the output buffer's first `used` bytes. */
function grow(buffer: Uint8Array, used: number, size: number): Uint8Array<ArrayBuffer> {
  const grown = new Uint8Array(size);
  grown.set(buffer.subarray(0, used));
  return grown;
}

/** Points `strm` at all of `input` and all of `output`. */
function attach(strm: ZStream, input: Uint8Array, output: Uint8Array): void {
  strm.input = input;
  strm.next_in = 0;
  strm.avail_in = input.length;
  strm.output = output;
  strm.next_out = 0;
  strm.avail_out = output.length;
}

/** The deflate stream, reset to a fresh state (zlib's deflateReset: same output as a new one). */
function freshDeflate(): ZStream {
  if (deflateStream !== null) {
    zlibDeflate.deflateReset(deflateStream);
    return deflateStream;
  }
  const strm = new ZStream();
  const status = zlibDeflate.deflateInit2(
    strm,
    Z_DEFAULT_COMPRESSION,
    Z_DEFLATED,
    WINDOW_BITS,
    MEM_LEVEL,
    Z_DEFAULT_STRATEGY,
  );
  if (status !== Z_OK) throw new CompressionError(`zlib deflateInit failed: ${strm.msg}`);
  return deflateStream = strm;
}

/** The inflate stream, reset to a fresh state. */
function freshInflate(): ZStream {
  if (inflateStream !== null) {
    zlibInflate.inflateReset(inflateStream);
    // pako's inflateReset zeroes the window size but keeps the window, and
    // its updatewindow() sets the size only when it allocates one: restore
    // it, as zlib's own updatewindow() does (else the next stream fails with
    // Z_DATA_ERROR once its output passes the window).
    const state = inflateStream.state;
    if (state.window !== null) state.wsize = state.window.length;
    return inflateStream;
  }
  const strm = new ZStream();
  const status = zlibInflate.inflateInit2(strm, WINDOW_BITS);
  if (status !== Z_OK) throw new CompressionError(`zlib inflateInit failed: ${strm.msg}`);
  return inflateStream = strm;
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
  const strm = freshDeflate();
  const bound = deflateBound(data.length);
  if (deflateOutput.length < bound) deflateOutput = new Uint8Array(bound);
  attach(strm, data, deflateOutput);
  try {
    const status = zlibDeflate.deflate(strm, Z_FINISH);
    if (status !== Z_STREAM_END) {
      throw new CompressionError(`zlib deflate failed: status ${status} ${strm.msg}`);
    }
    return deflateOutput.slice(0, strm.next_out);
  } finally {
    strm.input = null;
    strm.output = null;
    if (deflateOutput.length > KEPT_OUTPUT) deflateOutput = new Uint8Array(KEPT_OUTPUT);
  }
}

/**
 * Instructions this short go out as one stored block: deflate saves at most
 * a few bytes of them, and its set-up (a 64 KB hash table cleared, Huffman
 * trees built) took 0.1–0.3 ms of each keystroke's datagram, in code that
 * runs cold between keys (bench/keystroke_latency.ts, 2026-12-06).
 */
export const STORED_MAX = 64;

/**
 * What the fragmenter sends: {@linkcode compress}'s zlib stream, or for at
 * most {@linkcode STORED_MAX} bytes the same data in a stored block (header
 * `78 01`). Receivers take any valid zlib stream (wire.md §7); mosh's
 * inflate does.
 *
 * @example
 * ```ts
 * import { compressForSend, decompress } from "./compression.ts";
 * const z = compressForSend(new Uint8Array([1, 2, 3])); // 78 01 01 03 00 fc ff 01 02 03 …
 * decompress(z); // Uint8Array [1, 2, 3]
 * ```
 */
export function compressForSend(data: Uint8Array): Uint8Array {
  if (data.length > STORED_MAX) return compress(data);
  const n = data.length;
  const out = new Uint8Array(n + 11);
  out[0] = 0x78; // deflate, 32 KB window
  out[1] = 0x01; // "fastest" level; (0x78 << 8 | 0x01) % 31 === 0
  out[2] = 0x01; // the final block, stored
  out[3] = n & 0xff;
  out[4] = n >> 8;
  out[5] = ~n & 0xff;
  out[6] = (~n >> 8) & 0xff;
  out.set(data, 7);
  let a = 1, b = 0; // Adler-32: no reduction needed below 5552 bytes
  for (let i = 0; i < n; i++) {
    a += data[i]!;
    b += a;
  }
  new DataView(out.buffer).setUint32(n + 7, ((b % 65521) << 16 | (a % 65521)) >>> 0);
  return out;
}

/**
 * Inflates a zlib stream of at most {@linkcode MAX_INFLATED} bytes.
 *
 * @throws {CompressionError} when the stream is corrupt, truncated or too large.
 */
export function decompress(data: Uint8Array): Uint8Array {
  const refuse = (cause?: unknown) =>
    new CompressionError(
      "Received an instruction that is not a valid zlib stream of at most 4 MiB",
      cause === undefined ? undefined : { cause },
    );
  const strm = freshInflate();
  attach(strm, data, inflateOutput);
  try {
    for (;;) {
      const status = zlibInflate.inflate(strm, Z_FINISH);
      if (status === Z_STREAM_END) {
        if (strm.next_out > MAX_INFLATED) throw refuse();
        return inflateOutput.slice(0, strm.next_out);
      }
      const outOfSpace = (status === Z_OK || status === Z_BUF_ERROR) && strm.avail_out === 0;
      if (!outOfSpace) {
        throw refuse(status === Z_BUF_ERROR ? "truncated stream" : `zlib status ${status}`);
      }
      // Grown only as it inflates, up to the limit and one byte (zlib may stop
      // with the output full before it reads the end of the stream): a small
      // bomb is refused before it is expanded in full.
      if (inflateOutput.length > MAX_INFLATED) throw refuse();
      const used = strm.next_out;
      const size = Math.min(inflateOutput.length * 2, MAX_INFLATED + 1);
      inflateOutput = grow(inflateOutput, used, size);
      strm.output = inflateOutput;
      strm.avail_out = inflateOutput.length - used;
    }
  } finally {
    strm.input = null;
    strm.output = null;
    if (inflateOutput.length > KEPT_OUTPUT) inflateOutput = new Uint8Array(KEPT_OUTPUT);
  }
}

/**
 * Types for the part of the vendored pako 2.1.0 (pako.mjs) that
 * lib/network/compression.ts uses: zlib's own low-level API.
 *
 * @module
 */

/** zlib's `z_stream`: input and output buffers and positions. */
export class ZStream {
  /** Input bytes (`next_in` is an index into them). */
  input: Uint8Array | null;
  /** Index of the next input byte. */
  next_in: number;
  /** Input bytes left. */
  avail_in: number;
  /** Output buffer (`next_out` is an index into it). */
  output: Uint8Array | null;
  /** Index of the next output byte. */
  next_out: number;
  /** Output space left. */
  avail_out: number;
  /** Last error message, if any. */
  msg: string;
  /** The inflate state's sliding window (only what compression.ts touches). */
  state: { window: Uint8Array | null; wsize: number };
}

/** zlib's deflate functions. */
export const zlibDeflate: {
  deflateInit2(
    strm: ZStream,
    level: number,
    method: number,
    windowBits: number,
    memLevel: number,
    strategy: number,
  ): number;
  deflateReset(strm: ZStream): number;
  deflate(strm: ZStream, flush: number): number;
};

/** zlib's inflate functions. */
export const zlibInflate: {
  inflateInit2(strm: ZStream, windowBits: number): number;
  inflateReset(strm: ZStream): number;
  inflate(strm: ZStream, flush: number): number;
};

/** The package's own classes (not used here, kept for completeness of the module's shape). */
export const Deflate: unknown;
/** See {@linkcode Deflate}. */
export const Inflate: unknown;

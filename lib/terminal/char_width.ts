/**
 * Character widths as glibc's `wcwidth` reports them in a UTF-8 locale
 * (mosh measures with the C library; a mismatch between client and server
 * would make their screens diverge).
 *
 * @module
 */
import { RUN_ENDS, RUN_STARTS, RUN_WIDTHS } from "./char_width_table.ts";

// Direct lookup for the Basic Multilingual Plane's first 0x3000 code points.
const FAST_LIMIT = 0x3000;
const fast = new Int8Array(FAST_LIMIT).fill(1);
for (let i = 0; i < RUN_STARTS.length; i++) {
  const start = RUN_STARTS[i]!;
  if (start >= FAST_LIMIT) break;
  const end = Math.min(RUN_ENDS[i]!, FAST_LIMIT - 1);
  fast.fill(RUN_WIDTHS[i]!, start, end + 1);
}

/**
 * Columns a code point occupies: −1 (not printable: dropped), 0
 * (combining), 1 or 2 (wide).
 *
 * @example
 * ```ts
 * import { charWidth } from "./char_width.ts";
 * charWidth(0x41); // 1
 * charWidth(0x301); // 0
 * charWidth(0x4e2d); // 2
 * ```
 */
export function charWidth(codePoint: number): number {
  if (codePoint < FAST_LIMIT) return fast[codePoint]!;
  let lo = 0, hi = RUN_STARTS.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (codePoint < RUN_STARTS[mid]!) hi = mid - 1;
    else if (codePoint > RUN_ENDS[mid]!) lo = mid + 1;
    else return RUN_WIDTHS[mid]!;
  }
  return codePoint > 0x10ffff ? -1 : 1;
}

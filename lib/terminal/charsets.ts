/**
 * The DEC special graphics character set (VT100 line drawing), which a
 * program selects with `ESC ( 0` (into G0) or `ESC ) 0` and SO (into G1):
 * while it is in use, the characters 0x5F–0x7E print as these. Every other
 * designation means ASCII.
 *
 * @module
 */

/** Bits of `DrawState.charsets` (framebuffer.ts). */
export const Charset = {
  /** G0 is the DEC special graphics set (`ESC ( 0`), else ASCII. */
  G0Graphics: 1,
  /** G1 is the DEC special graphics set (`ESC ) 0`), else ASCII. */
  G1Graphics: 2,
  /** G1 is in use (after SO, until SI), else G0. */
  ShiftOut: 4,
} as const;

/** Whether `charsets` (Charset bits) print 0x5F–0x7E as line drawing. */
export function drawsLines(charsets: number): boolean {
  const inUse = charsets & Charset.ShiftOut ? Charset.G1Graphics : Charset.G0Graphics;
  return (charsets & inUse) !== 0;
}

/** Unicode for 0x5F–0x7E in the DEC special graphics set, as xterm draws it. */
const DEC_SPECIAL_GRAPHICS = [
  0x00a0, // _ blank
  0x25c6, // ` diamond
  0x2592, // a checkerboard
  0x2409, // b HT
  0x240c, // c FF
  0x240d, // d CR
  0x240a, // e LF
  0x00b0, // f degree
  0x00b1, // g plus/minus
  0x2424, // h NL
  0x240b, // i VT
  0x2518, // j ┘
  0x2510, // k ┐
  0x250c, // l ┌
  0x2514, // m └
  0x253c, // n ┼
  0x23ba, // o scan line 1
  0x23bb, // p scan line 3
  0x2500, // q ─
  0x23bc, // r scan line 7
  0x23bd, // s scan line 9
  0x251c, // t ├
  0x2524, // u ┤
  0x2534, // v ┴
  0x252c, // w ┬
  0x2502, // x │
  0x2264, // y ≤
  0x2265, // z ≥
  0x03c0, // { π
  0x2260, // | ≠
  0x00a3, // } £
  0x00b7, // ~ ·
];

/**
 * `c` as the DEC special graphics set prints it (unchanged outside 0x5F–0x7E).
 *
 * @example
 * ```ts
 * import { decSpecialGraphics } from "./charsets.ts";
 * String.fromCodePoint(decSpecialGraphics(0x71)); // "─"
 * ```
 */
export function decSpecialGraphics(c: number): number {
  return c >= 0x5f && c <= 0x7e ? DEC_SPECIAL_GRAPHICS[c - 0x5f]! : c;
}

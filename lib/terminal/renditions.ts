/**
 * Cell renditions (SGR state) as mosh stores them: a 25-bit foreground and
 * background code and an attribute bit set.
 *
 * Colour codes: 0 = default; 30–37 / 40–47 = ANSI colours; 30+n / 40+n =
 * 256-colour palette index n; `0x1000000 | r<<16 | g<<8 | b` = 24-bit.
 *
 * @module
 */

/**
 * Attribute bits, at mosh's positions. Faint (SGR 2) and strikethrough
 * (SGR 9) are beyond mosh 1.4.0, which ignores both: a real mosh-client
 * shows such text plain, as it always has.
 */
export const Attr = {
  Bold: 1,
  Faint: 2,
  Italic: 4,
  Underline: 8,
  Blink: 16,
  Inverse: 32,
  Invisible: 64,
  Strikethrough: 128,
} as const;

/** Flag bit of a 24-bit colour code. */
export const TRUE_COLOR = 0x1000000;

/** Foreground, background and attributes of a cell or of the drawing state. */
export interface Renditions {
  /** Packed foreground colour: default, palette index or 24-bit RGB. */
  fg: number;
  /** Packed background colour: default, palette index or 24-bit RGB. */
  bg: number;
  /** Attribute bits ({@linkcode Attr}: bold, faint, italic, underline, blink, inverse, invisible, strikethrough). */
  attrs: number;
}

/** The default renditions. */
export function defaultRenditions(): Renditions {
  return { fg: 0, bg: 0, attrs: 0 };
}

function colorParams(v: number, base: number): string {
  if (v === 0) return "";
  if (v & TRUE_COLOR) {
    return `;${base + 8};2;${(v >> 16) & 255};${(v >> 8) & 255};${v & 255}`;
  }
  if (v >= base && v <= base + 7) return `;${v}`;
  return `;${base + 8};5;${v - base}`;
}

/**
 * The SGR string mosh emits for renditions: always starting from `0`.
 *
 * @example
 * ```ts
 * import { sgrString } from "./renditions.ts";
 * sgrString(38 + 1, 0, 1); // "\x1b[0;1;38;5;9m"
 * ```
 */
export function sgrString(fg: number, bg: number, attrs: number): string {
  let s = "\x1b[0";
  if (attrs & Attr.Bold) s += ";1";
  if (attrs & Attr.Faint) s += ";2";
  if (attrs & Attr.Italic) s += ";3";
  if (attrs & Attr.Underline) s += ";4";
  if (attrs & Attr.Blink) s += ";5";
  if (attrs & Attr.Inverse) s += ";7";
  if (attrs & Attr.Invisible) s += ";8";
  if (attrs & Attr.Strikethrough) s += ";9";
  return s + colorParams(fg, 30) + colorParams(bg, 40) + "m";
}

/**
 * One framebuffer row: cells stored in parallel typed arrays over one buffer
 * (no object per cell), a generation id, and the soft-wrap flag.
 *
 * @module
 */

/** Cell flag: the character is two columns wide (the next cell is its shadow). */
export const WIDE = 1;
/** Cell flag: the contents start with a combining character (no base). */
export const FALLBACK = 2;

let generation = 0;

const blanks = new Map<number, string[]>();
/** A shared all-empty contents array of `width` (never mutated: slice it). */
function blankContents(width: number): string[] {
  let b = blanks.get(width);
  if (b === undefined) {
    b = new Array<string>(width).fill("");
    blanks.set(width, b);
  }
  return b;
}

/** The last all-zero cell storage handed out (rows of one screen share a width). */
let zeros = new Uint32Array(0);
/** A shared all-zero array of `length` words (never written: a source for `set`). */
function zeroCells(length: number): Uint32Array {
  if (zeros.length !== length) zeros = new Uint32Array(length);
  return zeros;
}

/** A fresh generation id (rows that were reset are distinguishable from copies). */
export function nextGeneration(): number {
  return ++generation;
}

/** Bytes of cell storage for `width` cells: fg, bg (4 bytes each), attrs, flags (1 each). */
function storageBytes(width: number): number {
  return Math.ceil((10 * width) / 4) * 4;
}

/** A row of cells. Treat as immutable once shared: {@linkcode Row.copy} before changing it. */
export class Row {
  /**
   * Generation id, new when the row is created or reset (not when its cells
   * are written): as in mosh, rows compare equal only with equal generations
   * and equal cells, so a reset row is redrawn even if it looks the same.
   */
  gen: number;
  /** Cell text: base character plus combining characters; "" = empty cell. */
  contents: string[];
  /** Foreground colour per cell (packed, see renditions.ts). */
  fg!: Uint32Array;
  /** Background colour per cell (packed, see renditions.ts). */
  bg!: Uint32Array;
  /** Attribute bits per cell (bold, underline, …). */
  attrs!: Uint8Array;
  /** Cell flags per cell ({@linkcode WIDE}, {@linkcode FALLBACK}). */
  flags!: Uint8Array;
  /**
   * OSC 8 hyperlink per cell ("params;URI", "" = none), or null while no
   * cell of the row has one: allocated on the first link, so rows without
   * links cost nothing. Cells sharing a link share one string.
   */
  links: string[] | null = null;
  /** The row continues on the next one (set on the last cell in mosh). */
  wrap = false;
  /**
   * For the history only, never drawn nor compared: the row continues on the
   * next one, where a wide character went that did not fit in its last
   * column (mosh's emulator leaves such a row unwrapped: no diff can draw it).
   * Cleared with `wrap`.
   */
  wideWrap = false;
  /** Shared with another framebuffer copy: copy before writing. */
  shared = false;
  /**
   * All four per-cell arrays above are views of this one buffer: a row is one
   * allocation, copied with one `slice` and blanked with one `fill` (a line
   * feed at the bottom of the screen blanks a row).
   */
  #cells!: Uint32Array;

  /** The row's line goes on to the next row: `wrap`, or `wideWrap`. */
  get continues(): boolean {
    return this.wrap || this.wideWrap;
  }

  /** Whether a cell at column `x` or past it holds a character (what a row `x` wide cuts off). */
  usedPast(x: number): boolean {
    const contents = this.contents;
    for (let i = contents.length - 1; i >= x; i--) if (contents[i] !== "") return true;
    return false;
  }

  /** A blank Row of `width` cells (or a copy of `source`, same generation). */
  constructor(width: number, bg = 0, source?: Row) {
    if (source !== undefined) {
      this.gen = source.gen;
      this.contents = source.contents.slice();
      this.#setCells(source.#cells.slice(), width);
      this.links = source.links === null ? null : source.links.slice();
      this.wrap = source.wrap;
      this.wideWrap = source.wideWrap;
      return;
    }
    this.gen = nextGeneration();
    this.contents = blankContents(width).slice();
    this.#setCells(new Uint32Array(storageBytes(width) / 4), width);
    if (bg !== 0) this.bg.fill(bg);
  }

  #setCells(cells: Uint32Array, width: number): void {
    const buffer = cells.buffer;
    this.#cells = cells;
    this.fg = new Uint32Array(buffer, 0, width);
    this.bg = new Uint32Array(buffer, 4 * width, width);
    this.attrs = new Uint8Array(buffer, 8 * width, width);
    this.flags = new Uint8Array(buffer, 9 * width, width);
  }

  /** Number of cells in the row. */
  get width(): number {
    return this.contents.length;
  }

  /** An unshared copy with the same generation. */
  copy(): Row {
    return new Row(this.contents.length, 0, this);
  }

  /** Resets cell `x` to empty with background `bg`. */
  resetCell(x: number, bg: number): void {
    // mosh keeps the wrap flag on the last cell: resetting that cell clears it.
    if (x === this.contents.length - 1) this.wrap = this.wideWrap = false;
    this.contents[x] = "";
    this.fg[x] = 0;
    this.bg[x] = bg;
    this.attrs[x] = 0;
    this.flags[x] = 0;
    if (this.links !== null) this.links[x] = "";
  }

  /** The hyperlink of cell `x` ("" = none). */
  linkAt(x: number): string {
    return this.links === null ? "" : this.links[x]!;
  }

  /** Sets the hyperlink of cell `x` (allocating the per-cell array on the first link). */
  setLink(x: number, link: string): void {
    if (this.links === null) {
      if (link === "") return;
      this.links = blankContents(this.contents.length).slice();
    }
    this.links[x] = link;
  }

  /** Resets cells [from, to) to empty with background `bg`. */
  resetCells(from: number, to: number, bg: number): void {
    if (to >= this.contents.length && from < to) this.wrap = this.wideWrap = false;
    this.contents.fill("", from, to);
    this.fg.fill(0, from, to);
    this.bg.fill(bg, from, to);
    this.attrs.fill(0, from, to);
    this.flags.fill(0, from, to);
    if (this.links !== null) this.links.fill("", from, to);
  }

  /** Resets the whole row (new generation, not wrapped). */
  reset(bg: number): void {
    const contents = this.contents;
    // A plain loop: no allocation, and faster than Array.prototype.fill here.
    for (let x = 0; x < contents.length; x++) contents[x] = "";
    // Copied from zeros: `fill` on a typed array is a call into V8's C++ runtime,
    // a third of the emulator's time in a `seq` flood (2026-11-25 profile).
    const cells = this.#cells;
    cells.set(zeroCells(cells.length));
    if (bg !== 0) this.bg.fill(bg);
    this.links = null;
    this.wrap = this.wideWrap = false;
    this.gen = nextGeneration();
  }

  /** Inserts `n` blank cells at `x`, shifting the rest right (cells fall off the end). */
  insertCells(x: number, n: number, bg: number): void {
    const w = this.width;
    n = Math.min(n, w - x);
    if (n <= 0) return;
    this.wrap = this.wideWrap = false; // the last cell (and its wrap flag) falls off the end
    this.contents.copyWithin(x + n, x, w - n);
    this.fg.copyWithin(x + n, x, w - n);
    this.bg.copyWithin(x + n, x, w - n);
    this.attrs.copyWithin(x + n, x, w - n);
    this.flags.copyWithin(x + n, x, w - n);
    this.links?.copyWithin(x + n, x, w - n);
    this.resetCells(x, x + n, bg);
    // A wide character pushed into the last column lost its right half.
    if (this.flags[w - 1]! & WIDE) this.resetCell(w - 1, bg);
  }

  /** Deletes `n` cells at `x`, shifting the rest left and appending blanks. */
  deleteCells(x: number, n: number, bg: number): void {
    const w = this.width;
    n = Math.min(n, w - x);
    if (n <= 0) return;
    this.wrap = this.wideWrap = false; // a blank cell becomes the last one
    this.contents.copyWithin(x, x + n, w);
    this.fg.copyWithin(x, x + n, w);
    this.bg.copyWithin(x, x + n, w);
    this.attrs.copyWithin(x, x + n, w);
    this.flags.copyWithin(x, x + n, w);
    this.links?.copyWithin(x, x + n, w);
    this.resetCells(w - n, w, bg);
  }

  /** Truncates or extends to `width` (new cells get background `bg`); clears wrap. */
  resize(width: number, bg: number): void {
    const old = this.width;
    if (width === old) {
      this.wrap = this.wideWrap = false;
      return;
    }
    const keep = Math.min(old, width);
    const { fg, bg: oldBg, attrs, flags } = this;
    this.contents = this.contents.slice(0, width);
    while (this.contents.length < width) this.contents.push("");
    this.#setCells(new Uint32Array(storageBytes(width) / 4), width);
    this.fg.set(fg.subarray(0, keep));
    this.bg.set(oldBg.subarray(0, keep));
    this.attrs.set(attrs.subarray(0, keep));
    this.flags.set(flags.subarray(0, keep));
    if (this.links !== null) {
      this.links = this.links.slice(0, width);
      while (this.links.length < width) this.links.push("");
    }
    if (width > old && bg !== 0) this.bg.fill(bg, old);
    // A wide character cut in two by the new edge goes, as terminals drop it: left in the last
    // column, no diff could draw it (a terminal wraps a wide character that does not fit).
    if (width < old && width > 0 && (this.flags[width - 1]! & WIDE) !== 0) {
      this.resetCell(width - 1, this.bg[width - 1]!);
    }
    this.wrap = this.wideWrap = false;
  }

  /** Whether cell `x` here equals cell `x` of `other` (contents, flags, renditions, link). */
  cellEquals(x: number, other: Row, links = true): boolean {
    return this.contents[x] === other.contents[x] && this.fg[x] === other.fg[x] &&
      this.bg[x] === other.bg[x] && this.attrs[x] === other.attrs[x] &&
      this.flags[x] === other.flags[x] &&
      (!links || this.links === other.links || this.linkAt(x) === other.linkAt(x));
  }

  /**
   * Whether the row shows exactly `text` (one cell per UTF-16 unit, as for
   * ASCII) from its first cell, the rest blank, all in the default
   * renditions, with no link and no wrap.
   */
  showsText(text: string): boolean {
    const { contents, fg, bg, attrs, flags } = this;
    if (this.wrap || text.length > contents.length) return false;
    for (let x = 0; x < contents.length; x++) {
      const c = x < text.length ? text[x] : "";
      if (contents[x] !== c || fg[x] !== 0 || bg[x] !== 0 || attrs[x] !== 0 || flags[x] !== 0) {
        return false;
      }
      if (this.links !== null && this.links[x] !== "") return false;
    }
    return true;
  }

  /** Same cells and wrap flag (generation not compared). */
  contentEquals(other: Row): boolean {
    if (this === other) return true;
    const w = this.width;
    if (w !== other.width || this.wrap !== other.wrap) return false;
    for (let x = 0; x < w; x++) if (!this.cellEquals(x, other)) return false;
    return true;
  }

  /** The row's text, empty cells as spaces, wide shadows skipped (for tests and logs). */
  text(): string {
    let s = "";
    for (let x = 0; x < this.width; x++) {
      if (x > 0 && (this.flags[x - 1]! & WIDE)) continue;
      const c = this.contents[x]!;
      s += c === "" ? " " : (this.flags[x]! & FALLBACK ? "\u00a0" + c : c);
    }
    return s;
  }
}

/**
 * The terminal emulator: host bytes → UTF-8 decoder → parser → the
 * framebuffer operations mosh 1.4.0 implements (terminal.md), plus the
 * alternate screen (modes 47/1047/1049), which mosh itself ignores.
 *
 * @module
 */
import { charWidth } from "./char_width.ts";
import {
  defaultSavedCursor,
  Framebuffer,
  type SavedCursor,
  TITLE_STACK_DEPTH,
} from "./framebuffer.ts";
import { Charset, decSpecialGraphics, drawsLines } from "./charsets.ts";
import { Parser, type ParserHandler } from "./parser.ts";
import { Attr, TRUE_COLOR } from "./renditions.ts";
import { FALLBACK, Row, WIDE } from "./row.ts";
import { Utf8Decoder } from "./utf8_decoder.ts";

/** Parses a CSI parameter string as mosh does: `;`-separated, empty or > 65535 → −1. */
export function parseParams(text: string): number[] {
  // One pass over the digits (what the parser collects), allocating only the result.
  const out: number[] = [];
  let v = -1; // no digit yet
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3b) {
      out.push(v > 65535 ? -1 : v);
      v = -1;
    } else if (c >= 0x30 && c <= 0x39) {
      v = v < 0 ? c - 0x30 : v > 65535 ? v : v * 10 + c - 0x30;
    } else {
      return text.split(";").map((p) => { // anything else: as Number() reads it
        if (p === "") return -1;
        const n = Number(p);
        return n > 65535 ? -1 : n;
      });
    }
  }
  out.push(v > 65535 ? -1 : v);
  return out;
}

/** The n-th parameter, or `fallback` when absent or < 1. */
function param(params: number[], n: number, fallback: number): number {
  const v = params[n];
  return v === undefined || v < 1 ? fallback : v;
}

/** A colon sub-parameter as a number: empty or over 65535 is −1, as for `;` parameters. */
function subparam(text: string): number {
  const v = text === "" ? -1 : Number(text);
  return v > 65535 ? -1 : v;
}

/** The attribute SGR 1–9 sets (0: none; 6, rapid blink, is not kept). */
const SGR_SETS = [
  0,
  Attr.Bold,
  Attr.Faint,
  Attr.Italic,
  Attr.Underline,
  Attr.Blink,
  Attr.Blink, // rapid blink, drawn as blink as xterm and tmux do (beyond mosh 1.4.0, which ignores it)
  Attr.Inverse,
  Attr.Invisible,
  Attr.Strikethrough,
];
/**
 * What SGR 20–29 clears: what SGR n sets, for 2n, except 21 (a double
 * underline: it sets one), 22 (normal intensity: bold and faint) and 26
 * (nothing; 25 ends both blinks).
 */
const SGR_CLEARS = SGR_SETS.map((attr, n) =>
  n === 1 || n === 6 ? 0 : n === 2 ? Attr.Bold | Attr.Faint : attr
);

/** DEC private modes that are one flag of the draw state (terminal.md §11), set and reported. */
const FLAG_MODES = new Map<
  number,
  | "applicationCursorKeys"
  | "reverseVideo"
  | "autowrap"
  | "cursorVisible"
  | "mouseFocusEvents"
  | "mouseAlternateScroll"
  | "bracketedPaste"
>([
  [1, "applicationCursorKeys"],
  [5, "reverseVideo"],
  [7, "autowrap"],
  [25, "cursorVisible"],
  [1004, "mouseFocusEvents"],
  [1007, "mouseAlternateScroll"],
  [2004, "bracketedPaste"],
]);

/** DEC private modes that select a draw-state field's value: the mode's number, or 0 when reset. */
const VALUE_MODES = new Map<number, "mouseReporting" | "mouseEncoding">([
  [9, "mouseReporting"],
  [1000, "mouseReporting"],
  [1001, "mouseReporting"],
  [1002, "mouseReporting"],
  [1003, "mouseReporting"],
  [1005, "mouseEncoding"],
  [1006, "mouseEncoding"],
  [1015, "mouseEncoding"],
]);

/** One-character strings for Latin-1, so printing allocates nothing. */
const ASCII = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

/** Bytes of the longest cell contents mosh keeps. */
const MAX_CELL_BYTES = 32;
const encoder = new TextEncoder();

/**
 * A terminal emulator instance.
 *
 * @example
 * ```ts
 * import { Emulator } from "./emulator.ts";
 * const term = new Emulator(80, 24);
 * term.write(new TextEncoder().encode("\x1b[1;31mhello\x1b[0m"));
 * term.fb.rowText(0).trimEnd(); // "hello"
 * ```
 */
export class Emulator implements ParserHandler {
  /** The framebuffer this emulator draws on. */
  fb: Framebuffer;
  readonly #decoder = new Utf8Decoder();
  readonly #parser: Parser;
  #replies = "";
  #linkEnd = false;
  /** The graphic character printed last, for REP (-1: none, or a control since). */
  #repeatable = -1;
  readonly #emit: (c: number) => void;

  /** A blank Emulator of `width` columns by `height` rows. */
  constructor(width: number, height: number) {
    this.fb = new Framebuffer(width, height);
    this.#parser = new Parser(this);
    const parser = this.#parser;
    this.#emit = (c) => parser.input(c);
  }

  /** An independent copy (framebuffer copy-on-write; parser state starts fresh). */
  clone(): Emulator {
    const e = new Emulator(1, 1);
    e.fb = this.fb.clone();
    return e;
  }

  /**
   * Interprets host output. Returns the replies the terminal sends back to
   * the host (DSR/CPR, DA) — the server writes them to the pty.
   */
  write(bytes: Uint8Array): string {
    const parser = this.#parser, decoder = this.#decoder;
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (b >= 0x80 || !decoder.idle) {
        // Multi-byte UTF-8 (or a sequence pending): the run of non-ASCII bytes to the decoder.
        let j = i + 1;
        while (j < n && bytes[j]! >= 0x80) j++;
        decoder.decode(bytes.subarray(i, j), this.#emit);
        i = j - 1;
      } else if (!parser.inGround || this.fb.ds.lineDrawing) {
        parser.input(b); // an ASCII byte decodes as itself: no need for the decoder
      } else if (b >= 0x20 && b < 0x7f) {
        // The fast path: a run of printable ASCII in the Ground state, printed as a run
        // (per character, the checks and lookups took a quarter of the emulator's time:
        // 200k lines of `seq` 44 → 32 ms, 20k mixed-SGR lines 48 → 33 ms, 2026-11-25).
        let j = i + 1;
        while (j < n && bytes[j]! >= 0x20 && bytes[j]! < 0x7f) j++;
        while (i < j) i = this.#printAsciiRun(bytes, i, j);
        i--;
      } else if (b === 0x0a || b === 0x0d) {
        this.execute(b);
      } else {
        parser.input(b);
      }
    }
    const replies = this.#replies;
    this.#replies = "";
    return replies;
  }

  /** A window-size change; `keepCursorRow`, `recordDropped`: see {@linkcode Framebuffer.resize}. */
  resize(width: number, height: number, keepCursorRow = false, recordDropped = false): void {
    this.fb.resize(width, height, keepCursorRow, recordDropped);
  }

  // ---- cursor primitives (terminal.md §5) ----

  #snap(): void {
    const fb = this.fb, ds = fb.ds;
    ds.cursorRow = Math.min(Math.max(ds.cursorRow, fb.limitTop), fb.limitBottom);
    ds.cursorCol = Math.min(Math.max(ds.cursorCol, 0), fb.width - 1);
  }

  #combiningHere(): void {
    const ds = this.fb.ds;
    ds.combiningRow = ds.cursorRow;
    ds.combiningCol = ds.cursorCol;
  }

  #moveRow(n: number, relative: boolean): void {
    const ds = this.fb.ds;
    ds.cursorRow = relative ? ds.cursorRow + n : n + this.fb.limitTop;
    this.#snap();
    this.#combiningHere();
    ds.nextPrintWillWrap = false;
  }

  #moveCol(n: number, relative: boolean, implicit = false): void {
    const ds = this.fb.ds;
    if (implicit) {
      ds.combiningRow = ds.cursorRow;
      ds.combiningCol = ds.cursorCol;
      ds.cursorCol += n;
      ds.nextPrintWillWrap = ds.cursorCol >= this.fb.width;
      this.#snap();
      return;
    }
    ds.cursorCol = relative ? ds.cursorCol + n : n;
    this.#snap();
    this.#combiningHere();
    ds.nextPrintWillWrap = false;
  }

  #autoscroll(n: number): void {
    const fb = this.fb, ds = fb.ds;
    const row = ds.cursorRow;
    if (row < ds.scrollTop || row > ds.scrollBottom) {
      ds.cursorRow = row + n;
      this.#snap();
      this.#combiningHere();
      return;
    }
    // As mosh: scroll, move back by as much, then by n, snapping each time.
    // It only matters in a one-row region on the bottom row (DECSTBM h;h+1):
    // there a reverse index leaves the cursor a row above the region.
    if (row + n > ds.scrollBottom) {
      const k = row + n - ds.scrollBottom;
      fb.scrollUp(k);
      ds.cursorRow = row - k;
      this.#snap();
    } else if (row + n < ds.scrollTop) {
      const k = ds.scrollTop - row - n;
      fb.scrollDown(k);
      ds.cursorRow = row + k;
      this.#snap();
    }
    ds.cursorRow += n;
    this.#snap();
    this.#combiningHere();
  }

  #lineFeed(): void {
    this.#autoscroll(1);
    this.fb.ds.nextPrintWillWrap = false;
  }

  // ---- printing (terminal.md §6) ----

  /** Printing one ASCII character: the common case, without width lookups or allocation. */
  #printAscii(c: number): void {
    const fb = this.fb, ds = fb.ds;
    // Origin mode: the cursor can be outside the margins it snaps into once
    // it moves (mosh homes it to the screen's top row): the general path.
    if (ds.nextPrintWillWrap || ds.insertMode || ds.originMode) return this.print(c);
    const x = ds.cursorCol;
    const row = fb.mutableRow(ds.cursorRow);
    if (x > 0 && (row.flags[x - 1]! & WIDE)) return this.print(c);
    row.contents[x] = ASCII[c]!;
    row.fg[x] = ds.fg;
    row.bg[x] = ds.bg;
    row.attrs[x] = ds.attrs;
    row.flags[x] = 0;
    if (row.links !== null || ds.link !== "") row.setLink(x, ds.link);
    this.#repeatable = c;
    ds.combiningRow = ds.cursorRow;
    ds.combiningCol = x;
    if (x + 1 >= fb.width) {
      row.wrap = row.wideWrap = false;
      ds.nextPrintWillWrap = true;
    } else {
      ds.cursorCol = x + 1;
    }
  }

  /**
   * Prints ASCII `bytes[from, to)` as {@linkcode Emulator.#printAscii} would
   * one by one, as far as the current row goes in the plain case (no pending
   * wrap, insert mode, origin mode or links): the row and renditions are looked up once.
   * Returns the index of the first byte not printed.
   */
  #printAsciiRun(bytes: Uint8Array, from: number, to: number): number {
    const fb = this.fb, ds = fb.ds;
    const x0 = ds.cursorCol;
    if (
      ds.nextPrintWillWrap || ds.insertMode || ds.originMode || ds.link !== "" || to - from === 1
    ) {
      this.#printAscii(bytes[from]!);
      return from + 1;
    }
    const row = fb.mutableRow(ds.cursorRow);
    if (row.links !== null || (x0 > 0 && (row.flags[x0 - 1]! & WIDE))) {
      this.#printAscii(bytes[from]!);
      return from + 1;
    }
    const end = x0 + Math.min(to - from, fb.width - x0); // cells [x0, end)
    const { contents, fg, bg, attrs, flags } = row;
    const f = ds.fg, b = ds.bg, a = ds.attrs;
    for (let x = x0, k = from; x < end; x++, k++) {
      contents[x] = ASCII[bytes[k]!]!;
      fg[x] = f;
      bg[x] = b;
      attrs[x] = a;
      flags[x] = 0;
    }
    this.#repeatable = bytes[from + (end - x0) - 1]!;
    ds.combiningRow = ds.cursorRow;
    ds.combiningCol = end - 1;
    if (end >= fb.width) {
      row.wrap = row.wideWrap = false;
      ds.nextPrintWillWrap = true;
      ds.cursorCol = end - 1;
    } else {
      ds.cursorCol = end;
    }
    return from + (end - x0);
  }

  print(c: number): void {
    if (this.fb.ds.lineDrawing) c = decSpecialGraphics(c);
    const w = c === 0
      ? -1
      : (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff)
      ? 1
      : charWidth(c);
    if (w < 0) return;
    const fb = this.fb, ds = fb.ds;
    const ch = String.fromCodePoint(c);
    if (w === 0) {
      const y = ds.combiningRow, x = ds.combiningCol;
      if (y < 0 || y >= fb.height || x < 0 || x >= fb.width) return;
      const row = fb.mutableRow(y);
      if (row.contents[x] === "") {
        row.flags[x]! |= FALLBACK;
        this.#moveCol(1, true, true);
      }
      const current = row.contents[x]!;
      if (encoder.encode(current).length < MAX_CELL_BYTES) row.contents[x] = current + ch;
      this.#repeatable = -1;
      return;
    }
    if (ds.autowrap && ds.nextPrintWillWrap) {
      fb.mutableRow(ds.cursorRow).wrap = true;
      ds.cursorCol = 0;
      this.#combiningHere();
      this.#autoscroll(1);
      ds.nextPrintWillWrap = false;
    } else if (ds.autowrap && w === 2 && ds.cursorCol === fb.width - 1) {
      const row = fb.mutableRow(ds.cursorRow);
      row.resetCell(ds.cursorCol, ds.bg);
      row.wrap = false;
      row.wideWrap = true; // one line all the same, in the history (scrollback extension)
      ds.cursorCol = 0;
      this.#autoscroll(1);
      ds.nextPrintWillWrap = false;
    }
    const row = fb.mutableRow(ds.cursorRow);
    // With autowrap off a wide character cannot sit in the last column (no
    // display diff could draw it there): it goes one column left, as in xterm.
    if (w === 2 && ds.cursorCol === fb.width - 1 && fb.width > 1) ds.cursorCol--;
    const x = ds.cursorCol;
    if (ds.insertMode) row.insertCells(x, w, ds.bg);
    // Overwriting the right half of a wide character erases its left half, as
    // terminals do (mosh leaves an orphan that its display diff cannot send).
    if (x > 0 && (row.flags[x - 1]! & WIDE)) row.resetCell(x - 1, ds.bg);
    row.resetCell(x, ds.bg);
    row.contents[x] = ch;
    row.flags[x] = w === 2 ? WIDE : 0;
    row.fg[x] = ds.fg;
    row.bg[x] = ds.bg;
    row.attrs[x] = ds.attrs;
    if (ds.link !== "") row.setLink(x, ds.link);
    if (w === 2 && x + 1 < fb.width) row.resetCell(x + 1, ds.bg);
    this.#repeatable = c;
    this.#moveCol(w, true, true);
  }

  // ---- controls (terminal.md §8) ----

  execute(c: number): void {
    const ds = this.fb.ds;
    this.#repeatable = -1;
    if (c !== 0x09) ds.nextPrintWillWrap = false;
    switch (c) {
      case 0x07:
        this.fb.bellCount++;
        break;
      case 0x08:
        this.#moveCol(-1, true);
        break;
      case 0x09:
        this.#tabForward(1);
        break;
      case 0x0a:
      case 0x0b:
      case 0x0c:
      case 0x84:
        this.#lineFeed();
        break;
      case 0x0d:
        this.#moveCol(0, false);
        break;
      case 0x0e: // SO
        this.#setCharsets(ds.charsets | Charset.ShiftOut);
        break;
      case 0x0f: // SI
        this.#setCharsets(ds.charsets & ~Charset.ShiftOut);
        break;
      case 0x85:
        this.#moveCol(0, false);
        this.#lineFeed();
        break;
      case 0x88:
        ds.tabs[ds.cursorCol] = true;
        break;
      case 0x8d:
        this.#autoscroll(-1);
        ds.nextPrintWillWrap = false;
        break;
    }
  }

  #tabForward(n: number): void {
    const fb = this.fb, ds = fb.ds;
    const wrap = ds.nextPrintWillWrap;
    let col = ds.cursorCol;
    for (let i = 0; i < n; i++) {
      let next = -1;
      for (let x = col + 1; x < fb.width; x++) {
        if (ds.tabs[x]) {
          next = x;
          break;
        }
      }
      if (next < 0) {
        col = fb.width - 1;
        break;
      }
      col = next;
    }
    this.#moveCol(col, false);
    ds.nextPrintWillWrap = wrap;
  }

  #tabBackward(n: number): void {
    const ds = this.fb.ds;
    const wrap = ds.nextPrintWillWrap;
    let col = ds.cursorCol;
    for (let i = 0; i < n; i++) {
      let prev = -1;
      for (let x = col - 1; x >= 1; x--) {
        if (ds.tabs[x]) {
          prev = x;
          break;
        }
      }
      if (prev < 0) {
        col = 0;
        break;
      }
      col = prev;
    }
    this.#moveCol(col, false);
    ds.nextPrintWillWrap = wrap;
  }

  // ---- escape sequences (terminal.md §9) ----

  escDispatch(intermediates: string, final: number): void {
    if (this.#linkEnd) {
      this.#linkEnd = false;
      // The ST closing an OSC 8 is not a control of its own: a link that runs
      // past the right margin must still wrap (mosh resets the wrap here).
      if (intermediates === "" && final === 0x5c) return;
    }
    if (intermediates === "" && final >= 0x40 && final <= 0x5f) {
      this.execute(final + 0x40);
      return;
    }
    const fb = this.fb, ds = fb.ds;
    ds.nextPrintWillWrap = false;
    this.#repeatable = -1;
    if (intermediates === "") {
      if (final === 0x37) {
        ds.saved = this.#cursorNow();
      } else if (final === 0x38) {
        this.#restoreCursor(ds.saved);
      } else if (final === 0x63) {
        this.#fullReset();
      }
    } else if (intermediates === "(" || intermediates === ")") {
      // Designations: DEC special graphics ("0") or, for any other set, ASCII.
      const bit = intermediates === "(" ? Charset.G0Graphics : Charset.G1Graphics;
      this.#setCharsets(final === 0x30 ? ds.charsets | bit : ds.charsets & ~bit);
    } else if (intermediates === "#" && final === 0x38) {
      for (let y = 0; y < fb.height; y++) {
        const row = fb.mutableRow(y);
        row.reset(ds.bg);
        row.contents.fill("E");
      }
    }
  }

  /** The cursor as DECSC saves it. */
  #cursorNow(): SavedCursor {
    const ds = this.fb.ds;
    return {
      row: ds.cursorRow,
      col: ds.cursorCol,
      renditions: ds.renditions,
      autowrap: ds.autowrap,
      originMode: ds.originMode,
      charsets: ds.charsets,
    };
  }

  #restoreCursor(s: SavedCursor): void {
    const ds = this.fb.ds;
    ds.cursorRow = s.row;
    ds.cursorCol = s.col;
    ds.fg = s.renditions.fg;
    ds.bg = s.renditions.bg;
    ds.attrs = s.renditions.attrs;
    ds.autowrap = s.autowrap;
    ds.originMode = s.originMode;
    this.#setCharsets(s.charsets);
    this.#snap();
    this.#combiningHere();
  }

  #fullReset(): void {
    const fb = this.fb;
    fb.recordBeforeErase(); // the cleared screen goes to the history, as tmux keeps it
    // The counts, icon name, working directory and notifications stay (the last
    // two are not the terminal's own state: a reset keeps them, as xterm does);
    // the window title and clipboard go, as mosh's reset clears them.
    const fresh = fb.blankLike();
    fresh.windowTitle = "";
    fresh.clipboard = "";
    // The scrollback extension goes on recording what leaves the new screen.
    fresh.scrollOff = fb.scrollOff;
    fresh.historyCleared = fb.historyCleared;
    this.fb = fresh;
  }

  // ---- control sequences (terminal.md §10) ----

  csiDispatch(paramText: string, intermediates: string, final: number): void {
    this.csiDispatchParsed(parseParams(paramText), intermediates, final);
  }

  csiDispatchParsed(p: number[], intermediates: string, final: number): void {
    const fb = this.fb, ds = fb.ds;
    const key = intermediates === "" ? ASCII[final]! : intermediates + ASCII[final]!;
    const keepsWrap = key === "I" || key === "Z" || key === "g" || key === "?h" ||
      key === "?l" || key === "m" || key === "b";
    // The rest clear a pending wrap; these keep it unless they move the
    // cursor (DECOM and DECCOLM home it, and a move clears it, as in mosh).
    if (!keepsWrap) ds.nextPrintWillWrap = false;
    const repeatable = this.#repeatable;
    this.#repeatable = -1;
    switch (key) {
      case "b":
        if (!ds.nextPrintWillWrap && repeatable >= 0) this.#repeat(repeatable, param(p, 0, 1));
        break;
      case "@":
        fb.mutableRow(ds.cursorRow).insertCells(ds.cursorCol, param(p, 0, 1), ds.bg);
        break;
      case "A":
        this.#moveRow(-param(p, 0, 1), true);
        break;
      case "B":
        this.#moveRow(param(p, 0, 1), true);
        break;
      case "C":
        this.#moveCol(param(p, 0, 1), true);
        break;
      case "D":
        this.#moveCol(-param(p, 0, 1), true);
        break;
      case "G":
      case "`":
        this.#moveCol(param(p, 0, 1) - 1, false);
        break;
      case "H":
      case "f":
        this.#moveRow(param(p, 0, 1) - 1, false);
        this.#moveCol(param(p, 1, 1) - 1, false);
        break;
      case "I":
        this.#tabForward(param(p, 0, 1));
        break;
      case "J":
        this.#eraseDisplay(param(p, 0, 0));
        break;
      case "K":
        this.#eraseLine(param(p, 0, 0));
        break;
      case "L":
        this.#insertLines(param(p, 0, 1));
        break;
      case "M":
        this.#deleteLines(param(p, 0, 1));
        break;
      case "P":
        fb.mutableRow(ds.cursorRow).deleteCells(ds.cursorCol, param(p, 0, 1), ds.bg);
        break;
      case "S":
        fb.scrollUp(param(p, 0, 1));
        break;
      case "T":
        fb.scrollDown(param(p, 0, 1));
        break;
      case "X": {
        const n = Math.min(param(p, 0, 1), fb.width - ds.cursorCol);
        fb.mutableRow(ds.cursorRow).resetCells(ds.cursorCol, ds.cursorCol + n, ds.bg);
        break;
      }
      case "Z":
        this.#tabBackward(param(p, 0, 1));
        break;
      case "c":
        this.#replies += "\x1b[?62c";
        break;
      case ">c":
        this.#replies += "\x1b[>1;10;0c";
        break;
      case "d":
        this.#moveRow(param(p, 0, 1) - 1, false);
        break;
      // Beyond mosh 1.4.0, as xterm and tmux: CNL and CPL (used by progress
      // displays), and SCOSC/SCORC, the ANSI save and restore that programs
      // write without terminfo (mosh issue #1164: dool drawn wrong).
      case "E":
        this.#moveRow(param(p, 0, 1), true);
        this.#moveCol(0, false);
        break;
      case "F":
        this.#moveRow(-param(p, 0, 1), true);
        this.#moveCol(0, false);
        break;
      case "t": // XTWINOPS: only saving (22) and restoring (23) the titles, beyond mosh 1.4.0
        if (p[0] === 22 || p[0] === 23) this.#titleStack(p[0] === 22, param(p, 1, 0));
        break;
      case "s":
        if (p.length === 1 && p[0]! < 0) this.escDispatch("", 0x37);
        break;
      case " q": { // DECSCUSR: vim's and the shells' bar or underline cursor, sent on in the diff
        const style = Math.max(0, p[0] ?? 0);
        if (style <= 6) ds.cursorStyle = style;
        break;
      }
      case "u":
        if (p.length === 1 && p[0]! < 0) this.#restoreCursor(ds.saved);
        break;
      case "g": {
        const mode = param(p, 0, 0);
        if (mode === 0) ds.tabs[ds.cursorCol] = false;
        else if (mode === 3) {
          ds.tabs.fill(false);
          ds.defaultTabs = false;
        }
        break;
      }
      case "h":
      case "l":
        for (const v of p) if (v === 4) ds.insertMode = key === "h";
        break;
      case "?h":
      case "?l":
        for (const v of p) this.#setMode(v, key === "?h");
        break;
      case "m":
        this.#sgr(p);
        break;
      case "n": {
        const v = param(p, 0, 0);
        if (v === 5) this.#replies += "\x1b[0n";
        else if (v === 6) this.#replies += `\x1b[${ds.cursorRow + 1};${ds.cursorCol + 1}R`;
        break;
      }
      case "r": {
        const top = param(p, 0, 1);
        const bottom = param(p, 1, fb.height);
        if (bottom <= top || top > fb.height) break;
        ds.scrollTop = top - 1;
        ds.scrollBottom = Math.min(bottom, fb.height) - 1;
        this.#moveRow(0, false);
        this.#moveCol(0, false);
        break;
      }
      case "!p":
        this.#softReset();
        break;
      case "?$p": { // DECRQM: beyond mosh 1.4.0, which answers no mode query
        const mode = param(p, 0, 0);
        this.#replies += `\x1b[?${mode};${this.#privateModeState(mode)}$y`;
        break;
      }
      case "$p": { // the same for ANSI modes: insert (IRM) is the one kept
        const mode = param(p, 0, 0);
        this.#replies += `\x1b[${mode};${mode === 4 ? (ds.insertMode ? 1 : 2) : 0}$y`;
        break;
      }
    }
  }

  /**
   * REP, which mosh 1.4.0 ignores: ncurses' xterm entries have used it since
   * 2017 to draw runs of one character (mosh issue #1064: irssi's status
   * bar drawn with gaps). As tmux and VTE: the last graphic character printed, not
   * past the end of the row; nothing after a combining mark, a control or
   * any other sequence, or with a wrap pending.
   */
  #repeat(c: number, n: number): void {
    const ds = this.fb.ds;
    const w = c < 0x7f ? 1 : Math.max(1, charWidth(c));
    const count = Math.min(n, Math.floor((this.fb.width - ds.cursorCol) / w));
    for (let i = 0; i < count; i++) this.print(c);
    this.#repeatable = c;
  }

  #eraseDisplay(mode: number): void {
    const fb = this.fb, ds = fb.ds;
    if (mode === 2 || (mode === 0 && ds.cursorRow === 0 && ds.cursorCol === 0)) {
      fb.recordBeforeErase(); // beyond mosh 1.4.0: only while the history is recorded
    }
    if (mode === 0) {
      fb.mutableRow(ds.cursorRow).resetCells(ds.cursorCol, fb.width, ds.bg);
      for (let y = ds.cursorRow + 1; y < fb.height; y++) fb.mutableRow(y).reset(ds.bg);
    } else if (mode === 1) {
      for (let y = 0; y < ds.cursorRow; y++) fb.mutableRow(y).reset(ds.bg);
      fb.mutableRow(ds.cursorRow).resetCells(0, ds.cursorCol + 1, ds.bg);
    } else if (mode === 2) {
      for (let y = 0; y < fb.height; y++) fb.mutableRow(y).reset(ds.bg);
    } else if (mode === 3) {
      // Beyond mosh 1.4.0: `clear` (terminfo's E3) erases the terminal's history.
      // Counted, like the bell: a client whose terminal holds the session's
      // history (scrollback mode) erases it too.
      fb.historyClears++;
      fb.historyCleared?.();
    }
  }

  #eraseLine(mode: number): void {
    const fb = this.fb, ds = fb.ds;
    const row = fb.mutableRow(ds.cursorRow);
    if (mode === 0) row.resetCells(ds.cursorCol, fb.width, ds.bg);
    else if (mode === 1) row.resetCells(0, ds.cursorCol + 1, ds.bg);
    else if (mode === 2) row.reset(ds.bg);
  }

  #insertLines(n: number): void {
    const fb = this.fb, ds = fb.ds;
    const r = ds.cursorRow;
    if (r >= ds.scrollTop && r <= ds.scrollBottom + 1) {
      fb.scrollDown(Math.min(n, ds.scrollBottom + 1 - r), r, ds.scrollBottom);
    }
    this.#moveCol(0, false);
  }

  #deleteLines(n: number): void {
    const fb = this.fb, ds = fb.ds;
    const r = ds.cursorRow;
    if (r >= ds.scrollTop && r <= ds.scrollBottom) fb.scrollUp(n, r, ds.scrollBottom, true);
    this.#moveCol(0, false);
  }

  #softReset(): void {
    const fb = this.fb, ds = fb.ds;
    ds.insertMode = false;
    ds.originMode = false;
    ds.cursorVisible = true;
    ds.applicationCursorKeys = false;
    ds.scrollTop = 0;
    ds.scrollBottom = fb.height - 1;
    ds.fg = 0;
    ds.bg = 0;
    ds.attrs = 0;
    ds.saved = defaultSavedCursor();
    this.#setCharsets(0);
  }

  /**
   * Beyond mosh 1.4.0, which ignores designations and shifts (so `tree` and
   * GNU screen drew `tqq` for `├──`): the DEC special graphics set, as
   * terminals have it.
   */
  #setCharsets(charsets: number): void {
    const ds = this.fb.ds;
    ds.charsets = charsets;
    ds.lineDrawing = drawsLines(charsets);
  }

  // ---- modes (terminal.md §11) ----

  #setMode(mode: number, on: boolean): void {
    const fb = this.fb, ds = fb.ds;
    const flag = FLAG_MODES.get(mode);
    if (flag !== undefined) {
      ds[flag] = on;
      return;
    }
    const field = VALUE_MODES.get(mode);
    if (field !== undefined) {
      ds[field] = on ? mode : 0;
      return;
    }
    switch (mode) {
      case 3:
        this.#moveRow(0, false);
        this.#moveCol(0, false);
        for (let y = 0; y < fb.height; y++) fb.mutableRow(y).reset(ds.bg);
        break;
      case 6:
        this.#moveRow(0, false);
        this.#moveCol(0, false);
        ds.originMode = on;
        break;
      case 47:
      case 1047:
      case 1049:
        this.#alternateScreen(on, mode === 1049);
        break;
    }
  }

  /**
   * `CSI 22 ; n t` saves, `CSI 23 ; n t` restores the icon name (n = 0, 1)
   * and the window title (n = 0, 2). vim and less save the shell's title
   * when they start and restore it when they leave; without it the last
   * program's title stays (or vim's "Thanks for flying Vim").
   */
  #titleStack(save: boolean, which: number): void {
    const fb = this.fb, stack = fb.titleStack;
    if (which > 2) return;
    if (save) {
      const entry = { iconName: fb.iconName, windowTitle: fb.windowTitle };
      fb.titleStack = [...stack.slice(stack.length >= TITLE_STACK_DEPTH ? 1 : 0), entry];
      return;
    }
    const entry = stack.at(-1);
    if (entry === undefined) return;
    fb.titleStack = stack.slice(0, -1);
    if (which !== 2) fb.iconName = entry.iconName;
    if (which !== 1) fb.windowTitle = entry.windowTitle;
    fb.titleInitialized = true;
  }

  /**
   * A DEC private mode's state as DECRPM reports it: 1 set, 2 reset, 0 not
   * known. Programs ask before they use a mode — neovim, for one, uses
   * synchronized output (2026, which the server honours) only if the
   * terminal says it knows it — and with no answer at all wait for a timeout.
   */
  #privateModeState(mode: number): number {
    const fb = this.fb, ds = fb.ds;
    const flag = FLAG_MODES.get(mode);
    if (flag !== undefined) return ds[flag] ? 1 : 2;
    const field = VALUE_MODES.get(mode);
    if (field !== undefined) return ds[field] === mode ? 1 : 2;
    switch (mode) {
      case 6:
        return ds.originMode ? 1 : 2;
      case 47:
      case 1047:
      case 1049:
        return fb.primaryRows !== null ? 1 : 2;
      case 2026: // the server holds an update's output and feeds it whole: never on here
        return 2;
      default:
        return 0;
    }
  }

  /**
   * Beyond mosh 1.4.0: switch to / from the alternate screen. The main
   * screen's cursor is kept aside whatever the mode (a shrink under the
   * program keeps its row, as terminals do); 1049 restores it on the way back.
   */
  #alternateScreen(on: boolean, restoreCursor: boolean): void {
    const fb = this.fb, ds = fb.ds;
    if (on === (fb.primaryRows !== null)) return;
    if (on) {
      fb.primaryCursor = this.#cursorNow();
      fb.primaryRows = fb.rows;
      fb.rows = Array.from({ length: fb.height }, () => new Row(fb.width, ds.bg));
    } else {
      fb.rows = fb.primaryRows!;
      const cursor = fb.primaryCursor!;
      fb.primaryRows = fb.primaryCursor = null;
      if (restoreCursor) this.#restoreCursor(cursor);
    }
  }

  // ---- SGR (terminal.md §12) ----

  #sgr(p: number[]): void {
    const ds = this.fb.ds;
    for (let i = 0; i < p.length; i++) {
      const v = p[i]! < 0 ? 0 : p[i]!;
      if ((v === 38 || v === 48) && p.length - i >= 3 && p[i + 1] === 5) {
        const index = Math.max(0, p[i + 2]!);
        if (index <= 255) {
          if (v === 38) ds.fg = 30 + index;
          else ds.bg = 40 + index;
        }
        i += 2;
        continue;
      }
      if ((v === 38 || v === 48) && p.length - i >= 5 && p[i + 1] === 2) {
        const r = Math.max(0, p[i + 2]!), g = Math.max(0, p[i + 3]!), b = Math.max(0, p[i + 4]!);
        const color = ((TRUE_COLOR | (r << 16) | (g << 8) | b) >>> 0) & 0x1ffffff;
        if (v === 38) ds.fg = color;
        else ds.bg = color;
        i += 4;
        continue;
      }
      if (v === 58 && (p[i + 1] === 5 || p[i + 1] === 2)) {
        // Beyond mosh 1.4.0: the underline colour (vim's t_AU `58;5;n`, t_8u `58;2;r;g;b`) is
        // not kept, but its numbers are its own, not SGRs (mosh blinks at `58;5`). A short one
        // ends the list, as in tmux.
        i += p[i + 1] === 5 ? 2 : 4;
        continue;
      }
      switch (v) {
        case 0:
          ds.fg = 0;
          ds.bg = 0;
          ds.attrs = 0;
          break;
        case 39:
          ds.fg = 0;
          break;
        case 49:
          ds.bg = 0;
          break;
        default:
          if (v <= 9) ds.attrs |= SGR_SETS[v]!;
          // ECMA-48's double underline, as xterm and tmux read it (mosh 1.4.0 ignores it).
          else if (v === 21) ds.attrs |= Attr.Underline;
          else if (v >= 20 && v <= 29) ds.attrs &= ~SGR_CLEARS[v - 20]!;
          else if (v >= 30 && v <= 37) ds.fg = v;
          else if (v >= 40 && v <= 47) ds.bg = v;
          else if (v >= 90 && v <= 97) ds.fg = v - 52;
          else if (v >= 100 && v <= 107) ds.bg = v - 52;
      }
    }
  }

  /**
   * Beyond mosh 1.4.0: SGR with colon sub-parameters, as xterm and tmux read
   * them. Underline styles (`4:1`–`4:5`: single, double, curly, dotted,
   * dashed) are drawn as the one underline we keep, `4:0` ends it; colours
   * `38:5:n` and `38:2:[colour space:]r:g:b` (48 alike) are the semicolon
   * forms'; the underline colour (58) and any other group are ignored.
   */
  sgrSubparams(text: string): void {
    this.#repeatable = -1;
    let run: number[] = []; // `;`-separated parameters between colon groups
    for (const group of text.split(";")) {
      const p = group.split(":").map(subparam);
      if (p.length === 1) {
        run.push(p[0]!);
        continue;
      }
      if (run.length > 0) this.#sgr(run), run = [];
      const [v, kind] = p as [number, number];
      if (v === 4 && p.length === 2 && kind >= 0 && kind <= 5) this.#sgr([kind === 0 ? 24 : 4]);
      else if ((v === 38 || v === 48) && kind === 5 && p.length === 3) this.#sgr(p);
      else if ((v === 38 || v === 48) && kind === 2 && (p.length === 5 || p.length === 6)) {
        this.#sgr([v, 2, ...p.slice(-3)]);
      }
    }
    if (run.length > 0) this.#sgr(run);
  }

  // ---- OSC (terminal.md §13) ----

  oscDispatch(text: string): void {
    const fb = this.fb;
    if (text.startsWith("8;")) return this.#hyperlink(text.slice(2));
    if (text.startsWith("7;")) return this.#workingDirectory(text.slice(2));
    if (text.startsWith("9;") || text.startsWith("777;")) return this.#notify(text);
    if (text.startsWith("52;")) return this.#clipboard(text);
    let command: number, rest: string;
    if (text.startsWith(";")) {
      command = 0;
      rest = text.slice(1);
    } else if (text[1] === ";" && text[0]! >= "0" && text[0]! <= "9") {
      command = text.charCodeAt(0) - 48;
      rest = text.slice(2);
    } else {
      return;
    }
    if (command > 2) return;
    // Titles keep at most 256 code points of the buffer, counting the "N;" prefix.
    const prefix = text.startsWith(";") ? 1 : 2;
    rest = Array.from(rest).slice(0, 256 - prefix).join("");
    fb.titleInitialized = true;
    if (command === 0 || command === 1) fb.iconName = rest;
    if (command === 0 || command === 2) fb.windowTitle = rest;
  }

  /**
   * OSC 52 sets the clipboard. mosh 1.4.0 takes only the `c` selection
   * (`52;c;…`), so tmux's copy (`52;;…`, no selection) and an editor's
   * primary selection (`52;p;…`) never reached the user (mosh issue #967).
   * Ours takes any selection (`c p q s 0–7`, or none) as the clipboard, as
   * the terminal on the other side only keeps that one, and only base64
   * data: a query (`?`) would have the terminal answer with the user's
   * clipboard as typed input.
   */
  #clipboard(text: string): void {
    const m = /^52;[cpqs0-7]*;([A-Za-z0-9+/=]*)$/.exec(text);
    if (m !== null) this.fb.clipboard = m[1]!;
  }

  /**
   * Beyond mosh 1.4.0: OSC 7 reports the working directory as a `file://`
   * URI (shells do it at each prompt). Kept verbatim when it is printable
   * ASCII of at most {@linkcode MAX_LINK_LENGTH} characters, else ignored.
   */
  #workingDirectory(uri: string): void {
    if (uri.length <= MAX_LINK_LENGTH && /^[\x21-\x7e]*$/.test(uri)) {
      this.fb.workingDirectory = uri;
    }
  }

  /**
   * Beyond mosh 1.4.0: a desktop notification (OSC 9 text, OSC 777
   * `notify;title;body`). Not screen state, so it is kept as an event: the
   * latest {@linkcode NOTIFICATIONS_KEPT} and a count, which the display diff
   * compares. Longer than {@linkcode MAX_NOTIFICATION_LENGTH}: dropped.
   */
  #notify(body: string): void {
    if (body.length > MAX_NOTIFICATION_LENGTH || body.includes("\x7f")) return;
    const fb = this.fb, kept = fb.notifications;
    fb.notifications = [...kept.slice(Math.max(0, kept.length - NOTIFICATIONS_KEPT + 1)), body];
    fb.notificationCount++;
  }

  /** Beyond mosh 1.4.0: OSC 8 opens (or, with an empty URI, closes) a hyperlink. */
  #hyperlink(body: string): void {
    this.fb.ds.link = parseHyperlink(body);
    this.#linkEnd = true;
  }
}

/** Notifications a framebuffer keeps (a diff sends at most this many at once). */
export const NOTIFICATIONS_KEPT = 8;

/** Longest notification OSC body (code units) passed on. */
export const MAX_NOTIFICATION_LENGTH = 1024;

/** Longest OSC 8 "params;URI" kept; longer links are dropped (the text still shows). */
export const MAX_LINK_LENGTH = 2048;

/**
 * The link an OSC 8 body ("params;URI") opens, "" to close: a URI of printable
 * ASCII only (RFC 3986 URIs are; anything else could smuggle escape codes into
 * a display diff), at most {@linkcode MAX_LINK_LENGTH} characters; of the
 * params only `id=` is kept (it joins cells of one link across lines).
 */
export function parseHyperlink(body: string): string {
  const semi = body.indexOf(";");
  if (semi < 0) return "";
  const uri = body.slice(semi + 1);
  if (uri === "" || body.length > MAX_LINK_LENGTH || !/^[\x21-\x7e]+$/.test(uri)) return "";
  const id = body.slice(0, semi).split(":").find((p) => p.startsWith("id="));
  return `${id !== undefined && /^id=[\x21-\x39\x3c-\x7e]{1,250}$/.test(id) ? id : ""};${uri}`;
}

/**
 * The server's translation of user keystrokes before they reach the pty
 * (terminal.md §14): `ESC O A`–`D` become `ESC [ A`–`D` unless the
 * application asked for application cursor keys.
 */
export class UserInputTranslator {
  #state: 0 | 1 | 2 = 0;

  /** Translates a chunk of keystroke bytes. */
  translate(bytes: Uint8Array, applicationCursorKeys: boolean): Uint8Array {
    const out: number[] = [];
    for (const b of bytes) {
      if (this.#state === 0) {
        out.push(b);
        if (b === 0x1b) this.#state = 1;
      } else if (this.#state === 1) {
        if (b === 0x4f) {
          this.#state = 2;
        } else {
          out.push(b);
          this.#state = 0;
        }
      } else {
        if (b >= 0x41 && b <= 0x44 && !applicationCursorKeys) out.push(0x5b, b);
        else out.push(0x4f, b);
        this.#state = 0;
      }
    }
    return Uint8Array.from(out);
  }
}

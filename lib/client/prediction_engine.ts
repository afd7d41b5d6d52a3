/**
 * Predictive local echo (client.md §8): guess what keystrokes do to the
 * screen, show the guesses at once on a slow link, and drop them without a
 * trace when the server's echo disagrees.
 *
 * @module
 */
import type { PredictMode } from "./client_args.ts";
import { charWidth } from "../terminal/char_width.ts";
import type { Framebuffer } from "../terminal/framebuffer.ts";
import { Parser, type ParserHandler } from "../terminal/parser.ts";
import { Attr } from "../terminal/renditions.ts";
import { Utf8Decoder } from "../terminal/utf8_decoder.ts";

const SRTT_TRIGGER_HIGH = 30;
const SRTT_TRIGGER_LOW = 20;
const FLAG_TRIGGER_HIGH = 80;
const FLAG_TRIGGER_LOW = 50;
const GLITCH_THRESHOLD = 250;
const GLITCH_REPAIR_COUNT = 10;
const GLITCH_REPAIR_MININTERVAL = 150;
const GLITCH_FLAG_THRESHOLD = 5000;
const NEVER = 0xffff_ffff_ffff_ffffn;

interface CellValue {
  contents: string;
  fg: number;
  bg: number;
  attrs: number;
}

interface CellPrediction {
  active: boolean;
  unknown: boolean;
  replacement: CellValue;
  originals: string[];
  epoch: number;
  expire: bigint;
  time: number;
}

interface CursorPrediction {
  row: number;
  col: number;
  epoch: number;
  expire: bigint;
  time: number;
}

function blank(c: string): boolean {
  return c === "" || c === " " || c === "\u00a0";
}

function sameContents(a: string, b: string): boolean {
  return a === b || (blank(a) && blank(b));
}

function newCell(): CellPrediction {
  return {
    active: false,
    unknown: false,
    replacement: { contents: "", fg: 0, bg: 0, attrs: 0 },
    originals: [],
    epoch: Number.MAX_SAFE_INTEGER,
    expire: NEVER,
    time: 0,
  };
}

function resetCell(c: CellPrediction): void {
  c.active = false;
  c.unknown = false;
  c.originals.length = 0; // each cell owns its array: emptied in place, not reallocated
  c.epoch = Number.MAX_SAFE_INTEGER;
  c.expire = NEVER;
}

function resetKeepingOriginal(c: CellPrediction): void {
  const kept = c.active && !c.unknown ? c.replacement.contents : null;
  resetCell(c);
  if (kept !== null) c.originals.push(kept);
}

/** The text of a cell of the server's screen. */
function actualContents(fb: Framebuffer, row: number, col: number): string {
  return fb.rows[row]!.contents[col]!;
}

function actualCell(fb: Framebuffer, row: number, col: number): CellValue {
  const r = fb.rows[row]!;
  return { contents: r.contents[col]!, fg: r.fg[col]!, bg: r.bg[col]!, attrs: r.attrs[col]! };
}

/**
 * The prediction engine.
 *
 * @example
 * ```ts ignore
 * const engine = new PredictionEngine("always", false, () => performance.now());
 * engine.setLocalFrameSent(5n);
 * engine.newUserInput(new TextEncoder().encode("ls"), serverScreen);
 * const shown = serverScreen.clone();
 * engine.apply(shown); // "ls" drawn at the cursor once the epoch is confirmed
 * ```
 */
export class PredictionEngine {
  /** When to show predictions: adaptive, always, never or experimental. */
  readonly mode: PredictMode;
  /** Predict that typing overwrites rather than inserts (`--predict-overwrite`). */
  readonly overwrite: boolean;
  readonly #clock: () => number;
  #cursors: CursorPrediction[] = [];
  #rows = new Map<number, CellPrediction[]>();
  #predictionEpoch = 1;
  #confirmedEpoch = 0;
  /** Predictions made now expire with the next user-stream state: the newest sent + 1. */
  #nextExpire = 1n;
  #lateAcked = 0n;
  #sendInterval = 250;
  #srttTrigger = false;
  #flagging = false;
  #glitchTrigger = 0;
  #lastQuickConfirmation = 0;
  #lastWidth = -1;
  #lastHeight = -1;
  #lastByte = -1;
  #fb: Framebuffer | null = null;
  readonly #decoder = new Utf8Decoder();
  readonly #parser: Parser;

  /** An engine for `mode`, typing over (`overwrite`) or inserting, timed by `clock`. */
  constructor(mode: PredictMode, overwrite: boolean, clock: () => number) {
    this.mode = mode;
    this.overwrite = overwrite;
    this.#clock = clock;
    const handler: ParserHandler = {
      print: (c) => this.#print(c),
      execute: (c) => {
        this.#becomeTentative();
        if (c === 0x0d) this.#newline();
      },
      escDispatch: () => this.#becomeTentative(),
      csiDispatch: (_p, intermediates, final) => this.#csi(intermediates, final),
      oscDispatch: () => this.#becomeTentative(),
    };
    this.#parser = new Parser(handler);
  }

  /** Frame spacing from the transport (ms): the latency signal. */
  setSendInterval(ms: number): void {
    this.#sendInterval = ms;
  }

  /** Number of the newest user-stream state sent. */
  setLocalFrameSent(num: bigint): void {
    this.#nextExpire = num + 1n; // once per keystroke, not per touched cell (a BigInt each)
  }

  /** The server's echo ack: predictions expiring at or before it are judged. */
  setLocalFrameLateAcked(num: bigint): void {
    this.#lateAcked = num;
  }

  /** Drops every prediction (resize, paste, wrong guess). */
  reset(): void {
    this.#cursors = [];
    this.#rows.clear();
    this.#becomeTentative();
  }

  #becomeTentative(): void {
    if (this.mode !== "experimental") this.#predictionEpoch++;
  }

  /** Whether any prediction is outstanding. */
  get active(): boolean {
    return this.#outstanding(Number.POSITIVE_INFINITY);
  }

  /** Whether a prediction of epoch `epoch` or earlier is outstanding (a cursor or a cell). */
  #outstanding(epoch: number): boolean {
    for (const c of this.#cursors) if (c.epoch <= epoch) return true;
    for (const cells of this.#rows.values()) {
      for (const c of cells) if (c.active && c.epoch <= epoch) return true;
    }
    return false;
  }

  /** Whether predictions are currently underlined. */
  get flagging(): boolean {
    return this.#flagging;
  }

  #row(row: number, width: number): CellPrediction[] {
    let r = this.#rows.get(row);
    if (!r) {
      r = Array.from({ length: width }, newCell);
      this.#rows.set(row, r);
    }
    return r;
  }

  #cursor(): CursorPrediction {
    const fb = this.#fb!;
    const newest = this.#cursors[this.#cursors.length - 1];
    if (newest === undefined) {
      const c = {
        row: fb.ds.cursorRow,
        col: fb.ds.cursorCol,
        epoch: this.#predictionEpoch,
        expire: this.#nextExpire,
        time: this.#clock(),
      };
      this.#cursors.push(c);
      return c;
    }
    if (newest.epoch !== this.#predictionEpoch) {
      const c = { ...newest, epoch: this.#predictionEpoch, time: this.#clock() };
      this.#cursors.push(c);
      return c;
    }
    return newest;
  }

  #touch(c: CellPrediction, now: number): void {
    resetKeepingOriginal(c);
    c.active = true;
    c.epoch = this.#predictionEpoch;
    c.expire = this.#nextExpire;
    c.time = now;
  }

  /** Feeds typed bytes (not a paste) with the newest server screen. */
  newUserInput(bytes: Uint8Array, fb: Framebuffer): void {
    if (this.mode === "never") return;
    this.cull(fb);
    this.#fb = fb;
    for (let b of bytes) {
      if (this.mode === "experimental") this.#predictionEpoch = this.#confirmedEpoch;
      const previous = this.#lastByte;
      this.#lastByte = b;
      if (previous === 0x1b && b === 0x4f) b = 0x5b; // ESC O A → ESC [ A
      this.#decoder.decode(new Uint8Array([b]), (cp) => this.#parser.input(cp));
    }
  }

  #print(c: number): void {
    const fb = this.#fb!;
    const now = this.#clock();
    const width = fb.width;
    if (c === 0x7f) {
      const cursor = this.#cursor();
      const row = this.#row(cursor.row, width);
      if (cursor.col > 0) {
        cursor.col--;
        cursor.expire = this.#nextExpire;
        if (this.overwrite) {
          const cell = row[cursor.col]!;
          this.#touch(cell, now);
          const actual = actualCell(fb, cursor.row, cursor.col);
          cell.originals.push(actual.contents);
          cell.unknown = false;
          cell.replacement = { ...actual, contents: " " };
        } else {
          for (let i = cursor.col; i < width; i++) {
            const cell = row[i]!;
            this.#touch(cell, now);
            cell.originals.push(actualContents(fb, cursor.row, i));
            if (i + 2 < width) {
              const next = row[i + 1]!;
              cell.unknown = false;
              cell.replacement = next.active && !next.unknown
                ? { ...next.replacement }
                : actualCell(fb, cursor.row, i + 1);
            } else cell.unknown = true;
          }
        }
      }
      return;
    }
    if (charWidth(c) !== 1) {
      this.#cursor();
      this.#becomeTentative();
      return;
    }
    const cursor = this.#cursor();
    if (cursor.row >= fb.height || cursor.col >= width) return;
    const row = this.#row(cursor.row, width);
    if (cursor.col + 1 >= width) this.#becomeTentative();
    if (!this.overwrite) {
      for (let i = width - 1; i > cursor.col; i--) {
        const cell = row[i]!;
        this.#touch(cell, now);
        cell.originals.push(actualContents(fb, cursor.row, i));
        const prev = row[i - 1]!;
        if (i === width - 1 || (prev.active && prev.unknown)) cell.unknown = true;
        else {
          cell.unknown = false;
          cell.replacement = prev.active
            ? { ...prev.replacement }
            : actualCell(fb, cursor.row, i - 1);
        }
      }
    }
    const cell = row[cursor.col]!;
    this.#touch(cell, now);
    cell.originals.push(actualContents(fb, cursor.row, cursor.col));
    cell.unknown = false;
    let renditions: CellValue;
    if (cursor.col > 0) {
      const left = row[cursor.col - 1]!;
      renditions = left.active && !left.unknown
        ? left.replacement
        : actualCell(fb, cursor.row, cursor.col - 1);
    } else {
      renditions = { contents: "", fg: fb.ds.fg, bg: fb.ds.bg, attrs: fb.ds.attrs };
    }
    cell.replacement = {
      contents: String.fromCodePoint(c),
      fg: renditions.fg,
      bg: renditions.bg,
      attrs: renditions.attrs,
    };
    cursor.expire = this.#nextExpire;
    if (cursor.col < width - 1) cursor.col++;
    else {
      this.#becomeTentative();
      this.#newline();
    }
  }

  #newline(): void {
    const fb = this.#fb!;
    const now = this.#clock();
    const cursor = this.#cursor();
    cursor.col = 0;
    if (cursor.row >= fb.height - 1) {
      const row = this.#row(cursor.row, fb.width);
      for (let i = 0; i < fb.width; i++) {
        const cell = row[i]!;
        this.#touch(cell, now);
        cell.originals.push(actualContents(fb, cursor.row, i));
        cell.unknown = false;
        cell.replacement = { contents: "", fg: 0, bg: 0, attrs: 0 };
      }
    } else cursor.row++;
  }

  #csi(intermediates: string, final: number): void {
    const fb = this.#fb!;
    if (intermediates === "" && (final === 0x43 || final === 0x44)) {
      const cursor = this.#cursor();
      if (final === 0x43 && cursor.col < fb.width - 1) {
        cursor.col++;
        cursor.expire = this.#nextExpire;
      } else if (final === 0x44 && cursor.col > 0) {
        cursor.col--;
        cursor.expire = this.#nextExpire;
      }
      return;
    }
    this.#becomeTentative();
  }

  #killEpoch(epoch: number, fb: Framebuffer): void {
    this.#cursors = this.#cursors.filter((c) => c.epoch < epoch);
    this.#cursors.push({
      row: fb.ds.cursorRow,
      col: fb.ds.cursorCol,
      epoch: this.#predictionEpoch,
      expire: this.#nextExpire,
      time: this.#clock(),
    });
    for (const row of this.#rows.values()) {
      for (const c of row) if (c.active && c.epoch >= epoch) resetCell(c);
    }
    this.#becomeTentative();
  }

  /** Confirms, expires or refutes predictions against the newest server screen. */
  cull(fb: Framebuffer): void {
    if (this.mode === "never") return;
    const now = this.#clock();
    if (fb.width !== this.#lastWidth || fb.height !== this.#lastHeight) {
      this.reset();
      this.#lastWidth = fb.width;
      this.#lastHeight = fb.height;
    }
    const si = this.#sendInterval;
    if (si > SRTT_TRIGGER_HIGH) this.#srttTrigger = true;
    else if (si <= SRTT_TRIGGER_LOW && !this.active) this.#srttTrigger = false;
    if (si > FLAG_TRIGGER_HIGH) this.#flagging = true;
    else if (si <= FLAG_TRIGGER_LOW) this.#flagging = false;
    if (this.#glitchTrigger > GLITCH_REPAIR_COUNT) this.#flagging = true;
    for (const [y, row] of this.#rows) {
      if (y >= fb.height) {
        this.#rows.delete(y);
        continue;
      }
      for (let x = 0; x < row.length; x++) {
        const c = row[x]!;
        if (!c.active) continue;
        let validity: "incorrect" | "pending" | "correct" | "nocredit";
        if (x >= fb.width) validity = "incorrect";
        else if (this.#lateAcked < c.expire) validity = "pending";
        else if (c.unknown || blank(c.replacement.contents)) validity = "nocredit";
        else {
          const actual = fb.rows[y]!.contents[x]!;
          if (!sameContents(actual, c.replacement.contents)) validity = "incorrect";
          else if (c.originals.some((o) => sameContents(o, actual))) validity = "nocredit";
          else validity = "correct";
        }
        if (validity === "incorrect") {
          if (this.mode === "experimental") resetCell(c);
          else if (c.epoch > this.#confirmedEpoch) this.#killEpoch(c.epoch, fb);
          else {
            this.reset();
            return;
          }
        } else if (validity === "correct") {
          if (c.epoch > this.#confirmedEpoch) this.#confirmedEpoch = c.epoch;
          if (
            now - c.time < GLITCH_THRESHOLD && this.#glitchTrigger > 0 &&
            now - this.#lastQuickConfirmation >= GLITCH_REPAIR_MININTERVAL
          ) {
            this.#glitchTrigger--;
            this.#lastQuickConfirmation = now;
          }
          const actual = actualCell(fb, y, x);
          for (let j = x; j < row.length; j++) {
            const r = row[j]!.replacement;
            r.fg = actual.fg;
            r.bg = actual.bg;
            r.attrs = actual.attrs;
          }
          resetCell(c);
        } else if (validity === "nocredit") {
          resetCell(c);
        } else if (now - c.time >= GLITCH_FLAG_THRESHOLD) {
          this.#glitchTrigger = GLITCH_REPAIR_COUNT * 2;
        } else if (now - c.time >= GLITCH_THRESHOLD && this.#glitchTrigger < GLITCH_REPAIR_COUNT) {
          this.#glitchTrigger = GLITCH_REPAIR_COUNT;
        }
      }
      // A row with no prediction left holds no state: dropped, so that each
      // frame's cull and apply cost what is predicted, not every row ever
      // typed on (23 × 80 cells in a shell after a screenful of commands).
      if (!row.some((c) => c.active)) this.#rows.delete(y);
    }
    const newest = this.#cursors[this.#cursors.length - 1];
    if (newest !== undefined) {
      let incorrect = newest.row >= fb.height || newest.col >= fb.width;
      if (!incorrect && this.#lateAcked >= newest.expire) {
        incorrect = fb.ds.cursorRow !== newest.row || fb.ds.cursorCol !== newest.col;
      }
      if (incorrect) {
        if (this.mode === "experimental") this.#cursors = [];
        else {
          this.reset();
          return;
        }
      }
    }
    this.#cursors = this.#cursors.filter((c) => this.#lateAcked < c.expire);
  }

  /** Whether predictions are drawn at all now (the mode, or the latency triggers). */
  #showing(): boolean {
    if (this.mode === "never") return false;
    return this.#srttTrigger || this.#glitchTrigger > 0 || this.mode === "always" ||
      this.mode === "experimental";
  }

  /** Whether {@linkcode apply} draws a prediction: one is confirmed, outstanding and shown. */
  get shown(): boolean {
    return this.#showing() && this.#outstanding(this.#confirmedEpoch);
  }

  /** Draws the confirmed predictions onto `fb` (a copy of the server's screen). */
  apply(fb: Framebuffer): void {
    if (!this.#showing()) return;
    for (const c of this.#cursors) {
      if (c.epoch <= this.#confirmedEpoch && c.row < fb.height && c.col < fb.width) {
        fb.ds.cursorRow = c.row;
        fb.ds.cursorCol = c.col;
      }
    }
    for (const [y, cells] of this.#rows) {
      if (y >= fb.height) continue;
      for (let x = 0; x < cells.length && x < fb.width; x++) {
        const c = cells[x]!;
        if (!c.active || c.epoch > this.#confirmedEpoch) continue;
        const actual = fb.rows[y]!;
        const r = c.replacement;
        // A blank over a blank is not flagged, whatever else the cell is: an
        // unknown cell keeps the replacement it last had (blank for a cell
        // that never held a prediction), as mosh's does.
        const flag = this.#flagging && !(blank(r.contents) && blank(actual.contents[x]!));
        if (c.unknown) {
          if (flag && x !== fb.width - 1) fb.mutableRow(y).attrs[x]! |= Attr.Underline;
          continue;
        }
        const differs = actual.contents[x] !== r.contents || actual.fg[x] !== r.fg ||
          actual.bg[x] !== r.bg || actual.attrs[x] !== r.attrs;
        const row = differs || this.#flagging ? fb.mutableRow(y) : actual;
        if (differs) {
          row.resetCell(x, r.bg);
          row.contents[x] = r.contents;
          row.fg[x] = r.fg;
          row.attrs[x] = r.attrs;
        }
        if (flag) row.attrs[x]! |= Attr.Underline;
      }
    }
  }

  /** Milliseconds until the engine wants another look (50 while predictions are outstanding). */
  waitTime(): number {
    if (this.active && !(this.#glitchTrigger > 0 && this.#flagging)) return 50;
    return Infinity;
  }
}

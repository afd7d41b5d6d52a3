/**
 * The client's side of the scrollback extension: turns the lines the
 * server says left its screen into rows to push into the local terminal's
 * own history — each line once, in order, and one marker line where lines
 * were skipped (`[mosh: 1234 lines skipped]`).
 *
 * @module
 */
import type { ReceivedHistory } from "../statesync/received_history.ts";
import type { HistoryLine } from "../terminal/display.ts";
import { Emulator } from "../terminal/emulator.ts";
import { Row, WIDE } from "../terminal/row.ts";

const encoder = new TextEncoder();
/** Before each line: no autowrap, home, no renditions or link, the row erased. */
const LINE_START = encoder.encode("\x1b[?7h\x1b[H\x1b[0m\x1b]8;;\x1b\\\x1b[2K");

/** The marker for `n` lines that were never received (output outran the link). */
export function skipMarker(n: number): string {
  return `[mosh: ${n} ${n === 1 ? "line" : "lines"} skipped]`;
}

/** Whether `line` is printable ASCII only (no controls, no escapes, no UTF-8). */
function plainAscii(line: Uint8Array): boolean {
  for (let i = 0; i < line.length; i++) {
    const b = line[i]!;
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

/** ASCII bytes as a string (a short array: one call, no per-character strings). */
function asciiText(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/**
 * Which received lines have been printed, and the rows still to print.
 *
 * @example
 * ```ts
 * import { LocalScrollback } from "./local_scrollback.ts";
 * import { ReceivedHistory } from "../statesync/received_history.ts";
 * const local = new LocalScrollback();
 * const history = ReceivedHistory.NONE.append(5, [new TextEncoder().encode("six")]);
 * local.take(history, 80); // ["[mosh: 5 lines skipped]", "six"]
 * ```
 */
export class LocalScrollback {
  /** Lines before this number are in the local history or counted as skipped. */
  #printed: number;
  /** Skipped lines not yet marked: the marker goes right before the next line. */
  #skipped = 0;
  #scratch: Emulator | null = null;
  /**
   * The rows handed out by the last {@linkcode take}, written again by the
   * next one: a new row per history line (≈ 2 KB each, 500 a second under
   * steady output) was most of the client's garbage.
   */
  #pool: Row[] = [];
  /** The scratch emulator's rows: the pool row being written. */
  readonly #slot: Row[] = [];
  /** Where the scratch emulator's filled rows go (the take in progress). */
  #out: HistoryLine[] = [];

  /** Lines before this number are in the local history or counted as skipped. */
  get printed(): number {
    return this.#printed;
  }

  /**
   * Starts with the lines before `printed` already in the local history: a
   * resumed session's client continues where the dead one stopped.
   */
  constructor(printed = 0) {
    this.#printed = printed;
  }

  /**
   * The next `n` lines are in the local history already, put there other
   * than by {@linkcode take}: the terminal pushed them as its window shrank
   * (the drawn screen's top rows), or the client pushed them from the
   * screen. When they arrive they are not printed again.
   */
  advance(n: number): void {
    this.#printed += n;
  }

  /**
   * The marker for the skipped lines still to be marked, taken now (null:
   * none): the output stopped at the gap, so no line after it may come.
   */
  takeMarker(): string | null {
    if (this.#skipped === 0) return null;
    const marker = skipMarker(this.#skipped);
    this.#skipped = 0;
    return marker;
  }

  /** Skipped lines still to be marked (the marker waits for the line after the gap). */
  get pendingSkipped(): number {
    return this.#skipped;
  }

  /**
   * The lines of `history` not printed yet, in order, with a marker before
   * the first line after a gap (lines the program erased before they were
   * printed are dropped, unmarked): plain text where a line is printable ASCII
   * (fitted to `width`), else a row `width` wide. With `max`, it stops once
   * `max` lines are out (one more when a marker comes first): call again for
   * the rest until it returns none. The rows are valid until the next call,
   * which writes over them.
   */
  take(history: ReceivedHistory, width: number, max = Infinity): HistoryLine[] {
    if (history.clearedAt > this.#printed) {
      // Erased by the program (ED 3) before they were printed: never shown, nor
      // marked, as the lines skipped before them.
      this.#printed = history.clearedAt;
      this.#skipped = 0;
    }
    if (history.end <= this.#printed) return [];
    const rows: HistoryLine[] = [];
    const chunks = history.chunks;
    let joined = false; // a line of a chain is laid out with the ones before it
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      const end = chunk.first + chunk.lines.length;
      if (end <= this.#printed) continue;
      // The next chunk, when it goes on from this one's last line (a chain may span both).
      const adjoins = chunks[c + 1]?.first === end;
      for (let n = Math.max(chunk.first, this.#printed); n < end; n++) {
        if (!joined && rows.length >= max) return rows;
        this.#skipped += n - this.#printed;
        if (this.#skipped > 0) {
          rows.push(skipMarker(this.#skipped));
          this.#skipped = 0;
        }
        // A line that wrapped continues on the next one: the line after it, here
        // or in the next chunk, or the screen's top row (none missing in between).
        const next = n + 1 < end || adjoins;
        const wraps = chunk.wrapped.has(n) && (next || n + 1 === history.end);
        const continues = wraps && next;
        this.#layOut(chunk.lines[n - chunk.first]!, width, rows, joined, continues, wraps);
        joined = continues;
        this.#printed = n + 1;
      }
    }
    this.#skipped += history.end - this.#printed;
    this.#printed = history.end;
    return rows;
  }

  /**
   * Lays a received line out at `width` for pushLines, into `out`: text
   * where it is printable ASCII that fits, else rows. Anything else runs
   * through an emulator one row high, so whatever the bytes hold (cursor
   * motion, line feeds, hostile sequences) only SGR, links and text reach
   * the local terminal; the emulator writes straight into pool rows. Its
   * autowrap is on: a line wider than `width` (the server's window was
   * wider) goes on over more rows, wrapped as the terminal's own output
   * would be, rather than cut. `joined`: the line continues the one before
   * (a chain of wrapped lines, one long line the server's terminal wrapped at
   * its width, laid out again at this one's); `continues`: the next line
   * continues it; `wraps`: the screen's top row does, so its last row gets
   * the wrap flag when it reaches the last column.
   */
  #layOut(
    line: Uint8Array,
    width: number,
    out: HistoryLine[],
    joined: boolean,
    continues: boolean,
    wraps: boolean,
  ): void {
    if (!joined && !continues && !wraps && line.length <= width && plainAscii(line)) {
      out.push(asciiText(line));
      return;
    }
    let scratch = this.#scratch;
    if (scratch === null || scratch.fb.width !== width) {
      scratch = this.#scratch = new Emulator(width, 1);
      this.#pool = [];
      // A row filled and wrapped: it is the line's next row out, and the next pool row follows.
      // A line feed in the bytes scrolls an unwrapped row: it is dropped, the row used again.
      scratch.fb.scrollOff = (row) => {
        if (!row.wrap && !row.wideWrap) return row;
        this.#out.push(row);
        return this.#poolRow(this.#out.length, width);
      };
    }
    this.#out = out;
    if (!joined) {
      this.#slot[0] = this.#poolRow(out.length, width);
      scratch.fb.rows = this.#slot;
      scratch.write(LINE_START);
    }
    scratch.write(line);
    if (continues) return; // its last row is still being written
    const row = scratch.fb.row(0);
    this.#pool[out.length] = row;
    out.push(row);
    if (wraps) {
      // A line as wide as the window: its last cell in use (or a wide character's right half).
      if (row.contents[width - 1] !== "" || (row.flags[width - 2]! & WIDE)) row.wrap = true;
      // Or up to the cell before: a wide character that did not fit in the last went on to
      // the next line (pushLines lets the terminal wrap it there, leaving the last cell blank).
      else if (row.contents[width - 2] !== "" || (row.flags[width - 3]! & WIDE)) {
        row.wideWrap = true;
      }
    }
  }

  /** The pool's row for the `index`th line out of a take (written over by the next take). */
  #poolRow(index: number, width: number): Row {
    return this.#pool[index] ??= new Row(width);
  }
}

/**
 * The client's side of the scrollback extension: turns the lines the
 * server says left its screen into rows to push into the local terminal's
 * own history — each line once, in order, and one marker line where lines
 * were skipped (`[mosh: 1234 lines skipped]`).
 *
 * @module
 */
import type { ReceivedHistory } from "../statesync/received_history.ts";
import { Emulator } from "../terminal/emulator.ts";
import { Row } from "../terminal/row.ts";

const encoder = new TextEncoder();
/** Before each line: no autowrap, home, no renditions or link, the row erased. */
const LINE_START = encoder.encode("\x1b[?7l\x1b[H\x1b[0m\x1b]8;;\x1b\\\x1b[2K");

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

/**
 * Which received lines have been printed, and the rows still to print.
 *
 * @example
 * ```ts
 * import { LocalScrollback } from "./local_scrollback.ts";
 * import { ReceivedHistory } from "../statesync/received_history.ts";
 * const local = new LocalScrollback();
 * const history = ReceivedHistory.NONE.append(5, [new TextEncoder().encode("six")]);
 * local.take(history, 80).map((r) => r.text().trimEnd()); // ["[mosh: 5 lines skipped]", "six"]
 * ```
 */
export class LocalScrollback {
  /** Lines before this number are in the local history or counted as skipped. */
  #printed = 0;
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

  /** Skipped lines still to be marked (the marker waits for the line after the gap). */
  get pendingSkipped(): number {
    return this.#skipped;
  }

  /**
   * The rows (`width` wide) for the lines of `history` not printed yet, in
   * order, with a marker row before the first line after a gap. With `max`,
   * it stops once `max` rows are out (one more when a marker comes first):
   * call again for the rest until it returns none. The rows are valid until
   * the next call, which writes over them.
   */
  take(history: ReceivedHistory, width: number, max = Infinity): Row[] {
    if (history.end <= this.#printed) return [];
    const rows: Row[] = [];
    for (const chunk of history.chunks) {
      const end = chunk.first + chunk.lines.length;
      if (end <= this.#printed) continue;
      for (let n = Math.max(chunk.first, this.#printed); n < end; n++) {
        if (rows.length >= max) return rows;
        this.#skipped += n - this.#printed;
        if (this.#skipped > 0) {
          rows.push(this.#row(encoder.encode(skipMarker(this.#skipped)), width, rows.length));
          this.#skipped = 0;
        }
        rows.push(this.#row(chunk.lines[n - chunk.first]!, width, rows.length));
        this.#printed = n + 1;
      }
    }
    this.#skipped += history.end - this.#printed;
    this.#printed = history.end;
    return rows;
  }

  /**
   * A received line as a row: run through an emulator one row high with
   * autowrap off, so whatever the bytes hold (cursor motion, line feeds,
   * hostile sequences) only SGR, links and text reach the local terminal.
   * The emulator writes straight into pool row `index`.
   */
  #row(line: Uint8Array, width: number, index: number): Row {
    if (this.#scratch === null || this.#scratch.fb.width !== width) {
      this.#scratch = new Emulator(width, 1);
      this.#pool = [];
    }
    const scratch = this.#scratch;
    const pool = this.#pool;
    if (plainAscii(line)) {
      // What the emulator would make of it (most lines are plain text): the
      // row erased in the default renditions, then the characters from the
      // left; with autowrap off, those past the edge overwrite the last cell.
      const row = pool[index] ??= new Row(width);
      row.reset(0);
      const contents = row.contents, n = Math.min(line.length, width);
      for (let x = 0; x < n; x++) contents[x] = String.fromCharCode(line[x]!);
      if (line.length > width) contents[width - 1] = String.fromCharCode(line[line.length - 1]!);
      return row;
    }
    this.#slot[0] = pool[index] ?? new Row(width);
    scratch.fb.rows = this.#slot;
    scratch.write(LINE_START);
    scratch.write(line);
    const row = scratch.fb.row(0); // the same row, unless a line feed replaced it
    pool[index] = row;
    return row;
  }
}

/**
 * The client's side of the scrollback extension: the lines that left the
 * server's screen, as received, kept in an immutable list of chunks so
 * that copying a received state costs nothing.
 *
 * @module
 */

/** Consecutive lines `first`, `first + 1`, … (each SGR/OSC 8 codes plus text). */
export interface HistoryChunk {
  /** Absolute number of `lines[0]`. */
  readonly first: number;
  /** The lines, oldest first. */
  readonly lines: readonly Uint8Array[];
  /** Numbers of the lines that continue on the next (long lines the terminal wrapped). */
  readonly wrapped: ReadonlySet<number>;
}

const NO_WRAPS: ReadonlySet<number> = new Set();

/** Lines a received state keeps for the printer (older ones count as skipped). */
export const RECEIVED_HISTORY_KEEP = 4096;

/**
 * What a received terminal state knows of the server's history: whether the
 * server sends it at all, how many lines there have been (`end`), and the
 * most recent ones that arrived.
 *
 * @example
 * ```ts
 * import { ReceivedHistory } from "./received_history.ts";
 * const line = new TextEncoder().encode("hello");
 * const h = ReceivedHistory.NONE.append(3, [line]); // lines 0–2 were skipped
 * [h.active, h.end, h.chunks[0]!.first]; // [true, 4, 3]
 * ```
 */
export class ReceivedHistory {
  /** No history: the server never sent any (a stock mosh-server, or scrollback off). */
  static readonly NONE: ReceivedHistory = new ReceivedHistory(false, 0, [], 0, false);

  /** The server sends history. */
  readonly active: boolean;
  /** Number of lines there have been: the next line's number. */
  readonly end: number;
  /** Received lines, oldest first, in increasing order; gaps between chunks were skipped. */
  readonly chunks: readonly HistoryChunk[];
  /**
   * Lines before this number were erased by the program (ED 3) after they
   * left the server's screen: those not yet printed never are, nor counted.
   */
  readonly clearedAt: number;
  /**
   * The server records the rows a shrinking window drops from the top of its
   * screen as lines (Feature.ShrinkLines): those the local terminal pushed
   * into its own history as it shrank come, numbered, like any other.
   */
  readonly shrinkLines: boolean;

  private constructor(
    active: boolean,
    end: number,
    chunks: readonly HistoryChunk[],
    clearedAt: number,
    shrinkLines: boolean,
  ) {
    this.active = active;
    this.end = end;
    this.chunks = chunks;
    this.clearedAt = clearedAt;
    this.shrinkLines = shrinkLines;
  }

  /**
   * Whether line `n` continues on the next (a long line the terminal
   * wrapped), the screen's top row after the last line; false when not kept.
   */
  continues(n: number): boolean {
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const chunk = this.chunks[i]!;
      if (n >= chunk.first) return n < chunk.first + chunk.lines.length && chunk.wrapped.has(n);
    }
    return false;
  }

  /**
   * The history of a state restored from a resume record: the server sends
   * history and there have been `end` lines; none of them is kept (the dead
   * client put them into the local terminal); `shrinkLines` as the server
   * said (see {@linkcode ReceivedHistory.shrinkLines}).
   */
  static restored(end: number, shrinkLines = false): ReceivedHistory {
    return new ReceivedHistory(true, end, [], 0, shrinkLines);
  }

  /**
   * This history plus lines `first`, `first + 1`, …; the lines between `end`
   * and `first` were skipped by the server, or erased if before `cleared`;
   * `wrapped` are the indices into `lines` of those that continue on the
   * next; `shrinkLines`: see {@linkcode ReceivedHistory.shrinkLines} (once
   * said, it stays). Lines this history already has are dropped, and only
   * the last {@linkcode RECEIVED_HISTORY_KEEP} are kept.
   */
  append(
    first: number,
    lines: readonly Uint8Array[],
    cleared = 0,
    wrapped: readonly number[] = [],
    shrinkLines = false,
  ): ReceivedHistory {
    const wraps = wrapped.length === 0 ? NO_WRAPS : new Set(wrapped.map((i) => first + i));
    if (first < this.end) {
      lines = lines.slice(Math.min(lines.length, this.end - first));
      first = this.end;
    }
    if (lines.length > RECEIVED_HISTORY_KEEP) {
      first += lines.length - RECEIVED_HISTORY_KEEP;
      lines = lines.slice(lines.length - RECEIVED_HISTORY_KEEP);
    }
    const end = first + lines.length;
    const clearedAt = Math.max(this.clearedAt, Math.min(cleared, end));
    let chunks = lines.length === 0
      ? this.chunks.slice()
      : [...this.chunks, { first, lines, wrapped: wraps }];
    // A new erase drops the chunks wholly before it (new lines are never before an old one).
    if (clearedAt > this.clearedAt) {
      chunks = chunks.filter((c) => c.first + c.lines.length > clearedAt);
    }
    let kept = 0;
    for (const c of chunks) kept += c.lines.length;
    while (kept > RECEIVED_HISTORY_KEEP) {
      const c = chunks[0]!;
      const drop = Math.min(c.lines.length, kept - RECEIVED_HISTORY_KEEP);
      kept -= drop;
      if (drop === c.lines.length) chunks.shift();
      else chunks[0] = { first: c.first + drop, lines: c.lines.slice(drop), wrapped: c.wrapped };
    }
    return new ReceivedHistory(true, end, chunks, clearedAt, this.shrinkLines || shrinkLines);
  }
}

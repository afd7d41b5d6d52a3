/**
 * The server's record of lines that scrolled off the top of the main
 * screen (the scrollback extension): a ring of the most recent rows,
 * numbered absolutely from 0, rendered to bytes only when a diff needs them.
 *
 * @module
 */
import { lineString } from "./display.ts";
import type { Row } from "./row.ts";

/** Rows kept: a diff never carries more lines than this (complete_terminal.ts). */
export const SCROLLBACK_CAPACITY = 1024;
/** Characters of hyperlinks kept across the ring; rows beyond lose their links. */
const LINK_BUDGET = 1 << 21;

const encoder = new TextEncoder();

/**
 * Append-only, bounded: shared by a terminal state and all its copies, each
 * of which remembers only how many lines it has seen.
 *
 * @example
 * ```ts
 * import { Emulator } from "./emulator.ts";
 * import { ScrollbackStore } from "./scrollback_store.ts";
 * const store = new ScrollbackStore();
 * const term = new Emulator(80, 2);
 * term.fb.scrollOff = (row) => store.push(row);
 * term.write(new TextEncoder().encode("one\r\ntwo\r\nthree"));
 * store.end; // 1
 * new TextDecoder().decode(store.line(0)!); // "one"
 * ```
 */
export class ScrollbackStore {
  readonly #rows: (Row | undefined)[] = [];
  readonly #bytes: (Uint8Array | undefined)[] = [];
  readonly #linkChars: number[] = [];
  /** The line number each slot holds. */
  readonly #nums: number[] = [];
  #copiedEnd = 0;
  readonly #capacity: number;
  #totalLinkChars = 0;
  #end = 0;
  #clearedAt = 0;

  /** A store of the last `capacity` lines. */
  constructor(capacity = SCROLLBACK_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Number of lines ever pushed: the next line's number. */
  get end(): number {
    return this.#end;
  }

  /** No line older than this is kept (newer ones may be missing after a flood). */
  get first(): number {
    return Math.max(0, this.#end - this.#capacity);
  }

  /** Lines before this number were erased by the program (ED 3) after they left the screen. */
  get clearedAt(): number {
    return this.#clearedAt;
  }

  /** The program erased the history (ED 3): the lines there are now are not to be sent. */
  clear(): void {
    this.#clearedAt = this.#end;
  }

  /**
   * A copy of the state was taken at line `end` (it may become a diff's
   * base): lines more than `capacity` after the newest copy can never be
   * sent — any diff would hold more than {@linkcode SCROLLBACK_CAPACITY}
   * lines and skip them all — so during a flood they are only counted.
   */
  copied(): void {
    this.#copiedEnd = this.#end;
  }

  /**
   * Takes a row that left the screen (the caller never writes it again) and
   * returns a row to reuse as a blank one: the one it evicts, or the same
   * row when a flood is running (counted, not kept).
   */
  push(row: Row): Row | null {
    if (this.#end - this.#copiedEnd >= this.#capacity) {
      this.#end++;
      return row;
    }
    const i = this.#end % this.#capacity;
    const evicted = this.#rows[i] ?? null;
    this.#totalLinkChars -= this.#linkChars[i] ?? 0;
    let chars = row.links === null ? 0 : linkChars(row);
    if (chars > 0 && this.#totalLinkChars + chars > LINK_BUDGET) {
      // Hostile output (thousands of long links): keep the text, drop the links.
      if (row.shared) row = row.copy();
      row.links = null;
      chars = 0;
    }
    this.#rows[i] = row;
    this.#nums[i] = this.#end;
    this.#bytes[i] = undefined;
    this.#linkChars[i] = chars;
    this.#totalLinkChars += chars;
    this.#end++;
    return evicted;
  }

  /** Whether line `n` is kept and continues on the next line (it wrapped there: one long line). */
  wraps(n: number): boolean {
    if (n < 0 || n >= this.#end) return false;
    const i = n % this.#capacity;
    const row = this.#rows[i]!;
    return this.#nums[i] === n && row.continues;
  }

  /** Line `n` rendered (renditions, links unless `links` is false, text), or null when not kept. */
  line(n: number, links = true): Uint8Array | null {
    if (n < 0 || n >= this.#end) return null;
    const i = n % this.#capacity;
    if (this.#nums[i] !== n) return null; // overwritten, or counted during a flood
    if (!links) return encoder.encode(lineString(this.#rows[i]!, false));
    let bytes = this.#bytes[i];
    if (bytes === undefined) {
      bytes = encoder.encode(lineString(this.#rows[i]!, true));
      this.#bytes[i] = bytes;
    }
    return bytes;
  }
}

/** Characters of the distinct links of a row (runs of one link counted once). */
function linkChars(row: Row): number {
  let n = 0, previous = "";
  for (const link of row.links!) {
    if (link !== previous) n += link.length;
    previous = link;
  }
  return n;
}

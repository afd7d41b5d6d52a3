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
  readonly #capacity: number;
  #totalLinkChars = 0;
  #end = 0;

  /** A store of the last `capacity` lines. */
  constructor(capacity = SCROLLBACK_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Number of lines ever pushed: the next line's number. */
  get end(): number {
    return this.#end;
  }

  /** Number of the oldest line still kept. */
  get first(): number {
    return Math.max(0, this.#end - this.#capacity);
  }

  /**
   * Takes a row that left the screen (the caller never writes it again) and
   * returns the row it evicts, for reuse as a blank one.
   */
  push(row: Row): Row | null {
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
    this.#bytes[i] = undefined;
    this.#linkChars[i] = chars;
    this.#totalLinkChars += chars;
    this.#end++;
    return evicted;
  }

  /** Line `n` rendered (renditions, links unless `links` is false, text), or null when not kept. */
  line(n: number, links = true): Uint8Array | null {
    if (n < this.first || n >= this.#end) return null;
    const i = n % this.#capacity;
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

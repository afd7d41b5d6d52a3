/**
 * Synchronized output (DEC private mode 2026, "BSU"/"ESU"): a program that
 * redraws brackets the redraw with `CSI ? 2026 h` … `CSI ? 2026 l` so that
 * no half-drawn screen is ever shown. mosh 1.4.0 ignores the mode (mosh
 * issue #1312), so a frame can leave the server mid-redraw and the client
 * shows it until the next one. The server holds the output between the two
 * instead, and feeds it to the emulator whole.
 *
 * @module
 */
import { concatBytes } from "../network/concat_bytes.ts";

/** Longest hold, from the begin: a program that never ends its update stalls no longer. */
export const SYNC_HOLD_MS = 200;
/** Most bytes held: more is released at once (a redraw is far smaller). */
export const MAX_HELD_BYTES = 1 << 20;

/** `ESC [ ? 2 0 2 6`, then `h` (begin) or `l` (end). */
const PREFIX = [0x1b, 0x5b, 0x3f, 0x32, 0x30, 0x32, 0x36];
const BEGIN = 0x68, END = 0x6c, ESC = 0x1b;
const NOTHING = new Uint8Array(0);

/**
 * Holds a program's output from a synchronized-update begin to its end (or
 * {@linkcode SYNC_HOLD_MS}, or {@linkcode MAX_HELD_BYTES}). The sequences
 * themselves go to the emulator too (it ignores the mode). Only the exact
 * forms `CSI ? 2026 h` and `CSI ? 2026 l` count, split across reads or not.
 *
 * @example
 * ```ts
 * import { SynchronizedOutput } from "./synchronized_output.ts";
 * const hold = new SynchronizedOutput();
 * const enc = new TextEncoder();
 * hold.take(enc.encode("a\x1b[?2026hhalf"), 0); // "a\x1b[?2026h": the rest is held
 * hold.take(enc.encode(" whole\x1b[?2026lz"), 5); // "half whole\x1b[?2026lz"
 * ```
 */
export class SynchronizedOutput {
  readonly #holdMs: number;
  readonly #maxHeld: number;
  /** How many bytes of {@linkcode PREFIX} the stream has just matched. */
  #matched = 0;
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  /** When the hold began, or −1 while not holding. */
  #since = -1;

  /** A holder with the given limits (tests shorten them). */
  constructor(holdMs = SYNC_HOLD_MS, maxHeld = MAX_HELD_BYTES) {
    this.#holdMs = holdMs;
    this.#maxHeld = maxHeld;
  }

  /** Whether output is being held. */
  get holding(): boolean {
    return this.#since >= 0;
  }

  /** When the held output must go out however the program goes on (∞ when not holding). */
  get deadline(): number {
    return this.#since < 0 ? Infinity : this.#since + this.#holdMs;
  }

  /** Takes a chunk of output read at `now`: returns what goes to the emulator now. */
  take(chunk: Uint8Array, now: number): Uint8Array {
    let out: Uint8Array[] | null = null;
    let from = 0; // start of the part not yet passed on or held
    let i = this.#matched > 0 ? 0 : chunk.indexOf(ESC);
    while (i >= 0 && i < chunk.length) {
      const b = chunk[i]!;
      if (this.#matched === PREFIX.length) {
        this.#matched = 0;
        if (b === BEGIN && this.#since < 0) {
          (out ??= []).push(chunk.subarray(from, i + 1));
          from = i + 1;
          this.#since = now;
        } else if (b === END && this.#since >= 0) {
          (out ??= []).push(...this.#release(), chunk.subarray(from, i + 1));
          from = i + 1;
        }
      }
      // The next byte of the prefix, or an ESC starting it again; else jump to the next ESC.
      this.#matched = b === PREFIX[this.#matched] ? this.#matched + 1 : b === ESC ? 1 : 0;
      i = this.#matched > 0 ? i + 1 : chunk.indexOf(ESC, i + 1);
    }
    const rest = from === 0 ? chunk : chunk.subarray(from);
    if (this.#since >= 0) {
      if (rest.length > 0) {
        this.#held.push(rest.slice()); // the reader may reuse its buffer
        this.#heldBytes += rest.length;
      }
      if (now >= this.deadline || this.#heldBytes > this.#maxHeld) {
        (out ??= []).push(...this.#release());
      }
    } else if (rest.length > 0) (out ??= []).push(rest);
    if (out === null) return NOTHING;
    return out.length === 1 ? out[0]! : concatBytes(out);
  }

  /** Ends the hold (its deadline passed, or the program's output ended): what was held. */
  flush(): Uint8Array {
    return this.#since < 0 ? NOTHING : concatBytes(this.#release());
  }

  #release(): Uint8Array[] {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    this.#since = -1;
    return held;
  }
}

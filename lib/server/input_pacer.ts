/**
 * The user's input on its way to the host, paced for a client that keeps
 * the history (the scrollback extension): a long paste into `cat` echoes
 * a line per line pasted, and when the lines leave the screen faster than
 * frames carry them to the client, the oldest are skipped (at most
 * `MAX_HISTORY_LINES` between two states the client has). So a long input
 * goes in pieces, and a piece after the first waits until the client is
 * near the history's end — as a paste over ssh goes at the pace of the
 * link. Keystrokes (short inputs) are never held, only kept in order
 * behind a paste still going in.
 *
 * @module
 */

/** The longest piece of a long input, in bytes. */
export const PIECE_BYTES = 1024;
/** The most line feeds in one piece (an empty line is one byte, and one history line). */
export const PIECE_LINES = 128;
/** How long a piece waits for history room before it goes anyway (a client gone quiet). */
export const PIECE_WAIT_MS = 1000;

/** One piece of input: whether it waits for room. */
interface Piece {
  bytes: Uint8Array;
  paced: boolean;
}

/** Splits `bytes` at {@linkcode PIECE_BYTES} bytes or {@linkcode PIECE_LINES} line feeds. */
export function splitInput(bytes: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0, lines = 0;
  for (let i = 0; i < bytes.length; i++) {
    const lf = bytes[i] === 0x0a || bytes[i] === 0x0d;
    if (lf) lines++;
    if (i + 1 - start >= PIECE_BYTES || (lf && lines >= PIECE_LINES)) {
      pieces.push(bytes.subarray(start, i + 1));
      start = i + 1;
      lines = 0;
    }
  }
  if (start < bytes.length) pieces.push(bytes.subarray(start));
  return pieces;
}

/**
 * Writes input to the host in order; a long input's later pieces wait for
 * `room()` (or {@linkcode PIECE_WAIT_MS}). The session loop calls
 * {@linkcode InputPacer.pump} when room may have come (an acknowledgement,
 * its timer) and sleeps at most {@linkcode InputPacer.waitTime}.
 *
 * @example
 * ```ts
 * import { InputPacer } from "./input_pacer.ts";
 * const written: number[] = [];
 * let now = 0;
 * const pacer = new InputPacer(async (b) => void written.push(b.length), () => false, () => now);
 * pacer.push(new Uint8Array(3000)); // a paste: 1024 bytes go at once, the rest waits
 * await Promise.resolve();
 * written; // [1024]
 * ```
 */
export class InputPacer {
  readonly #write: (bytes: Uint8Array) => Promise<void>;
  readonly #room: () => boolean;
  readonly #clock: () => number;
  readonly #queue: Piece[] = [];
  #writing = false;
  /** When the first piece in the queue began to wait for room (−1: it is not waiting). */
  #waitingSince = -1;

  /**
   * `write` sends bytes to the host and deals with its own failures (a
   * rejection only moves on to the next piece); `room` says whether the
   * client is near enough the history's end for one more piece.
   */
  constructor(
    write: (bytes: Uint8Array) => Promise<void>,
    room: () => boolean,
    clock: () => number,
  ) {
    this.#write = write;
    this.#room = room;
    this.#clock = clock;
  }

  /** Pieces not written yet. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Queues `bytes` (a long input in pieces) and writes what may go now. The
   * bytes are the pacer's from now on: the caller must not change them.
   */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const pieces = bytes.length <= PIECE_BYTES ? [bytes] : splitInput(bytes);
    pieces.forEach((p, i) => this.#queue.push({ bytes: p, paced: i > 0 }));
    this.pump();
  }

  /** Writes the next pieces that may go (one write at a time, in order). */
  pump(): void {
    if (this.#writing) return;
    const piece = this.#queue[0];
    if (piece === undefined) return;
    if (piece.paced && !this.#room()) {
      const now = this.#clock();
      if (this.#waitingSince < 0) this.#waitingSince = now;
      if (now - this.#waitingSince < PIECE_WAIT_MS) return;
    }
    this.#waitingSince = -1;
    this.#queue.shift();
    this.#writing = true;
    const done = () => {
      this.#writing = false;
      this.pump();
    };
    this.#write(piece.bytes).then(done, done);
  }

  /** Milliseconds until a waiting piece goes anyway; ∞ when none waits. */
  waitTime(): number {
    if (this.#waitingSince < 0 || this.#writing) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.#waitingSince + PIECE_WAIT_MS - this.#clock());
  }
}

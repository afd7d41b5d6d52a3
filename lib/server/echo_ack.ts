/**
 * The server's echo acknowledgement: the newest user-stream state whose
 * input the application has had 50 ms to echo (transport.md §6.3). The
 * client uses it to confirm or drop its predictions.
 *
 * @module
 */

/** How long input counts as "not yet echoed". */
export const ECHO_TIMEOUT = 50;

/**
 * Tracks when each user-stream state was applied.
 *
 * @example
 * ```ts
 * import { EchoAckTracker } from "./echo_ack.ts";
 * const t = new EchoAckTracker();
 * t.register(3n, 1000);
 * t.compute(1049); // 0n
 * t.compute(1050); // 3n
 * ```
 */
export class EchoAckTracker {
  #pending: { num: bigint; at: number }[] = [];
  #current = 0n;

  /** A user-stream state with new input was applied at `now`. */
  register(num: bigint, now: number): void {
    this.#pending.push({ num, at: now });
  }

  /** The echo ack as of `now` (never decreases). */
  compute(now: number): bigint {
    let newest = -1;
    for (let i = 0; i < this.#pending.length; i++) {
      if (this.#pending[i]!.at <= now - ECHO_TIMEOUT) newest = i;
    }
    if (newest >= 0) {
      const num = this.#pending[newest]!.num;
      if (num > this.#current) this.#current = num;
      this.#pending.splice(0, newest + 1);
    }
    return this.#current;
  }

  /** Milliseconds until the echo ack may change, or ∞. */
  waitTime(now: number): number {
    const next = this.#pending[0];
    return next === undefined ? Infinity : Math.max(0, next.at + ECHO_TIMEOUT - now);
  }
}

/**
 * One timer for an event loop that recomputes its next deadline after
 * every event. Clearing and re-creating a timer costs about 10 µs in Deno,
 * and the loops did it on every pty read and datagram; this keeps the armed
 * timer unless the new deadline is earlier (firing early is harmless: the
 * loop recomputes and re-arms).
 *
 * @module
 */

/**
 * Calls `callback` once the earliest requested deadline has passed.
 *
 * @example
 * ```ts
 * import { WakeupTimer } from "./wakeup_timer.ts";
 * const timer = new WakeupTimer(() => console.log("tick"));
 * timer.arm(50);
 * timer.arm(3000); // keeps the earlier deadline
 * timer.cancel();
 * ```
 */
export class WakeupTimer {
  readonly #callback: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (ms, `performance.now()`), or ∞ when none is armed. */
  #at = Number.POSITIVE_INFINITY;

  /** A timer that runs `callback` when it fires. */
  constructor(callback: () => void) {
    this.#callback = callback;
  }

  /** Makes sure the callback runs within `ms` milliseconds. */
  arm(ms: number): void {
    const at = performance.now() + ms;
    if (this.#at <= at) return;
    clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(() => {
      this.#at = Number.POSITIVE_INFINITY;
      this.#timer = undefined;
      this.#callback();
    }, ms);
  }

  /** Disarms the timer. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
  }
}

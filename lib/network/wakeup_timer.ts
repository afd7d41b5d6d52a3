/**
 * One timer for an event loop that recomputes its next deadline after
 * every event. Clearing and re-creating a timer costs about 10 µs in Deno,
 * and the loops did it on every pty read and datagram; this keeps the armed
 * timer unless the new deadline is earlier (firing early is harmless: the
 * loop recomputes and re-arms).
 *
 * The timers are `Atomics.waitAsync` timeouts, not `setTimeout`: in Deno 2
 * `setTimeout` is Node's, whose module is loaded on first use (≈ 10 ms of
 * each program's start-up and ≈ 3 MB resident). They do not keep a process
 * alive: the loops that use them always wait on a socket too.
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
  /** When the armed timer fires (ms, `performance.now()`), or ∞ when none is armed. */
  #at = Number.POSITIVE_INFINITY;
  #cancel: (() => void) | undefined;

  /** A timer that runs `callback` when it fires. */
  constructor(callback: () => void) {
    this.#callback = callback;
  }

  /** Makes sure the callback runs within `ms` milliseconds. */
  arm(ms: number): void {
    const at = performance.now() + ms;
    if (this.#at <= at) return;
    this.#cancel?.();
    this.#at = at;
    this.#cancel = after(ms, () => {
      this.#at = Number.POSITIVE_INFINITY;
      this.#cancel = undefined;
      this.#callback();
    });
  }

  /** Disarms the timer. */
  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#at = Number.POSITIVE_INFINITY;
  }
}

/**
 * Runs `callback` after `ms` milliseconds (about 1 ms late on average,
 * `setTimeout` 0.5 ms); returns what cancels it. It does not keep the
 * process alive.
 *
 * @example
 * ```ts
 * import { after } from "./wakeup_timer.ts";
 * const cancel = after(100, () => console.log("never runs"));
 * cancel();
 * ```
 */
export function after(ms: number, callback: () => void): () => void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let cancelled = false;
  const wait = Atomics.waitAsync(cell, 0, 0, ms);
  if (wait.async) wait.value.then(() => cancelled || callback());
  else queueMicrotask(() => cancelled || callback());
  return () => {
    cancelled = true;
    Atomics.notify(cell, 0);
  };
}

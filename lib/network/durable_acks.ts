/**
 * Acknowledging only what is on record: a resumable client saves a received
 * state before it acknowledges it, so the peer never diffs from a state a
 * restarted client could not rebuild.
 *
 * The peer's sender diffs from its acknowledged state (its "front", which it
 * announces as `throwaway_num`), and moves that front only to a state we
 * acknowledged and it still holds (it culls unacknowledged states beyond 32).
 * So we keep on record `confirmed` (the front as last announced) and the
 * states whose acknowledgements are pending, at most {@linkcode MAX_PENDING}:
 * the peer's front is always one of them.
 *
 * @module
 */

/** A remote state and its number. */
export interface NumberedState<R> {
  /** The number the peer gave the state. */
  num: bigint;
  /** The state. */
  state: R;
}

/** Where acknowledged states are recorded (synchronously, before the ack can leave). */
export interface AckJournal<R> {
  /** Records `states` (one to three, oldest first) as the ones a restart would hold. */
  saveRemote(states: readonly NumberedState<R>[]): void;
}

/** What the settling logic needs from our own sender. */
export interface AckSender {
  /** The number our next new state will get. */
  readonly nextNum: bigint;
}

/** Keeps at most this many saves per second (on a fast link acks would otherwise save per frame). */
export const MIN_SAVE_INTERVAL = 100;

/**
 * Acknowledgements pending at once. A keystroke's echo often comes as two
 * frames; with one pending, the second waited for the peer to confirm the
 * first, which an idle mosh-server only does by resending the second when
 * its ack is overdue — and that resend then paced the next keystroke's echo
 * (150 ms one way: one key in three echoed ≈ 90 ms late, 2026-12-06).
 */
export const MAX_PENDING = 2;

type Pending<R> = NumberedState<R> & { firstNum: bigint };

/**
 * Decides which received state to acknowledge.
 *
 * @example
 * ```ts ignore
 * const acks = new DurableAcks(journal, [{ num: 0n, state }], clock);
 * acks.settle(inst.ackNum, inst.throwawayNum);
 * const ack = acks.advance(newest, sender); // a number to acknowledge, or null
 * ```
 */
export class DurableAcks<R> {
  #confirmed: NumberedState<R>;
  /** Oldest first; each with our first state number sent while acknowledging it. */
  #pending: Pending<R>[];
  #lastSave = Number.NEGATIVE_INFINITY;
  readonly #journal: AckJournal<R>;
  readonly #clock: () => number;

  /**
   * @param held The states on record: the confirmed one, then the pending ones if any.
   * @param firstNum With pending states: our first state number sent while acknowledging them.
   */
  constructor(
    journal: AckJournal<R>,
    held: readonly NumberedState<R>[],
    clock: () => number,
    firstNum = 0n,
  ) {
    this.#journal = journal;
    this.#clock = clock;
    this.#confirmed = held[0]!;
    this.#pending = held.slice(1).map((h) => ({ ...h, firstNum }));
  }

  /** The number we acknowledge. */
  get ackNum(): bigint {
    return (this.#pending.at(-1) ?? this.#confirmed).num;
  }

  /** The states on record, oldest first. */
  get held(): NumberedState<R>[] {
    return [this.#confirmed, ...this.#pending.map(({ num, state }) => ({ num, state }))];
  }

  /**
   * An instruction from the peer arrived: `peerAck` is its acknowledgement of
   * our states, `throwaway` its front when it sent the instruction.
   */
  settle(peerAck: bigint, throwaway: bigint): void {
    if (this.#pending.length === 0) return;
    let taken = this.#pending.length - 1;
    while (taken >= 0 && this.#pending[taken]!.num > throwaway) taken--;
    if (taken >= 0) {
      const { num, state } = this.#pending[taken]!;
      this.#confirmed = { num, state };
      this.#pending = this.#pending.slice(taken + 1);
    }
    // The peer had processed these acknowledgements when it sent this, and
    // did not take them (it had culled those states): its front never will.
    this.#pending = this.#pending.filter((p) => peerAck < p.firstNum);
  }

  /** When {@linkcode advance} may save again (ms), or ∞. */
  nextSaveTime(newestNum: bigint): number {
    if (this.#pending.length >= MAX_PENDING || newestNum <= this.ackNum) {
      return Number.POSITIVE_INFINITY;
    }
    return this.#lastSave + MIN_SAVE_INTERVAL;
  }

  /**
   * Starts acknowledging `newest` if fewer than {@linkcode MAX_PENDING} are
   * pending and the save budget allows; returns the number to acknowledge,
   * or `null` for no change.
   */
  advance(newest: NumberedState<R>, sender: AckSender): bigint | null {
    const now = this.#clock();
    if (now < this.nextSaveTime(newest.num)) return null;
    this.#journal.saveRemote([...this.held, newest]);
    this.#lastSave = now;
    this.#pending.push({ num: newest.num, state: newest.state, firstNum: sender.nextNum });
    return newest.num;
  }
}

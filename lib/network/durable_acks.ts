/**
 * Acknowledging only what is on record: a resumable client saves a received
 * state before it acknowledges it, so the peer never diffs from a state a
 * restarted client could not rebuild.
 *
 * The peer's sender diffs from its acknowledged state (its "front", which it
 * announces as `throwaway_num`), and moves that front only to a state we
 * acknowledged and it still holds (it culls unacknowledged states beyond 32).
 * So we keep at most two states on record — `confirmed` (the front as last
 * announced) and one `pending` acknowledgement — and start a new
 * acknowledgement only once the pending one is settled: the peer's front is
 * then always one of the two.
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
  /** Records `states` (one or two, oldest first) as the ones a restart would hold. */
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
  #pending: (NumberedState<R> & { firstNum: bigint }) | null = null;
  #lastSave = Number.NEGATIVE_INFINITY;
  readonly #journal: AckJournal<R>;
  readonly #clock: () => number;

  /**
   * @param held The states on record: the confirmed one, then the pending one if any.
   * @param firstNum With a pending state: our first state number sent while acknowledging it.
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
    if (held[1]) this.#pending = { ...held[1], firstNum };
  }

  /** The number we acknowledge. */
  get ackNum(): bigint {
    return (this.#pending ?? this.#confirmed).num;
  }

  /** The states on record, oldest first. */
  get held(): NumberedState<R>[] {
    return this.#pending ? [this.#confirmed, this.#pending] : [this.#confirmed];
  }

  /**
   * An instruction from the peer arrived: `peerAck` is its acknowledgement of
   * our states, `throwaway` its front when it sent the instruction.
   */
  settle(peerAck: bigint, throwaway: bigint): void {
    const p = this.#pending;
    if (p === null) return;
    if (throwaway >= p.num) {
      this.#confirmed = { num: p.num, state: p.state };
      this.#pending = null;
    } else if (peerAck >= p.firstNum) {
      // The peer had processed our ack when it sent this, and did not take
      // it (it had culled that state): its front stays where it was.
      this.#pending = null;
    }
  }

  /** When {@linkcode advance} may save again (ms), or ∞. */
  nextSaveTime(newestNum: bigint): number {
    if (this.#pending !== null || newestNum <= this.#confirmed.num) {
      return Number.POSITIVE_INFINITY;
    }
    return this.#lastSave + MIN_SAVE_INTERVAL;
  }

  /**
   * Starts acknowledging `newest` if nothing is pending and the save budget
   * allows; returns the number to acknowledge, or `null` for no change.
   */
  advance(newest: NumberedState<R>, sender: AckSender): bigint | null {
    const now = this.#clock();
    if (now < this.nextSaveTime(newest.num)) return null;
    this.#journal.saveRemote([this.#confirmed, newest]);
    this.#lastSave = now;
    this.#pending = { num: newest.num, state: newest.state, firstNum: sender.nextNum };
    return newest.num;
  }
}

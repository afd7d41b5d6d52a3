/**
 * The SSP sender: keeps the states it sent, guesses which one the receiver
 * holds, and decides when to send a diff, an ack, or a heartbeat.
 *
 * @module
 */
import {
  ACK_DELAY,
  ACK_INTERVAL,
  ACTIVE_RETRY_TIMEOUT,
  MAX_SENT_STATES,
  SHUTDOWN_RETRIES,
} from "./constants.ts";
import { type Instruction, SHUTDOWN_NUM } from "./instruction.ts";
import type { SyncState } from "./sync_state.ts";
import { PROTOCOL_VERSION } from "../version.ts";

/** A state the sender sent, with when and under which number. */
export interface SentState<S> {
  /** When this state was first sent or created (ms). */
  timestamp: number;
  /** State number; the peer acknowledges by it. */
  num: bigint;
  /** A snapshot of the local state object. */
  state: S;
}

/** What the sender needs from the connection below it. */
export interface SenderLink {
  readonly hasRemoteAddr: boolean;
  /** Retransmission timeout (ms). */
  readonly rto: number;
  /** Frame spacing (ms). */
  readonly sendInterval: number;
  /** Sends one instruction (the transport fragments and seals it). */
  sendInstruction(instruction: Instruction): void;
}

/**
 * What a sender records durably so that a restarted endpoint can go on from
 * where it stopped (a resumed client). Both calls are synchronous: nothing
 * leaves before the record does.
 */
export interface SenderJournal<S> {
  /** Before state number `num` (at or past the last limit) is used: returns the new exclusive limit. */
  reserveNum(num: bigint): bigint;
  /**
   * Before an instruction carrying `current` leaves, `ackedNum` being the
   * state the peer acknowledged: records what a restart needs to resend it.
   * Returns the `throwaway_num` to send (at most `ackedNum`): the peer keeps
   * every state from there on, so a restart may diff from it.
   */
  beforeSend(current: S, ackedNum: bigint): bigint;
}

/** Where a restarted sender starts (the snapshot a journal recorded). */
export interface SenderResume<S> {
  /** Number of the state the peer acknowledged (its content is `initial`). */
  ackedNum: bigint;
  /** The object as it was: `initial` plus what the peer may not have yet. */
  current: S;
  /** The lowest number the next new state may get (past every number used before). */
  nextNum: bigint;
}

/** Options for {@linkcode TransportSender}. */
export interface SenderOptions<S> {
  /** State 0, or with `resume` the content of the acknowledged state. */
  initial: S;
  clock: () => number;
  link: SenderLink;
  /** Collect changes this long before sending (8 server, 1 client). */
  sendMinDelay: number;
  /** Random bytes for chaff. */
  random?: (length: number) => Uint8Array;
  /** Start from a snapshot instead of state 0. */
  resume?: SenderResume<S>;
  /** Durable record of numbers and sent content (a resumable client). */
  journal?: SenderJournal<S>;
}

const NEVER = Number.POSITIVE_INFINITY;

/**
 * Sends the newest state of an object as diffs from the state the receiver
 * is assumed to hold, paced by the RTT.
 */
export class TransportSender<S extends SyncState<S>> {
  /** The object as it is now: the application mutates it. */
  current: S;
  readonly #sent: SentState<S>[];
  #assumed: SentState<S>;
  #nextAckTime: number;
  #nextSendTime: number;
  #mindelayClock = -1;
  #ackNum = 0n;
  #pendingDataAck = false;
  #lastHeard = 0;
  #shutdownInProgress = false;
  #shutdownTries = 0;
  #shutdownStart = -1;
  #lastAckSent = 0n;
  readonly #clock: () => number;
  readonly #link: SenderLink;
  /**
   * Milliseconds a change waits to gather what follows it into the same
   * datagram (mosh: 8 server, 1 client); the client sets it per keystroke.
   */
  sendMinDelay: number;
  readonly #random: (length: number) => Uint8Array;
  readonly #journal: SenderJournal<S> | null;
  #numFloor = 0n;
  #numLimit: bigint;

  /** A TransportSender configured by `options`. */
  constructor(options: SenderOptions<S>) {
    this.#clock = options.clock;
    this.#link = options.link;
    this.sendMinDelay = options.sendMinDelay;
    this.#random = options.random ??
      ((n) => crypto.getRandomValues(new Uint8Array(n)));
    const now = this.#clock();
    this.#journal = options.journal ?? null;
    this.current = (options.resume?.current ?? options.initial).clone();
    const first = {
      timestamp: now,
      num: options.resume?.ackedNum ?? 0n,
      state: options.initial.clone(),
    };
    this.#numFloor = options.resume?.nextNum ?? 0n;
    this.#numLimit = this.#journal ? 0n : SHUTDOWN_NUM;
    this.#sent = [first];
    this.#assumed = first;
    this.#nextAckTime = now;
    this.#nextSendTime = now;
  }

  /** The acknowledged state (front of the sent list). */
  get acknowledged(): SentState<S> {
    return this.#sent[0]!;
  }

  /** The last state sent. */
  get lastSent(): SentState<S> {
    return this.#sent[this.#sent.length - 1]!;
  }

  /** The state the receiver is assumed to hold. */
  get assumed(): SentState<S> {
    return this.#assumed;
  }

  /** Number of entries in the sent list (≤ 32). */
  get sentCount(): number {
    return this.#sent.length;
  }

  /** The number the next new state will get. */
  get nextNum(): bigint {
    const n = this.lastSent.num + 1n;
    return n < this.#numFloor ? this.#numFloor : n;
  }

  /** Newest state number received from the peer, acknowledged in every instruction. */
  get ackNum(): bigint {
    return this.#ackNum;
  }

  /** When the receiver last appended a new remote state. */
  get lastHeard(): number {
    return this.#lastHeard;
  }

  /** Shutdown in progress. */
  get shutdownInProgress(): boolean {
    return this.#shutdownInProgress;
  }

  /** The peer acknowledged our shutdown. */
  get shutdownAcknowledged(): boolean {
    return this.acknowledged.num === SHUTDOWN_NUM;
  }

  /** We have sent an instruction acknowledging the peer's shutdown. */
  get counterpartyShutdownAckSent(): boolean {
    return this.#lastAckSent === SHUTDOWN_NUM;
  }

  /** Our shutdown went unacknowledged for 16 tries or 10 s. */
  get shutdownAckTimedOut(): boolean {
    if (!this.#shutdownInProgress) return false;
    return this.#shutdownTries >= SHUTDOWN_RETRIES ||
      this.#clock() - this.#shutdownStart >= ACTIVE_RETRY_TIMEOUT;
  }

  /** Receiver side: a new newest remote state arrived. */
  setAckNum(num: bigint): void {
    this.#ackNum = num;
  }

  /** Receiver side: the new state carried data, acknowledge within 100 ms. */
  setDataAck(): void {
    this.#pendingDataAck = true;
  }

  /** Receiver side: whether received data awaits an acknowledgement (due within ACK_DELAY). */
  get pendingDataAck(): boolean {
    return this.#pendingDataAck;
  }

  /** Receiver side: acknowledge now (the peer resent a state we hold: our acknowledgement was lost). */
  ackNow(): void {
    this.#pendingDataAck = true;
    this.#nextAckTime = this.#clock();
  }

  /** Receiver side: a new remote state was appended now. */
  remoteHeard(now: number): void {
    this.#lastHeard = now;
  }

  /** Starts the shutdown handshake (the object must not change afterwards). */
  startShutdown(): void {
    if (this.#shutdownInProgress) return;
    this.#shutdownStart = this.#clock();
    this.#shutdownInProgress = true;
  }

  /** The peer acknowledged state `ackNum`: older states are forgotten. */
  processAcknowledgmentThrough(ackNum: bigint): void {
    const i = this.#sent.findIndex((s) => s.num === ackNum);
    if (i <= 0) return;
    this.#sent.splice(0, i);
    if (!this.#sent.includes(this.#assumed)) this.#assumed = this.#sent[0]!;
  }

  #updateAssumedReceiverState(now: number): void {
    const limit = this.#link.rto + ACK_DELAY;
    this.#assumed = this.#sent[0]!;
    for (let i = 1; i < this.#sent.length; i++) {
      const s = this.#sent[i]!;
      if (now - s.timestamp >= limit) break;
      this.#assumed = s;
    }
  }

  #rationalize(): void {
    // Newest first, so the acknowledged state is subtracted from itself last.
    const known = this.#sent[0]!.state;
    this.current.subtract(known);
    for (let i = this.#sent.length - 1; i >= 0; i--) this.#sent[i]!.state.subtract(known);
  }

  #calculateTimers(now: number): void {
    this.#updateAssumedReceiverState(now);
    this.#rationalize();
    if (this.#pendingDataAck && this.#nextAckTime > now + ACK_DELAY) {
      this.#nextAckTime = now + ACK_DELAY;
    }
    const back = this.lastSent;
    const interval = this.#link.sendInterval;
    const active = this.#lastHeard + ACTIVE_RETRY_TIMEOUT > now;
    if (!this.current.equals(back.state)) {
      if (this.#mindelayClock < 0) this.#mindelayClock = now;
      this.#nextSendTime = Math.max(
        this.#mindelayClock + this.sendMinDelay,
        back.timestamp + interval,
      );
    } else if (!this.current.equals(this.#assumed.state) && active) {
      this.#nextSendTime = back.timestamp + interval;
      if (this.#mindelayClock >= 0) {
        this.#nextSendTime = Math.max(this.#nextSendTime, this.#mindelayClock + this.sendMinDelay);
      }
    } else if (!this.current.equals(this.#sent[0]!.state) && active) {
      this.#nextSendTime = back.timestamp + this.#link.rto + ACK_DELAY;
    } else {
      this.#nextSendTime = NEVER;
    }
    if (this.#shutdownInProgress || this.#ackNum === SHUTDOWN_NUM) {
      this.#nextAckTime = back.timestamp + interval;
    }
  }

  /** Milliseconds until the sender next needs a tick (∞ with no peer). */
  waitTime(): number {
    const now = this.#clock();
    this.#calculateTimers(now);
    if (!this.#link.hasRemoteAddr) return NEVER;
    return Math.max(0, Math.min(this.#nextAckTime, this.#nextSendTime) - now);
  }

  /**
   * Sends whatever is due now. `beforeSend` runs once a datagram is due,
   * before it is built: a receiver picks the state it acknowledges then, as
   * mosh's does at send time.
   */
  tick(beforeSend?: () => void): void {
    const now = this.#clock();
    this.#calculateTimers(now);
    if (!this.#link.hasRemoteAddr) return;
    if (now < this.#nextAckTime && now < this.#nextSendTime) return;
    beforeSend?.();
    let diff = this.current.diffFrom(this.#assumed.state);
    diff = this.#prospectiveResend(diff);
    if (diff.length === 0) {
      if (now >= this.#nextAckTime) {
        this.#sendEmptyAck(now);
        this.#mindelayClock = -1;
      }
      if (now >= this.#nextSendTime) {
        this.#nextSendTime = NEVER;
        this.#mindelayClock = -1;
      }
    } else if (now >= this.#nextSendTime || now >= this.#nextAckTime) {
      this.#sendDiff(now, diff);
      this.#mindelayClock = -1;
    }
  }

  /** Sending the whole diff from the acknowledged state may cost little more and survives loss. */
  #prospectiveResend(diff: Uint8Array): Uint8Array {
    const front = this.#sent[0]!;
    if (this.#assumed === front) return diff;
    const resend = this.current.diffFrom(front.state);
    if (
      resend.length <= diff.length ||
      (resend.length < 1000 && resend.length - diff.length < 100)
    ) {
      this.#assumed = front;
      return resend;
    }
    return diff;
  }

  #addSentState(timestamp: number, num: bigint): void {
    this.#sent.push({ timestamp, num, state: this.current.clone() });
    if (this.#sent.length > MAX_SENT_STATES) {
      const [removed] = this.#sent.splice(this.#sent.length - 16, 1);
      if (removed === this.#assumed) this.#assumed = this.#sent[0]!;
    }
  }

  #sendEmptyAck(now: number): void {
    const num = this.#shutdownInProgress ? SHUTDOWN_NUM : this.#newNum();
    this.#addSentState(now, num);
    this.#sendInstruction(new Uint8Array(0), num);
    this.#nextAckTime = now + ACK_INTERVAL;
    this.#nextSendTime = NEVER;
  }

  #sendDiff(now: number, diff: Uint8Array): void {
    const back = this.lastSent;
    let num = this.current.equals(back.state) ? back.num : -1n;
    if (this.#shutdownInProgress) num = SHUTDOWN_NUM;
    else if (num < 0n) num = this.#newNum();
    if (num === back.num) {
      back.timestamp = now;
    } else {
      this.#addSentState(now, num);
    }
    this.#sendInstruction(diff, num);
    this.#assumed = this.lastSent;
    this.#nextAckTime = now + ACK_INTERVAL;
    this.#nextSendTime = NEVER;
  }

  /** A fresh state number, reserved in the journal first. */
  #newNum(): bigint {
    const num = this.nextNum;
    if (num >= this.#numLimit) {
      const limit = this.#journal!.reserveNum(num);
      if (!(limit > num)) throw new RangeError(`Bad state-number reservation ${limit}`);
      this.#numLimit = limit;
    }
    return num;
  }

  #sendInstruction(diff: Uint8Array, newNum: bigint): void {
    const front = this.#sent[0]!.num;
    const throwaway = this.#journal ? this.#journal.beforeSend(this.current, front) : front;
    const chaff = this.#random(1);
    const instruction: Instruction = {
      protocolVersion: PROTOCOL_VERSION,
      oldNum: this.#assumed.num,
      newNum,
      ackNum: this.#ackNum,
      throwawayNum: throwaway < front ? throwaway : front,
      diff,
      chaff: this.#random(chaff[0]! % 17),
    };
    if (newNum === SHUTDOWN_NUM) this.#shutdownTries++;
    this.#link.sendInstruction(instruction);
    this.#lastAckSent = this.#ackNum;
    this.#pendingDataAck = false;
  }
}

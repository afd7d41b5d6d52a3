/**
 * The State Synchronization Protocol endpoint: one sender for our object,
 * one receiver for the peer's, over one datagram connection.
 *
 * The transport is event-driven and never sleeps: feed it datagrams with
 * {@linkcode Transport.receiveDatagram}, call {@linkcode Transport.tick}
 * whenever {@linkcode Transport.waitTime} has elapsed (or after changing
 * {@linkcode Transport.currentState}), and it sends what is due.
 *
 * @module
 */
import { CompressionError } from "./compression.ts";
import {
  MAX_RECEIVED_STATES,
  QUENCH_INTERVAL,
  SEND_MINDELAY_CLIENT,
  SEND_MINDELAY_SERVER,
} from "./constants.ts";
import { Connection, type Role } from "./connection.ts";
import type { Address, DatagramSocket, SocketOpener } from "./datagram_socket.ts";
import { type AckJournal, DurableAcks, type NumberedState } from "./durable_acks.ts";
import { FragmentAssembly, FragmentFormatError } from "./fragment_assembly.ts";
import { Fragmenter } from "./fragmenter.ts";
import { type Instruction, InstructionFormatError } from "./instruction.ts";
import type { SyncState } from "./sync_state.ts";
import { type SenderJournal, TransportSender } from "./transport_sender.ts";
import { PROTOCOL_VERSION } from "../version.ts";

/** A received state, numbered as the peer numbered it. */
interface ReceivedState<S> {
  timestamp: number;
  num: bigint;
  state: S;
}

/** Counters of instructions dropped, by reason (bad input never stops the transport). */
export interface InstructionDrops {
  /** Fragments or compressed data that could not be decoded. */
  malformed: number;
  /** `protocol_version` other than 2. */
  version: number;
  /** `old_num` names a state we do not hold. */
  unknownBase: number;
  /** A `new_num` we already hold. */
  duplicate: number;
  /** `throwaway_num` beyond `old_num`: would discard the base. */
  badThrowaway: number;
  /** The diff did not parse or apply. */
  badDiff: number;
  /** Refused while quenched (over 1024 held states). */
  quenched: number;
}

/** Options for {@linkcode Transport}. */
export interface TransportOptions<L, R> {
  /** Which end this is: client or server. */
  role: Role;
  /** 16 raw key bytes or the 22-character printable key. */
  key: Uint8Array | string;
  /** State 0 of our own object. */
  initialState: L;
  /** State 0 of the peer's object. */
  initialRemoteState: R;
  /** Monotonic milliseconds (a virtual clock in tests). */
  clock: () => number;
  /** Server: its bound socket. Client: opens a fresh socket (port hopping). */
  socket: DatagramSocket | SocketOpener;
  /** Client: the server's address. */
  remote?: Address;
  /** Random bytes (chaff); defaults to `crypto.getRandomValues`. */
  random?: (length: number) => Uint8Array;
  /** Connection events for logs. */
  log?: (message: string) => void;
  /** Start from a snapshot (a resumed client) instead of from zero. */
  resume?: TransportResume<L, R>;
  /** Record numbers, sent content and acknowledged states durably (a resumable client). */
  journal?: TransportJournal<L, R>;
}

/**
 * Where a restarted transport starts: a resumed client is a normal client
 * whose numbers start past everything the previous process may have used.
 */
export interface TransportResume<L, R> {
  /** First datagram sequence number (past every nonce used under this key). */
  firstSeq: number;
  /** Number of our state the peer acknowledged (`initialState` is its content). */
  ackedNum: bigint;
  /** Our object as it was (what the peer may not have yet, then new input). */
  current: L;
  /** Lowest number for our next new state. */
  nextNum: bigint;
  /** The peer's states on record, oldest first (one to three); the newest is shown. */
  remoteStates: NumberedState<R>[];
}

/** The durable record a resumable client keeps (all calls synchronous). */
export interface TransportJournal<L, R> extends SenderJournal<L>, AckJournal<R> {
  /** Before sequence number `seq` (at or past the last limit) is used: returns the new limit. */
  reserveSeq(seq: number): number;
}

/**
 * One end of an SSP session.
 *
 * @example
 * ```ts ignore
 * const transport = new Transport({ role: "client", key, clock: () => performance.now(),
 *   initialState: new UserStream(), initialRemoteState: terminal, socket: openSocket,
 *   remote: { hostname: "127.0.0.1", port: 60001 } });
 * transport.currentState.pushKeys(new TextEncoder().encode("ls\r"));
 * transport.tick();
 * ```
 */
export class Transport<L extends SyncState<L>, R extends SyncState<R>> {
  /** Sealed datagram connection (roaming, RTT). */
  readonly connection: Connection;
  /** Sender of the local state (pacing, acks, sent states). */
  readonly sender: TransportSender<L>;
  /** Instructions dropped, by reason. */
  readonly drops: InstructionDrops = {
    malformed: 0,
    version: 0,
    unknownBase: 0,
    duplicate: 0,
    badThrowaway: 0,
    badDiff: 0,
    quenched: 0,
  };
  /** Text of the last receive-side error, for the client's notification bar. */
  lastError: string | null = null;
  /**
   * Acknowledge at once when the peer sends again the newest state we hold
   * (mosh acknowledges only new states, within 100 ms). Our client sets it
   * once the server has shown it speaks our extensions; a stock peer never
   * sees it. After a lost acknowledgement, or a state that arrived only by
   * the resend, mosh's sender resends it from the acknowledged base every
   * send interval (20 ms on a fast link) until an acknowledgement comes:
   * with the scrollback extension each resend carries the history lines
   * since that base, two fragments under steady output.
   */
  ackDuplicates = false;

  readonly #received: ReceivedState<R>[];
  #lastConsumed: R;
  #quenchUntil = 0;
  /** Whether a new state of the peer's has arrived since this end started. */
  #heardNewState = false;
  readonly #clock: () => number;
  readonly #fragmenter: Fragmenter;
  readonly #assembly = new FragmentAssembly();
  readonly #acks: DurableAcks<R> | null = null;

  /** A Transport configured by `options`. */
  constructor(options: TransportOptions<L, R>) {
    this.#clock = options.clock;
    this.connection = new Connection({
      role: options.role,
      key: options.key,
      clock: options.clock,
      socket: options.socket,
      ...(options.remote ? { remote: options.remote } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.resume ? { firstSeq: options.resume.firstSeq } : {}),
      ...(options.journal ? { reserveSeq: (seq: number) => options.journal!.reserveSeq(seq) } : {}),
    });
    // Every instruction takes at least one sequence number, so ids stay ≤ seq + 1:
    // starting past the first sequence number keeps a resumed client's ids fresh too.
    this.#fragmenter = new Fragmenter(
      options.resume ? BigInt(options.resume.firstSeq) + 1n : 1n,
    );
    const connection = this.connection;
    const fragmenter = this.#fragmenter;
    this.sender = new TransportSender<L>({
      initial: options.initialState,
      clock: options.clock,
      sendMinDelay: options.role === "server" ? SEND_MINDELAY_SERVER : SEND_MINDELAY_CLIENT,
      ...(options.random ? { random: options.random } : {}),
      ...(options.resume
        ? {
          resume: {
            ackedNum: options.resume.ackedNum,
            current: options.resume.current,
            nextNum: options.resume.nextNum,
          },
        }
        : {}),
      ...(options.journal ? { journal: options.journal } : {}),
      link: {
        get hasRemoteAddr() {
          return connection.hasRemoteAddr;
        },
        get rto() {
          return connection.rtt.rto;
        },
        get sendInterval() {
          return connection.rtt.sendInterval;
        },
        sendInstruction(instruction: Instruction) {
          for (const fragment of fragmenter.fragment(instruction, connection.mtu)) {
            connection.send(fragment);
          }
        },
      },
    });
    const now = this.#clock();
    const held = options.resume?.remoteStates ??
      [{ num: 0n, state: options.initialRemoteState.clone() }];
    this.#received = held.map((h) => ({ timestamp: now, num: h.num, state: h.state.clone() }));
    this.#lastConsumed = this.#received[this.#received.length - 1]!.state.clone();
    if (options.journal) {
      this.#acks = new DurableAcks(
        options.journal,
        held.map((h, i) => ({ num: h.num, state: this.#received[i]!.state })),
        this.#clock,
        this.sender.nextNum,
      );
      this.sender.setAckNum(this.#acks.ackNum);
    }
  }

  /** The peer's states a restart would hold (with a journal), oldest first. */
  get durableRemoteStates(): NumberedState<R>[] {
    return this.#acks?.held ?? [];
  }

  /** Our object as it is now; mutate it, then {@linkcode tick}. */
  get currentState(): L {
    return this.sender.current;
  }

  /** The peer's newest state. */
  get latestRemoteState(): R {
    return this.#received[this.#received.length - 1]!.state;
  }

  /** Number of the peer's newest state. */
  get remoteStateNum(): bigint {
    return this.#received[this.#received.length - 1]!.num;
  }

  /** When the peer's newest state arrived. */
  get latestRemoteTimestamp(): number {
    return this.#received[this.#received.length - 1]!.timestamp;
  }

  /** When the newest of our states that the peer acknowledged was sent. */
  get sentStateAckedTimestamp(): number {
    return this.sender.acknowledged.timestamp;
  }

  /** The state of ours the peer is assumed to hold: the next diff starts from it. */
  get assumedRemoteCopy(): L {
    return this.sender.assumed.state;
  }

  /** When our newest state was sent. */
  get sentStateLastTimestamp(): number {
    return this.sender.lastSent.timestamp;
  }

  /** When the last in-order authentic datagram arrived (−∞ before any). */
  get lastHeard(): number {
    return this.connection.lastHeard;
  }

  /** Whether the peer's address is known. */
  get hasRemoteAddr(): boolean {
    return this.connection.hasRemoteAddr;
  }

  /** Smoothed RTT in ms (the prediction engine uses it). */
  get srtt(): number {
    return this.connection.rtt.srtt;
  }

  /** Current frame spacing in ms, from the RTT (the prediction engine uses it). */
  get sendInterval(): number {
    return this.connection.rtt.sendInterval;
  }

  /** Number of the newest state we sent. */
  get lastSentNum(): bigint {
    return this.sender.lastSent.num;
  }

  /** Whether the last send failed (the error text), or null. */
  get sendError(): string | null {
    return this.connection.sendError;
  }

  /** Milliseconds until {@linkcode tick} must be called. */
  waitTime(): number {
    const wait = this.sender.waitTime();
    if (this.#acks === null || !this.hasRemoteAddr) return wait;
    // A save budget still running holds an acknowledgement back: wake when it
    // ends, so tick sets the sender's ack timer. With data already awaiting an
    // acknowledgement that timer is set, and it is the deadline: a tick at the
    // budget's end would change nothing (under steady output it was one
    // wake-up in five of the client's).
    if (this.sender.pendingDataAck) return wait;
    const save = this.#acks.nextSaveTime(this.remoteStateNum) - this.#clock();
    return save > 0 ? Math.min(wait, save) : wait;
  }

  /** Sends whatever is due now. */
  tick(): void {
    if (!this.#newestUnacknowledged()) return this.sender.tick();
    this.sender.setDataAck(); // a newer state waits at most ACK_DELAY
    this.sender.tick(() => this.#advanceAck());
  }

  /** With a journal: whether a state newer than the one on record awaits acknowledgement. */
  #newestUnacknowledged(): boolean {
    if (this.#acks === null) return false;
    const newest = this.#received[this.#received.length - 1]!;
    return this.#acks.nextSaveTime(newest.num) !== Number.POSITIVE_INFINITY;
  }

  /**
   * With a journal: puts the newest state on record and acknowledges it,
   * called as a datagram leaves (as mosh's receiver acknowledges the newest
   * state at send time), so frames arriving within ACK_DELAY of each other
   * share one save and one acknowledgement. Picking at arrival acknowledged
   * the first of two frames 20 ms apart and held the second until the peer
   * confirmed the first, which the peer's sender only did by resending it:
   * steady output through 10 % loss, 20 s, our pair: 228–385 datagrams to
   * the client where mosh sends ≈ 90 (2026-11-25).
   */
  #advanceAck(): void {
    const newest = this.#received[this.#received.length - 1]!;
    const num = this.#acks!.advance(newest, this.sender);
    if (num === null) return;
    this.sender.setAckNum(num);
    this.sender.setDataAck(); // leaves now, or within ACK_DELAY if the save budget held it back
  }

  /**
   * Milliseconds a new state of ours waits to gather what follows it into the
   * same datagram (mosh: 8 server, 1 client); settable per change.
   */
  get sendMinDelay(): number {
    return this.sender.sendMinDelay;
  }

  set sendMinDelay(ms: number) {
    this.sender.sendMinDelay = ms;
  }

  /** Starts the shutdown handshake. */
  startShutdown(): void {
    this.sender.startShutdown();
  }

  /** Shutdown in progress. */
  get shutdownInProgress(): boolean {
    return this.sender.shutdownInProgress;
  }

  /** Shutdown acknowledged. */
  get shutdownAcknowledged(): boolean {
    return this.sender.shutdownAcknowledged;
  }

  /** Shutdown ack timed out. */
  get shutdownAckTimedOut(): boolean {
    return this.sender.shutdownAckTimedOut;
  }

  /** We acknowledged the peer's shutdown: time to exit. */
  get counterpartyShutdownAckSent(): boolean {
    return this.sender.counterpartyShutdownAckSent;
  }

  /**
   * Processes one received datagram. Returns `true` when it completed an
   * instruction that produced a new newest remote state.
   */
  receiveDatagram(wire: Uint8Array, from: Address): boolean {
    const payload = this.connection.receive(wire, from);
    if (payload === null) return false;
    let instruction;
    try {
      instruction = this.#assembly.add(payload);
    } catch (error) {
      if (
        error instanceof FragmentFormatError || error instanceof CompressionError ||
        error instanceof InstructionFormatError
      ) {
        this.drops.malformed++;
        this.lastError = error.message;
        return false;
      }
      throw error;
    }
    return instruction === null ? false : this.#processInstruction(instruction);
  }

  #processInstruction(inst: Instruction): boolean {
    const now = this.#clock();
    if (inst.protocolVersion !== PROTOCOL_VERSION) {
      this.drops.version++;
      this.lastError = "mosh protocol version mismatch";
      return false;
    }
    this.sender.processAcknowledgmentThrough(inst.ackNum);
    this.#acks?.settle(inst.ackNum, inst.throwawayNum);
    this.connection.setLastRoundtripSuccess(this.sender.acknowledged.timestamp);
    if (this.#received.some((s) => s.num === inst.newNum)) {
      this.drops.duplicate++;
      if (this.ackDuplicates && inst.newNum === this.remoteStateNum) this.sender.ackNow();
      return false;
    }
    const base = this.#received.find((s) => s.num === inst.oldNum);
    if (base === undefined) {
      this.drops.unknownBase++;
      return false;
    }
    if (inst.throwawayNum > inst.oldNum) {
      this.drops.badThrowaway++;
      return false;
    }
    // Forget states the peer no longer diffs against (never the base).
    while (this.#received.length > 1 && this.#received[0]!.num < inst.throwawayNum) {
      this.#received.shift();
    }
    if (this.#received.length > MAX_RECEIVED_STATES) {
      if (now < this.#quenchUntil) {
        this.drops.quenched++;
        return false;
      }
      this.#quenchUntil = now + QUENCH_INTERVAL;
    }
    const state = base.state.clone();
    if (inst.diff.length > 0) {
      try {
        state.apply(inst.diff);
      } catch (error) {
        this.drops.badDiff++;
        this.lastError = error instanceof Error ? error.message : String(error);
        return false;
      }
    }
    const entry = { timestamp: now, num: inst.newNum, state };
    const later = this.#received.findIndex((s) => s.num > inst.newNum);
    if (later >= 0) {
      this.#received.splice(later, 0, entry); // arrived out of order: not the newest
      return false;
    }
    this.#received.push(entry);
    // With a journal, the next tick saves the state, then acknowledges it
    // (so the caller can show it before the write).
    if (this.#acks === null) this.sender.setAckNum(inst.newNum);
    this.sender.remoteHeard(now);
    if (!this.#heardNewState) {
      // The first state is acknowledged at once: until the peer's sender hears
      // a datagram of ours sent after one of its own, it has no RTT sample and
      // spaces its frames 250 ms apart (mosh's 1 s initial SRTT), so the
      // shell's first prompt waited for the 100 ms delayed acknowledgement.
      this.#heardNewState = true;
      this.sender.ackNow();
    } else if (inst.diff.length > 0) this.sender.setDataAck();
    return true;
  }

  /**
   * The diff from the state last consumed to the newest, then forgets what
   * was consumed (server: new user events, each delivered exactly once).
   */
  takeRemoteDiff(): Uint8Array {
    const newest = this.latestRemoteState;
    const diff = newest.diffFrom(this.#lastConsumed);
    const oldest = this.#received[0]!.state;
    for (let i = this.#received.length - 1; i >= 0; i--) this.#received[i]!.state.subtract(oldest);
    this.#lastConsumed = newest.clone();
    return diff;
  }

  /** Closes the connection's sockets. */
  close(): void {
    this.connection.close();
  }
}

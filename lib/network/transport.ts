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
import { FragmentAssembly, FragmentFormatError } from "./fragment_assembly.ts";
import { Fragmenter } from "./fragmenter.ts";
import { type Instruction, InstructionFormatError } from "./instruction.ts";
import type { SyncState } from "./sync_state.ts";
import { TransportSender } from "./transport_sender.ts";
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

  readonly #received: ReceivedState<R>[];
  #lastConsumed: R;
  #quenchUntil = 0;
  readonly #clock: () => number;
  readonly #fragmenter = new Fragmenter();
  readonly #assembly = new FragmentAssembly();

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
    });
    const connection = this.connection;
    const fragmenter = this.#fragmenter;
    this.sender = new TransportSender<L>({
      initial: options.initialState,
      clock: options.clock,
      sendMinDelay: options.role === "server" ? SEND_MINDELAY_SERVER : SEND_MINDELAY_CLIENT,
      ...(options.random ? { random: options.random } : {}),
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
    this.#received = [{
      timestamp: this.#clock(),
      num: 0n,
      state: options.initialRemoteState.clone(),
    }];
    this.#lastConsumed = options.initialRemoteState.clone();
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

  /** When our newest state was sent. */
  get sentStateLastTimestamp(): number {
    return this.sender.lastSent.timestamp;
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
    return this.sender.waitTime();
  }

  /** Sends whatever is due now. */
  tick(): void {
    this.sender.tick();
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
    this.connection.setLastRoundtripSuccess(this.sender.acknowledged.timestamp);
    if (this.#received.some((s) => s.num === inst.newNum)) {
      this.drops.duplicate++;
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
    this.sender.setAckNum(inst.newNum);
    this.sender.remoteHeard(now);
    if (inst.diff.length > 0) this.sender.setDataAck();
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

/**
 * The datagram connection: sealing and numbering datagrams, 16-bit
 * timestamps and RTT, the MTU, and the peer address — the server follows
 * its roaming client, the client hops to a fresh port when the path seems
 * dead.
 *
 * @module
 */
import { parseKey } from "../crypto/session_key.ts";
import {
  MAX_OLD_SOCKET_AGE,
  MAX_PORTS_OPEN,
  PORT_HOP_INTERVAL,
  RTT_SAMPLE_CAP,
  SERVER_ASSOCIATION_TIMEOUT,
  TIMESTAMP_ECHO_VALIDITY,
} from "./constants.ts";
import {
  type Address,
  type DatagramSocket,
  formatAddress,
  sameAddress,
  type SocketOpener,
} from "./datagram_socket.ts";
import { MTU_DEFAULT, MTU_IPV4, MTU_IPV6 } from "./fragmenter.ts";
import {
  DatagramError,
  type DatagramFault,
  Direction,
  PacketCodec,
  timestamp16,
  TIMESTAMP_NONE,
} from "./packet.ts";
import { RttEstimator } from "./rtt_estimator.ts";

/** Which end of the session this connection is. */
export type Role = "server" | "client";

/** Counters of datagrams dropped, by reason. */
export type DropCounters = Record<DatagramFault, number>;

/** Options for {@linkcode Connection}. */
export interface ConnectionOptions {
  /** Which end this is: client or server. */
  role: Role;
  /** 16 raw key bytes, or the 22-character printable key. */
  key: Uint8Array | string;
  /** Monotonic milliseconds. */
  clock: () => number;
  /** Server: its one bound socket. Client: opens a fresh socket (called again on each port hop). */
  socket: DatagramSocket | SocketOpener;
  /** Client: the server's address (fixed for the session). */
  remote?: Address;
  /** Reports connection events (attach, detach, hop) for logs. */
  log?: (message: string) => void;
  /** First sequence number to send (a resumed client starts past every number it used). */
  firstSeq?: number;
  /**
   * Called before a sequence number at or past the last reserved limit is
   * used; records the block durably and returns its (exclusive) end, so a
   * restarted client can start past every nonce this one may have used.
   */
  reserveSeq?: (seq: number) => number;
}

function mtuFor(hostname: string): number {
  if (hostname.includes(":")) return MTU_IPV6;
  return /^\d+\.\d+\.\d+\.\d+$/.test(hostname) ? MTU_IPV4 : MTU_DEFAULT;
}

/**
 * One side's datagram connection.
 *
 * @example
 * ```ts ignore
 * const connection = new Connection({ role: "client", key, clock: () => performance.now(),
 *   socket: () => UdpSocket.open("127.0.0.1", onDatagram), remote: { hostname: "127.0.0.1", port: 60001 } });
 * connection.send(fragmentBytes);
 * ```
 */
export class Connection {
  /** Which end this is: client or server. */
  readonly role: Role;
  /** Round-trip time estimate from echoed timestamps (SRTT, RTTVAR, RTO). */
  readonly rtt: RttEstimator = new RttEstimator();
  /** Datagrams dropped, by reason. */
  readonly dropped: DropCounters = { size: 0, integrity: 0, plaintext: 0, direction: 0 };

  readonly #codec: PacketCodec;
  readonly #clock: () => number;
  readonly #opener: SocketOpener | null;
  readonly #sockets: DatagramSocket[] = [];
  readonly #log: (message: string) => void;
  #remote: Address | null;
  #nextSeq: number;
  #seqLimit: number;
  readonly #reserveSeq: ((seq: number) => number) | null;
  #expectedSeq = 0;
  #savedTimestamp = -1;
  #savedTimestampAt = 0;
  #lastHeard = -Infinity;
  #lastPortChoice: number;
  #lastRoundtripSuccess = -Infinity;
  #mtu: number;
  #sendError: string | null = null;

  /** A Connection configured by `options`. */
  constructor(options: ConnectionOptions) {
    this.role = options.role;
    const key = typeof options.key === "string" ? parseKey(options.key) : options.key;
    this.#codec = new PacketCodec(
      key,
      options.role === "server" ? Direction.ToClient : Direction.ToServer,
    );
    this.#clock = options.clock;
    this.#log = options.log ?? (() => {});
    this.#remote = options.remote ?? null;
    this.#nextSeq = options.firstSeq ?? 0;
    this.#reserveSeq = options.reserveSeq ?? null;
    this.#seqLimit = this.#reserveSeq ? this.#nextSeq : Number.POSITIVE_INFINITY;
    if (typeof options.socket === "function") {
      this.#opener = options.socket;
      this.#sockets.push(options.socket());
    } else {
      this.#opener = null;
      this.#sockets.push(options.socket);
    }
    this.#lastPortChoice = this.#clock();
    this.#mtu = this.#remote ? mtuFor(this.#remote.hostname) : MTU_DEFAULT;
  }

  /** The sequence number the next datagram will carry. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Datagram MTU in use (500 until the family is known or after EMSGSIZE). */
  get mtu(): number {
    return this.#mtu;
  }

  /** Whether there is a peer to send to. */
  get hasRemoteAddr(): boolean {
    return this.#remote !== null;
  }

  /** The peer's address, if known. */
  get remoteAddr(): Address | null {
    return this.#remote;
  }

  /** When the last in-order authentic datagram arrived (−∞ before any). */
  get lastHeard(): number {
    return this.#lastHeard;
  }

  /** Open sockets, oldest first (the client has several while hopping). */
  get sockets(): readonly DatagramSocket[] {
    return this.#sockets;
  }

  /** The transport tells us when the peer last acknowledged one of our states (port hopping). */
  setLastRoundtripSuccess(timestamp: number): void {
    this.#lastRoundtripSuccess = timestamp;
  }

  /**
   * Why the last send failed, worded as mosh words it (`sendto: Network is
   * unreachable`) for the client's notification bar; `null` once a send
   * succeeds again.
   */
  get sendError(): string | null {
    return this.#sendError;
  }

  #transmit(wire: Uint8Array, to: Address): void {
    let sent;
    try {
      sent = this.#sockets[this.#sockets.length - 1]!.send(wire, to);
    } catch (error) {
      return this.#sendFailed(error);
    }
    if (sent === undefined) this.#sendError = null;
    else sent.then(() => this.#sendError = null, (error) => this.#sendFailed(error));
  }

  #sendFailed(error: unknown): void {
    // strerror's text, as mosh shows it: without Deno's " (os error N)".
    const text = (error instanceof Error ? error.message : String(error))
      .replace(/ \(os error \d+\)$/, "");
    this.#sendError = `sendto: ${text}`;
    if ((error as { code?: unknown } | null)?.code === "EMSGSIZE") this.#mtu = MTU_DEFAULT;
  }

  #timestampReply(now: number): number {
    if (this.#savedTimestamp < 0 || now - this.#savedTimestampAt >= TIMESTAMP_ECHO_VALIDITY) {
      return TIMESTAMP_NONE;
    }
    const reply = (this.#savedTimestamp + Math.floor(now - this.#savedTimestampAt)) & 0xffff;
    this.#savedTimestamp = -1;
    return reply;
  }

  /** Seals one payload (a fragment) and sends it to the peer from the newest socket. */
  send(payload: Uint8Array): void {
    const now = this.#clock();
    if (this.#remote !== null) {
      if (this.#nextSeq >= this.#seqLimit) {
        const limit = this.#reserveSeq!(this.#nextSeq);
        // Never seal a nonce that is not on record.
        if (!(limit > this.#nextSeq)) throw new RangeError(`Bad sequence reservation ${limit}`);
        this.#seqLimit = limit;
      }
      const wire = this.#codec.seal({
        seq: this.#nextSeq++,
        timestamp: timestamp16(now),
        timestampReply: this.#timestampReply(now),
        payload,
      });
      this.#transmit(wire, this.#remote);
    }
    if (this.role === "server") {
      if (this.#remote !== null && now - this.#lastHeard > SERVER_ASSOCIATION_TIMEOUT) {
        this.#remote = null;
        this.#log("Server now detached from client.");
      }
    } else if (
      now - this.#lastPortChoice > PORT_HOP_INTERVAL &&
      now - this.#lastRoundtripSuccess > PORT_HOP_INTERVAL
    ) {
      this.#hopPort(now);
    }
  }

  #hopPort(now: number): void {
    if (this.#opener === null) return;
    this.#sockets.push(this.#opener());
    this.#lastPortChoice = now;
    this.#log("Client hopped to a new local port.");
    this.#prune(now);
  }

  #prune(now: number): void {
    if (this.#sockets.length > 1 && now - this.#lastPortChoice > MAX_OLD_SOCKET_AGE) {
      for (const s of this.#sockets.splice(0, this.#sockets.length - 1)) s.close();
    }
    while (this.#sockets.length > MAX_PORTS_OPEN) this.#sockets.shift()!.close();
  }

  /**
   * Opens a received datagram. Returns its payload (a fragment), or `null`
   * when it was dropped (and counted).
   */
  receive(wire: Uint8Array, from: Address): Uint8Array | null {
    const now = this.#clock();
    this.#prune(now);
    let packet;
    try {
      packet = this.#codec.open(wire);
    } catch (error) {
      if (error instanceof DatagramError) {
        this.dropped[error.fault]++;
        return null;
      }
      throw error;
    }
    if (packet.seq < this.#expectedSeq) return packet.payload; // late: payload only
    this.#expectedSeq = packet.seq + 1;
    if (packet.timestamp !== TIMESTAMP_NONE) {
      this.#savedTimestamp = packet.timestamp;
      this.#savedTimestampAt = now;
    }
    if (packet.timestampReply !== TIMESTAMP_NONE) {
      const r = (timestamp16(now) - packet.timestampReply) & 0xffff;
      if (r < RTT_SAMPLE_CAP) this.rtt.addSample(r);
    }
    this.#lastHeard = now;
    if (this.role === "server" && (this.#remote === null || !sameAddress(this.#remote, from))) {
      this.#remote = { hostname: from.hostname, port: from.port };
      this.#mtu = mtuFor(from.hostname);
      this.#log(`Server now attached to client at ${formatAddress(from)}`);
    }
    return packet.payload;
  }

  /** Closes every socket. */
  close(): void {
    for (const s of this.#sockets.splice(0)) s.close();
  }
}

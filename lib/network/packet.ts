/**
 * One mosh datagram: the 8-byte direction-and-sequence nonce, then the
 * OCB-sealed plaintext `timestamp(u16) ‖ timestamp_reply(u16) ‖ payload`.
 *
 * @module
 */
import { AesOcb, OCB_TAG_LENGTH } from "../crypto/ocb.ts";

/** Which way a datagram travels; the bit keeps the two sides' nonces apart. */
export const Direction = { ToServer: 0, ToClient: 1 } as const;
/** 0 = client → server, 1 = server → client. */
export type Direction = typeof Direction[keyof typeof Direction];

/** The 16-bit timestamp value that means "none". */
export const TIMESTAMP_NONE = 0xffff;
/** mosh's receive buffer: longer datagrams are dropped. */
export const MAX_DATAGRAM = 2048;
/** 8 nonce bytes + 16 tag bytes. */
export const MIN_DATAGRAM = 8 + OCB_TAG_LENGTH;

/** A datagram's decoded content. */
export interface Packet {
  /** Sender's datagram counter (63 bits on the wire). */
  seq: number;
  /** Who sent the packet: to server or to client. */
  direction: Direction;
  /** Sender's 16-bit millisecond clock, or {@linkcode TIMESTAMP_NONE}. */
  timestamp: number;
  /** Echo of the peer's last timestamp, advanced by the holding time, or none. */
  timestampReply: number;
  /** Fragment bytes (header + chunk). */
  payload: Uint8Array;
}

/** Why a received datagram was dropped. */
export type DatagramFault = "size" | "integrity" | "plaintext" | "direction";

/** A received datagram that must be dropped (and counted); never fatal. */
export class DatagramError extends Error {
  /** The kind of fault, for counters. */
  readonly fault: DatagramFault;
  /** A DatagramError with a message the user can act on. */
  constructor(fault: DatagramFault, message: string) {
    super(message);
    this.name = "DatagramError";
    this.fault = fault;
  }
}

/**
 * A 16-bit millisecond timestamp as mosh sends it (0xFFFF is reserved for "none").
 *
 * @example
 * ```ts
 * import { timestamp16 } from "./packet.ts";
 * timestamp16(65535); // 0
 * ```
 */
export function timestamp16(nowMs: number): number {
  const t = Math.floor(nowMs) & 0xffff;
  return t === TIMESTAMP_NONE ? 0 : t;
}

/**
 * Seals and opens datagrams under one session key for one side.
 *
 * @example
 * ```ts
 * import { Direction, PacketCodec } from "./packet.ts";
 * const key = new Uint8Array(16);
 * const client = new PacketCodec(key, Direction.ToServer);
 * const server = new PacketCodec(key, Direction.ToClient);
 * const wire = client.seal({ seq: 0, timestamp: 1, timestampReply: 0xffff, payload: new Uint8Array(10) });
 * server.open(wire).seq; // 0
 * ```
 */
export class PacketCodec {
  readonly #ocb: AesOcb;
  readonly #direction: Direction;
  readonly #nonce = new Uint8Array(12);
  readonly #nonceView = new DataView(this.#nonce.buffer);

  /**
   * @param key 16-byte session key.
   * @param sendDirection The direction of the datagrams this side sends.
   */
  /** A codec that seals with `key` and stamps outgoing packets with `sendDirection`. */
  constructor(key: Uint8Array, sendDirection: Direction) {
    this.#ocb = new AesOcb(key);
    this.#direction = sendDirection;
  }

  /** Number of AES blocks encrypted so far (mosh stops at 2^47). */
  get blocksUsed(): number {
    return this.#ocb.blocksUsed;
  }

  #setNonce(direction: number, seq: number): void {
    const high = Math.floor(seq / 0x1_0000_0000) & 0x7fffffff;
    this.#nonceView.setUint32(4, (direction << 31 | high) >>> 0);
    this.#nonceView.setUint32(8, seq >>> 0);
  }

  /** Builds the wire bytes of a datagram this side sends. */
  seal(packet: Omit<Packet, "direction">): Uint8Array {
    const plain = new Uint8Array(4 + packet.payload.length);
    plain[0] = packet.timestamp >> 8;
    plain[1] = packet.timestamp & 0xff;
    plain[2] = packet.timestampReply >> 8;
    plain[3] = packet.timestampReply & 0xff;
    plain.set(packet.payload, 4);
    this.#setNonce(this.#direction, packet.seq);
    const sealed = this.#ocb.seal(this.#nonce, plain);
    const wire = new Uint8Array(8 + sealed.length);
    wire.set(this.#nonce.subarray(4), 0);
    wire.set(sealed, 8);
    return wire;
  }

  /**
   * Authenticates and decodes a received datagram.
   *
   * @throws {DatagramError} for anything mosh would drop: wrong size,
   * failed integrity check, plaintext too short, or our own direction
   * reflected back at us.
   */
  open(wire: Uint8Array): Packet {
    if (wire.length < MIN_DATAGRAM) {
      throw new DatagramError("size", "Ciphertext must contain nonce and tag.");
    }
    if (wire.length > MAX_DATAGRAM) {
      throw new DatagramError("size", `Received oversize datagram (${wire.length} bytes)`);
    }
    this.#nonce.set(wire.subarray(0, 8), 4);
    const plain = this.#ocb.open(this.#nonce, wire.subarray(8));
    if (plain === null) throw new DatagramError("integrity", "Packet failed integrity check.");
    if (plain.length < 4) {
      throw new DatagramError("plaintext", "Decrypted datagram is shorter than its timestamps");
    }
    const high = this.#nonceView.getUint32(4);
    const direction = (high >>> 31) as Direction;
    if (direction === this.#direction) {
      throw new DatagramError("direction", "Ignoring datagram sent in our own direction");
    }
    const seq = (high & 0x7fffffff) * 0x1_0000_0000 + this.#nonceView.getUint32(8);
    return {
      seq,
      direction,
      timestamp: (plain[0]! << 8) | plain[1]!,
      timestampReply: (plain[2]! << 8) | plain[3]!,
      payload: plain.subarray(4),
    };
  }
}

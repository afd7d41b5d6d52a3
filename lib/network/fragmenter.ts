/**
 * Cuts a compressed instruction into datagram-sized fragments, each with
 * mosh's 10-byte header: `instruction_id(u64) ‖ final-flag + number (u16)`.
 *
 * @module
 */
import { compressForSend } from "./compression.ts";
import { encodeInstruction, type Instruction } from "./instruction.ts";

/** MTU before the address family is known, or after `EMSGSIZE`. */
export const MTU_DEFAULT = 500;
/** 1280 minus a 20-byte IPv4 header and an 8-byte UDP header. */
export const MTU_IPV4 = 1252;
/** 1280 minus a 40-byte IPv6 header, two minimal extension headers and UDP. */
export const MTU_IPV6 = 1216;
/** Bytes each datagram adds around a chunk: nonce 8, tag 16, timestamps 4, header 10. */
export const DATAGRAM_OVERHEAD = 38;
/** Length of the fragment header. */
export const FRAGMENT_HEADER = 10;
/** Fragment numbers must stay below this (bit 15 is the final flag). */
export const MAX_FRAGMENTS = 0x8000;

/** The largest chunk that fits one datagram of the given MTU. */
export function chunkSizeFor(mtu: number): number {
  return mtu - DATAGRAM_OVERHEAD;
}

/** An instruction too large to send in 32767 fragments. */
export class FragmentOverflowError extends RangeError {
  constructor(bytes: number) {
    super(`Cannot fragment a ${bytes}-byte instruction: more than 32767 fragments needed`);
    this.name = "FragmentOverflowError";
  }
}

/**
 * Numbers instructions and splits them into fragments.
 *
 * @example
 * ```ts
 * import { Fragmenter, MTU_IPV4 } from "./fragmenter.ts";
 * import { makeInstruction } from "./instruction.ts";
 * const fragments = new Fragmenter().fragment(makeInstruction({ newNum: 1n }), MTU_IPV4);
 * fragments.length; // 1
 * ```
 */
export class Fragmenter {
  // Every instruction gets a fresh id (mosh reuses an id only for an identical
  // resend; a receiver uses ids just to group fragments, so this is compatible).
  #nextId: bigint;

  /**
   * A fragmenter numbering instructions from `firstId`.
   *
   * @param firstId The id of the first instruction (a resumed client starts past its old ids).
   */
  constructor(firstId = 1n) {
    this.#nextId = firstId;
  }

  /** The id the next instruction will get. */
  get nextId(): bigint {
    return this.#nextId;
  }

  /** Serializes, compresses and cuts `instruction` into datagram payloads. */
  fragment(instruction: Instruction, mtu: number): Uint8Array[] {
    const compressed = compressForSend(encodeInstruction(instruction));
    const chunkSize = chunkSizeFor(mtu);
    const count = Math.max(1, Math.ceil(compressed.length / chunkSize));
    if (count > MAX_FRAGMENTS - 1) throw new FragmentOverflowError(compressed.length);
    const id = this.#nextId++;
    const out: Uint8Array[] = [];
    for (let n = 0; n < count; n++) {
      const chunk = compressed.subarray(n * chunkSize, (n + 1) * chunkSize);
      const fragment = new Uint8Array(FRAGMENT_HEADER + chunk.length);
      const view = new DataView(fragment.buffer);
      view.setBigUint64(0, id);
      view.setUint16(8, n | (n === count - 1 ? 0x8000 : 0));
      fragment.set(chunk, FRAGMENT_HEADER);
      out.push(fragment);
    }
    return out;
  }
}

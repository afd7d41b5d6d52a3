/**
 * Reads a session's traffic with its key (tests hold it): decrypts each
 * datagram, reassembles the instructions and keeps their diffs, so a test
 * can assert what went over the wire — e.g. that a stock peer never got
 * our extension. Plug it into `UdpImpairmentProxy.tap`.
 *
 * @module
 */
import { parseKey } from "../../lib/crypto/session_key.ts";
import { FragmentAssembly } from "../../lib/network/fragment_assembly.ts";
import { Direction, PacketCodec } from "../../lib/network/packet.ts";

/** The diffs seen each way. */
export class WireTap {
  /** UserMessage bytes, client → server, in arrival order (retransmissions included). */
  readonly userDiffs: Uint8Array[] = [];
  /** HostMessage bytes, server → client. */
  readonly hostDiffs: Uint8Array[] = [];
  /** Datagrams that did not open (must stay 0 with the right key). */
  failures = 0;
  readonly #openUp: PacketCodec;
  readonly #openDown: PacketCodec;
  readonly #up = new FragmentAssembly();
  readonly #down = new FragmentAssembly();

  /** A tap for the session with the 22-character `key`. */
  constructor(key: string) {
    // A codec opens what the other side sends.
    this.#openUp = new PacketCodec(parseKey(key), Direction.ToClient);
    this.#openDown = new PacketCodec(parseKey(key), Direction.ToServer);
  }

  /** The proxy's tap. */
  readonly observe = (data: Uint8Array, up: boolean): void => {
    try {
      const packet = (up ? this.#openUp : this.#openDown).open(data);
      const instruction = (up ? this.#up : this.#down).add(packet.payload);
      if (instruction !== null && instruction.diff.length > 0) {
        (up ? this.userDiffs : this.hostDiffs).push(instruction.diff);
      }
    } catch {
      this.failures++;
    }
  };
}

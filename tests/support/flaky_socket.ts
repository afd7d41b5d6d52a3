/**
 * A datagram socket whose sends can be made to fail, the way a real socket
 * fails (a rejected promise, as `UdpSocket` reports it) or synchronously.
 *
 * @module
 */
import type { Address, DatagramSocket } from "../../lib/network/datagram_socket.ts";

/** An error shaped like the one Deno gives for a refused `sendto`. */
export function osError(text: string, code: string, errno: number): Error {
  return Object.assign(new Error(`${text} (os error ${errno})`), { code });
}

/** Records what it sends; fails every send while {@linkcode failure} is set. */
export class FlakySocket implements DatagramSocket {
  /** The error each send fails with, or `null` to send normally. */
  failure: Error | null = null;
  /** Fail by throwing instead of rejecting. */
  throws = false;
  /** Datagrams sent successfully. */
  readonly sent: Uint8Array[] = [];
  closed = false;

  send(data: Uint8Array, _to: Address): Promise<void> | void {
    if (this.failure === null) {
      this.sent.push(data);
      return this.throws ? undefined : Promise.resolve();
    }
    if (this.throws) throw this.failure;
    return Promise.reject(this.failure);
  }

  close(): void {
    this.closed = true;
  }
}

/** Lets pending promise callbacks (a socket's send result) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

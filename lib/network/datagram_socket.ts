/**
 * The socket interface the connection sends through, so the protocol core
 * runs the same over real UDP and over a simulated network.
 *
 * @module
 */

/** A UDP peer address. */
export interface Address {
  /** Numeric IPv4 or IPv6 address. */
  hostname: string;
  /** UDP port. */
  port: number;
}

/** One UDP socket as the connection sees it: send and close. */
export interface DatagramSocket {
  /**
   * Sends without waiting for the datagram to leave. A failure throws, or
   * rejects the returned promise when the socket learns of it later (real
   * sockets); the connection turns either into its `sendError`.
   */
  send(data: Uint8Array, to: Address): void | Promise<void>;
  /** Closes the socket; datagrams arriving afterwards are not delivered. */
  close(): void;
}

/** Opens a fresh client socket (port hopping); received datagrams are delivered by the opener. */
export type SocketOpener = () => DatagramSocket;

/** Whether two addresses are the same IP and port. */
export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && a.hostname === b.hostname;
}

/** `host:port`, with brackets for IPv6. */
export function formatAddress(a: Address): string {
  return a.hostname.includes(":") ? `[${a.hostname}]:${a.port}` : `${a.hostname}:${a.port}`;
}

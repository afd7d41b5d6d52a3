/**
 * Real UDP sockets (`Deno.listenDatagram`) behind the
 * {@linkcode DatagramSocket} interface, each with its own receive loop.
 *
 * @module
 */
import type { Address, DatagramSocket } from "./datagram_socket.ts";

/**
 * Receive buffer size: the largest UDP payload (65,507 bytes over IPv4,
 * 65,527 over IPv6), rounded up.
 */
const RECEIVE_BUFFER = 65_536;

/** Called for every datagram a socket receives. */
export type DatagramHandler = (data: Uint8Array, from: Address, socket: UdpSocket) => void;

/**
 * A bound UDP socket that delivers datagrams to a handler until closed.
 *
 * @example
 * ```ts ignore
 * const socket = UdpSocket.bind(
 *   { hostname: "127.0.0.1", port: 0 },
 *   (data, from) => {},
 *   (error) => console.error(error.message),
 * );
 * await socket.send(bytes, { hostname: "127.0.0.1", port: 60001 });
 * socket.close();
 * await socket.closed;
 * ```
 */
export class UdpSocket implements DatagramSocket {
  readonly #conn: Deno.DatagramConn;
  readonly #onError: (error: Error) => void;
  /**
   * One receive buffer, reused: without one Deno allocates 64 KB per
   * datagram, and the view it returns keeps all 64 KB alive as long as the
   * datagram is referenced (a queued fragment of 1.2 KB held 64 KB).
   */
  readonly #buffer = new Uint8Array(RECEIVE_BUFFER);
  #open = true;
  /** Resolves when the receive loop has ended (after {@linkcode close}). */
  readonly closed: Promise<void>;

  private constructor(
    conn: Deno.DatagramConn,
    handler: DatagramHandler,
    onError: (error: Error) => void,
  ) {
    this.#conn = conn;
    this.#onError = onError;
    this.closed = this.#receiveLoop(handler);
  }

  /**
   * Binds `address` (port 0 = any free port) and starts receiving.
   * `onError` gets receive failures and exceptions thrown by `handler`
   * (the loop goes on); send failures reject {@linkcode send}'s promise.
   *
   * @throws {Deno.errors.AddrInUse} and friends when the address cannot be bound.
   */
  static bind(
    address: Address,
    handler: DatagramHandler,
    onError: (error: Error) => void,
  ): UdpSocket {
    const conn = Deno.listenDatagram({
      hostname: address.hostname,
      port: address.port,
      transport: "udp",
    });
    return new UdpSocket(conn, handler, onError);
  }

  /** The bound local address. */
  get localAddr(): Address {
    const a = this.#conn.addr as Deno.NetAddr;
    return { hostname: a.hostname, port: a.port };
  }

  async #receiveLoop(handler: DatagramHandler): Promise<void> {
    while (this.#open) {
      let data: Uint8Array, from: Deno.Addr;
      try {
        const [view, address] = await this.#conn.receive(this.#buffer);
        data = view.slice(); // the handler may keep it; the buffer is reused
        from = address;
      } catch (error) {
        if (!this.#open) return;
        // A transient receive error (e.g. ICMP port unreachable): keep going.
        this.#onError(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      const a = from as Deno.NetAddr;
      try {
        handler(data, { hostname: a.hostname, port: a.port }, this);
      } catch (error) {
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** Sends `data`; the promise rejects if the system refuses it while the socket is open. */
  send(data: Uint8Array, to: Address): Promise<void> {
    if (!this.#open) return Promise.resolve();
    return this.#conn.send(data, { transport: "udp", hostname: to.hostname, port: to.port }).then(
      () => {},
      (error: unknown) => {
        if (this.#open) throw error; // after close() the failure is expected
      },
    );
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#conn.close();
  }
}

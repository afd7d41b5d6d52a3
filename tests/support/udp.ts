/**
 * A UDP socket for tests with a receive that can time out, and a clean close.
 *
 * @module
 */

/** One received datagram. */
export interface Received {
  data: Uint8Array;
  from: Deno.NetAddr;
}

/** Wraps `Deno.listenDatagram` with a queue so tests can wait with a deadline. */
export class TestUdpSocket {
  readonly conn: Deno.DatagramConn;
  readonly #queue: Received[] = [];
  #wake: (() => void) | null = null;
  readonly #loop: Promise<void>;

  constructor(hostname = "127.0.0.1") {
    this.conn = Deno.listenDatagram({ hostname, port: 0, transport: "udp" });
    this.#loop = this.#read();
  }

  /** The local port. */
  get port(): number {
    return (this.conn.addr as Deno.NetAddr).port;
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const [data, from] = await this.conn.receive();
        this.#queue.push({ data, from: from as Deno.NetAddr });
        this.#wake?.();
      }
    } catch {
      // closed
    }
  }

  /** The next datagram, or `null` after `timeoutMs`. */
  async receive(timeoutMs: number): Promise<Received | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#wake = null;
    }
    return this.#queue.shift()!;
  }

  /** Sends to a port on 127.0.0.1 (or the given host). */
  async send(data: Uint8Array, port: number, hostname = "127.0.0.1"): Promise<void> {
    await this.conn.send(data, { transport: "udp", hostname, port });
  }

  /** Closes the socket and waits for the reader to finish. */
  async close(): Promise<void> {
    this.conn.close();
    await this.#loop;
  }
}

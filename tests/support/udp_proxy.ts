/**
 * A UDP impairment proxy on loopback for end-to-end tests: per-direction
 * delay, jitter, loss, duplication, reordering, blackout, and rebinding to a new source
 * port (as a NAT or a roaming laptop would).
 *
 * @module
 */
import { seededRandom } from "./sim_network.ts";

/** Impairments of one direction. */
export interface DirectionImpairment {
  delayMs?: number;
  jitterMs?: number;
  loss?: number;
  duplicate?: number;
  /** Probability that a datagram is held back 50 ms, so later ones overtake it. */
  reorder?: number;
}

/** Forwards datagrams between one client and a server, impaired. */
export class UdpImpairmentProxy {
  /** Client → server. */
  up: DirectionImpairment = {};
  /** Server → client. */
  down: DirectionImpairment = {};
  /** Datagrams dropped by the loss setting. */
  dropped = 0;
  /** While true, everything is dropped both ways. */
  blackout = false;
  /** Sees every datagram as it arrives, before impairments (`up`: from the client). */
  tap: ((data: Uint8Array, up: boolean) => void) | null = null;
  readonly #listen: Deno.DatagramConn;
  #toServer: Deno.DatagramConn;
  readonly #serverPort: number;
  #client: Deno.NetAddr | null = null;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #loops: Promise<void>[] = [];
  readonly #random: () => number;
  #closed = false;

  constructor(serverPort: number, seed = 1) {
    this.#serverPort = serverPort;
    this.#random = seededRandom(seed);
    this.#listen = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    this.#toServer = this.#openUpstream();
    this.#loops.push(this.#pump(this.#listen, true));
  }

  /** The port clients connect to. */
  get port(): number {
    return (this.#listen.addr as Deno.NetAddr).port;
  }

  #openUpstream(): Deno.DatagramConn {
    const conn = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    this.#loops.push(this.#pump(conn, false));
    return conn;
  }

  /** Switches to a fresh source port toward the server. */
  rebind(): void {
    const old = this.#toServer;
    this.#toServer = this.#openUpstream();
    old.close();
  }

  async #pump(conn: Deno.DatagramConn, fromClient: boolean): Promise<void> {
    try {
      for (;;) {
        const [data, from] = await conn.receive();
        if (fromClient) this.#client = from as Deno.NetAddr;
        this.#forward(data, fromClient);
      }
    } catch {
      // closed
    }
  }

  #forward(data: Uint8Array, up: boolean): void {
    this.tap?.(data, up);
    if (this.blackout || this.#closed) return;
    const imp = up ? this.up : this.down;
    if (this.#random() < (imp.loss ?? 0)) {
      this.dropped++;
      return;
    }
    const copies = this.#random() < (imp.duplicate ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = (imp.delayMs ?? 0) + this.#random() * (imp.jitterMs ?? 0) +
        (this.#random() < (imp.reorder ?? 0) ? 50 : 0);
      const send = () => {
        if (this.#closed) return;
        const target = up
          ? { transport: "udp" as const, hostname: "127.0.0.1", port: this.#serverPort }
          : this.#client;
        if (target === null) return;
        const conn = up ? this.#toServer : this.#listen;
        conn.send(data, { ...target, transport: "udp" }).catch(() => {});
      };
      if (delay <= 0) send();
      else {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          send();
        }, delay);
        this.#timers.add(timer);
      }
    }
  }

  /** Stops forwarding and closes the sockets. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#listen.close();
    try {
      this.#toServer.close();
    } catch { /* already closed */ }
    await Promise.all(this.#loops);
  }
}

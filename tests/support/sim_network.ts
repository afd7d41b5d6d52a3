/**
 * A simulated UDP network on a virtual clock, for deterministic transport
 * tests: per-datagram delay, loss, duplication and reordering, blackouts,
 * and sockets that can change address (roaming).
 *
 * @module
 */
import type { Address, DatagramSocket } from "../../lib/network/datagram_socket.ts";

/** Impairments applied to every datagram. */
export interface Impairment {
  /** Probability a datagram is lost. */
  loss?: number;
  /** One-way delay in ms. */
  delay?: number;
  /** Extra random delay in [0, jitter) ms (reorders datagrams). */
  jitter?: number;
  /** Probability a datagram is delivered twice. */
  duplicate?: number;
}

type Handler = (data: Uint8Array, from: Address) => void;

/** A deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The virtual network and its clock. */
export class SimNetwork {
  now = 0;
  impairment: Impairment = {};
  /** While true, every datagram is lost. */
  blackout = false;
  readonly random: () => number;
  /** Datagrams sent, by source address. */
  readonly sentFrom = new Map<string, number>();
  #queue: { at: number; order: number; to: string; data: Uint8Array; from: Address }[] = [];
  #order = 0;
  #handlers = new Map<string, Handler>();
  #nextPort = 40000;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  /** A clock function for the code under test. */
  readonly clock = (): number => this.now;

  /** Opens a socket at `hostname` (a fresh port unless given). */
  open(hostname: string, handler: Handler, port?: number): SimSocket {
    const address = { hostname, port: port ?? this.#nextPort++ };
    const socket = new SimSocket(this, address);
    this.#handlers.set(key(address), handler);
    return socket;
  }

  /** Moves a socket to a fresh port (a NAT rebinding or a roaming laptop). */
  rebind(socket: SimSocket): void {
    const handler = this.#handlers.get(key(socket.address));
    this.#handlers.delete(key(socket.address));
    socket.address = { hostname: socket.address.hostname, port: this.#nextPort++ };
    if (handler) this.#handlers.set(key(socket.address), handler);
  }

  /** Closes a socket's address. */
  unbind(address: Address): void {
    this.#handlers.delete(key(address));
  }

  /** Sees every datagram sent, before impairments (a recorder on the path). */
  tap: ((data: Uint8Array, from: Address, to: Address) => void) | null = null;

  /** Queues a datagram, applying the impairments. */
  transmit(data: Uint8Array, from: Address, to: Address): void {
    this.tap?.(data.slice(), from, to);
    const k = key(from);
    this.sentFrom.set(k, (this.sentFrom.get(k) ?? 0) + 1);
    if (this.blackout) return;
    const { loss = 0, delay = 0, jitter = 0, duplicate = 0 } = this.impairment;
    if (this.random() < loss) return;
    const copies = this.random() < duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.#queue.push({
        at: this.now + delay + this.random() * jitter,
        order: this.#order++,
        to: key(to),
        data: data.slice(),
        from,
      });
    }
  }

  /** When the next datagram is due, or ∞. */
  nextDelivery(): number {
    let next = Infinity;
    for (const d of this.#queue) next = Math.min(next, d.at);
    return next;
  }

  /** Delivers every datagram due at or before `now`, in time order. */
  deliverDue(): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.#queue.length; i++) {
        const d = this.#queue[i]!;
        if (d.at > this.now) continue;
        const b = this.#queue[best];
        if (best < 0 || d.at < b!.at || (d.at === b!.at && d.order < b!.order)) best = i;
      }
      if (best < 0) return;
      const [d] = this.#queue.splice(best, 1);
      this.#handlers.get(d!.to)?.(d!.data, d!.from);
    }
  }
}

function key(a: Address): string {
  return `${a.hostname}|${a.port}`;
}

/** A socket on the simulated network. */
export class SimSocket implements DatagramSocket {
  readonly #net: SimNetwork;
  address: Address;
  closed = false;
  constructor(net: SimNetwork, address: Address) {
    this.#net = net;
    this.address = address;
  }
  send(data: Uint8Array, to: Address): void {
    if (!this.closed) this.#net.transmit(data, this.address, to);
  }
  close(): void {
    this.closed = true;
    this.#net.unbind(this.address);
  }
}

/**
 * A client transport killed mid-session and resumed from its journal, over
 * a simulated lossy network on a virtual clock.
 */
import assert from "node:assert/strict";
import type { NumberedState } from "../../lib/network/durable_acks.ts";
import { Transport, type TransportJournal } from "../../lib/network/transport.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import type { TerminalScreen } from "../../lib/statesync/terminal_screen.ts";
import { decodeUserMessage } from "../../lib/statesync/user_message.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { SimNetwork, type SimSocket } from "../support/sim_network.ts";

const KEY = new Uint8Array(16).fill(9);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A stand-in screen: its text is the whole state. */
class TextScreen implements TerminalScreen<TextScreen> {
  width = 80;
  height = 24;
  text = "";
  diffFrom(base: TextScreen): Uint8Array {
    return base.text === this.text ? new Uint8Array(0) : encoder.encode(this.text);
  }
  write(bytes: Uint8Array): void {
    this.text = decoder.decode(bytes);
  }
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }
  equals(other: TextScreen): boolean {
    return this.text === other.text;
  }
  clone(): TextScreen {
    const c = new TextScreen();
    c.text = this.text;
    return c;
  }
}

type Remote = CompleteTerminal<TextScreen>;

/** What a store would hold: a deep copy at every write, as a file would. */
interface Record {
  seqEnd: number;
  numEnd: bigint;
  ackedNum: bigint;
  events: UserStream;
  remote: NumberedState<Remote>[];
}

/** A journal that records everything on every call (the strictest correct journal). */
class MemoryJournal implements TransportJournal<UserStream, Remote> {
  record: Record = {
    seqEnd: 0,
    numEnd: 0n,
    ackedNum: 0n,
    events: new UserStream(),
    remote: [{ num: 0n, state: new CompleteTerminal(new TextScreen()) }],
  };
  /** Every sequence number ever reserved stays below this. */
  reserveSeq(seq: number): number {
    this.record.seqEnd = seq + 16;
    return this.record.seqEnd;
  }
  reserveNum(num: bigint): bigint {
    this.record.numEnd = num + 4n;
    return this.record.numEnd;
  }
  beforeSend(current: UserStream, ackedNum: bigint): bigint {
    this.record.ackedNum = ackedNum;
    this.record.events = current.clone();
    return ackedNum;
  }
  saveRemote(states: readonly NumberedState<Remote>[]): void {
    this.record.remote = states.map((s) => ({ num: s.num, state: s.state.clone() }));
  }
}

class World {
  readonly net: SimNetwork;
  readonly server: Transport<Remote, UserStream>;
  client: Transport<UserStream, Remote> | null = null;
  journal = new MemoryJournal();
  clientSockets: SimSocket[] = [];
  /** Keystrokes the server application received, in order. */
  received = "";
  /** Every (direction, sequence number) sealed, as seen on the wire. */
  nonces: string[] = [];

  constructor(seed: number) {
    const net = this.net = new SimNetwork(seed);
    net.tap = (data) => {
      const view = new DataView(data.buffer, data.byteOffset, 8);
      this.nonces.push(`${view.getUint32(0).toString(16)}:${view.getUint32(4)}`);
    };
    const socket = net.open("10.0.0.1", (d, f) => {
      if (this.server.receiveDatagram(d, f)) this.#serve();
    }, 60001);
    this.server = new Transport({
      role: "server",
      key: KEY,
      initialState: new CompleteTerminal(new TextScreen()),
      initialRemoteState: new UserStream(),
      clock: net.clock,
      socket,
    });
  }

  startClient(resume: boolean): void {
    const r = this.journal.record;
    const sockets: SimSocket[] = [];
    const client: Transport<UserStream, Remote> = new Transport({
      role: "client",
      key: KEY,
      initialState: new UserStream(),
      initialRemoteState: new CompleteTerminal(new TextScreen()),
      clock: this.net.clock,
      socket: () => {
        const s = this.net.open("10.0.0.2", (d, f) => client.receiveDatagram(d, f));
        sockets.push(s);
        return s;
      },
      remote: { hostname: "10.0.0.1", port: 60001 },
      journal: this.journal,
      ...(resume
        ? {
          resume: {
            firstSeq: r.seqEnd,
            ackedNum: r.ackedNum,
            current: r.events.clone(),
            nextNum: r.numEnd,
            remoteStates: r.remote.map((s) => ({ num: s.num, state: s.state.clone() })),
          },
        }
        : {}),
    });
    this.client = client;
    this.clientSockets = sockets;
    client.currentState.pushResize(80, 24);
  }

  /** kill -9: the process and its sockets vanish; datagrams already in flight still arrive. */
  killClient(): void {
    for (const s of this.clientSockets) s.close();
    this.client = null;
  }

  #serve(): void {
    const events = decodeUserMessage(this.server.takeRemoteDiff());
    for (const e of events) {
      if (e.kind !== "keys") continue;
      const text = decoder.decode(e.keys);
      this.received += text;
      this.server.currentState.screen.text += text;
    }
    if (events.length > 0) this.server.currentState.echoAck = this.server.remoteStateNum;
  }

  type(text: string): void {
    this.client!.currentState.pushKeys(encoder.encode(text));
    this.client!.tick();
  }

  run(ms: number): void {
    const net = this.net, until = net.now + ms;
    while (net.now < until) {
      net.deliverDue();
      this.client?.tick();
      this.server.tick();
      const next = Math.min(
        until,
        net.nextDelivery(),
        net.now + Math.max(1, this.client?.waitTime() ?? Infinity),
        net.now + Math.max(1, this.server.waitTime()),
      );
      net.now = Math.max(next, net.now);
    }
    net.deliverDue();
  }
}

Deno.test("a killed client resumed from its journal: every keystroke once, the server's screen, no nonce reused", () => {
  for (const [seed, loss] of [[1, 0], [2, 0.2], [3, 0.4], [4, 0.2], [5, 0.3]] as const) {
    const w = new World(seed);
    w.net.impairment = { loss, delay: 30, jitter: 40, duplicate: 0.1 };
    w.startClient(false);
    let typed = "";
    for (let i = 0; i < 40; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      typed += ch;
      w.type(ch);
      w.run(25 + (i % 5) * 10);
    }
    // Whatever was typed has left (pacing is ≤ 250 ms), but acks may still be in flight.
    w.run(260);
    w.killClient();
    // The server writes while nobody listens; the old client's datagrams drain.
    w.server.currentState.screen.text += "[while away]";
    w.run(3000 + seed * 700);
    w.startClient(true);
    const after = "RESUMED";
    for (const ch of after) {
      w.type(ch);
      w.run(40);
    }
    w.run(60_000);
    assert.equal(w.received, typed + after, `seed ${seed}: every keystroke exactly once`);
    assert.equal(
      w.client!.latestRemoteState.screen.text,
      typed + "[while away]" + after,
      `seed ${seed}: the resumed client shows the server's screen`,
    );
    const seen = new Set<string>();
    for (const n of w.nonces) {
      assert.ok(!seen.has(n), `seed ${seed}: nonce ${n} sealed twice`);
      seen.add(n);
    }
    const clientNonces = w.nonces.filter((n) => n.startsWith("0:"));
    assert.ok(clientNonces.length > 40, "the client's datagrams were recorded");
    assert.ok(w.journal.record.remote.length >= 1);
  }
});

Deno.test("the resumed client starts past every sequence and state number the old one reserved", () => {
  const w = new World(9);
  w.startClient(false);
  w.type("x");
  w.run(500);
  const reserved = w.journal.record.seqEnd;
  const numEnd = w.journal.record.numEnd;
  w.killClient();
  w.startClient(true);
  assert.equal(w.client!.connection.nextSeq, reserved);
  assert.ok(w.client!.sender.nextNum >= numEnd);
  w.run(1000);
  assert.ok(w.server.connection.remoteAddr?.port === w.clientSockets[0]!.address.port);
});

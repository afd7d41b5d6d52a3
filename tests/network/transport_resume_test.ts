/**
 * A client transport killed mid-session and resumed from its journal, over
 * a simulated lossy network on a virtual clock.
 */
import assert from "node:assert/strict";
import {
  DurableAcks,
  MIN_SAVE_INTERVAL,
  type NumberedState,
} from "../../lib/network/durable_acks.ts";
import { Transport, type TransportJournal } from "../../lib/network/transport.ts";
import { ACK_DELAY } from "../../lib/network/constants.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { decodeUserMessage } from "../../lib/statesync/user_message.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { SimNetwork, type SimSocket } from "../support/sim_network.ts";
import { TextScreen } from "../support/text_screen.ts";

const KEY = new Uint8Array(16).fill(9);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

Deno.test("DurableAcks: up to two acknowledgements pending, each settled by the peer's front or by its refusal", () => {
  let now = 0;
  const saved: bigint[][] = [];
  const acks = new DurableAcks<string>(
    { saveRemote: (states) => saved.push(states.map((s) => s.num)) },
    [{ num: 3n, state: "three" }],
    () => now,
  );
  const sender = { nextNum: 10n };
  assert.equal(acks.ackNum, 3n);
  assert.equal(acks.advance({ num: 5n, state: "five" }, sender), 5n);
  assert.deepEqual(saved, [[3n, 5n]], "saved before it is acknowledged, with the confirmed one");
  assert.equal(acks.advance({ num: 6n, state: "six" }, sender), null, "at most 10 saves a second");
  now += MIN_SAVE_INTERVAL;
  sender.nextNum = 12n;
  assert.equal(acks.advance({ num: 6n, state: "six" }, sender), 6n, "a second one pending");
  assert.deepEqual(saved.at(-1), [3n, 5n, 6n], "the peer's front may be any of the three");
  now += MIN_SAVE_INTERVAL;
  assert.equal(acks.advance({ num: 7n, state: "seven" }, sender), null, "two pending at most");
  acks.settle(9n, 3n); // the peer had not seen our acks yet (its ack predates state 10)
  assert.deepEqual(acks.held.map((h) => h.num), [3n, 5n, 6n]);
  acks.settle(10n, 3n); // it had seen the ack of 5, and kept its front at 3: it had culled 5
  assert.deepEqual(acks.held.map((h) => h.num), [3n, 6n]);
  assert.equal(acks.ackNum, 6n);
  acks.settle(11n, 6n); // its front moved to 6
  assert.deepEqual(acks.held.map((h) => h.num), [6n]);
  sender.nextNum = 14n;
  assert.equal(acks.advance({ num: 7n, state: "seven" }, sender), 7n);
  now += MIN_SAVE_INTERVAL;
  sender.nextNum = 15n;
  assert.equal(acks.advance({ num: 8n, state: "eight" }, sender), 8n);
  acks.settle(13n, 6n); // nothing of ours processed yet
  assert.deepEqual(acks.held.map((h) => h.num), [6n, 7n, 8n]);
  acks.settle(15n, 7n); // its front moved to 7, and it had seen the ack of 8 without taking it
  assert.deepEqual(acks.held.map((h) => h.num), [7n]);
  assert.equal(acks.ackNum, 7n);
  assert.equal(acks.advance({ num: 8n, state: "eight" }, sender), null, "a save budget still runs");
  now += MIN_SAVE_INTERVAL;
  assert.equal(acks.advance({ num: 8n, state: "eight" }, sender), 8n);
  assert.deepEqual(saved.at(-1), [7n, 8n]);
});

Deno.test("a client killed at any moment of a fast-changing screen over a long path resumes and converges", () => {
  // A 4 s path each way (RTT samples over 5 s are ignored, so the server keeps sending every
  // 250 ms): more than 32 of its states are in flight, so it culls states the client may be
  // acknowledging, and refuses those acknowledgements.
  for (let kill = 0; kill < 10; kill++) {
    const w = new World(100 + kill);
    w.net.impairment = { delay: 4000, jitter: 200 };
    w.startClient(false);
    w.type("go");
    const until = 14_000 + kill * 1033;
    for (let t = 0; t < until; t += 50) {
      w.server.currentState.screen.text += String.fromCharCode(97 + (t / 50) % 26);
      w.run(50);
    }
    w.killClient();
    w.run(300 + kill * 50);
    w.startClient(true);
    w.run(60_000);
    assert.equal(w.received, "go", `kill ${kill}: keystrokes once`);
    assert.ok(
      w.client!.latestRemoteState.equals(w.server.currentState),
      `kill ${kill}: the resumed client reaches the server's screen`,
    );
  }
});

Deno.test("a new frame inside the save budget: the client wakes once, when its acknowledgement goes", () => {
  const w = new World(5);
  w.startClient(false);
  w.server.currentState.screen.text = "first";
  w.run(1000);
  const client = w.client!;
  const acks: number[] = [], frames: number[] = [];
  w.net.tap = (data) => {
    // The direction bit: server to client (no delay on this network: sent is arrived).
    ((data[0]! & 0x80) === 0 ? acks : frames).push(w.net.now);
  };
  // A frame, acknowledged (and saved) ACK_DELAY after it arrives...
  w.server.currentState.screen.text = "second";
  w.run(150);
  const saved = acks.at(-1)!;
  // ...and the next frame well inside the save budget that save started.
  w.server.currentState.screen.text = "third";
  const before = client.remoteStateNum;
  while (client.remoteStateNum === before) w.run(1);
  const arrived = frames.at(-1)!;
  assert.ok(arrived - saved < MIN_SAVE_INTERVAL, `${arrived - saved} ms after the save`);
  // Not at the budget's end: that tick would change nothing.
  assert.equal(client.waitTime(), arrived + ACK_DELAY - w.net.now);
  w.run(ACK_DELAY + 5);
  assert.deepEqual(acks.filter((t) => t > arrived), [arrived + ACK_DELAY]);
});

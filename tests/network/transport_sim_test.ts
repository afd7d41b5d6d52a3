/**
 * Both ends of SSP over a simulated network on a virtual clock.
 */
import assert from "node:assert/strict";
import { ACK_INTERVAL, SEND_INTERVAL_MIN } from "../../lib/network/constants.ts";
import { makeInstruction, SHUTDOWN_NUM } from "../../lib/network/instruction.ts";
import { Fragmenter } from "../../lib/network/fragmenter.ts";
import { Direction, PacketCodec } from "../../lib/network/packet.ts";
import { Transport } from "../../lib/network/transport.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { decodeUserMessage } from "../../lib/statesync/user_message.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { seededRandom, SimNetwork, type SimSocket } from "../support/sim_network.ts";
import { TextScreen } from "../support/text_screen.ts";

const KEY = new Uint8Array(16).fill(3);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

type ClientTransport = Transport<UserStream, CompleteTerminal<TextScreen>>;
type ServerTransport = Transport<CompleteTerminal<TextScreen>, UserStream>;

/** A client and a server joined by a simulated network; the server echoes keystrokes. */
class Session {
  readonly net: SimNetwork;
  readonly server: ServerTransport;
  readonly client: ClientTransport;
  readonly serverSocket: SimSocket;
  clientSockets: SimSocket[] = [];
  /** Every keystroke byte the server application received, in order. */
  received = "";
  /** Times the server sent a datagram carrying a non-empty diff. */
  serverLog: { at: number; newNum: bigint; diff: number }[] = [];

  constructor(seed: number) {
    const net = this.net = new SimNetwork(seed);
    this.serverSocket = net.open("10.0.0.1", (d, f) => {
      if (this.server.receiveDatagram(d, f)) this.#serve();
    }, 60001);
    this.server = new Transport({
      role: "server",
      key: KEY,
      initialState: new CompleteTerminal(new TextScreen()),
      initialRemoteState: new UserStream(),
      clock: net.clock,
      socket: this.serverSocket,
      random: (n) => new Uint8Array(n),
    });
    this.client = new Transport({
      role: "client",
      key: KEY,
      initialState: new UserStream(),
      initialRemoteState: new CompleteTerminal(new TextScreen()),
      clock: net.clock,
      socket: () => {
        const s = net.open("10.0.0.2", (d, f) => this.client.receiveDatagram(d, f));
        this.clientSockets.push(s);
        return s;
      },
      remote: { hostname: "10.0.0.1", port: 60001 },
      random: (n) => new Uint8Array(n),
    });
    this.client.currentState.pushResize(80, 24);
  }

  #serve(): void {
    const events = decodeUserMessage(this.server.takeRemoteDiff());
    const state = this.server.currentState;
    for (const e of events) {
      if (e.kind === "keys") {
        const text = decoder.decode(e.keys);
        this.received += text;
        state.screen.text += text;
      }
    }
    // As mosh: the echo ack moves only when user input arrived.
    if (events.length > 0) state.echoAck = this.server.remoteStateNum;
  }

  type(text: string): void {
    this.client.currentState.pushKeys(encoder.encode(text));
    this.client.tick();
  }

  /** Runs the event loop on the virtual clock until `until` ms. */
  runUntil(until: number): void {
    const net = this.net;
    while (net.now < until) {
      net.deliverDue();
      this.client.tick();
      this.server.tick();
      const next = Math.min(
        until,
        net.nextDelivery(),
        net.now + Math.max(1, this.client.waitTime()),
        net.now + Math.max(1, this.server.waitTime()),
      );
      net.now = Math.max(next, net.now);
    }
    net.deliverDue();
  }

  run(ms: number): void {
    this.runUntil(this.net.now + ms);
  }

  converged(): boolean {
    return this.client.latestRemoteState.equals(this.server.currentState);
  }
}

Deno.test("keystrokes arrive exactly once and in order, and the screen converges, at 0-50% loss with reordering and duplication", () => {
  for (const loss of [0, 0.1, 0.3, 0.5]) {
    const s = new Session(42 + loss * 100);
    s.net.impairment = { loss, delay: 40, jitter: 60, duplicate: 0.1 };
    let typed = "";
    for (let i = 0; i < 60; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      typed += ch;
      s.type(ch);
      s.run(70);
    }
    s.run(60_000);
    assert.equal(s.received, typed, `loss ${loss}: every keystroke once, in order`);
    assert.ok(s.converged(), `loss ${loss}: the client holds the server's newest screen`);
    assert.equal(s.client.latestRemoteState.screen.text, typed);
  }
});

Deno.test("a 30 s blackout is survived: the session converges afterwards", () => {
  const s = new Session(7);
  s.net.impairment = { delay: 100 };
  s.type("before ");
  s.run(2000);
  s.net.blackout = true;
  s.type("during ");
  s.run(30_000);
  assert.equal(s.received, "before ");
  s.net.blackout = false;
  s.run(15_000);
  assert.equal(s.received, "before during ");
  assert.ok(s.converged());
});

Deno.test("the server follows a client whose address changes mid-session (roaming)", () => {
  const s = new Session(11);
  s.net.impairment = { delay: 30 };
  s.type("a");
  s.run(1000);
  const before = s.server.connection.remoteAddr;
  s.net.rebind(s.clientSockets.at(-1)!);
  s.type("b");
  s.run(2000);
  const after = s.server.connection.remoteAddr;
  assert.notEqual(after?.port, before?.port, "the server now targets the new port");
  assert.equal(after?.port, s.clientSockets.at(-1)!.address.port);
  assert.equal(s.received, "ab");
  assert.ok(s.converged());
});

Deno.test("an idle session exchanges heartbeats at most 3 s apart and keeps state numbers moving", () => {
  const s = new Session(5);
  s.net.impairment = { delay: 20 };
  s.run(2000);
  const clientDatagrams = () => s.net.sentFrom.get(`10.0.0.2|${s.clientSockets[0]!.address.port}`)!;
  const serverDatagrams = () => s.net.sentFrom.get("10.0.0.1|60001")!;
  const c0 = clientDatagrams(), s0 = serverDatagrams();
  const n0 = s.client.remoteStateNum;
  s.run(30_000);
  const clientSent = clientDatagrams() - c0, serverSent = serverDatagrams() - s0;
  // 30 s / 3 s = 10 heartbeats each (each also acknowledged within 100 ms at most).
  assert.ok(clientSent >= 10 && clientSent <= 21, `client sent ${clientSent}`);
  assert.ok(serverSent >= 10 && serverSent <= 21, `server sent ${serverSent}`);
  assert.ok(s.client.remoteStateNum >= n0 + 9n, "every heartbeat is a new state number");
  assert.ok(s.net.now - s.client.latestRemoteTimestamp <= ACK_INTERVAL + 100);
});

Deno.test("frames are paced: screen updates go out no faster than the send interval", () => {
  const s = new Session(9);
  s.net.impairment = { delay: 100 }; // SRTT 200 ms → send interval 100 ms
  s.run(3000);
  const sendTimes: number[] = [];
  let last = s.server.sender.lastSent.num;
  for (let i = 0; i < 200; i++) {
    s.server.currentState.screen.text += "x"; // the application writes every 10 ms
    s.run(10);
    const num = s.server.sender.lastSent.num;
    if (num !== last) {
      sendTimes.push(s.net.now);
      last = num;
    }
  }
  const interval = s.server.connection.rtt.sendInterval;
  assert.ok(interval >= 90 && interval <= 110, `send interval ${interval}`);
  assert.ok(sendTimes.length >= 10 && sendTimes.length <= 25, `${sendTimes.length} frames in 2 s`);
  for (let i = 1; i < sendTimes.length; i++) {
    assert.ok(
      sendTimes[i]! - sendTimes[i - 1]! >= Math.max(SEND_INTERVAL_MIN, interval) - 10,
      `frames ${i - 1}→${i} at ${sendTimes[i - 1]} and ${sendTimes[i]}`,
    );
  }
  s.run(2000);
  assert.ok(s.converged(), "latest state wins: the client ends with the newest screen");
});

Deno.test("RTT is measured from echoed timestamps", () => {
  const s = new Session(3);
  s.net.impairment = { delay: 150 };
  for (let i = 0; i < 20; i++) {
    s.type("k");
    s.run(400);
  }
  const srtt = s.client.srtt;
  assert.ok(srtt >= 290 && srtt <= 420, `client SRTT ${srtt} for a 300 ms round trip`);
  assert.ok(s.client.connection.rtt.rto >= 300);
});

Deno.test("the client hops to a new local port after 10 s without a round trip", () => {
  const s = new Session(13);
  s.run(1000);
  assert.equal(s.clientSockets.length, 1);
  s.net.blackout = true;
  s.type("z");
  s.run(25_000);
  assert.ok(s.clientSockets.length >= 2, "a fresh socket was opened");
  s.net.blackout = false;
  s.run(5000);
  assert.equal(s.received, "z");
  assert.equal(s.server.connection.remoteAddr?.port, s.clientSockets.at(-1)!.address.port);
});

Deno.test("the shutdown handshake completes: the peer acks, the initiator sees the ack", () => {
  const s = new Session(17);
  s.net.impairment = { delay: 50, loss: 0.2 };
  s.type("bye");
  s.run(2000);
  s.client.startShutdown();
  let peerAcked = false;
  for (let i = 0; i < 200 && !s.client.shutdownAcknowledged; i++) {
    s.run(50);
    peerAcked ||= s.server.counterpartyShutdownAckSent;
  }
  assert.ok(peerAcked, "the server sent ack_num 2^64-1");
  assert.ok(s.client.shutdownAcknowledged, "the client saw its shutdown acknowledged");
  assert.equal(s.client.sender.acknowledged.num, SHUTDOWN_NUM);
  assert.equal(s.client.shutdownAckTimedOut, false);
});

Deno.test("a shutdown to a vanished peer gives up after 16 tries or 10 s", () => {
  const s = new Session(19);
  s.run(1000);
  s.net.blackout = true;
  s.client.startShutdown();
  s.run(11_000);
  assert.ok(s.client.shutdownAckTimedOut);
  assert.equal(s.client.shutdownAcknowledged, false);
});

Deno.test("a hostile peer holding the key cannot crash or wedge the server: absurd instructions are dropped and counted", () => {
  const s = new Session(23);
  s.type("ok");
  s.run(1000);
  const evil = new PacketCodec(KEY, Direction.ToServer);
  const fragmenter = new Fragmenter();
  // Low sequence numbers: the datagrams count as late, so they cannot steer roaming.
  let seq = 0;
  const inject = (fields: Parameters<typeof makeInstruction>[0]) => {
    for (const payload of fragmenter.fragment(makeInstruction(fields), 1252)) {
      const wire = evil.seal({ seq: seq++, timestamp: 0, timestampReply: 0xffff, payload });
      s.server.receiveDatagram(wire, { hostname: "10.6.6.6", port: 666 });
    }
  };
  const drops = s.server.drops;
  inject({ oldNum: 999n, newNum: 1000n }); // base never sent
  const base = s.server.remoteStateNum;
  inject({ oldNum: base, newNum: 5000n, throwawayNum: 10n ** 18n }); // throwaway past the base
  inject({ oldNum: base, newNum: 5002n, diff: new Uint8Array([0xff, 0xff, 0xff]) }); // garbage diff
  inject({ protocolVersion: 3, oldNum: base, newNum: 5003n });
  // An ack of a state never sent is ignored; a state number already held is a duplicate.
  const acked = s.server.sender.acknowledged.num;
  const duplicates = s.server.drops.duplicate;
  inject({ oldNum: base, newNum: base, ackNum: 77777n });
  assert.equal(s.server.sender.acknowledged.num, acked);
  assert.equal(s.server.drops.duplicate, duplicates + 1);
  // A final fragment whose chunk is not zlib, and a runt fragment.
  const notZlib = new Uint8Array(30);
  notZlib[7] = 9;
  notZlib[8] = 0x80;
  s.server.receiveDatagram(
    evil.seal({ seq: seq++, timestamp: 0, timestampReply: 0xffff, payload: notZlib }),
    { hostname: "10.6.6.6", port: 666 },
  );
  s.server.receiveDatagram(
    evil.seal({ seq: seq++, timestamp: 0, timestampReply: 0xffff, payload: new Uint8Array(3) }),
    { hostname: "10.6.6.6", port: 666 },
  );
  assert.equal(drops.unknownBase, 1);
  assert.equal(drops.badThrowaway, 1);
  assert.equal(drops.badDiff, 1);
  assert.equal(drops.version, 1);
  assert.equal(drops.malformed, 2);
  // Forged datagrams (wrong key) are dropped by the connection.
  s.server.receiveDatagram(new Uint8Array(60), { hostname: "10.6.6.6", port: 666 });
  assert.equal(s.server.connection.dropped.integrity, 1);
  // The real client's session continues (the server roams back to it on its next datagram).
  s.type(" still here");
  s.run(5000);
  assert.equal(s.received, "ok still here");
  assert.ok(s.converged());
});

Deno.test("datagram fuzz: 20,000 forged, truncated, replayed and mutated datagrams at both ends leave the session working", () => {
  const s = new Session(31);
  const random = seededRandom(4242);
  // Record the real traffic in both directions, to replay and mutate it.
  const toServer: Uint8Array[] = [], toClient: Uint8Array[] = [];
  s.net.tap = (data, _from, to) => (to.port === 60001 ? toServer : toClient).push(data);
  for (const word of ["ls", " -l", "\r", "echo fuzz", "\r"]) {
    s.type(word);
    s.run(300);
  }
  s.net.tap = null;
  assert.ok(
    toServer.length >= 5 && toClient.length >= 5,
    `recorded ${toServer.length} + ${toClient.length}`,
  );
  const attacker = { hostname: "10.6.6.6", port: 666 };
  const serverAddress = s.server.connection.remoteAddr;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const mutate = (wire: Uint8Array): Uint8Array => {
    const copy = wire.slice();
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips; i++) {
      copy[Math.floor(random() * copy.length)]! ^= 1 << Math.floor(random() * 8);
    }
    if (copy.every((b, k) => b === wire[k])) copy[0]! ^= 1; // flips that cancelled out
    return copy;
  };
  let integrityExpected = 0;
  for (let i = 0; i < 20_000; i++) {
    const toServerSide = random() < 0.5;
    const captured = toServerSide ? toServer : toClient;
    const deliver = (wire: Uint8Array) =>
      toServerSide
        ? s.server.receiveDatagram(wire, attacker)
        : s.client.receiveDatagram(wire, attacker);
    const kind = Math.floor(random() * 4);
    if (kind === 0) {
      // Random bytes of a random length (forged without the key).
      const length = Math.floor(random() * 1500);
      deliver(new Uint8Array(length).map(() => Math.floor(random() * 256)));
    } else if (kind === 1) {
      deliver(pick(captured).slice(0, Math.floor(random() * 60))); // truncated
    } else if (kind === 2) {
      deliver(pick(captured)); // replayed, from another address
    } else {
      deliver(mutate(pick(captured))); // bit flips: must fail authentication
      integrityExpected++;
    }
  }
  const integrity = s.server.connection.dropped.integrity + s.client.connection.dropped.integrity;
  assert.ok(
    integrity >= integrityExpected,
    `${integrity} integrity drops, ${integrityExpected} mutated`,
  );
  // Old sequence numbers never steer roaming: the server still answers the real client.
  assert.deepEqual(s.server.connection.remoteAddr, serverAddress);
  s.type(" and still alive");
  s.run(5000);
  assert.equal(s.received, "ls -l\recho fuzz\r and still alive");
  assert.ok(s.converged(), "the client holds the server's newest screen");
});

Deno.test("datagram fuzz: 5,000 well-sealed nonsense instructions from a peer holding the key never throw", () => {
  // A key holder is, by design, the client: it can steer the session (mosh 1.4.0
  // aborts on an undecodable diff). What must hold is that nothing throws or
  // loops, and every refusal is counted.
  const s = new Session(37);
  const random = seededRandom(99);
  s.type("before");
  s.run(1000);
  const fragmenter = new Fragmenter();
  const codecs = [
    new PacketCodec(KEY, Direction.ToServer),
    new PacketCodec(KEY, Direction.ToClient),
  ];
  const attacker = { hostname: "10.6.6.6", port: 666 };
  for (let i = 0; i < 5000; i++) {
    const toServer = i % 2 === 0;
    const diff = new Uint8Array(Math.floor(random() * 200)).map(() => Math.floor(random() * 256));
    const instruction = makeInstruction({
      protocolVersion: random() < 0.05 ? 3 : 2,
      oldNum: BigInt(Math.floor(random() * 12)),
      newNum: BigInt(Math.floor(random() * 1e6)),
      ackNum: BigInt(Math.floor(random() * 1e6)),
      throwawayNum: BigInt(Math.floor(random() * 12)),
      diff,
    });
    for (const payload of fragmenter.fragment(instruction, 1252)) {
      const wire = codecs[toServer ? 0 : 1]!.seal({
        seq: i % 5,
        timestamp: 0,
        timestampReply: 0xffff,
        payload,
      });
      if (toServer) s.server.receiveDatagram(wire, attacker);
      else s.client.receiveDatagram(wire, attacker);
    }
    if (i % 100 === 0) s.run(50);
  }
  const refused = (t: Transport<never, never> | typeof s.server | typeof s.client) =>
    Object.values(t.drops).reduce((a: number, b: number) => a + b, 0);
  assert.ok(refused(s.server) > 1000, `server refused ${refused(s.server)}`);
  assert.ok(refused(s.client) > 1000, `client refused ${refused(s.client)}`);
  // Timers keep running: both ends go on sending heartbeats (at most 3 s apart), the
  // client's newer datagrams take the server back from the attacker's address, and the
  // client again holds the server's screen.
  const sentBy = new Map<string, number>();
  s.net.tap = (_data, from) => sentBy.set(from.hostname, (sentBy.get(from.hostname) ?? 0) + 1);
  s.run(15_000);
  s.net.tap = null;
  assert.ok((sentBy.get("10.0.0.1") ?? 0) >= 4, `server sent ${sentBy.get("10.0.0.1")} in 15 s`);
  assert.ok((sentBy.get("10.0.0.2") ?? 0) >= 4, `client sent ${sentBy.get("10.0.0.2")} in 15 s`);
  assert.equal(s.server.connection.remoteAddr?.hostname, "10.0.0.2", "server back on the client");
  assert.ok(s.converged(), "the client holds the server's newest screen");
});

Deno.test("datagram fuzz: 100,000 random and mutated datagrams — no exception escapes, no forgery accepted", () => {
  const s = new Session(41);
  const random = seededRandom(100_000);
  const recorded: { wire: Uint8Array; toServer: boolean }[] = [];
  s.net.tap = (data, _from, to) => recorded.push({ wire: data, toServer: to.port === 60001 });
  s.type("recorded traffic");
  s.run(2000);
  s.net.tap = null;
  const openers = {
    toServer: new PacketCodec(KEY, Direction.ToClient), // the server's codec opens ToServer packets
    toClient: new PacketCodec(KEY, Direction.ToServer),
  };
  const attacker = { hostname: "10.6.6.6", port: 666 };
  let escapes = 0, accepted = 0;
  for (let i = 0; i < 100_000; i++) {
    let wire: Uint8Array, toServer: boolean;
    if (i % 2 === 0) {
      wire = new Uint8Array(Math.floor(random() * 1600)).map(() => Math.floor(random() * 256));
      toServer = random() < 0.5;
    } else {
      const original = recorded[Math.floor(random() * recorded.length)]!;
      wire = original.wire.slice();
      const flips = 1 + Math.floor(random() * 3);
      for (let k = 0; k < flips; k++) {
        wire[Math.floor(random() * wire.length)]! ^= 1 << Math.floor(random() * 8);
      }
      // Two flips of the same bit would give back the original: make sure it differs.
      if (wire.every((b, k) => b === original.wire[k])) wire[0]! ^= 1;
      toServer = original.toServer;
    }
    try {
      (toServer ? openers.toServer : openers.toClient).open(wire);
      accepted++; // a datagram not sealed by us (or altered) must never open
    } catch { /* refused, as it must be */ }
    try {
      if (toServer) s.server.receiveDatagram(wire, attacker);
      else s.client.receiveDatagram(wire, attacker);
    } catch {
      escapes++;
    }
  }
  assert.equal(accepted, 0, "forgeries accepted");
  assert.equal(escapes, 0, "exceptions escaped the receive path");
  const refused = s.server.connection.dropped, refusedByClient = s.client.connection.dropped;
  const total = Object.values(refused).reduce((a, b) => a + b, 0) +
    Object.values(refusedByClient).reduce((a, b) => a + b, 0);
  assert.equal(total, 100_000, "every datagram is counted as dropped");
  s.type(" ok");
  s.run(3000);
  assert.equal(s.received, "recorded traffic ok");
});

Deno.test("ackDuplicates: after a lost acknowledgement the client acknowledges the first resend, not after mosh's ACK_INTERVAL", () => {
  const resends = (ackDuplicates: boolean) => {
    const s = new Session(37);
    s.client.ackDuplicates = ackDuplicates;
    s.net.impairment = { delay: 10 };
    s.server.currentState.screen.text = "one";
    s.run(2000);
    assert.ok(s.converged());
    // The client's next datagram (its acknowledgement of "two") is lost.
    let drop = true;
    s.net.tap = (_data, from) => {
      s.net.blackout = false;
      if (drop && from.hostname === "10.0.0.2") {
        s.net.blackout = true;
        drop = false;
      }
    };
    const before = s.net.sentFrom.get("10.0.0.1|60001") ?? 0;
    s.server.currentState.screen.text = "two";
    s.run(1000);
    assert.ok(!drop, "the acknowledgement was dropped");
    assert.ok(s.converged());
    return (s.net.sentFrom.get("10.0.0.1|60001") ?? 0) - before;
  };
  const mosh = resends(false), ours = resends(true);
  // mosh's sender resends every RTO + ACK_DELAY (here) until it hears an
  // acknowledgement: the client's heartbeat, 3 s later (7 datagrams in 1 s).
  assert.ok(mosh >= 5, `without: ${mosh} datagrams`);
  // The new state, one resend, then the acknowledgement of the duplicate settles it.
  assert.ok(ours <= 2, `with: ${ours} datagrams`);
});

Deno.test("the first state is acknowledged at once, so the peer's sender gets its RTT sample and the shell's prompt follows within a few send intervals, not after the delayed acknowledgement", () => {
  const s = new Session(11);
  s.net.impairment = { delay: 5 };
  // The client's first datagram (its size) reaches the server; the server's
  // screen changes, as a resize and the greeting change it.
  while (s.server.remoteStateNum === 0n) s.run(1);
  s.server.currentState.screen.text = "welcome";
  const attached = s.net.now;
  while (s.client.latestRemoteState.screen.text !== "welcome") s.run(1);
  const firstState = s.net.now;
  const from = `${s.clientSockets[0]!.address.hostname}|${s.clientSockets[0]!.address.port}`;
  const clientSent = s.net.sentFrom.get(from) ?? 0;
  s.run(2);
  assert.ok(
    (s.net.sentFrom.get(from) ?? 0) > clientSent,
    "the client answered the first state at once",
  );
  // The shell prints its prompt 30 ms after it was started at attachment.
  s.runUntil(attached + 30);
  assert.ok(!s.server.connection.rtt.sampled || s.server.connection.rtt.srtt < 50);
  s.server.currentState.screen.text = "welcome\n$ ";
  const prompted = s.net.now;
  while (!s.client.latestRemoteState.screen.text.endsWith("$ ")) s.run(1);
  assert.ok(s.server.connection.rtt.sampled, "the server has an RTT sample");
  // One send interval (20 ms) and a trip; mosh's 100 ms delayed acknowledgement
  // then a 250 ms interval would make it ≥ 100 ms after the first state.
  assert.ok(
    s.net.now - prompted <= 40,
    `prompt ${s.net.now - prompted} ms after it was written (first state at ${
      firstState - attached
    } ms)`,
  );
});

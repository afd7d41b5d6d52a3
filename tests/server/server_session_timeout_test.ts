/**
 * The server session's timeouts on a virtual clock: "no client within 60
 * seconds", `MOSH_SERVER_NETWORK_TMOUT` and `MOSH_SERVER_SIGNAL_TMOUT` with
 * SIGUSR1. The session is woken by datagrams (unauthenticated ones, which
 * are dropped) and decides from the clock alone, so no test waits.
 */
import assert from "node:assert/strict";
import { formatKey, generateKey } from "../../lib/crypto/session_key.ts";
import { UdpSocket } from "../../lib/network/udp_socket.ts";
import type { Host } from "../../lib/server/host.ts";
import { ServerSession } from "../../lib/server/server_session.ts";
import { Transport } from "../../lib/network/transport.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { waitUntil } from "../support/processes.ts";

/** A host whose program prints nothing and never ends until closed. */
class IdleHost implements Host {
  closed = false;
  #end: (value: null) => void = () => {};
  read(): Promise<Uint8Array | null> {
    return new Promise((resolve) => this.#end = resolve);
  }
  write(): Promise<void> {
    return Promise.resolve();
  }
  resize(): void {}
  attach(): void {}
  close(): void {
    this.closed = true;
    this.#end(null);
  }
}

Deno.test("with no client, the server session ends at 60 s on its clock, not before", async () => {
  let now = 1_000_000;
  const host = new IdleHost();
  const socketErrors: Error[] = [];
  const socket = UdpSocket.bind(
    { hostname: "127.0.0.1", port: 0 },
    () => {},
    (error) => socketErrors.push(error),
  );
  const log: string[] = [];
  const session = new ServerSession({
    key: formatKey(generateKey()),
    socket,
    host,
    width: 80,
    height: 24,
    clock: () => now,
    log: (m) => log.push(m),
  });
  let ended = false;
  const running = session.run().then(() => ended = true);
  const wake = () => session.onDatagram(new Uint8Array(40), { hostname: "127.0.0.1", port: 9 });
  try {
    for (const at of [1_000, 30_000, 59_999]) {
      now = 1_000_000 + at;
      wake();
      await Promise.resolve();
      assert.equal(ended || host.closed, false, `ended after ${at} ms`);
    }
    now = 1_000_000 + 60_000;
    wake();
    await new Promise((r) => setTimeout(r, 0)); // let the ended run() settle
    assert.ok(ended, "the session ended at 60 s");
    assert.ok(host.closed, "the host (the shell) is closed");
    assert.deepEqual(log.filter((m) => m.includes("60 seconds")), [
      "No connection within 60 seconds.",
    ]);
    assert.deepEqual(socketErrors, []);
  } finally {
    session.terminate();
    await running;
    await socket.closed;
  }
});

/**
 * A session on a virtual clock with a client transport (same clock) over
 * loopback UDP; `advance` moves the clock and wakes the session.
 */
async function connectedSession(options: { networkTimeoutMs?: number; signalTimeoutMs?: number }) {
  const clock = { now: 5_000_000 };
  const key = formatKey(generateKey());
  const errors: Error[] = [];
  const holder: { session?: ServerSession } = {};
  const serverSocket = UdpSocket.bind(
    { hostname: "127.0.0.1", port: 0 },
    (data, from) => holder.session?.onDatagram(data, from),
    (error) => errors.push(error),
  );
  const session = holder.session = new ServerSession({
    key,
    socket: serverSocket,
    host: new IdleHost(),
    width: 80,
    height: 24,
    clock: () => clock.now,
    ...options,
  });
  let ended = false;
  const running = session.run().then(() => ended = true);
  const clientSockets: UdpSocket[] = [];
  const client: Transport<UserStream, CompleteTerminal<TerminalState>> = new Transport({
    role: "client",
    key,
    initialState: new UserStream(),
    initialRemoteState: new CompleteTerminal(new TerminalState(80, 24)),
    clock: () => clock.now,
    socket: () => {
      const s = UdpSocket.bind(
        { hostname: "127.0.0.1", port: 0 },
        (data, from) => client.receiveDatagram(data, from),
        (error) => errors.push(error),
      );
      clientSockets.push(s);
      return s;
    },
    remote: { hostname: "127.0.0.1", port: serverSocket.localAddr.port },
  });
  client.currentState.pushResize(80, 24);
  client.tick();
  await waitUntil(() => session.transport.remoteStateNum > 0n, "the client's first state");
  const wake = () => session.onDatagram(new Uint8Array(40), { hostname: "127.0.0.1", port: 9 });
  return {
    session,
    errors,
    get ended() {
      return ended;
    },
    /** The client sends a new state; resolves once the session has it. */
    async type(text: string) {
      const before = session.transport.remoteStateNum;
      client.currentState.pushKeys(new TextEncoder().encode(text));
      client.tick();
      await waitUntil(() => session.transport.remoteStateNum > before, "the client's keys");
    },
    /** Moves the clock `ms` on and wakes the session. */
    advance(ms: number) {
      clock.now += ms;
      wake();
    },
    async close() {
      session.terminate();
      // The shutdown goes unanswered (the client is not pumped): let it time out.
      for (let i = 0; i < 100 && !ended; i++) {
        clock.now += 1000;
        wake();
        await new Promise((r) => setTimeout(r, 0));
      }
      await running;
      client.close();
      await Promise.all(clientSockets.map((s) => s.closed));
      await serverSocket.closed;
    },
  };
}

Deno.test("MOSH_SERVER_NETWORK_TMOUT: the session starts its shutdown once the client has been silent that long", async () => {
  const s = await connectedSession({ networkTimeoutMs: 5000 });
  try {
    // The client types at 3 s: silence is counted from its newest state.
    s.advance(3000);
    await s.type("x");
    s.advance(4999);
    assert.equal(s.session.transport.shutdownInProgress, false, "at 4.999 s of silence");
    s.advance(2);
    assert.equal(s.session.transport.shutdownInProgress, true, "at 5.001 s of silence");
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

Deno.test("MOSH_SERVER_SIGNAL_TMOUT: SIGUSR1 ends the session only after that much silence", async () => {
  const s = await connectedSession({ signalTimeoutMs: 5000 });
  try {
    s.advance(4999);
    s.session.usr1();
    assert.equal(s.session.transport.shutdownInProgress, false, "SIGUSR1 at 4.999 s of silence");
    s.advance(2);
    assert.equal(s.session.transport.shutdownInProgress, false, "no timeout without the signal");
    s.session.usr1();
    assert.equal(s.session.transport.shutdownInProgress, true, "SIGUSR1 at 5.001 s of silence");
  } finally {
    await s.close();
  }
});

Deno.test("SIGUSR1 without MOSH_SERVER_SIGNAL_TMOUT ends the session at once", async () => {
  const s = await connectedSession({});
  try {
    s.advance(1);
    s.session.usr1();
    assert.equal(s.session.transport.shutdownInProgress, true);
  } finally {
    await s.close();
  }
});

/**
 * ClientCore on its own: the connection timeline on a virtual clock, the
 * sink's view of frames, the key filter, and the transport hook.
 */
import assert from "node:assert/strict";
import {
  ClientCore,
  type ClientCoreOptions,
  type ClientSink,
} from "../../lib/client/client_core.ts";
import { Transport } from "../../lib/network/transport.ts";
import { serveSession } from "../../lib/server/serve_session.ts";

const KEY = "AAAAAAAAAAAAAAAAAAAAAA";

/** A server that never answers (a bound socket nobody reads from) and an 80×24 ClientCore aimed at it. */
function coreAtSilentServer(options: Pick<ClientCoreOptions, "sink" | "clock" | "predict">) {
  const server = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (server.addr as Deno.NetAddr).port;
  const core = new ClientCore({
    ip: "127.0.0.1",
    port,
    key: KEY,
    columns: 80,
    rows: 24,
    ...options,
  });
  return { server, port, core };
}

Deno.test("ClientCore on a virtual clock: 'Nothing received' after 250 ms, 'Timed out' after 15 s, then it ends unconnected", async () => {
  let now = 0;
  const frames: boolean[] = [];
  let finished = 0;
  const sink: ClientSink = {
    frame: (_core, _now, final) => frames.push(final),
    finish: () => finished++,
  };
  const { server: silent, port, core } = coreAtSilentServer({ sink, clock: () => now });
  try {
    core.start();
    assert.equal(core.notifications.message, "", "nothing to say in the first 250 ms");
    now = 251;
    core.wake();
    assert.equal(core.notifications.message, `Nothing received from server on UDP port ${port}.`);
    assert.equal(core.shuttingDown, false);
    now = 15_001;
    core.wake();
    assert.equal(core.notifications.message, "Timed out waiting for server...");
    assert.equal(core.shuttingDown, true);
    assert.equal(core.done, false, "the shutdown is tried before giving up");
    now = 25_002;
    core.wake();
    assert.deepEqual(await core.finished, { status: 1, connected: false });
    assert.equal(frames.at(-1), true, "the last frame is the final one");
    assert.equal(frames.filter((f) => f).length, 1);
    assert.equal(finished, 1);
  } finally {
    core.abort();
    silent.close();
  }
});

Deno.test("ClientCore: a sink sees each new remote state before it draws; a key filter decides what is sent", async () => {
  let typed = "";
  const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
    const writer = session.writable.getWriter();
    await writer.write(new TextEncoder().encode("first"));
    const reader = session.readable.getReader();
    while (!typed.endsWith("!")) {
      const { value, done } = await reader.read();
      if (done) break;
      typed += new TextDecoder().decode(value);
      await writer.write(new TextEncoder().encode(`\r\n${typed}`));
    }
  });
  const states: bigint[] = [];
  const rows: string[] = [];
  let built = 0;
  const core = new ClientCore({
    ip: "127.0.0.1",
    port: server.port,
    key: server.key,
    columns: 30,
    rows: 4,
    sink: {
      frame(core) {
        if (states.at(-1) === core.remoteStateNum) return;
        states.push(core.remoteStateNum);
        rows.push(core.screen.screenText());
      },
    },
    transport: (options) => {
      built++;
      assert.equal(options.role, "client");
      assert.deepEqual(options.remote, { hostname: "127.0.0.1", port: server.port });
      return new Transport(options);
    },
  });
  core.start();
  // Upper-case letters; "." stops the input (the rest of it is dropped).
  core.type(new TextEncoder().encode("ab.cd"), (byte, send) => {
    if (byte === 0x2e) return false;
    send.push(byte - 0x20);
    return true;
  });
  core.type(new TextEncoder().encode("!"));
  const result = await core.finished;
  await server.finished;
  assert.deepEqual(result, { status: 0, connected: true });
  assert.equal(built, 1, "the core used the transport the hook built");
  assert.equal(typed, "AB!", "filtered, stopped at '.', then the next input");
  assert.ok(states.length >= 2, `new states seen: ${states}`);
  assert.ok(states.every((n, i) => i === 0 || n > states[i - 1]!), `in order: ${states}`);
  assert.ok(rows.some((r) => r.includes("AB!")), rows.join("\n--\n"));
});

Deno.test("ClientCore: a sink that fails (a hung-up terminal) ends the session; the final frame failing too still settles `finished` and closes the socket", async () => {
  const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
    for await (const _ of session.readable) { /* until the client shuts down */ }
  });
  let frames = 0, failAfter = Number.POSITIVE_INFINITY, connected = false;
  const core = new ClientCore({
    ip: "127.0.0.1",
    port: server.port,
    key: server.key,
    columns: 30,
    rows: 4,
    sink: {
      frame(core) {
        if (core.remoteStateNum > 0n) connected = true;
        if (++frames > failAfter) throw new Error("Input/output error (os error 5)");
      },
      finish() {
        throw new Error("Input/output error (os error 5)");
      },
    },
  });
  try {
    core.start();
    while (!connected) await new Promise((r) => setTimeout(r, 10));
    failAfter = frames; // the terminal hangs up now
    core.type(new TextEncoder().encode("x"));
    assert.equal(core.shuttingDown, true, "the failed frame started the shutdown");
    assert.match(core.notifications.message, /^Output failed: Input\/output error/);
    const result = await core.finished;
    assert.deepEqual(
      result,
      { status: 0, connected: true },
      "the server acknowledged the shutdown",
    );
  } finally {
    core.abort();
    await server.finished;
  }
});

Deno.test("ClientCore: with no predicted echo shown, a keystroke's datagram leaves at once (no 1 ms gathering delay)", async () => {
  let now = 0;
  const { server, core } = coreAtSilentServer({
    predict: "never",
    sink: { frame() {} },
    clock: () => now, // stands still while the key is handled
  });
  const received: number[] = [];
  const reading = (async () => {
    for await (const [data] of server) received.push(data.length);
  })();
  const waitFor = async (count: number) => {
    for (let i = 0; i < 200 && received.length < count; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return received.length;
  };
  try {
    core.start();
    now = 5;
    core.wake(); // the opening state (the window size) is out by now, delay or not
    const first = await waitFor(1);
    assert.ok(first >= 1, "the opening datagram");
    now = 1000; // past any send interval; from here the clock does not move
    core.type(new TextEncoder().encode("x"));
    assert.equal(
      await waitFor(first + 1),
      first + 1,
      "the keystroke left without the clock moving",
    );
  } finally {
    core.abort();
    server.close();
    await reading.catch(() => {});
  }
});

Deno.test("ClientCore: time the process was stopped is not counted as the server's silence (no 'Last contact 20 seconds ago' on fg)", async () => {
  const stop = new AbortController();
  const server = await serveSession(
    { hostname: "127.0.0.1", port: 0, signal: stop.signal },
    async (session) => await session.readable.pipeTo(new WritableStream()),
  );
  let now = 0;
  const core = new ClientCore({
    ip: "127.0.0.1",
    port: server.port,
    key: server.key,
    columns: 80,
    rows: 24,
    sink: { frame() {} },
    clock: () => now,
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    core.start();
    for (let i = 0; i < 500 && !core.connected; i++) {
      now += 10;
      core.wake();
      await sleep(10);
    }
    assert.ok(core.connected, "connected to the server");
    for (let i = 0; i < 30; i++) { // a few round trips: our state acknowledged
      now += 10;
      core.wake();
      await sleep(10);
    }
    assert.equal(core.notifications.text(now), "");
    now += 20_000; // stopped 20 s (SIGSTOP), then continued: the first turn is a late timer's
    core.wake();
    assert.equal(
      core.notifications.text(now),
      "",
      "no bar before the server had a chance to answer",
    );
    // The server stays silent (no datagram is read while the loop runs on): the bar comes
    // once it has been silent for 6.5 s of running time, counted without the stop (the wait
    // before it, up to a 3 s heartbeat interval, may count).
    for (let i = 0; i < 14; i++) {
      now += 500;
      core.wake();
    }
    assert.match(core.notifications.text(now), /^mosh: Last contact ([6-9]|10) seconds ago\./);
  } finally {
    core.abort();
    stop.abort();
    await server.finished.catch(() => {});
  }
});

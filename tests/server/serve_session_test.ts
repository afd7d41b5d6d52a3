/**
 * serveSession with our headless client, in one process: a handler's
 * streams served as a terminal, input back, resizes, both ways of ending.
 */
import assert from "node:assert/strict";
import { KeyFormatError } from "../../lib/crypto/session_key.ts";
import { connectSession } from "../../lib/client/connect_session.ts";
import {
  BindError,
  ResizeEvent,
  type ServedSession,
  serveSession,
} from "../../lib/server/serve_session.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads the session's input until `stop` says it has seen enough; returns all of it. */
async function readUntil(
  session: ServedSession,
  stop: (text: string) => boolean,
  each: (text: string) => Promise<void> = async () => {},
): Promise<string> {
  const reader = session.readable.getReader();
  let text = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value);
      await each(decoder.decode(value));
      if (stop(text)) return text;
    }
  } finally {
    reader.releaseLock();
  }
}

Deno.test("serveSession shows a handler's output, delivers keys and resizes, and ends with the handler", async () => {
  const seen: string[] = [];
  const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
    const writer = session.writable.getWriter();
    const write = (s: string) => writer.write(encoder.encode(s));
    session.addEventListener("resize", (event) => {
      assert.ok(event instanceof ResizeEvent);
      const { columns, rows } = event;
      write(`\r\nresized ${columns}x${rows} (${session.columns}x${session.rows})\r\n> `);
    });
    await write(`size ${session.columns}x${session.rows}\r\n> `);
    const typed = await readUntil(session, (t) => t.includes("quit\r"), async (chunk) => {
      if (!chunk.includes("quit")) await write(chunk);
    });
    seen.push(typed);
    await write("\r\nbye\r\n");
    writer.releaseLock();
  });
  assert.equal(server.hostname, "127.0.0.1");
  assert.match(server.key, /^[A-Za-z0-9+/]{22}$/);
  const client = await connectSession({
    hostname: "127.0.0.1",
    port: server.port,
    key: server.key,
    columns: 60,
    rows: 10,
  });
  await client.waitForText("size 60x10");
  assert.equal(await client.waitForText("> ", { timeoutMs: 1 }), "> ", "a prompt's space matches");
  client.write("héllo");
  await client.waitForText("> héllo");
  assert.deepEqual(client.cursor, { row: 1, column: 7 });
  client.resize(70, 12);
  await client.waitForText("resized 70x12 (70x12)");
  assert.deepEqual(client.size, { columns: 70, rows: 12 });
  client.write("quit\r");
  const result = await client.closed;
  assert.deepEqual(result, { status: 0, connected: true }, "the server shut the session down");
  await server.finished;
  assert.deepEqual(seen, ["héllo" + "quit\r"]);
});

Deno.test("serveSession output goes through the emulator like a pty's, and its replies come back as input", async () => {
  let reply = "";
  const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
    const writer = session.writable.getWriter();
    await writer.write(encoder.encode("\x1b[2J\x1b[5;10H\x1b[1mX\x1b[6n"));
    reply = await readUntil(session, (t) => t.endsWith("R"));
    await writer.write(encoder.encode(`\x1b[8;1Hreply ${JSON.stringify(reply)}`));
    await readUntil(session, () => false); // until the client quits
    await writer.close().catch(() => {}); // the session is over: writes fail
  });
  const client = await connectSession({
    hostname: "127.0.0.1",
    port: server.port,
    key: server.key,
  });
  await client.waitForText("reply");
  assert.equal(reply, "\x1b[5;11R", "the cursor position report a terminal sends");
  assert.equal(client.screenText()[4], "         X");
  assert.equal(client.screenText()[7], `reply ${JSON.stringify(reply)}`);
  const result = await client.close();
  assert.equal(result.status, 0);
  await server.finished; // the handler saw its input end and returned
});

Deno.test("serveSession: the handler's session.closed resolves when the client quits; writes then fail", async () => {
  let writeError: unknown = null;
  const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
    const writer = session.writable.getWriter();
    await writer.write(encoder.encode("ready"));
    await session.closed;
    try {
      await writer.write(encoder.encode("too late"));
    } catch (error) {
      writeError = error;
    }
  });
  const client = await connectSession({
    hostname: "127.0.0.1",
    port: server.port,
    key: server.key,
  });
  await client.waitForText("ready");
  await client.close();
  await server.finished;
  assert.equal((writeError as Error | null)?.name, "SessionClosedError");
});

Deno.test("serveSession: abort before any client ends at once; bad key and busy port reject", async () => {
  const controller = new AbortController();
  let ran = false;
  const server = await serveSession(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal },
    () => {
      ran = true;
    },
  );
  controller.abort();
  await server.finished;
  assert.equal(ran, false, "no client, no handler");

  await assert.rejects(
    serveSession({ hostname: "127.0.0.1", port: 0, key: "short" }, () => {}),
    KeyFormatError,
  );
  const busy = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    await assert.rejects(
      serveSession({ hostname: "127.0.0.1", port: [port, port] }, () => {}),
      BindError,
    );
  } finally {
    busy.close();
  }
});

Deno.test("serveSession: a handler that throws rejects finished with its error, after the shutdown", async () => {
  const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
    const writer = session.writable.getWriter();
    await writer.write(encoder.encode("about to fail"));
    throw new RangeError("handler bug");
  });
  const client = await connectSession({
    hostname: "127.0.0.1",
    port: server.port,
    key: server.key,
  });
  const result = await client.closed;
  assert.equal(result.status, 0, "the client was told the session ended");
  await assert.rejects(server.finished, RangeError);
});

Deno.test("serveSession: a handler that cancels its input still serves output; typing does not end the session", async () => {
  const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
    await session.readable.cancel();
    const writer = session.writable.getWriter();
    await writer.write(encoder.encode("output only"));
    session.addEventListener("resize", () => {
      writer.write(encoder.encode(` resized ${session.columns}`)).catch(() => {});
    });
    await session.closed;
  });
  const client = await connectSession({
    hostname: "127.0.0.1",
    port: server.port,
    key: server.key,
  });
  await client.waitForText("output only");
  client.write("ignored keys");
  client.resize(90, 24); // after the keys in the user stream: the session must still be up
  await client.waitForText("resized 90");
  assert.ok(!client.screenText().join("").includes("ignored"));
  const result = await client.close();
  assert.deepEqual(result, { status: 0, connected: true }, "the session was still up to shut down");
  await server.finished;
});

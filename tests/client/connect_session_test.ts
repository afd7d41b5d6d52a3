/**
 * connectSession (the headless client) against Debian's real mosh-server:
 * commands, the screen and cursor, a resize, loss and a change of address,
 * and the shutdown handshake.
 */
import assert from "node:assert/strict";
import { ConnectError, connectSession } from "../../lib/client/connect_session.ts";
import { startRealMoshServer, waitForExit } from "../support/real_mosh.ts";
import { UdpImpairmentProxy } from "../support/udp_proxy.ts";

Deno.test("connectSession drives real mosh-server: a command's output, the cursor, a resize, close", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
  try {
    const session = await connectSession({
      hostname: "127.0.0.1",
      port: server.port,
      key: server.key,
      columns: 72,
      rows: 20,
    });
    await session.waitForText(/^\$ ?$/m);
    session.write("echo headless-$((6*7))\r");
    await session.waitForText(/^headless-42$/m);
    const lines = session.screenText();
    const at = lines.indexOf("headless-42");
    assert.equal(lines[at - 1], "$ echo headless-$((6*7))");
    assert.equal(lines[at + 1], "$", "trailing spaces are trimmed");
    assert.deepEqual(session.cursor, { row: at + 1, column: 2 });
    assert.equal(lines.length, 20);

    session.write("stty size\r");
    await session.waitForText(/^20 72$/m);
    session.resize(100, 30);
    session.write("clear; stty size\r");
    await session.waitForText(/^30 100$/m);
    assert.deepEqual(session.size, { columns: 100, rows: 30 });

    await assert.rejects(
      session.waitForText("never-printed", { timeoutMs: 300 }),
      (error: Error) => error.name === "ScreenWaitError" && error.message.includes("30 100"),
    );
    const result = await session.close();
    assert.deepEqual(result, { status: 0, connected: true });
    assert.ok(await waitForExit(server.pid, 5000), "the real server ends with the session");
  } finally {
    await server.stop();
  }
});

Deno.test("connectSession rides out 30% loss both ways and a change of its address", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
  const proxy = new UdpImpairmentProxy(server.port, 11);
  try {
    proxy.up = { loss: 0.3, reorder: 0.1 };
    proxy.down = { loss: 0.3, duplicate: 0.1 };
    const session = await connectSession({
      hostname: "127.0.0.1",
      port: proxy.port,
      key: server.key,
    });
    await session.waitForText(/^\$ ?$/m, { timeoutMs: 20_000 });
    session.write("echo lossy-$((2+3))\r");
    await session.waitForText(/^lossy-5$/m, { timeoutMs: 30_000 });
    proxy.rebind();
    session.write("echo roamed-$((3+4))\r");
    await session.waitForText(/^roamed-7$/m, { timeoutMs: 30_000 });
    assert.ok(proxy.dropped > 0, "the proxy did drop datagrams");
    proxy.up = {};
    proxy.down = {};
    session.write("exit\r");
    const result = await session.closed;
    assert.deepEqual(result, { status: 0, connected: true }, "the shell's exit ends the session");
  } finally {
    await proxy.close();
    await server.stop();
  }
});

Deno.test("connectSession with the wrong key never connects: abort or its timeout reject with ConnectError", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"] });
  try {
    const controller = new AbortController();
    const pending = connectSession({
      hostname: "127.0.0.1",
      port: server.port,
      key: "AAAAAAAAAAAAAAAAAAAAAA",
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(pending, ConnectError);
    const started = Date.now();
    await assert.rejects(
      connectSession({
        hostname: "127.0.0.1",
        port: server.port,
        key: "AAAAAAAAAAAAAAAAAAAAAA",
        timeoutMs: 500,
      }),
      ConnectError,
    );
    assert.ok(Date.now() - started < 5000, "gave up after its timeout, not mosh-client's 15 s");
  } finally {
    await server.stop();
  }
});

/**
 * The client's notification bar shows a failing send as mosh does
 * ("mosh: sendto: Network is unreachable"), and lets it go once sends work
 * again; on a virtual clock, with a socket whose sends can fail.
 */
import assert from "node:assert/strict";
import { ClientCore } from "../../lib/client/client_core.ts";
import { ACK_INTERVAL } from "../../lib/network/constants.ts";
import { Transport } from "../../lib/network/transport.ts";
import { FlakySocket, osError, settle } from "../support/flaky_socket.ts";

Deno.test("a failing send shows 'sendto: …' in the bar until sends work again", async () => {
  let now = 10_000;
  const socket = new FlakySocket();
  socket.failure = osError("Network is unreachable", "ENETUNREACH", 101);
  const core = new ClientCore({
    ip: "127.0.0.1",
    port: 60001,
    key: new Uint8Array(16).fill(1),
    columns: 80,
    rows: 24,
    sink: { frame() {} },
    quitHint: " [To quit: Ctrl-^ .]",
    clock: () => now,
    transport: (options) => new Transport({ ...options, socket }),
  });
  try {
    core.start(); // the first send fails; its rejection arrives after the turn
    await settle();
    now += 10;
    core.wake();
    assert.equal(core.notifications.message, "sendto: Network is unreachable");
    assert.equal(
      core.notifications.text(now),
      "mosh: sendto: Network is unreachable [To quit: Ctrl-^ .]",
    );
    // Still failing: the message stays past its 3.1 s lifetime.
    for (let i = 0; i < 3; i++) {
      now += ACK_INTERVAL;
      core.wake();
      await settle();
    }
    core.wake();
    assert.equal(core.notifications.message, "sendto: Network is unreachable");
    // Sends work again: the error goes within a second, as mosh's does.
    socket.failure = null;
    now += ACK_INTERVAL;
    core.wake();
    await settle();
    core.wake();
    assert.ok(socket.sent.length > 0, "a datagram went out");
    now += 1001;
    assert.equal(core.notifications.text(now).includes("sendto"), false);
  } finally {
    core.shutdown("", { force: true });
    core.shutdown("", { force: true });
    await core.finished;
  }
});

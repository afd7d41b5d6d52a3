/**
 * The server session's "no client within 60 seconds" exit, on a virtual
 * clock: the session is woken by datagrams (here unauthenticated ones, which
 * are dropped) and decides from the clock alone, so no test waits a minute.
 */
import assert from "node:assert/strict";
import { formatKey, generateKey } from "../../lib/crypto/session_key.ts";
import { UdpSocket } from "../../lib/network/udp_socket.ts";
import type { Host } from "../../lib/server/host.ts";
import { ServerSession } from "../../lib/server/server_session.ts";

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

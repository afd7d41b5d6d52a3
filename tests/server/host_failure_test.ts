/**
 * A host that refuses a call ends the session and says why in the server's
 * log, rather than ending it silently.
 */
import assert from "node:assert/strict";
import { connectSession } from "../../lib/client/connect_session.ts";
import { formatKey, generateKey } from "../../lib/crypto/session_key.ts";
import { UdpSocket } from "../../lib/network/udp_socket.ts";
import type { Host } from "../../lib/server/host.ts";
import { ServerSession } from "../../lib/server/server_session.ts";

Deno.test("a host whose attach fails: the session ends and the log says why", async () => {
  const key = formatKey(generateKey());
  const log: string[] = [];
  let closed = false;
  let finishOutput: (v: null) => void = () => {};
  const host: Host = {
    read: () => new Promise((resolve) => finishOutput = resolve),
    write: () => Promise.resolve(),
    resize() {},
    attach: () => Promise.reject(new Error("the program could not start")),
    close() {
      closed = true;
      finishOutput(null);
    },
  };
  let session: ServerSession | null = null;
  const socket = UdpSocket.bind(
    { hostname: "127.0.0.1", port: 0 },
    (data, from) => session?.onDatagram(data, from),
    (error) => log.push(`socket: ${error.message}`),
  );
  session = new ServerSession({
    key,
    socket,
    host,
    width: 80,
    height: 24,
    log: (m) => log.push(m),
  });
  const served = session.run();
  const client = connectSession({ hostname: "127.0.0.1", port: socket.localAddr.port, key })
    .then((s) => s.closed, (error: Error) => error);
  try {
    await served;
    assert.ok(
      log.some((m) => m.startsWith("Host exception: Error: the program could not start")),
      log.join("\n"),
    );
    assert.ok(closed, "the host was closed");
    await client;
  } finally {
    socket.close();
    await socket.closed;
  }
});

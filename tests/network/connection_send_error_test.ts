/**
 * Send failures reach `Connection.sendError` worded as mosh words them
 * ("sendto: " + strerror), shrink the MTU on EMSGSIZE, and clear when a
 * send works again; with fake sockets on a virtual clock, and real ones.
 */
import assert from "node:assert/strict";
import { Connection } from "../../lib/network/connection.ts";
import { MTU_DEFAULT } from "../../lib/network/fragmenter.ts";
import { UdpSocket } from "../../lib/network/udp_socket.ts";
import { FlakySocket, osError, settle } from "../support/flaky_socket.ts";

const KEY = new Uint8Array(16).fill(7);
const unreachable = () => osError("Network is unreachable", "ENETUNREACH", 101);

/** Polls the event loop until `ready` holds (real socket results arrive as I/O events). */
async function waitFor(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

function connection(socket: FlakySocket) {
  let now = 1000;
  const c = new Connection({
    role: "client",
    key: KEY,
    clock: () => now,
    socket,
    remote: { hostname: "127.0.0.1", port: 60001 },
  });
  return { c, advance: (ms: number) => now += ms };
}

for (const throws of [false, true]) {
  const how = throws ? "thrown" : "rejected";
  Deno.test(`a ${how} send sets sendError until a send succeeds`, async () => {
    const socket = new FlakySocket();
    socket.throws = throws;
    const { c, advance } = connection(socket);
    c.send(new Uint8Array(10));
    await settle();
    assert.equal(c.sendError, null);
    socket.failure = unreachable();
    advance(20);
    c.send(new Uint8Array(10));
    await settle();
    assert.equal(c.sendError, "sendto: Network is unreachable");
    socket.failure = null;
    advance(20);
    c.send(new Uint8Array(10));
    await settle();
    assert.equal(c.sendError, null);
    assert.equal(socket.sent.length, 2);
  });
}

Deno.test("EMSGSIZE drops the MTU to mosh's last resort", async () => {
  const socket = new FlakySocket();
  const { c } = connection(socket);
  assert.ok(c.mtu > MTU_DEFAULT, `IPv4 MTU ${c.mtu}`);
  socket.failure = osError("Message too long", "EMSGSIZE", 90);
  c.send(new Uint8Array(10));
  await settle();
  assert.equal(c.sendError, "sendto: Message too long");
  assert.equal(c.mtu, MTU_DEFAULT);
});

Deno.test("a real socket's refused sends show as sendto errors", async () => {
  const errors: Error[] = [];
  const socket = UdpSocket.bind(
    { hostname: "127.0.0.1", port: 0 },
    () => {},
    (e) => errors.push(e),
  );
  try {
    let now = 0;
    // An IPv6 peer from an IPv4 socket: the kernel refuses at once.
    const c = new Connection({
      role: "client",
      key: KEY,
      clock: () => now,
      socket,
      remote: { hostname: "::1", port: 9 },
    });
    c.send(new Uint8Array(10));
    await waitFor(() => c.sendError !== null);
    assert.equal(c.sendError, "sendto: Address family not supported by protocol");
    now += 10;
    c.send(new Uint8Array(70_000));
    await waitFor(() => c.sendError !== "sendto: Address family not supported by protocol");
    assert.equal(c.sendError, "sendto: Message too long");
    assert.equal(c.mtu, MTU_DEFAULT);
    assert.deepEqual(errors, []);
  } finally {
    socket.close();
    await socket.closed;
  }
});

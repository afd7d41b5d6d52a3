/**
 * Our SSP transport against Debian's real mosh 1.4.0, both directions.
 */
import assert from "node:assert/strict";
import { formatKey, generateKey } from "../../lib/crypto/session_key.ts";
import { Transport } from "../../lib/network/transport.ts";
import { UdpSocket } from "../../lib/network/udp_socket.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { startRealMoshServer } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";

const clock = () => performance.now();

/** Runs the transport's timers until `done()` or the deadline. */
async function pump(
  transport: { tick(): void; waitTime(): number },
  done: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    transport.tick();
    if (done()) return true;
    await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, transport.waitTime()))));
  }
  return done();
}

Deno.test("our client transport drives real mosh-server: typed command's output shows on our framebuffer", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"] });
  const sockets: UdpSocket[] = [];
  const socketErrors: Error[] = [];
  let transport!: Transport<UserStream, CompleteTerminal<TerminalState>>;
  try {
    transport = new Transport({
      role: "client",
      key: server.key,
      initialState: new UserStream(),
      initialRemoteState: new CompleteTerminal(new TerminalState(80, 24)),
      clock,
      socket: () => {
        const s = UdpSocket.bind(
          { hostname: "127.0.0.1", port: 0 },
          (data, from) => transport.receiveDatagram(data, from),
          (error) => socketErrors.push(error),
        );
        sockets.push(s);
        return s;
      },
      remote: { hostname: "127.0.0.1", port: server.port },
    });
    transport.currentState.pushResize(80, 24);
    const screen = () => transport.latestRemoteState.screen.fb.screenText();
    assert.ok(await pump(transport, () => /[$#] ?$/m.test(screen()), 5000), "a prompt appears");
    transport.currentState.pushKeys(new TextEncoder().encode("echo ssp-ok\r"));
    const seen = await pump(
      transport,
      () => (screen().match(/ssp-ok/g) ?? []).length >= 2,
      5000,
    );
    assert.ok(seen, `the command and its output show:\n${screen()}`);
    assert.ok(transport.latestRemoteState.echoAck > 0n, "the server acknowledges our echo");
    transport.startShutdown();
    assert.ok(
      await pump(transport, () => transport.shutdownAcknowledged, 3000),
      "the real server acknowledges our shutdown",
    );
    assert.deepEqual(socketErrors, [], "no receive failures or handler exceptions");
  } finally {
    transport?.close();
    await Promise.all(sockets.map((s) => s.closed));
    await server.stop();
  }
});

Deno.test("real mosh-client shows the screen our server-side transport sends", async () => {
  const key = formatKey(generateKey());
  const screen = new TerminalState(80, 24);
  screen.write(new TextEncoder().encode("\x1b[1;32mhello from deno ssp\x1b[0m\r\n"));
  const holder: { transport?: Transport<CompleteTerminal<TerminalState>, UserStream> } = {};
  const socketErrors: Error[] = [];
  const socket = UdpSocket.bind({ hostname: "127.0.0.1", port: 0 }, (data, from) => {
    holder.transport?.receiveDatagram(data, from);
    holder.transport?.tick();
  }, (error) => socketErrors.push(error));
  const transport = holder.transport = new Transport({
    role: "server",
    key,
    initialState: new CompleteTerminal(new TerminalState(80, 24)),
    initialRemoteState: new UserStream(),
    clock,
    socket,
  });
  transport.currentState.screen = screen;
  const tmux = await TmuxSession.start({
    command: `mosh-client 127.0.0.1 ${socket.localAddr.port}`,
    env: { MOSH_KEY: key },
  });
  try {
    let shown = "";
    let ok = false;
    const deadline = Date.now() + 8000;
    while (!ok && Date.now() < deadline) {
      transport.tick();
      shown = await tmux.capture();
      ok = shown.includes("hello from deno ssp");
      if (!ok) await new Promise((r) => setTimeout(r, 30));
    }
    assert.ok(ok, `real mosh-client shows our text:\n${shown}`);
    const coloured = await tmux.capture({ escapes: true });
    // Bold green, as tmux reports it.
    assert.ok(coloured.includes("\x1b[1m\x1b[32mhello from deno ssp"), JSON.stringify(coloured));
    assert.deepEqual(socketErrors, [], "no receive failures or handler exceptions");
    assert.equal(transport.sendError, null);
  } finally {
    await tmux.close();
    transport.close();
    await socket.closed;
  }
});

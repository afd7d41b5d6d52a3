/**
 * The detached-session notice of our mosh-server, from the per-user
 * registry: a new login session is told about the user's other sessions
 * that have no client, in mosh 1.4.0's words, and how to resume them.
 */
import assert from "node:assert/strict";
import { clientCommandLine, startServer } from "../support/mosh_programs.ts";
import type { RealMoshServer } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";

Deno.test("a new session lists the user's sessions with no client, and not those with one", async () => {
  const state = Deno.makeTempDirSync();
  const env = { XDG_STATE_HOME: state, PS1: "$ " };
  const servers: RealMoshServer[] = [];
  const panes: TmuxSession[] = [];
  // No command: a login shell, which is when mosh shows its notices.
  const start = async () => {
    const s = await startServer("ours", { command: [], env });
    servers.push(s);
    return s;
  };
  const attach = async (s: RealMoshServer) => {
    const pane = await TmuxSession.start({
      command: `${clientCommandLine("ours", s.port)}; sleep 60`,
      env: { MOSH_KEY: s.key, XDG_STATE_HOME: state },
    });
    panes.push(pane);
    return pane;
  };
  try {
    const lonely = await start(); // never attached: detached, as mosh counts it
    const second = await start();
    const pane = await attach(second);
    await pane.waitFor(
      `Mosh: You have a detached Mosh session on this server (mosh [${lonely.pid}]).`,
      { timeoutMs: 15_000 },
    );
    await pane.waitFor("If its client was killed, `mosh --resume` on the machine it ran on");
    const colored = await pane.capture({ escapes: true });
    assert.ok(
      colored.includes("\x1b[37m\x1b[44mMosh: You have a detached"),
      "mosh's white on blue",
    );

    // Once a client is attached to the first one, a third session hears only of none.
    // (Login shells set their own prompt.)
    await (await attach(lonely)).waitFor(/[$#] ?$/m, { timeoutMs: 15_000 });
    const third = await start();
    await (await attach(third)).waitFor(/[$#] ?$/m, { timeoutMs: 15_000 });
    const screen = await panes[2]!.capture();
    assert.ok(!screen.includes("detached Mosh session"), screen);
  } finally {
    for (const p of panes) await p.close();
    for (const s of servers) await s.stop();
    assert.deepEqual([...Deno.readDirSync(`${state}/mosh-deno/servers`)], [], "entries removed");
    await removeWhenQuiet(state);
  }
});

/** Removes a directory that clients still shutting down may write into for a moment. */
async function removeWhenQuiet(dir: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return Deno.removeSync(dir, { recursive: true });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

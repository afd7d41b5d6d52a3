/**
 * Client features a user meets, ours side by side with Debian's real
 * mosh-client 1.4.0 as the oracle, both against real mosh-server in tmux:
 * the window title and its "[mosh] " prefix (`MOSH_TITLE_NOPREFIX`), the
 * alternate screen and `MOSH_NO_TERM_INIT` (`mosh --no-init`),
 * `MOSH_ESCAPE_KEY`, and the "Last reply" bar.
 */
import assert from "node:assert/strict";
import { clientCommandLine, type Implementation } from "../support/mosh_programs.ts";
import { type RealMoshServer, startRealMoshServer } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";
import { UdpImpairmentProxy } from "../support/udp_proxy.ts";

const CLIENTS: Implementation[] = ["real", "ours"];
const PROMPT = /^\$ ?$/m;

interface Session {
  tmux: TmuxSession;
  server: RealMoshServer;
  proxy: UdpImpairmentProxy;
}

/** Runs `scenario` with each client (at once) on a fresh real server behind a proxy. */
async function withEachClient<T>(
  env: Record<string, string>,
  scenario: (session: Session, client: Implementation) => Promise<T>,
): Promise<Record<Implementation, T>> {
  const results = await Promise.all(CLIENTS.map(async (client) => {
    const server = await startRealMoshServer({ env: { PS1: "$ " } });
    const proxy = new UdpImpairmentProxy(server.port);
    const tmux = await TmuxSession.start({
      command: `${clientCommandLine(client, proxy.port)}; sleep 60`,
      env: { MOSH_KEY: server.key, ...env },
    });
    try {
      await tmux.waitFor(PROMPT, { timeoutMs: 15_000 });
      return [client, await scenario({ tmux, server, proxy }, client)] as const;
    } catch (error) {
      throw new Error(`${client} client: ${(error as Error).message}`, { cause: error });
    } finally {
      await tmux.close();
      await proxy.close();
      await server.stop();
    }
  }));
  return Object.fromEntries(results) as Record<Implementation, T>;
}

async function paneFormat(tmux: TmuxSession, format: string): Promise<string> {
  return (await tmux.tmux("display-message", "-p", "-t", "0", format)).trim();
}

/** Waits until tmux's `format` of the pane satisfies `ok`; returns the value. */
async function waitForFormat(
  tmux: TmuxSession,
  format: string,
  ok: (value: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 10_000;
  let value = "";
  while (Date.now() < deadline) {
    value = await paneFormat(tmux, format);
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting on ${format}; last value ${JSON.stringify(value)}`);
}

/** Sets the remote window title and returns the pane title the client gives tmux. */
async function titleAfterRemoteSets(tmux: TmuxSession): Promise<string> {
  await tmux.sendText("printf '\\033]0;remote-title\\007'; echo title-set\r");
  await tmux.waitFor(/^title-set$/m);
  return await waitForFormat(tmux, "#{pane_title}", (t) => t.includes("remote-title"));
}

Deno.test("the window title: '[mosh] ' before the remote title, none with MOSH_TITLE_NOPREFIX", async () => {
  const prefixed = await withEachClient({}, ({ tmux }) => titleAfterRemoteSets(tmux));
  assert.deepEqual(prefixed, { real: "[mosh] remote-title", ours: "[mosh] remote-title" });
  const bare = await withEachClient(
    { MOSH_TITLE_NOPREFIX: "1" },
    ({ tmux }) => titleAfterRemoteSets(tmux),
  );
  assert.deepEqual(bare, { real: "remote-title", ours: "remote-title" });
});

Deno.test("a remote title of 300 characters: the terminal gets its first 254 after '[mosh] ', as from Debian's client", async () => {
  const titles = await withEachClient({}, async ({ tmux }) => {
    await tmux.sendText("printf '\\033]0;%s\\007' $(printf 'T%.0s' $(seq 300)); echo long-set\r");
    await tmux.waitFor(/^long-set$/m);
    return await waitForFormat(tmux, "#{pane_title}", (t) => t.includes("TTTT"));
  });
  assert.equal(titles.real, `[mosh] ${"T".repeat(254)}`);
  assert.equal(titles.ours, titles.real);
});

Deno.test("the alternate screen is used, and not with MOSH_NO_TERM_INIT (mosh --no-init)", async () => {
  const alternate = (tmux: TmuxSession) => paneFormat(tmux, "#{alternate_on}");
  assert.deepEqual(await withEachClient({}, ({ tmux }) => alternate(tmux)), {
    real: "1",
    ours: "1",
  });
  assert.deepEqual(
    await withEachClient({ MOSH_NO_TERM_INIT: "1" }, ({ tmux }) => alternate(tmux)),
    { real: "0", ours: "0" },
  );
});

Deno.test("MOSH_ESCAPE_KEY='~' is literal until Enter, then '~.' quits", async () => {
  const screens = await withEachClient({ MOSH_ESCAPE_KEY: "~" }, async ({ tmux }) => {
    // Before the first Enter a printable escape key is just a key.
    await tmux.sendText("echo x~.y");
    await tmux.sendText("\r");
    await tmux.waitFor(/^x~\.y$/m);
    await tmux.sendText("~");
    const help = await tmux.waitFor(/mosh: Commands:.*$/m);
    await tmux.sendText(".");
    await tmux.waitFor("[mosh is exiting.]");
    return help.match(/mosh: Commands:.*$/m)![0].trimEnd();
  });
  assert.equal(screens.ours, screens.real);
  assert.match(screens.real, /"~" gives literal "~"/);
});

/** The bar after the uplink is cut (and `x` typed), with elapsed seconds as N. */
async function barAfterUplinkCut({ tmux, proxy }: Session): Promise<string> {
  proxy.up.loss = 1; // the server never hears us again
  await tmux.sendText("x");
  const screen = await tmux.waitFor(/mosh: Last \w+ \d+ seconds ago\./, { timeoutMs: 20_000 });
  return screen.match(/mosh: Last \w+ \d+ seconds ago\.( \[To quit: Ctrl-\^ \.\])?/)![0]
    .replace(/\d+ seconds/, "N seconds");
}

Deno.test("'Last reply': new screens still arrive but our keystrokes are not acknowledged", async () => {
  const bars = await withEachClient({}, async (session) => {
    // The remote keeps drawing, so new server states keep arriving.
    await session.tmux.sendText("while :; do date +%N; sleep 0.2; done\r");
    await session.tmux.waitFor(/^\d{9}$/m);
    return await barAfterUplinkCut(session);
  });
  assert.deepEqual(bars, {
    real: "mosh: Last reply N seconds ago. [To quit: Ctrl-^ .]",
    ours: "mosh: Last reply N seconds ago. [To quit: Ctrl-^ .]",
  });
});

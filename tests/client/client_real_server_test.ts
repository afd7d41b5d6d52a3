/**
 * Our mosh-client, from source, against Debian's real mosh-server, in tmux.
 */
import assert from "node:assert/strict";
import { startRealMoshServer, waitForExit } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";
import { UdpImpairmentProxy } from "../support/udp_proxy.ts";
import { findDescendant, ttyEchoes, ttySize, waitUntil } from "../support/processes.ts";

const CLIENT = new URL("../../cli/mosh_client.ts", import.meta.url).pathname;

function clientCommand(port: number): string {
  return `${Deno.execPath()} run -A --unstable-net ${CLIENT} 127.0.0.1 ${port}; sleep 60`;
}

Deno.test("our client talks to real mosh-server: commands, resize, escape-key quit", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
  const tmux = await TmuxSession.start({
    command: clientCommand(server.port),
    env: { MOSH_KEY: server.key },
  });
  try {
    await tmux.waitFor(/^[$#] ?$/m);
    await tmux.sendText("echo our-client-works\r");
    await tmux.waitFor(/^our-client-works$/m);
    const shell = findDescendant(server.pid, ["/bin/sh"])!;
    await tmux.resize(90, 30);
    await waitUntil(async () => (await ttySize(shell)).join("x") === "30x90", "the pty resized");
    await tmux.sendText("stty size\r");
    await tmux.waitFor(/^30 90$/m);
    await tmux.sendKeys("C-^");
    await tmux.waitFor('mosh: Commands: Ctrl-Z suspends, "." quits, "^" gives literal Ctrl-^');
    await tmux.sendText(".");
    await tmux.waitFor("[mosh is exiting.]");
    assert.ok(await waitForExit(server.pid, 5000), "the real server ends with the session");
  } finally {
    await tmux.close();
    await server.stop();
  }
});

Deno.test("when the server vanishes the bar shows 'Last contact' and Ctrl-^ . still quits", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
  const tmux = await TmuxSession.start({
    command: clientCommand(server.port),
    env: { MOSH_KEY: server.key },
  });
  try {
    await tmux.waitFor(/^[$#] ?$/m);
    // The escape key's help (shown without the quit hint) and a key after it: mosh-client
    // clears the help, and later messages have the hint again.
    await tmux.sendKeys("C-^");
    await tmux.waitFor("mosh: Commands: Ctrl-Z suspends");
    await tmux.sendText("x");
    await tmux.waitFor(/^\$ \^\^x$/m); // both go to the shell, which echoes Ctrl-^ as ^^
    Deno.kill(server.pid, "SIGKILL");
    await tmux.waitFor(/mosh: Last contact \d+ seconds ago\. \[To quit: Ctrl-\^ \.\]/, {
      timeoutMs: 12_000,
    });
    await tmux.sendKeys("C-^");
    await tmux.sendText(".");
    await tmux.waitFor("[mosh is exiting.]", { timeoutMs: 15_000 });
  } finally {
    await tmux.close();
    await server.stop();
  }
});

Deno.test("prediction shows typing at once over a 150 ms link, and never shows a password", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
  const proxy = new UdpImpairmentProxy(server.port);
  proxy.up.delayMs = 150;
  proxy.down.delayMs = 150;
  const tmux = await TmuxSession.start({
    command: clientCommand(proxy.port),
    env: { MOSH_KEY: server.key, MOSH_PREDICTION_DISPLAY: "always" },
  });
  try {
    await tmux.waitFor(/^[$#] ?$/m, { timeoutMs: 15_000 });
    // The first keystroke of an epoch waits for the server's echo...
    await tmux.sendText("e");
    await tmux.waitFor(/^\$ e$/m, { timeoutMs: 5000 });
    // ...after which typing shows before a round trip (300 ms) could bring the echo.
    const sent = Date.now();
    await tmux.sendText("cho predicted");
    await tmux.waitFor("echo predicted", { timeoutMs: 2000 });
    const elapsed = Date.now() - sent;
    assert.ok(elapsed < 250, `shown after ${elapsed} ms (round trip is 300 ms)`);
    await tmux.sendText("\r");
    await tmux.waitFor(/^predicted$/m);

    // dash has no `read -s`: turn echo off by hand, as a password prompt does, and
    // type only once the remote pty really has echo off.
    const shell = findDescendant(server.pid, ["/bin/sh"])!;
    await tmux.sendText("stty -echo; read pw; stty echo; echo got-$pw\r");
    await waitUntil(async () => !(await ttyEchoes(shell)), "stty -echo on the remote pty");
    await tmux.sendText("hunter2");
    await tmux.sendText("\r");
    // Every screen from the keystrokes until the shell has read the line: a wrong
    // prediction would show during that time, before the server's echo refutes it.
    const screens: string[] = [];
    await waitUntil(async () => {
      screens.push(await tmux.capture());
      return screens.at(-1)!.includes("got-hunter2");
    }, "the shell to read the password");
    const shown = screens.find((s) => s.replaceAll("got-hunter2", "").includes("hunter2"));
    assert.equal(shown, undefined, `the password was drawn (${screens.length} screens watched)`);
  } finally {
    await tmux.close();
    await proxy.close();
    await server.stop();
  }
});

Deno.test("Ctrl-^ Ctrl-Z suspends to the local shell; fg resumes and redraws the session", async () => {
  const server = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
  const tmux = await TmuxSession.start({
    command: "bash --norc --noprofile -i",
    env: { MOSH_KEY: server.key, PS1: "local> " },
  });
  try {
    await tmux.waitFor(/^local> ?$/m);
    await tmux.sendText(
      `${Deno.execPath()} run -A --unstable-net ${CLIENT} 127.0.0.1 ${server.port}\r`,
    );
    await tmux.waitFor(/^\$ ?$/m, { timeoutMs: 15_000 });
    await tmux.sendText("echo before-suspend\r");
    await tmux.waitFor(/^before-suspend$/m);

    await tmux.sendKeys("C-^");
    await tmux.sendKeys("C-z");
    await tmux.waitFor("[mosh is suspended.]");
    await tmux.waitFor(/Stopped/);
    // The local terminal is back to normal: the local shell echoes and runs commands.
    await tmux.sendText("echo local-$((40+2))\r");
    await tmux.waitFor(/^local-42$/m);

    await tmux.sendText("fg\r");
    // Resumed: the whole remote screen is repainted over the local shell's output.
    await tmux.waitFor(/^before-suspend$/m);
    await tmux.sendText("echo after-resume\r");
    const resumed = await tmux.waitFor(/^after-resume$/m);
    assert.ok(!resumed.includes("local-42"), `local output left on screen:\n${resumed}`);
    // The escape key's help went with the suspend, as mosh-client's does.
    assert.doesNotMatch(resumed, /Commands: Ctrl-Z suspends/);

    await tmux.sendKeys("C-^");
    await tmux.sendText(".");
    await tmux.waitFor(/^local> ?$/m, { timeoutMs: 10_000 });
    assert.ok(await waitForExit(server.pid, 5000), "the server ends with the session");
  } finally {
    await tmux.close();
    await server.stop();
  }
});

/** Keys typed while the server is a round trip away: text, or a tmux key name. */
const PREDICTED_KEYS = [..."hello wo", "BSpace", "BSpace", "Left", "Left", "X"];

/**
 * What a client draws after each of {@linkcode PREDICTED_KEYS} while it
 * waits for the server, with attributes (tmux's capture with escapes): the
 * predictions' underline, where it starts and ends, and the cursor.
 */
async function predictedRows(client: "real" | "ours"): Promise<string[]> {
  const server = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
  const proxy = new UdpImpairmentProxy(server.port);
  // A 1.2 s round trip: every key below is drawn (and captured) long before its echo.
  proxy.up.delayMs = 600;
  proxy.down.delayMs = 600;
  const command = client === "real"
    ? `mosh-client 127.0.0.1 ${proxy.port}; sleep 60`
    : clientCommand(proxy.port);
  const tmux = await TmuxSession.start({
    command,
    env: { MOSH_KEY: server.key, MOSH_PREDICTION_DISPLAY: "adaptive" },
  });
  const cursorColumn = async () =>
    Number(await tmux.tmux("display-message", "-p", "-t", "0", "#{cursor_x}"));
  const lastRow = async () =>
    (await tmux.capture({ escapes: true })).split("\n").filter((l) => l.trim() !== "").at(-1)!;
  try {
    await tmux.waitFor(/^\$ ?$/m, { timeoutMs: 30_000 });
    // The first keys of an epoch wait for the server; its echo confirms the epoch.
    await tmux.sendText("echo ");
    await tmux.waitFor(/^\$ echo$/m, { timeoutMs: 10_000 });
    const rows: string[] = [];
    let column = "$ echo ".length;
    for (const key of PREDICTED_KEYS) {
      if (key.length === 1) await tmux.sendText(key);
      else await tmux.sendKeys(key);
      // Each key moves the predicted cursor one column: drawn once it is there.
      column += key.length === 1 ? 1 : -1;
      await waitUntil(
        async () => (await cursorColumn()) === column,
        `the cursor at ${column}`,
        1000,
      );
      rows.push(await lastRow());
    }
    // And once the server's echo has replaced every prediction.
    await waitUntil(async () => !(await lastRow()).includes("\x1b[4m"), "the echo of every key");
    rows.push(await lastRow());
    return rows;
  } finally {
    await tmux.close();
    await proxy.close();
    await server.stop();
  }
}

Deno.test("predictions over a slow link (typing, backspace, cursor keys, insertion) are drawn as Debian's mosh-client draws them, key by key", async () => {
  const real = await predictedRows("real");
  const ours = await predictedRows("ours");
  assert.deepEqual(ours, real);
  // The oracle saw predictions: underlined (mosh flags them on a slow link).
  assert.ok(real.slice(0, -1).every((row) => row.includes("\x1b[4m")), real.join("\n"));
});

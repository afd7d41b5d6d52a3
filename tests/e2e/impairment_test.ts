/**
 * Whole sessions under bad networks and heavy output, in tmux, through the
 * impairment proxy: our client with our server, and each of ours against
 * Debian's real mosh 1.4.0 peer.
 */
import assert from "node:assert/strict";
import { clientCommandLine, type Implementation, startServer } from "../support/mosh_programs.ts";
import { descendants } from "../support/processes.ts";
import { processAlive, type RealMoshServer, waitForExit } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";
import { UdpImpairmentProxy } from "../support/udp_proxy.ts";

interface Pairing {
  client: Implementation;
  server: Implementation;
}

const PAIRINGS: Pairing[] = [
  { client: "ours", server: "ours" },
  { client: "ours", server: "real" },
  { client: "real", server: "ours" },
];

const PROMPT = /^\$ ?$/m;
const LAST_CONTACT = /mosh: Last contact \d+ seconds? ago\./;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Session {
  tmux: TmuxSession;
  proxy: UdpImpairmentProxy;
  server: RealMoshServer;
  clientPid: number;
}

const label = (p: Pairing) => `${p.client} client, ${p.server} server`;

/** Runs `scenario` on a fresh session of `pairing`, always cleaning up. */
async function withSession(
  pairing: Pairing,
  scenario: (session: Session) => Promise<void>,
): Promise<void> {
  const server = await startServer(pairing.server, { env: { PS1: "$ " } });
  const proxy = new UdpImpairmentProxy(server.port, 7);
  const tmux = await TmuxSession.start({
    command: clientCommandLine(pairing.client, proxy.port),
    env: { MOSH_KEY: server.key, PS1: "$ " },
  });
  try {
    await tmux.waitFor(PROMPT, { timeoutMs: 20_000 });
    await scenario({ tmux, proxy, server, clientPid: await tmux.panePid() });
  } catch (error) {
    throw new Error(`${label(pairing)}: ${(error as Error).message}`, { cause: error });
  } finally {
    await tmux.close();
    await proxy.close();
    await server.stop();
  }
}

/** Runs one scenario on every pairing at once (they mostly wait on timers). */
async function onEveryPairing(scenario: (session: Session) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(PAIRINGS.map((p) => withSession(p, scenario)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length > 0) {
    throw new AggregateError(
      failures.map((f) => f.reason),
      failures.map((f) => f.reason.message).join("\n\n"),
    );
  }
}

/** Types a command that prints a marker computed by the shell (so the echo of the typing can't match). */
async function runAndSee(tmux: TmuxSession, word: string, timeoutMs = 10_000): Promise<void> {
  await tmux.sendText(`echo ${word}-$((20+22))\r`);
  await tmux.waitFor(new RegExp(`^${word}-42$`, "m"), { timeoutMs });
}

Deno.test("50% loss both ways, with reordering and duplicates: a typed command's output appears within 30 s", async () => {
  await onEveryPairing(async ({ tmux, proxy }) => {
    for (const direction of [proxy.up, proxy.down]) {
      Object.assign(direction, {
        loss: 0.5,
        reorder: 0.2,
        duplicate: 0.1,
        delayMs: 20,
        jitterMs: 10,
      });
    }
    await runAndSee(tmux, "lossy", 30_000);
    assert.ok(proxy.dropped > 0, "the proxy dropped datagrams");
  });
});

Deno.test("a 20 s blackout shows the Last contact bar, then the session resumes by itself", async () => {
  await onEveryPairing(async ({ tmux, proxy }) => {
    proxy.blackout = true;
    await tmux.waitFor(LAST_CONTACT, { timeoutMs: 15_000 });
    await sleep(20_000 - 8_000);
    proxy.blackout = false;
    // No keystroke needed: the bar goes once the server is heard again.
    const deadline = Date.now() + 15_000;
    while (LAST_CONTACT.test(await tmux.capture())) {
      assert.ok(Date.now() < deadline, "the bar is still shown 15 s after the link came back");
      await sleep(200);
    }
    await runAndSee(tmux, "after-blackout");
  });
});

Deno.test("the client's address changes mid-session (NAT rebinding): the session continues", async () => {
  await onEveryPairing(async ({ tmux, proxy }) => {
    await runAndSee(tmux, "before-rebind");
    proxy.rebind();
    await runAndSee(tmux, "after-rebind");
    proxy.rebind();
    await runAndSee(tmux, "after-second-rebind");
  });
});

Deno.test("a client stopped for 60 s (a closed laptop lid) resumes after SIGCONT", async () => {
  await onEveryPairing(async ({ tmux, clientPid }) => {
    await runAndSee(tmux, "before-stop");
    Deno.kill(clientPid, "SIGSTOP");
    try {
      await sleep(60_000);
    } finally {
      Deno.kill(clientPid, "SIGCONT");
    }
    await runAndSee(tmux, "after-cont", 15_000);
  });
});

const BIG_FILE = "/tmp/mosh-e2e-50mb.txt";

async function makeBigFile(): Promise<void> {
  try {
    if ((await Deno.stat(BIG_FILE)).size >= 50e6) return;
  } catch { /* create it */ }
  const line = (i: number) =>
    `${i} \x1b[3${i % 8}mcoloured\x1b[0m text of a big file, line after line, ${i * 7}\n`;
  const file = await Deno.open(BIG_FILE, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  for (let written = 0, i = 0; written < 50e6;) {
    let chunk = "";
    for (let k = 0; k < 2000; k++) chunk += line(i++);
    const bytes = encoder.encode(chunk);
    await file.write(bytes);
    written += bytes.length;
  }
  file.close();
}

/** The number that starts the big file's last line. */
async function lastLineNumber(): Promise<number> {
  const file = await Deno.open(BIG_FILE);
  try {
    const size = (await file.stat()).size;
    const tail = new Uint8Array(400);
    await file.seek(size - tail.length, Deno.SeekMode.Start);
    const n = await file.read(tail);
    const lines = new TextDecoder().decode(tail.subarray(0, n ?? 0)).trimEnd().split("\n");
    return Number(/^(\d+) /.exec(lines[lines.length - 1]!)![1]);
  } finally {
    file.close();
  }
}

/** The shell's pty at the server (its standard input), e.g. /dev/pts/3. */
function shellPty(serverPid: number): string | null {
  for (const pid of descendants(serverPid)) {
    try {
      const tty = Deno.readLinkSync(`/proc/${pid}/fd/0`);
      if (tty.startsWith("/dev/pts/")) return tty;
    } catch { /* gone */ }
  }
  return null;
}

/**
 * Whether the screen was swallowing output as a string sequence: a marker
 * written straight to the shell's pty after an ST (which ends one) must
 * reach the screen through the server and the client.
 */
async function endsWithSt(serverPid: number, tmux: TmuxSession): Promise<boolean> {
  const tty = shellPty(serverPid);
  if (tty === null) return false;
  const marker = `pty-check-${Date.now()}`;
  await Deno.writeTextFile(tty, `\x1b\\\r\n${marker}\r\n`);
  try {
    await tmux.waitFor(marker, { timeoutMs: 3_000 });
    return true;
  } catch {
    return false;
  }
}

/** The prompt went into a privacy message (see below): every terminal swallows it. */
class SwallowedPromptError extends Error {}

// Latest state wins: Ctrl-C stops a flood at once, where a client that drew
// every byte would go on until the file's end. Whether the prompt came back
// before the end of the file was drawn is the assertion (how fast is for
// bench/compare_real_mosh.ts); the time is logged.
Deno.test("cat of a 50 MB file, then Ctrl-C: the prompt is back before the file's end is drawn", async () => {
  await makeBigFile();
  const last = await lastLineNumber();
  // One pairing at a time: this is about CPU, and the pairings would compete for it.
  for (const pairing of PAIRINGS) {
    for (let attempt = 1;; attempt++) {
      try {
        await withSession(pairing, async ({ tmux, server }) => {
          await tmux.sendText("clear\r");
          await sleep(300);
          await tmux.sendText(`cat ${BIG_FILE}\r`);
          await tmux.waitFor("coloured text of a big file");
          await sleep(1000);
          const before = await tmux.capture();
          assert.ok(!PROMPT.test(before), `cat ended early:\n${before}`);
          const interrupted = performance.now();
          await tmux.sendKeys("C-c");
          let after: string;
          try {
            after = await tmux.waitFor(PROMPT, { timeoutMs: 5_000 });
            const elapsed = performance.now() - interrupted;
            console.log(`${label(pairing)}: prompt back ${elapsed.toFixed(0)} ms after Ctrl-C`);
          } catch {
            // Ctrl-C flushes the pty's output, racing the shell that writes the
            // prompt once cat died: a new line asks for the prompt again.
            console.log(`${label(pairing)}: no prompt 5 s after Ctrl-C; asking with a new line`);
            await tmux.sendText("\r");
            try {
              after = await tmux.waitFor(PROMPT, { timeoutMs: 5_000 });
            } catch (error) {
              // Or the flood stopped just after an ESC, and the tty's echo of the
              // interrupt ("^C") made it ESC ^: the start of a privacy message,
              // which a terminal swallows up to the next ST or ESC. tmux alone
              // does the same, and so does mosh 1.4.0; "$ " has no ESC to end
              // it. (≈ 1 run in 10 with a busy core beside, 2026-12-06; the
              // server's log showed "…\x1b^C" read, then "\r\n$ ".) Told
              // apart by an ST and a line written straight to the pty.
              if (!(await endsWithSt(server.pid, tmux))) throw error;
              throw new SwallowedPromptError("the prompt went into a privacy message (ESC ^C)");
            }
          }
          const shown = [...after.matchAll(/^(\d+) coloured text/gm)].map((m) => Number(m[1]));
          assert.ok(shown.length > 0, `no line of the file above the prompt:\n${after}`);
          assert.ok(
            Math.max(...shown) < last,
            `the whole file was drawn (line ${
              Math.max(...shown)
            } of ${last}): Ctrl-C did not stop it`,
          );
          await runAndSee(tmux, "after-interrupt");
        });
        break;
      } catch (error) {
        // Where the flood stops is chance: one fresh session more, which must pass.
        if (!((error as Error).cause instanceof SwallowedPromptError) || attempt === 2) throw error;
        console.log(`${label(pairing)}: ${((error as Error).cause as Error).message}; once more`);
      }
    }
  }
});

Deno.test("the shell exits: client and server both end cleanly", async () => {
  await onEveryPairing(async ({ tmux, server }) => {
    await tmux.sendText("exit\r");
    const deadline = Date.now() + 10_000;
    while (!(await tmux.paneDead())) {
      assert.ok(Date.now() < deadline, "the client is still running 10 s after the shell exited");
      await sleep(100);
    }
    assert.ok(await waitForExit(server.pid, 10_000), "the server is still running");
  });
});

Deno.test("the server is killed: the client shows the bar and quits on Ctrl-^ .", async () => {
  await onEveryPairing(async ({ tmux, server, clientPid }) => {
    Deno.kill(server.pid, "SIGKILL");
    await tmux.waitFor(LAST_CONTACT, { timeoutMs: 15_000 });
    await tmux.sendKeys("C-^");
    await tmux.sendText(".");
    const quit = Date.now();
    while (processAlive(clientPid)) {
      assert.ok(Date.now() - quit < 10_000, `the client did not quit:\n${await tmux.capture()}`);
      await sleep(100);
    }
  });
});

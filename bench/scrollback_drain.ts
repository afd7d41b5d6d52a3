/**
 * Drain time of `seq 1 N` through our client and server in tmux, with the
 * scrollback extension on (default) and off (`MOSH_SCROLLBACK=0`): the cost
 * of recording and sending scrolled-off lines. Runs alternate to even out
 * load on a shared machine; prints each run and the medians.
 *
 * Run: `deno run -A --unstable-net bench/scrollback_drain.ts [N] [runs] [--root=DIR]`
 * (`--root`: measure another checkout, e.g. the code before the extension).
 *
 * @module
 */
import { TmuxSession } from "../tests/support/tmux.ts";
import { parseMoshConnect } from "../tests/support/real_mosh.ts";

const positional = Deno.args.filter((a) => !a.startsWith("--"));
const N = Number(positional[0] ?? 2_000_000);
const RUNS = Number(positional[1] ?? 3);
const rootArg = Deno.args.find((a) => a.startsWith("--root="));
const ROOT = rootArg
  ? rootArg.slice(7).replace(/\/?$/, "/")
  : new URL("..", import.meta.url).pathname;

/** Drain time of `seq 1 N`, and Ctrl-C latency in a `seq` flood (s), one session. */
async function drainOnce(scrollback: boolean): Promise<[number, number]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      `${ROOT}cli/mosh_server.ts`,
      "new",
      "-p",
      "0",
      "--",
      "/bin/sh",
    ],
    env: { LANG: "C.UTF-8", PS1: "$ " },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const { port, key } = parseMoshConnect(new TextDecoder().decode(out.stdout));
  const serverPid = Number(new TextDecoder().decode(out.stderr).match(/pid = (\d+)/)![1]);
  const client =
    `${Deno.execPath()} run -A --unstable-net ${ROOT}cli/mosh_client.ts 127.0.0.1 ${port}`;
  const env: Record<string, string> = { MOSH_KEY: key, PS1: "$ " };
  if (!scrollback) env.MOSH_SCROLLBACK = "0";
  const tmux = await TmuxSession.start({ command: client, env });
  try {
    await tmux.waitFor(/^\$ ?$/m, { timeoutMs: 20_000 });
    const start = performance.now();
    await tmux.sendText(`seq 1 ${N}; echo DRAIN-$((1+1))\r`);
    await tmux.waitFor("DRAIN-2", { timeoutMs: 300_000 });
    const seconds = (performance.now() - start) / 1000;
    await tmux.sendText("clear; seq 1 1000000000\r");
    await tmux.waitFor(/^\d{7,}$/m, { timeoutMs: 60_000 });
    const interrupted = performance.now();
    await tmux.sendKeys("C-c");
    await tmux.waitFor(/\^C\n\$ ?$/m, { timeoutMs: 60_000 });
    const ctrlC = (performance.now() - interrupted) / 1000;
    await tmux.sendText("exit\r");
    return [seconds, ctrlC];
  } finally {
    await tmux.close();
    try {
      Deno.kill(serverPid, "SIGTERM");
    } catch { /* gone */ }
  }
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const on: number[] = [], off: number[] = [], onC: number[] = [], offC: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [a, b] = await drainOnce(false);
  off.push(a);
  offC.push(b);
  const [c, d] = await drainOnce(true);
  on.push(c);
  onC.push(d);
  console.log(
    `run ${i + 1}: drain off ${a.toFixed(2)} s, on ${c.toFixed(2)} s; ` +
      `Ctrl-C off ${(b * 1000).toFixed(0)} ms, on ${(d * 1000).toFixed(0)} ms`,
  );
}
console.log(
  `Ctrl-C in a flood, median of ${RUNS}: off ${(median(offC) * 1000).toFixed(0)} ms, ` +
    `on ${(median(onC) * 1000).toFixed(0)} ms`,
);
console.log(
  `seq 1 ${N} drain, median of ${RUNS}: off ${median(off).toFixed(2)} s, on ${
    median(on).toFixed(2)
  } s`,
);

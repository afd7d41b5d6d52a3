/**
 * Keystroke-to-screen latency, measured on our own pty (every byte the
 * client writes is timestamped as it arrives), through the impairment proxy.
 *
 * 1. Client table: our mosh-client vs real mosh-client, both against real
 *    mosh-server, at 0, 50 and 150 ms one-way delay, prediction always and
 *    never: median and p90 latency of typed characters.
 * 2. Prediction study: a generated typing trace (shell commands with typos,
 *    a vi edit, a password prompt) over 250 ms one-way delay, ours end to end
 *    vs real mosh end to end, prediction adaptive (mosh's default) and never:
 *    fraction of keystrokes shown instantly (< 30 ms), mean and median.
 *
 * A keystroke's latency is the time from writing it to the client's pty to
 * the first client output that changes the screen; the next key goes after
 * the echo of this one has surely arrived, so responses never overlap.
 *
 * Run: `deno run -A --unstable-net bench/keystroke_latency.ts [--quick] [--table|--study]
 * [--delays=0,50,150]`
 *
 * @module
 */
import { PtyProgram } from "../tests/support/pty_program.ts";
import { clientArgv, type Implementation, startServer } from "../tests/support/mosh_programs.ts";
import { UdpImpairmentProxy } from "../tests/support/udp_proxy.ts";
import { type Keystroke, type TraceContext, typingTrace } from "./typing_trace.ts";

const quick = Deno.args.includes("--quick");
const onlyTable = Deno.args.includes("--table");
const onlyStudy = Deno.args.includes("--study");
const INSTANT_MS = 30;
const delaysArg = Deno.args.find((a) => a.startsWith("--delays="));
const DELAYS = delaysArg ? delaysArg.slice(9).split(",").map(Number) : [0, 50, 150];

type PredictMode = "always" | "never" | "adaptive";

interface RunConfig {
  client: Implementation;
  server: Implementation;
  delayMs: number;
  predict: PredictMode;
}

interface Sample {
  context: TraceContext;
  /** null: the screen did not change. */
  latencyMs: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function atPrompt(p: PtyProgram): boolean {
  const fb = p.screen.fb;
  return fb.ds.cursorCol === 2 && fb.rowText(fb.ds.cursorRow).trimEnd() === "$";
}

async function runTrace(
  config: RunConfig,
  trace: Keystroke[],
): Promise<{ samples: Sample[]; passwordShown: boolean }> {
  // A home of its own: the shell starts there and vi's files stay apart.
  const home = await Deno.makeTempDir({ prefix: "mosh-latency-" });
  const server = await startServer(config.server, { env: { PS1: "$ ", HOME: home } });
  const proxy = new UdpImpairmentProxy(server.port);
  proxy.up.delayMs = proxy.down.delayMs = config.delayMs;
  const program = PtyProgram.start(clientArgv(config.client, proxy.port), {
    env: { MOSH_KEY: server.key, MOSH_PREDICTION_DISPLAY: config.predict },
  });
  const samples: Sample[] = [];
  let passwordShown = false;
  const roundTrip = 2 * config.delayMs;
  try {
    if ((await program.waitUntil(() => atPrompt(program), 30_000)) === null) {
      throw new Error(`no prompt:\n${program.text()}`);
    }
    await sleep(roundTrip + 500); // let RTT estimates settle
    for (const keystroke of trace) {
      const before = program.signature();
      const sent = performance.now();
      await program.type(keystroke.key);
      const changed = await program.waitUntil(
        () => program.signature() !== before,
        roundTrip + 1500,
      );
      samples.push({
        context: keystroke.context,
        latencyMs: changed === null ? null : changed - sent,
      });
      if (keystroke.waitFor === "prompt") await program.waitUntil(() => atPrompt(program), 10_000);
      if (keystroke.waitFor === "vi") await program.waitFor(/^~/m, 10_000);
      await sleep(roundTrip + 150);
      if (program.text().includes("hun")) passwordShown = true;
    }
  } finally {
    await program.close();
    await proxy.close();
    await server.stop();
    await Deno.remove(home, { recursive: true });
  }
  return { samples, passwordShown };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function stats(samples: Sample[]) {
  const visible = samples.filter((s) => s.context !== "password" && s.latencyMs !== null)
    .map((s) => s.latencyMs!).sort((a, b) => a - b);
  const mean = visible.reduce((a, b) => a + b, 0) / visible.length;
  return {
    n: visible.length,
    unchanged: samples.filter((s) => s.context !== "password" && s.latencyMs === null).length,
    instant: visible.filter((ms) => ms < INSTANT_MS).length / visible.length,
    mean,
    median: percentile(visible, 0.5),
    p90: percentile(visible, 0.9),
  };
}

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;

async function clientTable(): Promise<void> {
  const trace = typingTrace(1, { commands: quick ? 1 : 2, viEdits: 0, passwords: 0 });
  console.log(`\n## Keystroke latency, our client vs real mosh-client (${trace.length} keys)\n`);
  console.log("| one-way delay | prediction | ours median / p90 | real median / p90 | ratio |");
  console.log("|---|---|---|---|---|");
  for (const delayMs of DELAYS) {
    for (const predict of ["always", "never"] as const) {
      const row: ReturnType<typeof stats>[] = [];
      for (const client of ["ours", "real"] as const) {
        const { samples } = await runTrace({ client, server: "real", delayMs, predict }, trace);
        row.push(stats(samples));
      }
      const [o, r] = row as [ReturnType<typeof stats>, ReturnType<typeof stats>];
      console.log(
        `| ${delayMs} ms | ${predict} | ${ms(o.median)} / ${ms(o.p90)} | ${ms(r.median)} / ${
          ms(r.p90)
        } | ${(o.median / r.median).toFixed(2)}× |`,
      );
    }
  }
}

async function predictionStudy(): Promise<void> {
  const trace = typingTrace(7, {
    commands: quick ? 2 : 5,
    viEdits: 1,
    passwords: 1,
  });
  const configs: RunConfig[] = [];
  for (const impl of ["ours", "real"] as const) {
    for (const predict of ["adaptive", "never"] as const) {
      configs.push({ client: impl, server: impl, delayMs: 250, predict });
    }
  }
  // The four runs are independent sessions waiting on a slow link: run them together.
  const results = await Promise.all(configs.map((c) => runTrace(c, trace)));
  console.log(
    `\n## Prediction study: ${trace.length} keystrokes (shell, vi, password), 250 ms one-way\n`,
  );
  console.log("| end to end | prediction | instant (< 30 ms) | mean | median | password shown |");
  console.log("|---|---|---|---|---|---|");
  configs.forEach((c, i) => {
    const s = stats(results[i]!.samples);
    console.log(
      `| ${c.client} | ${c.predict} | ${(s.instant * 100).toFixed(0)}% of ${s.n} | ${
        ms(s.mean)
      } | ${ms(s.median)} | ${results[i]!.passwordShown ? "YES" : "no"} |`,
    );
  });
}

if (!onlyStudy) await clientTable();
if (!onlyTable) await predictionStudy();

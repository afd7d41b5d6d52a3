/**
 * Ours against Debian's mosh 1.4.0 on this machine, in one run, each figure
 * the median of 3 rounds (real and ours alternate, so load spikes hit both):
 *
 * - time to first prompt (server started, client connected, prompt shown)
 * - an idle session: CPU over 30 s and resident size, server and client
 * - drain of `seq 1 2000000` and of a 50 MB mixed-SGR file through client +
 *   server: time, server CPU, client CPU, peak RSS of each (over the 2M drain)
 * - the 2M drain through our server with the real client
 * - steady mixed output (`seq`, colours, `ls` every 0.5 s) through 10 % loss
 *   both ways: CPU per 30 s and resident size of server and client
 * - `mosh --local` until a typed command has run (the wrappers)
 * - `mosh user@127.0.0.1` through a real sshd (tests/support/sshd.ts) until a
 *   typed command has run: the wrapper, ssh and the server's start as a user
 *   meets them
 * - keystroke echo with prediction always, median of 32 keys (bench/keystroke_latency.ts)
 *
 * Run: `deno run -A --unstable-net bench/compare_real_mosh.ts [--quick] [--rounds=N]
 * [--only=pair,real-client,steady,local,ssh,keys] [--ours-only]` (`--quick`: 1 round, smaller inputs,
 * 5 s windows; `--only`: just those sections; `--ours-only`: skip real mosh, for a quick look
 * while working). It ends with a table ready for README's "Measured" section.
 *
 * @module
 */
import { shellQuote, TmuxSession } from "../tests/support/tmux.ts";
import { TestSshd } from "../tests/support/sshd.ts";
import {
  clientCommandLine,
  type Implementation,
  startServer,
} from "../tests/support/mosh_programs.ts";
import { UdpImpairmentProxy } from "../tests/support/udp_proxy.ts";
import { STEADY_LOAD_COMMAND } from "./steady_load.ts";
import { V8_FLAGS_ARG, v8FlagsArg } from "../lib/v8_flags.ts";

const quick = Deno.args.includes("--quick");
const roundsArg = Deno.args.find((a) => a.startsWith("--rounds="));
const ROUNDS = roundsArg ? Number(roundsArg.slice(9)) : quick ? 1 : 3;
const SEQ_N = quick ? 200_000 : 2_000_000;
const SGR_MB = quick ? 5 : 50;
const WINDOW_S = quick ? 5 : 30;
const onlyArg = Deno.args.find((a) => a.startsWith("--only="));
const SECTIONS = new Set(
  onlyArg ? onlyArg.slice(7).split(",") : ["pair", "real-client", "steady", "local", "ssh", "keys"],
);
const IMPLEMENTATIONS: Implementation[] = Deno.args.includes("--ours-only")
  ? ["ours"]
  : ["real", "ours"];
const ROOT = new URL("..", import.meta.url).pathname;
const TICK = 100; // clock ticks per second on Linux
const PROMPT = /^\$ ?$/m;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

function statusMb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0) / 1024;
}

async function makeSgrFile(): Promise<string> {
  const path = `/tmp/mosh-bench-sgr-${SGR_MB}mb.txt`;
  try {
    if ((await Deno.stat(path)).size >= SGR_MB * 1e6) return path;
  } catch { /* create */ }
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let written = 0, i = 0;
  while (written < SGR_MB * 1e6) {
    let chunk = "";
    for (let k = 0; k < 1000; k++, i++) {
      chunk += `\x1b[1;3${i % 8}mline ${i}\x1b[0m \x1b[38;5;${i % 256}mpalette \x1b[48;2;${
        i % 256
      };${(i * 7) % 256};99mtruecolor\x1b[0m plain text to fill the row ${i * 31}\r\n`;
    }
    const bytes = enc.encode(chunk);
    await file.write(bytes);
    written += bytes.length;
  }
  file.close();
  return path;
}

/** A server and a client in tmux, connected, the prompt shown. */
interface Pair {
  tmux: TmuxSession;
  serverPid: number;
  clientPid: number;
  /** Seconds from starting the server to the prompt on the client's screen. */
  firstPrompt: number;
  close(): Promise<void>;
}

async function startPair(
  server: Implementation,
  client: Implementation,
  options: { loss?: number } = {},
): Promise<Pair> {
  const started = performance.now();
  const s = await startServer(server, { command: ["/bin/sh"], env: { PS1: "$ " } });
  let proxy: UdpImpairmentProxy | null = null;
  let port = s.port;
  if (options.loss) {
    proxy = new UdpImpairmentProxy(s.port, 7);
    proxy.up = { loss: options.loss };
    proxy.down = { loss: options.loss };
    port = proxy.port;
  }
  const tmux = await TmuxSession.start({
    command: clientCommandLine(client, port),
    env: { MOSH_KEY: s.key, PS1: "$ " },
  });
  const close = async () => {
    try {
      await tmux.sendText("exit\r");
      await sleep(500);
    } catch { /* tmux already gone */ }
    await tmux.close();
    await s.stop();
    await proxy?.close();
  };
  try {
    await tmux.waitFor(PROMPT, { timeoutMs: 30_000 });
  } catch (error) {
    await close();
    throw error;
  }
  const firstPrompt = (performance.now() - started) / 1000;
  return { tmux, serverPid: s.pid, clientPid: await tmux.panePid(), firstPrompt, close };
}

let marker = 0;
/** Runs `command` and waits for the marker echoed after it; seconds. */
async function drain(tmux: TmuxSession, command: string): Promise<number> {
  const n = ++marker;
  const start = performance.now();
  await tmux.sendText(`${command}; echo DRAIN-$((${n}+1000))\r`);
  await tmux.waitFor(`DRAIN-${n + 1000}`, { timeoutMs: 300_000 });
  const seconds = (performance.now() - start) / 1000;
  await tmux.waitFor(PROMPT, { timeoutMs: 30_000 });
  return seconds;
}

/**
 * Starts `command`, lets it flood for 1 s, presses Ctrl-C: seconds until the
 * prompt is back (NaN if the flood ended first, or the prompt never came).
 */
async function interruptFlood(tmux: TmuxSession, command: string): Promise<number> {
  const n = ++marker;
  // A marker on a cleared screen: what follows can only be the new command's.
  await tmux.sendText(`clear; echo READY-$((${n}+1000))\r`);
  await tmux.waitFor(`READY-${n + 1000}`, { timeoutMs: 30_000 });
  await tmux.sendText(`${command}\r`);
  await tmux.waitFor("palette", { timeoutMs: 30_000 }); // the file is on the screen
  await sleep(1000);
  if (PROMPT.test(await tmux.capture())) return NaN; // drained already (--quick's small file)
  const start = performance.now();
  await tmux.sendKeys("C-c");
  try {
    await tmux.waitFor(PROMPT, { timeoutMs: 10_000 });
  } catch {
    // Ctrl-C's output flush can race the shell's prompt (a new line asks
    // again), or the flood stopped just after an ESC and the echoed "^C" made
    // it ESC ^, a privacy message that swallows "$ " up to the next ST or ESC,
    // as tmux alone and mosh 1.4.0 do (tests/e2e/impairment_test.ts). Neither
    // is a time to count.
    await tmux.sendText("\r");
    try {
      await tmux.waitFor(PROMPT, { timeoutMs: 10_000 });
      console.error("no prompt 10 s after Ctrl-C; a new line brought it");
    } catch (error) {
      console.error(
        `no prompt after Ctrl-C, nor after a new line (ESC ^C swallowed it?): ${
          (error as Error).message
        }`,
      );
    }
    return NaN;
  }
  return (performance.now() - start) / 1000;
}

/** CPU seconds of each pid over `seconds`. */
async function cpuOver(pids: number[], seconds: number): Promise<number[]> {
  const before = pids.map(cpuSeconds);
  await sleep(seconds * 1000);
  return pids.map((p, i) => cpuSeconds(p) - before[i]!);
}

type Figures = Record<string, number>;

/** The pair's own measures: start-up, idle, drains, peak RSS. */
async function pairFigures(which: Implementation, sgrFile: string): Promise<Figures> {
  const pair = await startPair(which, which);
  try {
    const f: Figures = { firstPrompt: pair.firstPrompt };
    const { tmux, serverPid, clientPid } = pair;
    await sleep(2000);
    const [idleServer, idleClient] = await cpuOver([serverPid, clientPid], WINDOW_S);
    f.idleServerCpu = idleServer!;
    f.idleClientCpu = idleClient!;
    f.idleServerRss = statusMb(serverPid, "VmRSS");
    f.idleClientRss = statusMb(clientPid, "VmRSS");
    let s0 = cpuSeconds(serverPid), c0 = cpuSeconds(clientPid);
    f.seqDrain = await drain(tmux, `seq 1 ${SEQ_N}`);
    f.seqServerCpu = cpuSeconds(serverPid) - s0;
    f.seqClientCpu = cpuSeconds(clientPid) - c0;
    f.seqServerPeak = statusMb(serverPid, "VmHWM");
    f.seqClientPeak = statusMb(clientPid, "VmHWM");
    s0 = cpuSeconds(serverPid), c0 = cpuSeconds(clientPid);
    f.sgrDrain = await drain(tmux, `cat ${sgrFile}`);
    f.sgrServerCpu = cpuSeconds(serverPid) - s0;
    f.sgrClientCpu = cpuSeconds(clientPid) - c0;
    f.interrupt = await interruptFlood(tmux, `cat ${sgrFile}`);
    return f;
  } finally {
    await pair.close();
  }
}

/** The 2M drain through `server` with the real client. */
async function withRealClient(server: Implementation): Promise<Figures> {
  const pair = await startPair(server, "real");
  try {
    const s0 = cpuSeconds(pair.serverPid);
    const seqRealClientDrain = await drain(pair.tmux, `seq 1 ${SEQ_N}`);
    return { seqRealClientDrain, seqRealClientServerCpu: cpuSeconds(pair.serverPid) - s0 };
  } finally {
    await pair.close();
  }
}

/** Steady mixed output through 10 % loss both ways. */
async function steady(which: Implementation): Promise<Figures> {
  const pair = await startPair(which, which, { loss: 0.1 });
  try {
    const { tmux, serverPid, clientPid } = pair;
    await tmux.sendText(STEADY_LOAD_COMMAND);
    await sleep(3000);
    const [server, client] = await cpuOver([serverPid, clientPid], WINDOW_S);
    const f = {
      steadyServerCpu: server!,
      steadyClientCpu: client!,
      steadyServerRss: statusMb(serverPid, "VmRSS"),
      steadyClientRss: statusMb(clientPid, "VmRSS"),
    };
    await tmux.sendKeys("C-c");
    await sleep(1000);
    return f;
  } finally {
    await pair.close();
  }
}

/**
 * Starts `command` (a wrapper) in tmux, waits for the login shell's prompt
 * ("$ " or root's "# "), types an `echo` and waits for its output; seconds
 * from the start until then.
 */
async function untilTypedCommandRan(
  command: string,
  env: Record<string, string>,
  marker: string,
): Promise<number> {
  const started = performance.now();
  const tmux = await TmuxSession.start({ command, env });
  try {
    await tmux.waitFor(/[$#] ?$/m, { timeoutMs: 30_000 });
    await tmux.sendText(`echo ${marker}-$((6*7))\r`);
    await tmux.waitFor(`${marker}-42`, { timeoutMs: 30_000 });
    const seconds = (performance.now() - started) / 1000;
    await tmux.sendText("exit\r");
    await sleep(1500);
    return seconds;
  } finally {
    await tmux.close();
  }
}

/** `mosh --local` until `echo` typed at the prompt has printed; seconds. */
async function localCommand(which: Implementation): Promise<Figures> {
  const command = which === "real"
    ? "mosh --local 127.0.0.1"
    : `${Deno.execPath()} run -A --unstable-net ${v8FlagsArg("mosh")} ${ROOT}cli/mosh.ts --local`;
  const env = { PS1: "$ ", SHELL: "/bin/sh", LANG: "C.UTF-8" };
  return { localCommand: await untilTypedCommandRan(command, env, "LOCAL") };
}

/** A running sshd and our mosh-server as a program it can start, for the `ssh` section. */
interface SshSetup {
  sshd: TestSshd;
  ourServer: string;
}

async function startSsh(): Promise<SshSetup> {
  const sshd = await TestSshd.start();
  const ourServer = `${sshd.dir}/our-mosh-server`;
  await Deno.writeTextFile(
    ourServer,
    `#!/bin/sh\nexec ${Deno.execPath()} run -q -A --unstable-net --no-lock ${V8_FLAGS_ARG} ` +
      `${ROOT}cli/mosh_server.ts "$@"\n`,
  );
  await Deno.chmod(ourServer, 0o755);
  return { sshd, ourServer };
}

/** `mosh user@127.0.0.1` through the test sshd until `echo` typed at the prompt has printed; seconds. */
async function sshCommand(which: Implementation, { sshd, ourServer }: SshSetup): Promise<Figures> {
  const ssh = shellQuote(`--ssh=${sshd.sshCommand}`);
  const command = which === "real"
    ? `mosh ${ssh} ${sshd.target}`
    : `${Deno.execPath()} run -A --unstable-net ${v8FlagsArg("mosh")} ${ROOT}cli/mosh.ts ${ssh} ` +
      `--server=${ourServer} ${sshd.target}`;
  return { sshCommand: await untilTypedCommandRan(command, { LANG: "C.UTF-8" }, "SSH") };
}

/** Keystroke echo at 0 ms, prediction always, from bench/keystroke_latency.ts. */
async function keystrokes(): Promise<{ ours: number; real: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      `${ROOT}bench/keystroke_latency.ts`,
      "--table",
      "--delays=0",
      ...(quick ? ["--quick"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const row = text.match(/^\| 0 ms \| always \| ([\d.]+) ms \/ [^|]+\| ([\d.]+) ms/m);
  return row ? { ours: Number(row[1]), real: Number(row[2]) } : { ours: NaN, real: NaN };
}

function median(values: number[]): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const sgrFile = await makeSgrFile();
const ssh = SECTIONS.has("ssh") ? await startSsh() : null;
const rounds: Record<Implementation, Figures[]> = { real: [], ours: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const which of IMPLEMENTATIONS) {
    console.error(`round ${round}/${ROUNDS}: ${which}`);
    rounds[which].push({
      ...SECTIONS.has("pair") ? await pairFigures(which, sgrFile) : {},
      ...SECTIONS.has("real-client") ? await withRealClient(which) : {},
      ...SECTIONS.has("steady") ? await steady(which) : {},
      ...SECTIONS.has("local") ? await localCommand(which) : {},
      ...ssh ? await sshCommand(which, ssh) : {},
    });
  }
}
await ssh?.sshd.stop();
// One run: bench/keystroke_latency.ts already takes the median of 32 keys per client.
console.error("keystrokes");
const keys = SECTIONS.has("keys") ? [await keystrokes()] : [];

const real = (k: string) => median(rounds.real.map((f) => f[k] ?? NaN));
const ours = (k: string) => median(rounds.ours.map((f) => f[k] ?? NaN));
const rows: [string, string, string][] = [
  ["time to first prompt", "firstPrompt", "s"],
  ["`mosh --local` until a typed command has run", "localCommand", "s"],
  ["`mosh user@127.0.0.1` through sshd, until a typed command has run", "sshCommand", "s"],
  [`drain \`seq 1 ${SEQ_N}\`, client + server`, "seqDrain", "s"],
  ["  server CPU for it", "seqServerCpu", "s"],
  ["  client CPU for it", "seqClientCpu", "s"],
  ["  peak RSS, server", "seqServerPeak", "MB"],
  ["  peak RSS, client", "seqClientPeak", "MB"],
  ["same drain, this server with the real client", "seqRealClientDrain", "s"],
  ["  server CPU for it", "seqRealClientServerCpu", "s"],
  [`drain ${SGR_MB} MB mixed-SGR file`, "sgrDrain", "s"],
  ["  server CPU for it", "sgrServerCpu", "s"],
  ["  client CPU for it", "sgrClientCpu", "s"],
  ["Ctrl-C 1 s into that drain, until the prompt", "interrupt", "s"],
  [`idle session: server CPU over ${WINDOW_S} s`, "idleServerCpu", "s"],
  [`idle session: client CPU over ${WINDOW_S} s`, "idleClientCpu", "s"],
  ["idle session: RSS, server", "idleServerRss", "MB"],
  ["idle session: RSS, client", "idleClientRss", "MB"],
  [`steady output, 10 % loss: server CPU per ${WINDOW_S} s`, "steadyServerCpu", "s"],
  [`steady output, 10 % loss: client CPU per ${WINDOW_S} s`, "steadyClientCpu", "s"],
  ["  RSS, server", "steadyServerRss", "MB"],
  ["  RSS, client", "steadyClientRss", "MB"],
];
const fmt = (v: number, unit: string) =>
  Number.isNaN(v) ? "n/a" : `${v.toFixed(unit === "MB" ? 1 : 2)} ${unit}`;
const ratio = (o: number, r: number) =>
  r > 0 && !Number.isNaN(o) ? `${(o / r).toFixed(2)}×` : "n/a";
console.log(
  `\nmosh-deno vs Debian's mosh 1.4.0, ${
    new Date().toISOString().slice(0, 10)
  }, ${Deno.build.target}, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, median of ${ROUNDS}, ` +
    `load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")} at the end\n`,
);
console.log("| measure | real mosh | ours | ours/real |");
console.log("| --- | --- | --- | --- |");
for (const [label, key, unit] of rows) {
  console.log(
    `| ${label} | ${fmt(real(key), unit)} | ${fmt(ours(key), unit)} | ${
      ratio(ours(key), real(key))
    } |`,
  );
}
const ko = median(keys.map((k) => k.ours)), kr = median(keys.map((k) => k.real));
console.log(
  `| keystroke echo, prediction always, 0 ms (median) | ${fmt(kr, "ms")} | ${fmt(ko, "ms")} | ${
    Number.isNaN(ko - kr) ? "n/a" : `${ko - kr >= 0 ? "+" : ""}${(ko - kr).toFixed(1)} ms`
  } |`,
);

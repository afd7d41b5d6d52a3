/**
 * Our server + client against real mosh-server + mosh-client, in one run,
 * on this machine: drain time of `seq 1 2000000` and of a 50 MB mixed-SGR
 * file, server CPU for each, peak RSS, idle CPU, and time to first prompt.
 *
 * Run: `deno run -A --unstable-net bench/compare_real_mosh.ts [--quick]`
 * (`--quick`: smaller inputs and a 5 s idle window).
 *
 * @module
 */
import { startRealMoshServer } from "../tests/support/real_mosh.ts";
import { TmuxSession } from "../tests/support/tmux.ts";
import { parseMoshConnect } from "../tests/support/real_mosh.ts";

const quick = Deno.args.includes("--quick");
const SEQ_N = quick ? 200_000 : 2_000_000;
const SGR_MB = quick ? 5 : 50;
const IDLE_S = quick ? 5 : 30;
const ROOT = new URL("..", import.meta.url).pathname;
const TICK = 100; // clock ticks per second on Linux

function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

function peakRssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0) / 1024;
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

interface Figures {
  firstPrompt: number;
  seqDrain: number;
  seqServerCpu: number;
  sgrDrain: number;
  sgrServerCpu: number;
  serverRss: number;
  clientRss: number;
  idleCpu: number;
}

async function drain(tmux: TmuxSession, command: string, marker: number): Promise<number> {
  const start = performance.now();
  await tmux.sendText(`${command}; echo DRAIN-$((${marker}+1))\r`);
  await tmux.waitFor(`DRAIN-${marker + 1}`, { timeoutMs: 300_000 });
  return (performance.now() - start) / 1000;
}

async function measure(which: "real" | "ours", sgrFile: string): Promise<Figures> {
  const started = performance.now();
  let port: number, key: string, serverPid: number;
  if (which === "real") {
    const s = await startRealMoshServer({ command: ["/bin/sh"], env: { PS1: "$ " } });
    [port, key, serverPid] = [s.port, s.key, s.pid];
  } else {
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
    ({ port, key } = parseMoshConnect(new TextDecoder().decode(out.stdout)));
    serverPid = Number(new TextDecoder().decode(out.stderr).match(/pid = (\d+)/)![1]);
  }
  const client = which === "real"
    ? `mosh-client 127.0.0.1 ${port}`
    : `${Deno.execPath()} run -A --unstable-net ${ROOT}cli/mosh_client.ts 127.0.0.1 ${port}`;
  const tmux = await TmuxSession.start({ command: client, env: { MOSH_KEY: key, PS1: "$ " } });
  try {
    await tmux.waitFor(/^\$ ?$/m, { timeoutMs: 20_000 });
    const firstPrompt = (performance.now() - started) / 1000;
    const clientPid = await tmux.panePid();
    let cpu0 = cpuSeconds(serverPid);
    const seqDrain = await drain(tmux, `seq 1 ${SEQ_N}`, 1);
    const seqServerCpu = cpuSeconds(serverPid) - cpu0;
    cpu0 = cpuSeconds(serverPid);
    const sgrDrain = await drain(tmux, `cat ${sgrFile}`, 2);
    const sgrServerCpu = cpuSeconds(serverPid) - cpu0;
    await tmux.sendText("clear\r");
    await new Promise((r) => setTimeout(r, 1000));
    const idle0 = cpuSeconds(serverPid) + cpuSeconds(clientPid);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const idleCpu = cpuSeconds(serverPid) + cpuSeconds(clientPid) - idle0;
    const figures = {
      firstPrompt,
      seqDrain,
      seqServerCpu,
      sgrDrain,
      sgrServerCpu,
      serverRss: peakRssMb(serverPid),
      clientRss: peakRssMb(clientPid),
      idleCpu,
    };
    await tmux.sendText("exit\r");
    await new Promise((r) => setTimeout(r, 1000));
    return figures;
  } finally {
    await tmux.close();
    try {
      Deno.kill(serverPid, "SIGTERM");
    } catch { /* gone */ }
  }
}

const sgrFile = await makeSgrFile();
const real = await measure("real", sgrFile);
const ours = await measure("ours", sgrFile);
const rows: [string, keyof Figures, string][] = [
  ["time to first prompt", "firstPrompt", "s"],
  [`drain \`seq 1 ${SEQ_N}\``, "seqDrain", "s"],
  ["  server CPU for it", "seqServerCpu", "s"],
  [`drain ${SGR_MB} MB mixed-SGR file`, "sgrDrain", "s"],
  ["  server CPU for it", "sgrServerCpu", "s"],
  ["peak RSS, server", "serverRss", "MB"],
  ["peak RSS, client", "clientRss", "MB"],
  [`idle CPU over ${IDLE_S} s (both)`, "idleCpu", "s"],
];
console.log(
  `\nmosh-deno vs mosh 1.4.0, ${
    new Date().toISOString().slice(0, 10)
  }, ${Deno.build.target}, ${navigator.hardwareConcurrency} cores\n`,
);
console.log("| measure | real mosh | ours | ours/real |");
console.log("|---|---|---|---|");
for (const [label, key, unit] of rows) {
  const ratio = real[key] > 0 ? (ours[key] / real[key]).toFixed(2) : "n/a";
  console.log(
    `| ${label} | ${real[key].toFixed(2)} ${unit} | ${ours[key].toFixed(2)} ${unit} | ${ratio}× |`,
  );
}

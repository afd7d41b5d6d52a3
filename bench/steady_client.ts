/**
 * The client's CPU under bench/compare_real_mosh.ts's steady load (a shell
 * loop printing `seq 1 200`, coloured lines and `ls -l /usr/bin | head -40`
 * every 0.5 s, through 10 % loss both ways), split by thread: the main
 * thread against V8's and Deno's other threads. Alternates clients from
 * several trees (before/after a change) over the same kind of server.
 *
 * Run: `deno run -A --unstable-net bench/steady_client.ts [--client=DIR|real[@K=V]]...
 * [--server=DIR|real] [--seconds=20] [--windows=1] [--rounds=1] [--env=K=V]...
 * [--v8=FLAG]... [--deno=FLAG]... [--trace=FILE] [--pipe=FILE]`
 * - `DIR`: a checkout whose cli/mosh_client.ts runs (default this one);
 *   `@K=V` sets the environment of that client only;
 * - `--windows`: consecutive measuring windows in one session;
 * - `--v8`: V8 flags added to the client's usual ones (lib/v8_flags.ts) (`--v8=--trace-gc` with
 *   `--pipe=FILE` keeps what the pane shows);
 * - `--deno=--cpu-prof --deno=--cpu-prof-dir=DIR` profiles the client;
 * - `--trace=FILE`: each datagram through the proxy, decrypted (before the
 *   loss), with the numbers of each instruction it completes.
 *
 * @module
 */
import { TmuxSession } from "../tests/support/tmux.ts";
import { launchMoshServer } from "../tests/support/real_mosh.ts";
import { UdpImpairmentProxy } from "../tests/support/udp_proxy.ts";
import { STEADY_LOAD_COMMAND } from "./steady_load.ts";
import { CLIENT_V8_FLAGS, V8_FLAGS } from "../lib/v8_flags.ts";
import { Direction, PacketCodec } from "../lib/network/packet.ts";
import { FragmentAssembly } from "../lib/network/fragment_assembly.ts";
import { parseKey } from "../lib/crypto/session_key.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const values = (name: string) =>
  Deno.args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const clients = values("client");
if (clients.length === 0) clients.push(ROOT);
const server = values("server")[0] ?? ROOT;
const SECONDS = Number(values("seconds")[0] ?? 20);
const ROUNDS = Number(values("rounds")[0] ?? 1);
const WINDOWS = Number(values("windows")[0] ?? 1);
const env = Object.fromEntries(values("env").map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
const v8 = [CLIENT_V8_FLAGS, ...values("v8")].join(",");
const denoFlags = values("deno");
const TICK = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds per thread name ("main" for the main thread). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/task/${entry.name}/stat`);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = entry.name === String(pid) ? "main" : comm.replace(/[0-9]+$/, "#");
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / TICK);
      if (name === "main") out.set("main-sys", Number(f[12]) / TICK);
    } catch { /* thread gone */ }
  }
  return out;
}

function clientCommand(spec: string, port: number): string {
  const [which, extra] = spec.split("@") as [string, string | undefined];
  const prefix = extra ? `env ${extra} ` : "";
  if (which === "real") return `${prefix}mosh-client 127.0.0.1 ${port}`;
  return prefix + [
    Deno.execPath(),
    "run",
    "-A",
    "--unstable-net",
    `--v8-flags=${v8}`,
    ...denoFlags,
    `${which.replace(/\/?$/, "/")}cli/mosh_client.ts`,
    "127.0.0.1",
    String(port),
  ].join(" ");
}

async function run(which: string): Promise<string> {
  const program = server === "real" ? ["mosh-server"] : [
    Deno.execPath(),
    "run",
    "-A",
    "--unstable-net",
    `--v8-flags=${V8_FLAGS}`,
    `${server.replace(/\/?$/, "/")}cli/mosh_server.ts`,
  ];
  const s = await launchMoshServer(program, { command: ["/bin/sh"], env: { PS1: "$ " } });
  const proxy = new UdpImpairmentProxy(s.port, 7);
  proxy.up = { loss: 0.1 };
  proxy.down = { loss: 0.1 };
  let down = 0, downBytes = 0, up = 0, counting = false;
  const tracePath = values("trace")[0];
  const codecs = [
    new PacketCodec(parseKey(s.key), Direction.ToServer),
    new PacketCodec(parseKey(s.key), Direction.ToClient),
  ];
  const assemblies = [new FragmentAssembly(), new FragmentAssembly()];
  const start = performance.now();
  const trace: string[] = [];
  proxy.tap = (data, fromClient) => {
    if (!counting) return;
    if (tracePath) {
      const d = fromClient ? 0 : 1;
      const payload = codecs[1 - d]!.open(data).payload;
      const view = new DataView(payload.buffer, payload.byteOffset);
      const inst = assemblies[d]!.add(payload);
      const t = (performance.now() - start).toFixed(0);
      trace.push(
        `${t} ${fromClient ? "up  " : "down"} ${data.length} frag ${view.getUint16(8) & 0x7fff}${
          inst
            ? ` old ${inst.oldNum} new ${inst.newNum} ack ${inst.ackNum} throw ${inst.throwawayNum} diff ${inst.diff.length}`
            : ""
        }`,
      );
    }
    if (fromClient) up++;
    else down++, downBytes += data.length;
  };
  const tmux = await TmuxSession.start({
    command: clientCommand(which, proxy.port),
    env: { MOSH_KEY: s.key, PS1: "$ ", ...env },
  });
  try {
    await tmux.waitFor(/^\$ ?$/m, { timeoutMs: 30_000 });
    const pipe = values("pipe")[0];
    if (pipe) await tmux.tmux("pipe-pane", "-t", "0", `cat >> ${pipe}`);
    const pid = await tmux.panePid();
    await tmux.sendText(STEADY_LOAD_COMMAND);
    await sleep(3000);
    const lines: string[] = [];
    for (let w = 0; w < WINDOWS; w++) lines.push(await measure(pid));
    await tmux.sendKeys("C-c");
    await sleep(500);
    await tmux.sendText("exit\r");
    await sleep(1500);
    return lines.join("\n");
  } finally {
    await tmux.close();
    await s.stop();
    await proxy.close();
  }

  async function measure(pid: number): Promise<string> {
    const before = threadCpu(pid);
    const serverBefore = threadCpu(s.pid);
    down = up = downBytes = 0;
    counting = true;
    await sleep(SECONDS * 1000);
    counting = false;
    if (tracePath) Deno.writeTextFileSync(tracePath, trace.join("\n") + "\n");
    const after = threadCpu(pid);
    const serverAfter = threadCpu(s.pid);
    const sum = (m: Map<string, number>) =>
      [...m].filter(([k]) => k !== "main-sys").reduce((a, [, b]) => a + b, 0);
    const parts = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const)
      .filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(2)}`);
    const rss = Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmHWM:\s+(\d+)/)?.[1];
    return `${which === ROOT ? "this" : which}: client ${
      (sum(after) - sum(before)).toFixed(2)
    } s (${parts.join(", ")}), server ${
      (sum(serverAfter) - sum(serverBefore)).toFixed(2)
    } s, down ${down} (${(downBytes / 1000).toFixed(0)} KB), up ${up}, client peak ${
      (Number(rss) / 1024).toFixed(1)
    } MB, load ${Deno.loadavg()[0]!.toFixed(2)}`;
  }
}

for (let r = 0; r < ROUNDS; r++) {
  for (const c of clients) console.log(await run(c));
}

/**
 * The floor of a keystroke's echo for any Deno program: a program that only
 * echoes its input, through the same pty harness as
 * bench/keystroke_latency.ts (a key written, the time until the screen
 * changes), 32 keys 150 ms apart, median. "plain" reads and writes and does
 * nothing else; "busy" also keeps a UDP receive pending and a timer armed,
 * as our client does. Compare with the client table's "always" cells.
 *
 * Run: `deno run -A --unstable-net bench/stdin_echo_floor.ts [--rounds=3]`
 *
 * @module
 */
import { PtyProgram } from "../tests/support/pty_program.ts";
import { V8_FLAGS_ARG } from "../lib/v8_flags.ts";

const mode = Deno.args.find((a) => a.startsWith("--echo="))?.slice(7);
const ROUNDS = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The echo program: stdin to stdout until "q". */
async function echo(busy: boolean): Promise<void> {
  Deno.stdin.setRaw(true);
  let socket: Deno.DatagramConn | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (busy) {
    socket = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    const s = socket;
    (async () => {
      const b = new Uint8Array(65_536);
      for (;;) {
        try {
          await s.receive(b);
        } catch {
          return;
        }
      }
    })();
    const rearm = () => timer = setTimeout(rearm, 3000);
    rearm();
  }
  const buffer = new Uint8Array(16_384);
  for (;;) {
    const n = await Deno.stdin.read(buffer);
    if (n === null || buffer[0] === 0x71) break;
    Deno.stdout.writeSync(buffer.subarray(0, n));
  }
  clearTimeout(timer);
  socket?.close();
  Deno.stdin.setRaw(false);
}

/** Median milliseconds from a key written to the echo program's screen changing. */
async function measure(which: string): Promise<number> {
  const program = PtyProgram.start([
    Deno.execPath(),
    "run",
    "-A",
    "--unstable-net",
    V8_FLAGS_ARG,
    new URL(import.meta.url).pathname,
    `--echo=${which}`,
  ], {});
  await sleep(1500);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < 32; i++) {
      const before = program.signature();
      const sent = performance.now();
      await program.type(String.fromCharCode(97 + (i % 16)));
      const changed = await program.waitUntil(() => program.signature() !== before, 2000);
      if (changed !== null) latencies.push(changed - sent);
      await sleep(150);
    }
    await program.type("q");
    await sleep(200);
  } finally {
    await program.close();
  }
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length / 2)] ?? NaN;
}

if (mode) {
  await echo(mode === "busy");
} else {
  for (let r = 0; r < ROUNDS; r++) {
    for (const which of ["plain", "busy"]) {
      console.log(`${which}: median ${(await measure(which)).toFixed(2)} ms`);
    }
  }
}

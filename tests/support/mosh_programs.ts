/**
 * Either implementation of the two programs, started the same way: ours
 * from source, or Debian's real mosh 1.4.0. End-to-end tests and
 * benchmarks run every scenario over both.
 *
 * @module
 */
import {
  parseMoshConnect,
  processAlive,
  type RealMoshServer,
  startRealMoshServer,
  waitForExit,
} from "./real_mosh.ts";

/** Which implementation. */
export type Implementation = "ours" | "real";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Starts `mosh-server new -p 0 [args...] -- command` of either implementation. */
export async function startServer(
  which: Implementation,
  options: { command?: string[]; env?: Record<string, string>; args?: string[] } = {},
): Promise<RealMoshServer> {
  const command = options.command ?? ["/bin/sh"];
  const args = options.args ?? [];
  if (which === "real") {
    return await startRealMoshServer({ command, env: options.env ?? {}, args });
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", `${ROOT}cli/mosh_server.ts`, "new", "-p", "0", ...args]
      .concat("--", command),
    env: { LANG: "C.UTF-8", LC_ALL: "C.UTF-8", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`our mosh-server failed: ${stderr}`);
  const { port, key } = parseMoshConnect(new TextDecoder().decode(out.stdout));
  const pid = Number(stderr.match(/\[mosh-server detached, pid = (\d+)\]/)?.[1]);
  if (!(pid > 0)) throw new Error(`No detach line in our mosh-server stderr: ${stderr}`);
  return {
    port,
    key,
    pid,
    async stop() {
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        if (!processAlive(pid)) return;
        try {
          Deno.kill(pid, signal);
        } catch { /* gone */ }
        await waitForExit(pid, 2000);
      }
    },
  };
}

/** The argv that runs `mosh-client` of either implementation, before its arguments. */
export function clientProgram(which: Implementation): string[] {
  return which === "real"
    ? ["mosh-client"]
    : [Deno.execPath(), "run", "-A", "--unstable-net", `${ROOT}cli/mosh_client.ts`];
}

/** The argv of `mosh-client 127.0.0.1 port` of either implementation. */
export function clientArgv(which: Implementation, port: number): string[] {
  return [...clientProgram(which), "127.0.0.1", String(port)];
}

/** The same as one shell command line. */
export function clientCommandLine(which: Implementation, port: number): string {
  return clientArgv(which, port).join(" ");
}

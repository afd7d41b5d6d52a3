/**
 * Starts Debian's real `mosh-server` for end-to-end tests.
 *
 * @module
 */

/** A running real mosh-server session. */
export interface RealMoshServer {
  port: number;
  key: string;
  pid: number;
  /** SIGTERM, then SIGKILL if it lingers; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Parses `MOSH CONNECT <port> <key>` out of a server's stdout. */
export function parseMoshConnect(text: string): { port: number; key: string } {
  const m = text.match(/^MOSH CONNECT (\d+) ([A-Za-z0-9/+]{22})\s*$/m);
  if (!m) throw new Error(`No MOSH CONNECT line in server output: ${JSON.stringify(text)}`);
  return { port: Number(m[1]), key: m[2]! };
}

/** Whether a process exists and has not exited (a zombie waiting to be reaped counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return false;
  }
}

/** Waits (polling) until `pid` has exited, up to `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !processAlive(pid);
}

/**
 * Runs `mosh-server new -p <port> -- <command>` (port 0 = OS-chosen) with a
 * UTF-8 locale and returns its connection details once it has detached.
 */
export async function startRealMoshServer(
  options: { command?: string[]; port?: number; env?: Record<string, string>; args?: string[] } =
    {},
): Promise<RealMoshServer> {
  const command = options.command ?? ["/bin/sh"];
  const output = await new Deno.Command("mosh-server", {
    args: ["new", "-p", String(options.port ?? 0), ...(options.args ?? []), "--", ...command],
    env: { LANG: "C.UTF-8", LC_ALL: "C.UTF-8", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  const { port, key } = parseMoshConnect(stdout);
  const pidMatch = stderr.match(/\[mosh-server detached, pid = (\d+)\]/);
  if (!pidMatch) throw new Error(`No detach line in mosh-server stderr: ${stderr}`);
  const pid = Number(pidMatch[1]);
  return {
    port,
    key,
    pid,
    async stop() {
      if (!processAlive(pid)) return;
      try {
        Deno.kill(pid, "SIGTERM");
      } catch { /* already gone */ }
      if (!(await waitForExit(pid, 2000))) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* already gone */ }
        await waitForExit(pid, 2000);
      }
    },
  };
}

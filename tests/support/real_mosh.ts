/**
 * Starts Debian's real `mosh-server` for end-to-end tests.
 *
 * @module
 */
import { TEST_STATE_HOME } from "./state_home.ts";
import { descendants, waitUntil } from "./processes.ts";

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

/** Options for starting a mosh-server of either implementation. */
export interface ServerStartOptions {
  /** The command the server runs (default /bin/sh). */
  command?: string[];
  /** UDP port (default 0 = OS-chosen). */
  port?: number;
  /** Added to a UTF-8 locale. */
  env?: Record<string, string>;
  /** Server arguments before `--` (e.g. `-c 256`). */
  args?: string[];
  /** Variables of this process's environment the server does not get. */
  unset?: string[];
  /** The directory the server is started in. */
  cwd?: string;
}

/** The daemon's pid from `mosh-server new`'s "[mosh-server detached, pid = N]" line, or null. */
export function detachedPid(stderr: string): number | null {
  const m = stderr.match(/\[mosh-server detached, pid = (\d+)\]/);
  return m ? Number(m[1]) : null;
}

/** Ends `pid`: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopProcess(pid: number, graceMs = 2000): Promise<void> {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    if (!processAlive(pid)) return;
    try {
      Deno.kill(pid, signal);
    } catch { /* already gone */ }
    await waitForExit(pid, graceMs);
  }
}

/** Whether `pid`'s standard input is a pty (/dev/pts/N). */
function onPty(pid: number): boolean {
  try {
    return Deno.readLinkSync(`/proc/${pid}/fd/0`).startsWith("/dev/pts/");
  } catch {
    return false;
  }
}

/** Whether `pid` is our own mosh-server's daemon (it has no child before a client attaches). */
function isOurDaemon(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").includes("--internal-daemon");
  } catch {
    return false;
  }
}

/**
 * Stops a detached mosh-server once its session's child is on its pty.
 * mosh-server's forked child opens the slave by path: with the daemon
 * killed before that, the child could open a reused /dev/pts/N (a later
 * test's terminal) and swallow what is typed there. Ours spawns the shell
 * already on its pty when a client attaches, so there is nothing to wait for.
 */
export async function stopMoshServer(pid: number, graceMs = 2000): Promise<void> {
  if (!isOurDaemon(pid)) {
    await waitUntil(
      () => !processAlive(pid) || descendants(pid).some(onPty),
      `mosh-server ${pid}'s child on its pty`,
    );
  }
  await stopProcess(pid, graceMs);
}

/**
 * Runs `PROGRAM... new -p <port> [args] -- <command>` with a UTF-8 locale
 * and returns its connection details once it has detached: one way to
 * start either implementation's server.
 */
export async function launchMoshServer(
  program: string[],
  options: ServerStartOptions = {},
): Promise<RealMoshServer> {
  const command = options.command ?? ["/bin/sh"];
  const args = ["new", "-p", String(options.port ?? 0), ...(options.args ?? []), "--", ...command];
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    XDG_STATE_HOME: TEST_STATE_HOME,
    ...options.env,
  };
  for (const name of options.unset ?? []) delete env[name];
  const output = await new Deno.Command(program[0]!, {
    args: [...program.slice(1), ...args],
    env,
    clearEnv: true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${program.join(" ")} failed: ${stderr}`);
  const { port, key } = parseMoshConnect(stdout);
  const pid = detachedPid(stderr);
  if (pid === null) throw new Error(`No detach line in mosh-server stderr: ${stderr}`);
  return { port, key, pid, stop: () => stopMoshServer(pid) };
}

/** Debian's real `mosh-server new -p <port> -- <command>` (port 0 = OS-chosen). */
export async function startRealMoshServer(
  options: ServerStartOptions = {},
): Promise<RealMoshServer> {
  return await launchMoshServer(["mosh-server"], options);
}

/**
 * Starts the user's program on the pty slave with `posix_spawnp` (through
 * FFI): a new session whose leader opens the slave and so acquires it as
 * controlling terminal and stdio, with default signal dispositions and an
 * empty signal mask. Deno cannot fork; spawning directly saves launching a
 * helper copy of Deno that would only exec the shell.
 *
 * @module
 */
import { cString, cStringArray, errno, libc, PLATFORM } from "../libc.ts";

/** What to run on the pty. */
export interface SpawnRequest {
  /** Path of the pty slave. */
  tty: string;
  /** Program, searched in PATH. */
  program: string;
  /** argv, starting with argv[0] (e.g. `-bash` for a login shell). */
  argv: string[];
  /** The program's whole environment. */
  env: Record<string, string>;
  /** Working directory. */
  cwd: string;
}

/** `posix_spawnp` (or a step preparing it) failed; `errno` says why. */
export class SpawnError extends Error {
  /** The error number the call returned. */
  readonly errno: number;
  constructor(call: string, code: number) {
    super(`${call} failed (errno ${code})`);
    this.name = "SpawnError";
    this.errno = code;
  }
}

/** A started program. */
export interface SpawnedProgram {
  /** Its process id. */
  pid: number;
  /** Resolves with the raw wait status once it has exited (and been reaped). */
  exited: Promise<number>;
}

function check(call: string, result: number): void {
  if (result !== 0) throw new SpawnError(call, result);
}

/**
 * Starts `request.program` as the leader of a new session on the pty slave.
 *
 * @throws {SpawnError} when the program cannot be started (e.g. not found: errno 2)
 * @example
 * ```ts ignore
 * const pty = Pty.open(80, 24);
 * const child = spawnInPty({ tty: pty.slavePath, program: "sh", argv: ["-sh"],
 *   env: { PATH: "/usr/bin:/bin" }, cwd: "/" });
 * await child.exited;
 * ```
 */
export function spawnInPty(request: SpawnRequest): SpawnedProgram {
  const c = libc();
  // Generous sizes: glibc's attr is 336 bytes, its file actions 80, its sigset 128.
  const attr = new Uint8Array(1024), actions = new Uint8Array(512);
  const all = new Uint8Array(128), none = new Uint8Array(128);
  check("posix_spawnattr_init", c.posix_spawnattr_init(attr));
  check("posix_spawn_file_actions_init", c.posix_spawn_file_actions_init(actions));
  try {
    c.sigfillset(all);
    // glibc's sigfillset leaves out its two internal signals (32 and 33), and
    // its posix_spawn sets those to "ignore" in the child when the parent
    // handles them, as every threaded process does; an ignored signal stays
    // ignored across exec. mosh's fork and exec leave them at their default:
    // name all 64 signals (the kernel's bit for signal n is bit n - 1).
    if (Deno.build.os === "linux") all.fill(0xff, 0, 8);
    c.sigemptyset(none);
    const flags = PLATFORM.POSIX_SPAWN_SETSID | PLATFORM.POSIX_SPAWN_SETSIGDEF |
      PLATFORM.POSIX_SPAWN_SETSIGMASK;
    check("posix_spawnattr_setflags", c.posix_spawnattr_setflags(attr, flags));
    // Deno ignores SIGPIPE and blocks some signals: the program starts with defaults.
    check("posix_spawnattr_setsigdefault", c.posix_spawnattr_setsigdefault(attr, all));
    check("posix_spawnattr_setsigmask", c.posix_spawnattr_setsigmask(attr, none));
    const tty = cString(request.tty), cwd = cString(request.cwd);
    // After setsid, opening the terminal (without O_NOCTTY) makes it the controlling one.
    check(
      "posix_spawn_file_actions_addopen",
      c.posix_spawn_file_actions_addopen(actions, 0, tty, PLATFORM.O_RDWR, 0),
    );
    check("posix_spawn_file_actions_adddup2", c.posix_spawn_file_actions_adddup2(actions, 0, 1));
    check("posix_spawn_file_actions_adddup2", c.posix_spawn_file_actions_adddup2(actions, 0, 2));
    if (c.posix_spawn_file_actions_addchdir_np) {
      check(
        "posix_spawn_file_actions_addchdir_np",
        c.posix_spawn_file_actions_addchdir_np(actions, cwd),
      );
    }
    const argv = cStringArray(request.argv);
    const envp = cStringArray(Object.entries(request.env).map(([k, v]) => `${k}=${v}`));
    const pid = new Int32Array(1);
    check(
      "posix_spawnp",
      c.posix_spawnp(
        new Uint8Array(pid.buffer),
        cString(request.program),
        actions,
        attr,
        argv.array,
        envp.array,
      ),
    );
    return { pid: pid[0]!, exited: reap(pid[0]!) };
  } finally {
    c.posix_spawn_file_actions_destroy(actions);
    c.posix_spawnattr_destroy(attr);
  }
}

/** Waits for `pid` on a worker thread; resolves with its wait status. */
async function reap(pid: number): Promise<number> {
  const c = libc();
  const status = new Int32Array(1);
  const statusBytes = new Uint8Array(status.buffer);
  for (;;) {
    if (await c.waitpid_async(pid, statusBytes, 0) === pid) return status[0]!;
    // Interrupted, or errno on the worker thread unknown: ask again without blocking.
    const r = c.waitpid(pid, statusBytes, PLATFORM.WNOHANG);
    if (r === pid) return status[0]!;
    if (r < 0 && errno() !== PLATFORM.EINTR) return -1; // not our child any more
  }
}

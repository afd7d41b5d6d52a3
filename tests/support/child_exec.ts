/**
 * How the tests' {@linkcode PtyProgram} runs a program on a pty as its
 * controlling terminal, in a re-launched Deno (which cannot fork): become a
 * session leader, take the pty slave as controlling terminal and stdio,
 * wait for a release line, reset signal dispositions, and exec the program.
 * (Our server once started the shell this way; it now uses `posix_spawn`,
 * lib/server/pty_spawn.ts.)
 *
 * @module
 */
import {
  cString,
  cStringArray,
  errno,
  libc,
  PLATFORM,
  resetSignals,
  strerror,
} from "../../lib/libc.ts";

/** What the helper is asked to run. */
export interface ExecRequest {
  /** Path of the pty slave. */
  tty: string;
  /** Program to search in PATH. */
  program: string;
  /** argv, starting with argv[0] (e.g. `-bash` for a login shell). */
  argv: string[];
}

/**
 * A step before the pty becomes the helper's stdio failed (setsid, opening
 * the slave): reported on the helper's own stderr, which the client never
 * sees. (A failed execvp, later, is written into the pty.)
 */
export class ExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecError";
  }
}

/**
 * Runs in the helper process: never returns on success (the process image
 * becomes the program).
 */
export function execInPty(request: ExecRequest): never {
  const c = libc();
  if (c.setsid() < 0) throw new ExecError(`setsid failed (errno ${errno()})`);
  // Opening a terminal as a session leader without a controlling tty acquires it.
  const fd = c.open(cString(request.tty), PLATFORM.O_RDWR);
  if (fd < 0) throw new ExecError(`cannot open ${request.tty} (errno ${errno()})`);
  // Refuse a terminal another session controls: our pty is fresh, so it is ours
  // unless our server died and its number went to someone else's terminal,
  // whose keystrokes we would then steal (our release wait reads its input).
  if (c.ioctl_int(fd, BigInt(PLATFORM.TIOCSCTTY), 0n) !== 0) {
    const code = errno();
    c.close(fd);
    throw new ExecError(
      `${request.tty} is another session's terminal (${strerror(code)}): ` +
        "the server that made it for us is gone; not touching it",
    );
  }
  for (const target of [0, 1, 2]) c.dup2(fd, target);
  if (fd > 2) c.close(fd);
  resetSignals();
  // Wait for the release: a "\n" once the harness reads the terminal.
  const one = new Uint8Array(1);
  for (;;) {
    const n = Number(c.read(0, one, 1n));
    if (n <= 0 || one[0] === 0x0a) break;
  }
  const argv = cStringArray(request.argv);
  c.execvp(cString(request.program), argv.array);
  const code = errno();
  // mosh's warn(): program name, then the system's message.
  const bytes = new TextEncoder().encode(
    `mosh-server: execvp: ${request.program}: ${strerror(code)}\n`,
  );
  c.write(2, bytes, BigInt(bytes.length));
  // Give the client time to show the message, as mosh does.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
  Deno.exit(1);
}

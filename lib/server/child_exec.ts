/**
 * The last step before the user's shell runs, in a re-launched copy of
 * ourselves (Deno cannot fork): become a session leader, take the pty
 * slave as controlling terminal and stdio, wait for the server's release
 * line, reset signal dispositions, and exec the program.
 *
 * @module
 */
import { cString, errno, libc, PLATFORM } from "./libc.ts";

/** What the helper is asked to run. */
export interface ExecRequest {
  /** Path of the pty slave. */
  tty: string;
  /** Program to search in PATH. */
  program: string;
  /** argv, starting with argv[0] (e.g. `-bash` for a login shell). */
  argv: string[];
}

/** A failed step; written into the pty so the client sees it. */
export class ExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecError";
  }
}

/** Builds a NULL-terminated `char *[]` whose strings stay alive with the returned holder. */
function cStringArray(items: string[]): { array: Uint8Array<ArrayBuffer>; keep: Uint8Array[] } {
  const keep = items.map(cString);
  const array = new BigUint64Array(items.length + 1);
  keep.forEach((s, i) => array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s))));
  return { array: new Uint8Array(array.buffer), keep };
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
  c.ioctl_int(fd, BigInt(PLATFORM.TIOCSCTTY), 0n);
  for (const target of [0, 1, 2]) c.dup2(fd, target);
  if (fd > 2) c.close(fd);
  // Deno ignores SIGPIPE and may block signals; the shell must start with defaults.
  for (let sig = 1; sig < 32; sig++) c.signal(sig, null); // SIG_DFL (KILL/STOP just fail)
  c.sigprocmask(2, /* SIG_SETMASK */ new Uint8Array(128), null);
  // Wait for the server's release: it writes "\n" once a client has connected.
  const one = new Uint8Array(1);
  for (;;) {
    const n = Number(c.read(0, one, 1n));
    if (n <= 0 || one[0] === 0x0a) break;
  }
  const argv = cStringArray(request.argv);
  c.execvp(cString(request.program), argv.array);
  const message = `${request.argv[0]}: execvp: ${request.program}: errno ${errno()}\r\n`;
  c.write(2, new TextEncoder().encode(message), BigInt(message.length));
  // Give the client time to show the message, as mosh does.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
  Deno.exit(1);
}

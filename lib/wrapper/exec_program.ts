/**
 * Replaces this process with another program (execvp through FFI), as
 * mosh's wrapper execs mosh-client: no wrapper stays behind between the
 * user's shell and the client, so job control (Ctrl-^ Ctrl-Z, `fg`) and
 * signals reach the client directly.
 *
 * @module
 */
import { cString, cStringArray, errno, libcCalls, resetSignals, strerror } from "../libc.ts";

/** execvp failed; the message is mosh's ("Cannot exec PROGRAM: reason"). */
export class ExecFailedError extends Error {
  /** The errno value, which mosh's wrapper exits with. */
  readonly code: number;
  constructor(program: string, code: number, reason: string) {
    super(`Cannot exec ${program}: ${reason}`);
    this.name = "ExecFailedError";
    this.code = code;
  }
}

/**
 * Whether this process can exec: Linux or macOS, with the FFI permission
 * granted (`-A` or `--allow-ffi`). Without it callers spawn instead.
 */
export function canExec(): boolean {
  if (Deno.build.os !== "linux" && Deno.build.os !== "darwin") return false;
  return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}

/**
 * Execs `argv[0]` (searched in PATH) with `argv` and the current
 * environment. Never returns on success.
 *
 * @throws {ExecFailedError} when the program cannot be executed.
 * @example
 * ```ts ignore
 * import { execProgram } from "./exec_program.ts";
 * execProgram(["mosh-client", "127.0.0.1", "60001"]);
 * ```
 */
export function execProgram(argv: string[]): never {
  const [program] = argv;
  if (program === undefined) throw new ExecFailedError("(nothing)", 22, "Invalid argument");
  const c = libcCalls("execvp");
  // The program must start as if from a shell: default signal actions, nothing blocked.
  resetSignals();
  const args = cStringArray(argv);
  c.execvp(cString(program), args.array);
  const code = errno();
  throw new ExecFailedError(program, code, strerror(code));
}

/**
 * How this program starts another copy of itself — the detached daemon and
 * the pty helper — both when run from source (`deno run … cli/x.ts`) and
 * as a `deno compile`d binary.
 *
 * @module
 */

/** Whether we run inside a `deno compile`d binary rather than the `deno` CLI. */
export function isCompiled(): boolean {
  const exe = Deno.execPath().split(/[\\/]/).pop() ?? "";
  return !/^deno(\.exe)?$/.test(exe);
}

/**
 * The command line that runs this same program with `args`.
 *
 * @example
 * ```ts
 * import { selfCommand } from "./self_command.ts";
 * const [program, ...args] = selfCommand(["--version"]);
 * ```
 */
export function selfCommand(args: string[]): string[] {
  if (isCompiled()) return [Deno.execPath(), ...args];
  return [Deno.execPath(), "run", "-A", "--unstable-net", "--no-lock", Deno.mainModule, ...args];
}

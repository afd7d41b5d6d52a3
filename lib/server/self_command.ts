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
  return [
    Deno.execPath(),
    "run",
    ...permissionFlags(),
    "--unstable-net",
    "--no-lock",
    Deno.mainModule,
  ]
    .concat(args);
}

const PERMISSIONS = ["read", "write", "net", "env", "sys", "run", "ffi"] as const;

/**
 * `deno run` flags granting what this process was granted in full: `-A`
 * when it has everything, else e.g. `--allow-net --allow-ffi` — a copy of
 * an installed program (`deno install` with narrow permissions) must not
 * get more than the original.
 *
 * @example
 * ```ts
 * import { permissionFlags } from "./self_command.ts";
 * permissionFlags(); // ["-A"] under `deno test -A`
 * ```
 */
export function permissionFlags(): string[] {
  const granted = PERMISSIONS.filter((name) =>
    Deno.permissions.querySync({ name }).state === "granted"
  );
  return granted.length === PERMISSIONS.length ? ["-A"] : granted.map((name) => `--allow-${name}`);
}

/**
 * How this program starts another copy of itself — the detached daemon —
 * both when run from source (`deno run … cli/x.ts`) and as a `deno
 * compile`d binary; the wrapper finds its siblings the same way.
 *
 * @module
 */
import { stateDirectory } from "../local_state.ts";
import { V8_FLAGS_ARG } from "../v8_flags.ts";

/** Whether we run inside a `deno compile`d binary rather than the `deno` CLI. */
export function isCompiled(): boolean {
  const exe = Deno.execPath().split(/[\\/]/).pop() ?? "";
  return !/^deno(\.exe)?$/.test(exe);
}

/**
 * `deno run` flags for our programs run from source: this process's
 * permissions, UDP, no lockfile writes, `-q` so Deno's progress bar and
 * its clearing escapes (`\e[0G\e[2K\e[J`) never reach the user's terminal,
 * and our V8 flags (lib/v8_flags.ts; `v8FlagsArg` for a program with its
 * own, e.g. the client's).
 *
 * @example
 * ```ts
 * import { denoRunFlags } from "./self_command.ts";
 * denoRunFlags(); // ["-q", "-A", "--unstable-net", "--no-lock", "--v8-flags=…"] under `deno test -A`
 * ```
 */
export function denoRunFlags(v8FlagsArg: string = V8_FLAGS_ARG): string[] {
  return ["-q", ...permissionFlags(), "--unstable-net", "--no-lock", v8FlagsArg];
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
  return [Deno.execPath(), "run", ...denoRunFlags(), Deno.mainModule, ...args];
}

const PERMISSIONS = ["read", "write", "net", "env", "sys", "run", "ffi"] as const;

/**
 * `deno run` flags granting what this process was granted: `-A` when it
 * has everything, else e.g. `--allow-net --allow-ffi`, plus a read or
 * write grant of our state directory (the session registry) — a copy of an
 * installed program (`deno install` with narrow permissions) gets no more
 * than the original, and no less of what it needs.
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
  if (granted.length === PERMISSIONS.length) return ["-A"];
  const flags = granted.map((name) => `--allow-${name}`);
  let state: string | null = null;
  try {
    state = stateDirectory(Deno.env);
  } catch { /* no HOME, or no permission to read it: nothing to pass on */ }
  for (const name of ["read", "write"] as const) {
    if (state === null || granted.includes(name)) continue;
    if (Deno.permissions.querySync({ name, path: state }).state === "granted") {
      flags.push(`--allow-${name}=${state}`);
    }
  }
  return flags;
}

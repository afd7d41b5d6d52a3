/**
 * Where our own programs are: siblings of this binary when compiled, or
 * `deno run` of the entry points next to this module when run from source
 * (including from a URL).
 *
 * @module
 */
import { denoRunFlags, isCompiled } from "../server/self_command.ts";
import { type ProgramName, v8FlagsArg } from "../v8_flags.ts";

/**
 * The argv that runs one of our programs (`mosh`, `mosh-client`, `mosh-server`).
 *
 * @example
 * ```ts
 * import { programCommand } from "./programs.ts";
 * const [exe, ...args] = programCommand("mosh-client");
 * ```
 */
export function programCommand(name: ProgramName): string[] {
  if (isCompiled()) {
    const dir = Deno.execPath().replace(/[\\/][^\\/]*$/, "");
    return [`${dir}/${name}`];
  }
  const url = new URL(`../../cli/${name.replace("-", "_")}.ts`, import.meta.url);
  const target = url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
  // With the permissions we have, no more: an installed `mosh` (narrow ones) stays narrow.
  return [Deno.execPath(), "run", ...denoRunFlags(v8FlagsArg(name)), target];
}

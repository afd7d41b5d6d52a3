/**
 * Either implementation of the two programs, started the same way: ours
 * from source, or Debian's real mosh 1.4.0. End-to-end tests and
 * benchmarks run every scenario over both.
 *
 * @module
 */
import "./state_home.ts"; // never the user's real resume store
import { launchMoshServer, type RealMoshServer, type ServerStartOptions } from "./real_mosh.ts";
import { v8FlagsArg } from "../../lib/v8_flags.ts";

/** Which implementation. */
export type Implementation = "ours" | "real";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Starts `mosh-server new -p 0 [args...] -- command` of either implementation. */
export async function startServer(
  which: Implementation,
  options: ServerStartOptions = {},
): Promise<RealMoshServer> {
  const program = which === "real" ? ["mosh-server"] : [
    Deno.execPath(),
    "run",
    "-A",
    "--unstable-net",
    v8FlagsArg("mosh-server"),
    `${ROOT}cli/mosh_server.ts`,
  ];
  return await launchMoshServer(program, options);
}

/** The argv that runs `mosh-client` of either implementation, before its arguments. */
export function clientProgram(which: Implementation): string[] {
  // -q as the wrapper runs it: Deno's progress bar would erase the cursor's row.
  return which === "real" ? ["mosh-client"] : [
    Deno.execPath(),
    "run",
    "-q",
    "-A",
    "--unstable-net",
    v8FlagsArg("mosh-client"),
    `${ROOT}cli/mosh_client.ts`,
  ];
}

/** The argv of `mosh-client host port` (host 127.0.0.1 by default) of either implementation. */
export function clientArgv(which: Implementation, port: number, host = "127.0.0.1"): string[] {
  return [...clientProgram(which), host, String(port)];
}

/** The same as one shell command line. */
export function clientCommandLine(which: Implementation, port: number, host?: string): string {
  return clientArgv(which, port, host).join(" ");
}

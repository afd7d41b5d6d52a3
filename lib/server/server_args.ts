/**
 * `mosh-server` command-line parsing, as mosh-server 1.4.0 accepts it.
 *
 * @module
 */

/** Parsed `mosh-server new` options. */
export interface ServerOptions {
  /** Local address to bind, or null for any. */
  bindIp: string | null;
  /** Inclusive port range; [0, 0] lets the OS choose. */
  portLow: number;
  portHigh: number;
  colors: number;
  verbose: number;
  /** `-l NAME=VALUE` locale variables to try. */
  locales: string[];
  /** Program and arguments, or empty for the login shell. */
  command: string[];
  /** Warnings to print (e.g. `-s` without SSH_CONNECTION). */
  warnings: string[];
}

/** What the command line asks for. */
export type ServerCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "run"; options: ServerOptions };

/** A command line mosh-server refuses; print the message and the usage, exit 1. */
export class ServerUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServerUsageError";
  }
}

/** The usage line. */
export function serverUsage(argv0: string): string {
  return `Usage: ${argv0} new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE] [-- COMMAND...]`;
}

/** Parses `PORT` or `LOW:HIGH` with mosh's messages. */
export function parsePortRange(text: string, argv0 = "mosh-server"): [number, number] {
  const fail = (why: string): never => {
    throw new ServerUsageError(`${why}\n${argv0}: Bad UDP port range (${text})`);
  };
  const [lowText, highText] = text.split(":", 2) as [string, string | undefined];
  if (!/^\d+$/.test(lowText)) fail(`Invalid (low) port number (${lowText})`);
  const low = Number(lowText);
  if (low > 65535) fail(`(Low) port number ${low} outside valid range [0..65535]`);
  if (highText === undefined) return [low, low];
  if (!/^\d+$/.test(highText)) fail(`Invalid high port number (${highText})`);
  const high = Number(highText);
  if (high > 65535) fail(`High port number ${high} outside valid range [0..65535]`);
  if (low > high) fail(`Low port ${low} greater than high port ${high}`);
  if (low === 0) fail(`Low port 0 incompatible with port ranges`);
  return [low, high];
}

function sshConnectionIp(
  env: Record<string, string | undefined>,
  warnings: string[],
): string | null {
  const value = env["SSH_CONNECTION"];
  if (value === undefined) {
    warnings.push("Warning: SSH_CONNECTION not found; binding to any interface.");
    return null;
  }
  const words = value.trim().split(/\s+/);
  if (words.length < 3) {
    warnings.push("Warning: Could not parse SSH_CONNECTION; binding to any interface.");
    return null;
  }
  return words[2]!.replace(/^::ffff:(?=.)/i, "");
}

/**
 * Parses mosh-server's arguments (after the program name).
 *
 * @throws {ServerUsageError} for bad ports, colours or legacy arguments.
 * @example
 * ```ts
 * import { parseServerArgs } from "./server_args.ts";
 * parseServerArgs(["new", "-p", "60010", "--", "/bin/sh"]);
 * ```
 */
export function parseServerArgs(
  args: string[],
  env: Record<string, string | undefined> = {},
  argv0 = "mosh-server",
): ServerCommand {
  const dashdash = args.indexOf("--");
  const optionPart = dashdash >= 0 ? args.slice(0, dashdash) : args;
  const command = dashdash >= 0 ? args.slice(dashdash + 1) : [];
  if (optionPart.includes("--help") || optionPart.includes("-h")) return { kind: "help" };
  if (optionPart.includes("--version")) return { kind: "version" };
  const options: ServerOptions = {
    bindIp: null,
    portLow: 60001,
    portHigh: 60999,
    colors: 0,
    verbose: 0,
    locales: [],
    command,
    warnings: [],
  };
  if (optionPart[0] !== "new") {
    if (optionPart.length > 2) throw new ServerUsageError(serverUsage(argv0));
    if (optionPart[0] !== undefined) options.bindIp = optionPart[0];
    if (optionPart[1] !== undefined) {
      [options.portLow, options.portHigh] = parsePortRange(optionPart[1], argv0);
    }
    return { kind: "run", options };
  }
  const rest = optionPart.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const takeValue = (flag: string): string => {
      if (arg.length > 2) return arg.slice(2);
      const v = rest[++i];
      if (v === undefined) {
        throw new ServerUsageError(
          `option requires an argument -- '${flag}'\n${serverUsage(argv0)}`,
        );
      }
      return v;
    };
    if (arg === "-s") options.bindIp = sshConnectionIp(env, options.warnings);
    else if (arg === "-v") options.verbose++;
    else if (arg.startsWith("-i")) options.bindIp = takeValue("i");
    else if (arg.startsWith("-p")) {
      [options.portLow, options.portHigh] = parsePortRange(takeValue("p"), argv0);
    } else if (arg.startsWith("-c")) {
      const v = takeValue("c");
      if (!/^\d+$/.test(v)) {
        throw new ServerUsageError(`${argv0}: Bad number of colors (${v})\n${serverUsage(argv0)}`);
      }
      options.colors = Number(v);
    } else if (arg.startsWith("-l")) options.locales.push(takeValue("l"));
    else if (arg.startsWith("-@")) takeValue("@");
    else options.warnings.push(serverUsage(argv0)); // unknown option: usage, not fatal
  }
  return { kind: "run", options };
}

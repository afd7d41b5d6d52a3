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

/** C's strtol in base 10: the value and what follows it (all of `text` when no digits). */
function strtol(text: string): { value: number; rest: string; overflow: boolean } {
  const m = text.match(/^\s*([+-]?\d+)/);
  if (!m) return { value: 0, rest: text, overflow: false };
  const big = BigInt(m[1]!);
  const overflow = big > 0x7fffffffffffffffn || big < -0x8000000000000000n;
  return { value: Number(big), rest: text.slice(m[0].length), overflow };
}

/** Parses `PORT` or `LOW:HIGH` as mosh's strtol-based parser does, with its messages. */
export function parsePortRange(text: string, argv0 = "mosh-server"): [number, number] {
  const fail = (why: string): never => {
    throw new ServerUsageError(
      `${why}\n${argv0}: Bad UDP port range (${text})\n${serverUsage(argv0)}`,
    );
  };
  const low = strtol(text);
  if (low.overflow || (low.rest !== "" && !low.rest.startsWith(":"))) {
    fail(`Invalid (low) port number (${text})`);
  }
  if (low.value < 0 || low.value > 65535) {
    fail(`(Low) port number ${low.value} outside valid range [0..65535]`);
  }
  if (low.rest === "") return [low.value, low.value];
  const highText = low.rest.slice(1);
  const high = strtol(highText);
  if (high.overflow || high.rest !== "") fail(`Invalid high port number (${highText})`);
  if (high.value < 0 || high.value > 65535) {
    fail(`High port number ${high.value} outside valid range [0..65535]`);
  }
  if (low.value > high.value) fail(`Low port ${low.value} greater than high port ${high.value}`);
  if (low.value === 0) fail(`Low port 0 incompatible with port ranges`);
  return [low.value, high.value];
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
  // getopt(argc - 1, argv + 1, "@:i:p:c:svl:"): messages name "new" as the program,
  // unknown options and missing values print the usage and are not fatal,
  // non-options are skipped (GNU permutation).
  const rest = optionPart.slice(1);
  const problem = (text: string) => options.warnings.push(text, serverUsage(argv0));
  let port: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith("-") || arg === "-") continue;
    for (let k = 1; k < arg.length; k++) {
      const flag = arg[k]!;
      if (flag === "s") options.bindIp = sshConnectionIp(env, options.warnings);
      else if (flag === "v") options.verbose++;
      else if ("@ipcl".includes(flag)) {
        let value: string | undefined = arg.slice(k + 1);
        if (value === "") value = rest[++i];
        if (value === undefined) {
          problem(`new: option requires an argument -- '${flag}'`);
          break;
        }
        if (flag === "i") options.bindIp = value;
        else if (flag === "p") port = value;
        else if (flag === "l") options.locales.push(value);
        else if (flag === "c") {
          const n = strtol(value);
          if (n.overflow || n.rest !== "") {
            throw new ServerUsageError(
              [...options.warnings, `${argv0}: Bad number of colors (${value})`, serverUsage(argv0)]
                .join("\n"),
            );
          }
          options.colors = n.value;
        }
        break;
      } else problem(`new: invalid option -- '${flag}'`);
    }
  }
  if (port !== null) {
    try {
      [options.portLow, options.portHigh] = parsePortRange(port, argv0);
    } catch (error) {
      if (!(error instanceof ServerUsageError)) throw error;
      throw new ServerUsageError([...options.warnings, error.message].join("\n"));
    }
  }
  return { kind: "run", options };
}

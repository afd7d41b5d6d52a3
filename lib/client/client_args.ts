/**
 * `mosh-client` command-line and environment parsing.
 *
 * @module
 */
import { KeyFormatError, parseKey } from "../crypto/session_key.ts";

/** Prediction display modes. */
export type PredictMode = "adaptive" | "always" | "never" | "experimental";

/** What the command line asks for. */
export type ClientCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "colors" }
  | { kind: "run"; ip: string; port: number; host?: string }
  | { kind: "resume"; id?: string; list: boolean };

/** A command line or environment mosh-client refuses; the message is for stderr, exit 1. */
export class ClientUsageError extends Error {
  /** Follow the message with the version banner and the usage, as mosh-client does. */
  readonly showUsage: boolean;
  constructor(message: string, showUsage = false) {
    super(message);
    this.name = "ClientUsageError";
    this.showUsage = showUsage;
  }
}

/** MOSH_KEY is not a key; mosh-client reports it as "Crypto exception: …" after the
 * terminal is set up, then "[mosh is exiting.]". */
export class ClientKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClientKeyError";
  }
}

/** The usage text, mosh-client's (printed after its version banner). */
export function clientUsage(argv0: string): string {
  return `Usage: ${argv0} [-# 'ARGS'] IP PORT\n       ${argv0} -c`;
}

/** `--help`: mosh's usage, then what we add (only here, so usage errors stay mosh's). */
export function clientHelp(argv0: string): string {
  return `${clientUsage(argv0)}\n       ${argv0} --resume [ID] | --resume --list`;
}

/**
 * Parses `mosh-client [-v]... [-# 'ARGS'] IP PORT | -c | --help | --version`.
 *
 * @example
 * ```ts
 * import { parseClientArgs } from "./client_args.ts";
 * parseClientArgs(["-#", "host", "127.0.0.1", "60001"]); // { kind: "run", ip: "127.0.0.1", port: 60001, host: "host" }
 * ```
 */
export function parseClientArgs(args: string[], argv0 = "mosh-client"): ClientCommand {
  if (args.includes("--help")) return { kind: "help" };
  if (args.includes("--version")) return { kind: "version" };
  if (args[0] === "--resume") return parseResume(args.slice(1));
  const positional: string[] = [];
  let host: string | undefined;
  // getopt("#:cv") with GNU argument permutation.
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      if (c === "c") return { kind: "colors" };
      // -v is accepted as mosh accepts it; its debugging output is not implemented.
      if (c === "v") continue;
      else if (c === "#") {
        host = k < a.length - 1 ? a.slice(k + 1) : args[++i];
        if (host === undefined) {
          throw new ClientUsageError(`${argv0}: option requires an argument -- '#'`, true);
        }
        break;
      } else throw new ClientUsageError(`${argv0}: invalid option -- '${c}'`, true);
    }
  }
  if (positional.length !== 2) throw new ClientUsageError("", true);
  const [ip, port] = positional as [string, string];
  if (!/^\d*$/.test(port)) {
    throw new ClientUsageError(`${argv0}: Bad UDP port (${port})\n`, true);
  }
  return {
    kind: "run",
    ip: ip.replace(/^\[(.*)\]$/, "$1"),
    port: Number(port),
    // The wrapper passes `-# 'ARGS |'`: its own command line, for display.
    ...(host?.trim() ? { host: host.trim().replace(/\s*\|$/, "") } : {}),
  };
}

/** The wrapper's long options that take a value (and `-p`, handled apart). */
const VALUE_OPTIONS = [
  "client",
  "server",
  "ssh",
  "predict",
  "family",
  "port",
  "bind-server",
  "experimental-remote-ip",
];

/** `--local` as Getopt::Long takes it: any abbreviation, one dash or two. */
const isLocalOption = (word: string) => /^--?l(o(c(al?)?)?)?$/.test(word);

/**
 * The `[user@]host` in the wrapper's command line that `-#` carries: the
 * first word that is neither an option nor an option's value (after `--`,
 * the word that follows it, as `mosh -- host` takes it). mosh joins
 * that command line with spaces, so a value with spaces in it (`--ssh="ssh
 * -i ~/.ssh/key"`) comes in pieces: a word with `/` or `=` in it is taken
 * for such a piece, not a host. Null when there is none (`mosh --local`).
 *
 * @example
 * ```ts
 * import { wrapperDestination } from "./client_args.ts";
 * wrapperDestination("-a --ssh=ssh -i ~/.ssh/k -p 2222 alice@example.org -- top"); // "alice@example.org"
 * ```
 */
export function wrapperDestination(commandLine: string): string | null {
  const words = commandLine.split(/\s+/).filter((w) => w !== "");
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    // After `--`: the host, unless `--local` needs none (`mosh --local -- htop`).
    if (w === "--") return words.slice(0, i).some(isLocalOption) ? null : words[i + 1] ?? null;
    if (w === "-p") i++;
    else if (w.startsWith("--") && !w.includes("=")) {
      const name = w.slice(2);
      // Getopt::Long takes abbreviations: `--ser` is `--server`.
      if (name !== "" && VALUE_OPTIONS.some((o) => o.startsWith(name))) i++;
    } else if (!w.startsWith("-") && !/[/=]/.test(w)) return w;
  }
  return null;
}

/** `--resume [ID]`, `--resume --list`. */
function parseResume(rest: string[]): ClientCommand {
  if (rest.length === 1 && rest[0] === "--list") return { kind: "resume", list: true };
  if (rest.length === 0) return { kind: "resume", list: false };
  if (rest.length === 1 && /^[a-z0-9]{1,32}$/.test(rest[0]!)) {
    return { kind: "resume", id: rest[0]!, list: false };
  }
  throw new ClientUsageError("", true);
}

/** The client's settings from the environment. */
export interface ClientEnvironment {
  /** The 16-byte session key decoded from MOSH_KEY. */
  key: Uint8Array;
  /** Local echo mode (MOSH_PREDICTION_DISPLAY). */
  predict: PredictMode;
  /** Predict overwrite. */
  predictOverwrite: boolean;
  /** No term init. */
  noTermInit: boolean;
  /** Title no prefix. */
  titleNoPrefix: boolean;
  /** Escape key. */
  escapeKey: string | undefined;
  /** TERM of the local terminal, if set. */
  term: string | undefined;
  /** Lines scrolled off the server's screen go to the local history (off: `MOSH_SCROLLBACK=0`). */
  scrollback: boolean;
}

/**
 * The checks mosh-client makes of its environment before it looks at the
 * locale and the terminal: MOSH_KEY present, a known prediction mode.
 *
 * @throws {ClientUsageError} with mosh's messages.
 */
export function checkClientEnvironment(env: { get(name: string): string | undefined }): void {
  if (env.get("MOSH_KEY") === undefined) {
    throw new ClientUsageError("MOSH_KEY environment variable not found.");
  }
  const predict = env.get("MOSH_PREDICTION_DISPLAY") ?? "adaptive";
  if (!["adaptive", "always", "never", "experimental"].includes(predict)) {
    throw new ClientUsageError(`Unknown prediction mode ${predict}.`);
  }
}

/**
 * Reads (and removes) `MOSH_KEY` and the other `MOSH_*` settings.
 *
 * @throws {ClientUsageError} for a missing key or prediction mode (see {@linkcode checkClientEnvironment}).
 * @throws {ClientKeyError} for a key mosh would refuse.
 */
export function readClientEnvironment(env: {
  get(name: string): string | undefined;
  delete(name: string): void;
}): ClientEnvironment {
  checkClientEnvironment(env);
  const keyText = env.get("MOSH_KEY")!;
  env.delete("MOSH_KEY");
  let key: Uint8Array;
  try {
    key = parseKey(keyText);
  } catch (error) {
    if (error instanceof KeyFormatError) throw new ClientKeyError(error.moshMessage);
    throw error;
  }
  return {
    key,
    predict: (env.get("MOSH_PREDICTION_DISPLAY") ?? "adaptive") as PredictMode,
    predictOverwrite: env.get("MOSH_PREDICTION_OVERWRITE") === "yes",
    noTermInit: env.get("MOSH_NO_TERM_INIT") !== undefined,
    titleNoPrefix: env.get("MOSH_TITLE_NOPREFIX") !== undefined,
    escapeKey: env.get("MOSH_ESCAPE_KEY"),
    term: env.get("TERM"),
    scrollback: env.get("MOSH_SCROLLBACK") !== "0",
  };
}

/**
 * Whether `ip` is an address mosh-client takes: numeric only (it resolves
 * with `AI_NUMERICHOST`, so a name is refused), IPv4 as `inet_aton` reads it
 * or IPv6 (with a `%zone`).
 *
 * @example
 * ```ts
 * import { isNumericAddress } from "./client_args.ts";
 * isNumericAddress("192.0.2.1"); // true
 * isNumericAddress("::1"); // true
 * isNumericAddress("localhost"); // false
 * isNumericAddress("256.1.1.1"); // false
 * ```
 */
export function isNumericAddress(ip: string): boolean {
  if (ip.includes(":")) {
    const address = ip.replace(/%[^%]+$/, "");
    try {
      return new URL(`http://[${address}]/`).hostname !== "";
    } catch {
      return false;
    }
  }
  // inet_aton: 1 to 4 parts (decimal, 0x hex or 0 octal); the last fills the bytes left.
  const parts = ip.split(".");
  if (parts.length > 4) return false;
  const values = parts.map((p) =>
    /^0x[0-9a-f]*$/i.test(p)
      ? parseInt(p.slice(2) || "0", 16)
      : /^0[0-7]*$/.test(p)
      ? parseInt(p, 8)
      : /^[1-9][0-9]*$/.test(p)
      ? Number(p)
      : NaN
  );
  if (values.some((v) => Number.isNaN(v))) return false;
  const last = values.pop()!;
  return values.every((v) => v <= 255) && last < 256 ** (4 - values.length);
}

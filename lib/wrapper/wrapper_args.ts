/**
 * `mosh` (the wrapper) options, parsed GNU-style as mosh 1.4.0's Perl
 * script does: long options may be abbreviated and written with one dash,
 * options and arguments may be interleaved, `--` ends options.
 *
 * @module
 */

/** Address family policies. */
export type Family = "inet" | "inet6" | "auto" | "all" | "prefer-inet" | "prefer-inet6";

/** Parsed wrapper options. */
export interface WrapperOptions {
  client: string | null;
  server: string | null;
  ssh: string;
  sshPty: boolean;
  predict: string | null;
  predictFromEnv: boolean;
  predictOverwrite: boolean;
  family: Family;
  port: string | null;
  bindServer: string;
  remoteIp: "proxy" | "local" | "remote";
  init: boolean;
  /** Lines scrolled off the remote screen go to the local terminal's history (our extension). */
  scrollback: boolean;
  local: boolean;
  fakeProxy: boolean;
  help: boolean;
  version: boolean;
  /** `--resume [ID]`: take over a session whose client died (no ssh). */
  resume: boolean;
  /** With `--resume`: list resumable sessions instead. */
  list: boolean;
  /** `[user@]host` then the remote command. */
  positional: string[];
  /** `--` came before any host: everything after it is the command (host omitted). */
  commandOnly: boolean;
}

/** A command line mosh refuses; print the message (and usage), exit 255. */
export class WrapperUsageError extends Error {
  readonly showUsage: boolean;
  constructor(message: string, showUsage = true) {
    super(message);
    this.name = "WrapperUsageError";
    this.showUsage = showUsage;
  }
}

/** What we add to mosh's options; shown by `--help` only, so every usage error stays mosh's. */
const EXTENSIONS_HELP =
  `        --resume [ID]        take over a session whose client died (the most
                             recent one, or ID); no ssh needed
        --resume --list      list resumable sessions

        --no-scrollback      keep lines that scroll off the remote screen out of
                             the local terminal's history (MOSH_SCROLLBACK=0)
`;

/** `mosh --help`: mosh's usage with our extensions before `--help`. */
export function wrapperHelp(prog: string): string {
  return wrapperUsage(prog).replace(/^ {8}--help /m, `${EXTENSIONS_HELP}\n$&`);
}

/** The usage text mosh prints for a command line it refuses (and, with extensions, for --help). */
export function wrapperUsage(prog: string): string {
  return `Usage: ${prog} [options] [--] [user@]host [command...]
        --client=PATH        mosh client on local machine
                                (default: "mosh-client")
        --server=COMMAND     mosh server on remote machine
                                (default: "mosh-server")

        --predict=adaptive      local echo for slower links [default]
-a      --predict=always        use local echo even on fast links
-n      --predict=never         never use local echo
        --predict=experimental  aggressively echo even when incorrect

-o      --predict-overwrite     prediction overwrites instead of inserting

-4      --family=inet        use IPv4 only
-6      --family=inet6       use IPv6 only
        --family=auto        autodetect network type for single-family hosts only
        --family=all         try all network types
        --family=prefer-inet use all network types, but try IPv4 first [default]
        --family=prefer-inet6 use all network types, but try IPv6 first
-p PORT[:PORT2]
        --port=PORT[:PORT2]  server-side UDP port or range
                                (No effect on server-side SSH port)
        --bind-server={ssh|any|IP}  ask the server to reply from an IP address
                                       (default: "ssh")

        --ssh=COMMAND        ssh command to run when setting up session
                                (example: "ssh -p 2222")
                                (default: "ssh")

        --no-ssh-pty         do not allocate a pseudo tty on ssh connection

        --no-init            do not send terminal initialization string

        --local              run mosh-server locally without using ssh

        --experimental-remote-ip=(local|remote|proxy)  select the method for
                             discovering the remote IP address to use for mosh
                             (default: "proxy")

        --help               this message
        --version            version and copyright information

Please report bugs to mosh-devel@mit.edu.
Mosh home page: https://mosh.org`;
}

/** `extension`: ours, not mosh's; matched only when spelled out, so mosh's abbreviations
 * (`--l` for `--local`) keep their meaning. */
type Spec = {
  name: string;
  value: boolean;
  negatable?: boolean;
  alias?: string;
  extension?: boolean;
};
const LONG: Spec[] = [
  { name: "client", value: true },
  { name: "server", value: true },
  { name: "ssh", value: true },
  { name: "ssh-pty", value: false, negatable: true },
  { name: "predict", value: true },
  { name: "predict-overwrite", value: false, negatable: true, alias: "o" },
  { name: "family", value: true },
  { name: "port", value: true },
  { name: "bind-server", value: true },
  { name: "experimental-remote-ip", value: true },
  { name: "init", value: false, negatable: true },
  { name: "scrollback", value: false, negatable: true, extension: true },
  { name: "local", value: false },
  { name: "fake-proxy", value: false, negatable: true },
  { name: "help", value: false },
  { name: "version", value: false },
  { name: "resume", value: false, extension: true },
  { name: "list", value: false, extension: true },
];

/** Every spelling Getopt::Long accepts (names, aliases, `no-`/`no` negations), sorted as it sorts them. */
const SPELLINGS: { text: string; spec: Spec; negated: boolean }[] = LONG.flatMap((spec) =>
  [spec.name, ...(spec.alias ? [spec.alias] : [])].flatMap((n) => [
    { text: n, spec, negated: false },
    ...(spec.negatable
      ? [{ text: `no-${n}`, spec, negated: true }, { text: `no${n}`, spec, negated: true }]
      : []),
  ])
).sort((a, b) => a.text < b.text ? -1 : a.text > b.text ? 1 : 0);

function findLong(name: string): { spec: Spec; negated: boolean } {
  const exact = SPELLINGS.find((s) => s.text === name);
  if (exact) return exact;
  const hits = SPELLINGS.filter((s) => !s.spec.extension && s.text.startsWith(name));
  if (hits.length === 0) throw new WrapperUsageError(`Unknown option: ${name}`);
  // Several spellings of one option are no ambiguity (Getopt::Long).
  if (new Set(hits.map((h) => h.spec.name + h.negated)).size === 1) return hits[0]!;
  throw new WrapperUsageError(
    `Option ${name} is ambiguous (${hits.map((h) => h.text).join(", ")})`,
  );
}

const FAMILIES: Family[] = ["inet", "inet6", "auto", "all", "prefer-inet", "prefer-inet6"];

/** Validates `PORT` or `LOW:HIGH` with mosh's messages. */
export function validatePort(arg: string, prog: string): void {
  const m = arg.match(/^(\d+)(?::(\d+))?$/);
  if (!m) {
    throw new WrapperUsageError(`${prog}: Server-side port or range (${arg}) is not valid.`, false);
  }
  const low = Number(m[1]);
  if (low > 65535) {
    throw new WrapperUsageError(
      `${prog}: Server-side (low) port (${low}) must be within valid range [0..65535].`,
      false,
    );
  }
  if (m[2] !== undefined) {
    const high = Number(m[2]);
    if (high === 0 || high > 65535) {
      throw new WrapperUsageError(
        `${prog}: Server-side high port (${high}) must be within valid range [1..65535].`,
        false,
      );
    }
    if (low === 0) {
      throw new WrapperUsageError(
        `${prog}: Server-side port ranges may not be used with starting port 0 (${arg}).`,
        false,
      );
    }
    if (low > high) {
      throw new WrapperUsageError(
        `${prog}: Server-side port range (${arg}): low port greater than high port.`,
        false,
      );
    }
  }
}

/**
 * Parses the wrapper's arguments.
 *
 * @throws {WrapperUsageError}
 * @example
 * ```ts
 * import { parseWrapperArgs } from "./wrapper_args.ts";
 * parseWrapperArgs(["-a", "user@host", "--", "htop"], {}).positional; // ["user@host", "htop"]
 * ```
 */
export function parseWrapperArgs(
  args: string[],
  env: Record<string, string | undefined>,
  prog = "mosh",
): WrapperOptions {
  const o: WrapperOptions = {
    client: null,
    server: null,
    ssh: "ssh",
    sshPty: true,
    predict: null,
    predictFromEnv: false,
    predictOverwrite: false,
    family: "prefer-inet",
    port: null,
    bindServer: "ssh",
    remoteIp: "proxy",
    init: true,
    scrollback: true,
    local: false,
    fakeProxy: false,
    help: false,
    version: false,
    resume: false,
    list: false,
    positional: [],
    commandOnly: false,
  };
  const set = (name: string, value: string | null, negated: boolean) => {
    switch (name) {
      case "client":
        o.client = value;
        break;
      case "server":
        o.server = value;
        break;
      case "ssh":
        o.ssh = value!;
        break;
      case "ssh-pty":
        o.sshPty = !negated;
        break;
      case "predict":
        o.predict = value;
        break;
      case "predict-overwrite":
        o.predictOverwrite = !negated;
        break;
      case "family": {
        const f = value!.toLowerCase() as Family;
        if (!FAMILIES.includes(f)) throw new WrapperUsageError(`${prog}: Unknown family ${value}`);
        o.family = f;
        break;
      }
      case "port":
        o.port = value;
        break;
      case "bind-server":
        o.bindServer = value!;
        break;
      case "experimental-remote-ip":
        if (value !== "proxy" && value !== "local" && value !== "remote") {
          throw new WrapperUsageError(`Unknown parameter ${value}`, false);
        }
        o.remoteIp = value;
        break;
      case "init":
        o.init = !negated;
        break;
      case "scrollback":
        o.scrollback = !negated;
        break;
      case "local":
        o.local = true;
        break;
      case "fake-proxy":
        o.fakeProxy = !negated;
        break;
      case "help":
        o.help = true;
        break;
      case "version":
        o.version = true;
        break;
      case "resume":
        o.resume = true;
        break;
      case "list":
        o.list = true;
        break;
    }
  };
  // As Getopt::Long in mosh's Perl: options may follow the host (`mosh host -a`),
  // so a remote command with options of its own goes after `--`; with
  // POSIXLY_CORRECT set, the first non-option ends them.
  const permute = env["POSIXLY_CORRECT"] === undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      o.commandOnly = o.positional.length === 0;
      o.positional.push(...args.slice(i + 1));
      break;
    }
    if (arg === "-a") o.predict = "always";
    else if (arg === "-n") o.predict = "never";
    else if (arg === "-o") o.predictOverwrite = true;
    else if (arg === "-4") o.family = "inet";
    else if (arg === "-6") o.family = "inet6";
    else if (arg === "-p") {
      const v = args[++i];
      if (v === undefined) throw new WrapperUsageError("Option p requires an argument");
      o.port = v;
    } else if (/^-p\d/.test(arg)) o.port = arg.slice(2);
    else if (arg.startsWith("-") && arg.length > 1) {
      const body = arg.replace(/^--?/, "");
      const eq = body.indexOf("=");
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const { spec, negated } = findLong(name);
      let value: string | null = null;
      if (spec.value) {
        if (eq >= 0) value = body.slice(eq + 1);
        else {
          const next = args[++i];
          if (next === undefined) {
            throw new WrapperUsageError(`Option ${name} requires an argument`);
          }
          value = next;
        }
      } else if (eq >= 0) throw new WrapperUsageError(`Option ${name} does not take an argument`);
      set(spec.name, value, negated);
    } else if (permute) o.positional.push(arg);
    else {
      o.positional.push(...args.slice(i).filter((a, k) => !(k === 1 && a === "--")));
      break;
    }
  }
  if (o.predict === null && env["MOSH_PREDICTION_DISPLAY"] !== undefined) {
    o.predict = env["MOSH_PREDICTION_DISPLAY"]!;
    o.predictFromEnv = true;
  }
  o.predict ??= "adaptive";
  if (!["adaptive", "always", "never", "experimental"].includes(o.predict)) {
    throw new WrapperUsageError(
      `${prog}: Unknown mode "${o.predict}"${
        o.predictFromEnv ? " (MOSH_PREDICTION_DISPLAY in environment)" : ""
      }.\n`,
    );
  }
  if (o.port !== null) validatePort(o.port, prog);
  if (o.list && !o.resume) throw new WrapperUsageError(`${prog}: --list goes with --resume`);
  return o;
}

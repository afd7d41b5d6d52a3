/**
 * `mosh [options] [user@]host [-- command]`: starts `mosh-server` over ssh
 * (or locally with `--local`), learns its address, port and key, and runs
 * the client.
 *
 * @module
 */
import { versionText } from "../version.ts";
import { terminalColors, UnknownTerminalError } from "../client/terminal_description.ts";
import { canExec, ExecFailedError, execProgram } from "./exec_program.ts";
import { programCommand } from "./programs.ts";
import {
  remoteCommand,
  ReplyParser,
  serverArgs,
  shellQuote,
  shellSplit,
  sshArgv,
} from "./remote_command.ts";
import {
  parseWrapperArgs,
  wrapperHelp,
  type WrapperOptions,
  wrapperUsage,
  WrapperUsageError,
} from "./wrapper_args.ts";

const PROG = "mosh";
const encoder = new TextEncoder();

/** A bootstrap failure with a message for the user and mosh's exit status for it. */
export class BootstrapError extends Error {
  readonly status: number;
  constructor(message: string, status = 255) {
    super(message);
    this.name = "BootstrapError";
    this.status = status;
  }
}

/** mosh's Perl `die` after its `waitpid` exits with errno ECHILD (10): users see 10. */
const DIE_AFTER_WAIT = 10;

/**
 * A `die` inside mosh's loop over ssh's output (a malformed `MOSH …` line)
 * exits with the errno Perl's buffered read of the pipe left, ESPIPE (29).
 */
const DIE_WHILE_READING = 29;

/**
 * `mosh-client -c` of our own client, answered in this process: the same
 * function the client runs for `-c`. Launching Deno for it cost 0.12–0.25 s
 * of `mosh`'s start-up (strace, 2026-11-25). Where the client would fail
 * (no TERM, an unknown terminal) mosh stops before any server starts, with
 * the client's words and its status.
 */
function ownClientColors(): number {
  try {
    return terminalColors(Deno.env.get("TERM"), Deno.env.toObject());
  } catch (error) {
    if (error instanceof UnknownTerminalError) throw new BootstrapError(error.message, 1);
    throw error;
  }
}

/** Whether `path` is an executable file (else the launch is left to report why not). */
function runnable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * `mosh-client -c`. A client that cannot run stops mosh here, before any
 * server starts ("Can't count colors: …", exit status errno, as mosh's die).
 * `null`: our own client, whose answer needs no launch.
 */
async function clientColors(client: string[] | null): Promise<number> {
  if (client === null) return ownClientColors();
  let out;
  try {
    out = await new Deno.Command(client[0]!, {
      args: [...client.slice(1), "-c"],
      stdout: "piped",
      stderr: "inherit",
      stdin: "null",
    }).output();
  } catch (error) {
    const reason = (error as Error).message.replace(/^.*?: (.*?)(?: \(os error \d+\))?$/, "$1");
    const code = Number((error as Error).message.match(/\(os error (\d+)\)$/)?.[1] ?? 255);
    throw new BootstrapError(`Can't count colors: ${reason}`, code);
  }
  // mosh's `close COLORCOUNT or die`: a failed count stops mosh (the client said why).
  if (!out.success) throw new BootstrapError("", out.code);
  const n = Number(new TextDecoder().decode(out.stdout).trim());
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** Reads lines from several streams at once, handing each to `onLine` until it returns true. */
async function readLines(
  streams: ReadableStream<Uint8Array>[],
  onLine: (line: string) => boolean,
): Promise<void> {
  let stop = false;
  await Promise.all(streams.map(async (stream) => {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      while (!stop) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let nl;
        while (!stop && (nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (onLine(line)) stop = true;
        }
      }
      if (!stop && buffer !== "") onLine(buffer);
    } finally {
      await reader.cancel().catch(() => {});
    }
  }));
}

/**
 * The first address of `host` as this machine resolves it (getaddrinfo,
 * ordered by `--family` as mosh's `resolvename` orders it).
 */
async function resolveHere(host: string, family: WrapperOptions["family"]): Promise<string> {
  // Loaded only here: node:dns brings Deno's Node layer, which no other path needs.
  const { lookup } = await import("node:dns/promises");
  try {
    const { address } = await lookup(host.replace(/^\[(.*)\]$/, "$1"), {
      family: family === "inet" ? 4 : family === "inet6" ? 6 : 0,
      order: family === "prefer-inet"
        ? "ipv4first"
        : family === "prefer-inet6"
        ? "ipv6first"
        : "verbatim",
    });
    return address;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === "ENOTFOUND"
      ? "Name or service not known"
      : code === "EAI_AGAIN"
      ? "Temporary failure in name resolution"
      : (error as Error).message;
    throw new BootstrapError(`${PROG}: could not get canonical name for ${host}: ${reason}`);
  }
}

/** Starts the server (over ssh or locally); returns ip, port and key. */
async function startServer(
  o: WrapperOptions,
  client: string[] | null,
): Promise<{ ip: string; port: number; key: string }> {
  const env = Deno.env.toObject();
  let [target, ...command] = o.positional as [string, ...string[]];
  const host = target.replace(/^.*@/, "");
  const colors = await clientColors(client);
  // --experimental-remote-ip=local: the client's address for the host is this
  // machine's resolution of it, and ssh goes to that same address (resolved
  // after the colours are counted, as mosh does).
  const localIp = o.remoteIp === "local" && !o.local ? await resolveHere(host, o.family) : null;
  if (localIp !== null) target = target.slice(0, target.length - host.length) + localIp;
  const args = serverArgs(
    { colors, bindServer: o.bindServer, local: o.local, port: o.port, host, command },
    env,
  );
  const parser = new ReplyParser(PROG, o.port?.includes(":") ?? false);
  if (localIp !== null) parser.line(`MOSH IP ${localIp}`);
  let child: Deno.ChildProcess;
  if (o.local) {
    const server = o.server ?? programCommand("mosh-server").map(shellQuote).join(" ");
    const localEnv = { ...env };
    delete localEnv["SSH_CONNECTION"];
    parser.line(`MOSH IP ${host}`);
    child = new Deno.Command("/bin/sh", {
      args: ["-c", `${server} ${args.map(shellQuote).join(" ")}`],
      env: localEnv,
      clearEnv: true,
      cwd: env["HOME"] ?? "/",
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } else {
    const server = o.server ?? "mosh-server";
    const self = programCommand("mosh").map(shellQuote).join(" ");
    const proxy = `${self} ${shellQuote(`--family=${o.family}`)} --fake-proxy -- %h %p`;
    const argv = sshArgv(o, target, remoteCommand(server, args, o.remoteIp), proxy);
    try {
      child = new Deno.Command(argv[0]!, {
        args: argv.slice(1),
        env: { ...env, SHELL: "/bin/sh" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      throw new BootstrapError(`${PROG}: cannot run ${argv[0]}: ${(error as Error).message}`);
    }
  }
  let failure: Error | null = null;
  let badUdpPortWarning = false;
  await readLines([child.stdout, child.stderr], (line) => {
    try {
      const shown = parser.line(line);
      if (shown !== null) {
        // Shown as it comes, on stdout, as mosh prints what ssh says (a "\r" stays).
        if (o.port?.includes(":") && /Bad UDP port/.test(shown)) badUdpPortWarning = true;
        Deno.stdout.writeSync(encoder.encode(`${shown}\n`));
      }
    } catch (error) {
      failure = error as Error;
      return true;
    }
    return parser.reply.key !== null;
  });
  await child.status;
  if (failure) throw new BootstrapError((failure as Error).message, DIE_WHILE_READING);
  const r = parser.reply;
  let ip = r.ip;
  if (ip === null) {
    if (r.sshConnectionIp === null) {
      throw new BootstrapError(
        `${PROG}: Did not find remote IP address (is SSH ProxyCommand disabled?).`,
        DIE_AFTER_WAIT,
      );
    }
    console.error(
      `${PROG}: Using remote IP address ${r.sshConnectionIp} from $SSH_CONNECTION for hostname ${target}`,
    );
    ip = r.sshConnectionIp;
  }
  if (r.port === null || r.key === null) {
    if (r.oldServer || badUdpPortWarning) {
      throw new BootstrapError(
        `${PROG}: Server does not support UDP port range option.`,
        DIE_AFTER_WAIT,
      );
    }
    throw new BootstrapError(
      `${PROG}: Did not find mosh server startup message. (Have you installed mosh on your server?)`,
      DIE_AFTER_WAIT,
    );
  }
  return { ip, port: r.port, key: r.key };
}

/** `--fake-proxy -- HOST PORT`: connects, reports `MOSH IP`, relays stdin/stdout. */
async function fakeProxy(o: WrapperOptions): Promise<number> {
  const [host, port] = o.positional;
  if (host === undefined || port === undefined) {
    console.error(`${PROG}: --fake-proxy needs HOST PORT`);
    return 255;
  }
  let conn: Deno.TcpConn;
  try {
    const hostname = host.replace(/^\[(.*)\]$/, "$1");
    conn = await Deno.connect({ hostname, port: Number(port) });
  } catch (error) {
    // mosh shows the system's message, without Deno's "(os error N)".
    const reason = (error as Error).message.replace(/ \(os error \d+\)$/, "");
    const lookup = reason.match(/^failed to lookup address information: (.*)$/);
    console.error(
      lookup
        ? `${PROG}: could not get canonical name for ${host}: ${lookup[1]}`
        : `${PROG}: Could not connect to ${host}, last tried ${host}: ${reason}`,
    );
    return 255;
  }
  const ip = (conn.remoteAddr as Deno.NetAddr).hostname;
  await Deno.stderr.write(encoder.encode(`MOSH IP ${ip}\n`));
  Deno.addSignalListener("SIGHUP", () => {});
  await Promise.all([
    Deno.stdin.readable.pipeTo(conn.writable, { preventClose: true }).then(() => conn.closeWrite())
      .catch(() => {}),
    conn.readable.pipeTo(Deno.stdout.writable).catch(() => {}),
  ]);
  return 0;
}

/**
 * Runs the `mosh` wrapper; resolves to the exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await wrapperMain(Deno.args));
 * ```
 */
export async function wrapperMain(args: string[]): Promise<number> {
  let o: WrapperOptions;
  try {
    o = parseWrapperArgs(args, Deno.env.toObject(), PROG);
  } catch (error) {
    if (error instanceof WrapperUsageError) {
      console.error(error.message);
      if (error.showUsage) console.error(wrapperUsage(PROG));
      return 255;
    }
    throw error;
  }
  if (o.help) {
    console.log(wrapperHelp(PROG));
    return 0;
  }
  if (o.version) {
    console.log(versionText("mosh"));
    return 0;
  }
  if (o.fakeProxy) return await fakeProxy(o);
  // Beyond mosh: with `--local` the host may be omitted (alone, or before `-- command`).
  if (o.local && (o.positional.length === 0 || o.commandOnly)) o.positional.unshift("127.0.0.1");
  if (o.positional.length === 0 && !o.resume) {
    console.error(wrapperUsage(PROG));
    return 255;
  }
  Deno.env.delete("MOSH_PREDICTION_DISPLAY");
  if (o.predictOverwrite) Deno.env.set("MOSH_PREDICTION_OVERWRITE", "yes");
  Deno.env.set("MOSH_CLIENT_PID", String(Deno.pid));
  const client = o.client !== null ? shellSplit(o.client) : programCommand("mosh-client");
  let clientArgs: string[];
  if (o.resume) {
    // The client has everything on record: no ssh round trip.
    clientArgs = o.list ? ["--resume", "--list"] : ["--resume", ...o.positional.slice(0, 1)];
  } else {
    let server;
    try {
      // Our own client (when its program is there to run) needs no launch to count colours.
      server = await startServer(o, o.client === null && runnable(client[0]!) ? null : client);
    } catch (error) {
      if (error instanceof BootstrapError) {
        if (error.message !== "") console.error(error.message);
        return error.status;
      }
      throw error;
    }
    Deno.env.set("MOSH_KEY", server.key);
    clientArgs = [`-# ${args.join(" ")} |`, server.ip, String(server.port)];
  }
  Deno.env.set("MOSH_PREDICTION_DISPLAY", o.predict!);
  if (!o.init) Deno.env.set("MOSH_NO_TERM_INIT", "1");
  if (!o.scrollback) Deno.env.set("MOSH_SCROLLBACK", "0");
  const argv = [...client, ...clientArgs];
  if (canExec()) {
    // Become the client, as mosh's wrapper does: the user's shell then sees the
    // client's stop (Ctrl-^ Ctrl-Z) and `fg` continues it.
    try {
      execProgram(argv);
    } catch (error) {
      if (!(error instanceof ExecFailedError)) throw error;
      console.error(error.message);
      return error.code;
    }
  }
  return await spawnClient(argv);
}

/**
 * Without FFI (no permission, or another OS) the wrapper stays as the
 * client's parent in the same process group: the client's stop of the whole
 * group (Ctrl-^ Ctrl-Z) stops us too, so the shell's job control still works.
 */
async function spawnClient(argv: string[]): Promise<number> {
  let child;
  try {
    child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    const reason = (error as Error).message.replace(/^.*: (.*?)(?: \(os error \d+\))?$/, "$1");
    console.error(`Cannot exec ${argv[0]}: ${reason}`);
    return 255;
  }
  // The terminal belongs to the client now; signals it handles must not kill us first.
  const ignore = () => {};
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP", "SIGWINCH", "SIGCONT"] as const) {
    Deno.addSignalListener(s, ignore);
  }
  const status = await child.status;
  return status.code;
}

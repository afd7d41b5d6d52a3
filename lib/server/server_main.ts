/**
 * `mosh-server`: the two roles of the program — the foreground command
 * that prints `MOSH CONNECT` and returns, and the detached daemon that runs
 * the session and spawns the user's shell on its pty (lib/server/pty_spawn.ts).
 *
 * @module
 */
import { formatKey, generateKey } from "../crypto/session_key.ts";
import type { Address } from "../network/datagram_socket.ts";
import type { UdpSocket } from "../network/udp_socket.ts";
import { LOCALE_VARS, showLocale } from "../locale.ts";
import { withNativeLocale } from "./native_locale.ts";
import { passwdEntry } from "./passwd_entry.ts";
import { versionText } from "../version.ts";
import { libc, libcCalls, nameProcess, strerror } from "../libc.ts";
import { releaseStartupCode } from "../resident_code.ts";
import {
  parseServerArgs,
  type ServerOptions,
  serverUsage,
  ServerUsageError,
} from "./server_args.ts";
import type { ServerSession } from "./server_session.ts";
import { detachedNotice, SessionRegistry } from "./session_registry.ts";
import { selfCommand } from "./self_command.ts";

const DAEMON_FLAG = "--internal-daemon";
/** Datagrams kept while the daemon loads the session (a client sends one or two by then). */
const EARLY_DATAGRAMS = 16;
const encoder = new TextEncoder();

/** What the foreground passes to the daemon (through a pipe: the key never appears in argv). */
interface DaemonConfig {
  key: string;
  options: ServerOptions;
  width: number;
  height: number;
  /** `MOSH_SERVER_NETWORK_TMOUT` and `MOSH_SERVER_SIGNAL_TMOUT`, read by the foreground. */
  networkTimeoutMs: number;
  signalTimeoutMs: number;
}

/**
 * Makes sure the C library adopts a UTF-8 locale, trying the client's `-l`
 * variables when the server's own do not select one (they then stay in the
 * environment for the session's child). Returns what to print on stderr:
 * mosh's warnings for locales that are not installed, then, when no UTF-8
 * locale was found, its refusal.
 */
function checkLocale(locales: string[]): { ok: boolean; message: string } {
  return withNativeLocale((adopt) => {
    const native = adopt();
    if (native.utf8) return { ok: true, message: native.warning };
    for (const name of LOCALE_VARS) Deno.env.delete(name);
    for (const assignment of locales) {
      const eq = assignment.indexOf("=");
      if (eq > 0) Deno.env.set(assignment.slice(0, eq), assignment.slice(eq + 1));
    }
    const client = adopt();
    const warnings = native.warning + client.warning;
    if (client.utf8) return { ok: true, message: warnings };
    return {
      ok: false,
      message: warnings + "mosh-server needs a UTF-8 native locale to run.\n\n" +
        `Unfortunately, the local environment (${native.variable}) specifies\n` +
        `the character set "${native.charset}",\n\n` +
        `The client-supplied environment (${client.variable}) specifies\n` +
        `the character set "${client.charset}".\n\n`,
    };
  });
}

function isTty(rid: { isTerminal(): boolean }): boolean {
  try {
    return rid.isTerminal();
  } catch {
    return false;
  }
}

/**
 * Runs `mosh-server` with the given arguments; resolves to the exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await serverMain(Deno.args));
 * ```
 */
export async function serverMain(args: string[], argv0 = "mosh-server"): Promise<number> {
  if (args[0] === DAEMON_FLAG) return await runDaemon();
  let command;
  try {
    command = parseServerArgs(args, Deno.env.toObject(), argv0);
  } catch (error) {
    if (error instanceof ServerUsageError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (command.kind === "help") {
    console.log(serverUsage(argv0));
    return 0;
  }
  if (command.kind === "version") {
    console.log(versionText("mosh-server"));
    return 0;
  }
  const options = command.options;
  for (const w of options.warnings) console.error(w);
  const locale = checkLocale(options.locales);
  if (locale.message !== "") await Deno.stderr.write(encoder.encode(locale.message));
  if (!locale.ok) {
    await showLocale();
    return 1;
  }
  let width = 80, height = 24;
  if (isTty(Deno.stdin)) {
    try {
      const size = Deno.consoleSize();
      if (size.columns > 0 && size.rows > 0) [width, height] = [size.columns, size.rows];
    } catch { /* not a terminal after all */ }
  }
  // Read here, so their warnings come before MOSH CONNECT, as mosh-server's do.
  const warn = (m: string) => console.error(m);
  const config: DaemonConfig = {
    key: formatKey(generateKey()),
    options,
    width,
    height,
    networkTimeoutMs: timeoutFromEnv("MOSH_SERVER_NETWORK_TMOUT", warn),
    signalTimeoutMs: timeoutFromEnv("MOSH_SERVER_SIGNAL_TMOUT", warn),
  };
  return await startDaemon(config, options.verbose > 0);
}

/** Foreground: starts the daemon, prints MOSH CONNECT, returns so ssh can end. */
async function startDaemon(config: DaemonConfig, verbose: boolean): Promise<number> {
  const [program, ...args] = selfCommand([DAEMON_FLAG]);
  const child = new Deno.Command(program!, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: verbose ? "inherit" : "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(encoder.encode(JSON.stringify(config)));
  await writer.close();
  // The daemon reports bind problems ("MSG …") before "PORT n" or "ERROR …": mosh
  // prints them on the foreground's stderr, before it detaches.
  // A plain reader and TextDecoder: a TextDecoderStream's first use costs a few ms here.
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let port: string | null = null;
  let error = "mosh-server: the session did not start";
  reading: for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith("MSG ")) console.error(line.slice(4));
      else if (line.startsWith("PORT ")) {
        port = line.slice(5);
        break reading;
      } else if (line.startsWith("ERROR ")) {
        error = line.slice(6);
        break reading;
      }
    }
  }
  await reader.cancel().catch(() => {});
  if (port === null) {
    console.error(error);
    await child.status;
    return 1;
  }
  child.unref();
  const prefix = isTty(Deno.stdin) ? "\r\n\n" : "";
  await Deno.stdout.write(encoder.encode(`${prefix}MOSH CONNECT ${port} ${config.key}\n`));
  await Deno.stderr.write(
    encoder.encode(
      `\n${versionText("mosh-server")}\n\n[mosh-server detached, pid = ${child.pid}]\n`,
    ),
  );
  return 0;
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)";
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/**
 * Whether `text` is a numeric IPv4 or IPv6 address (what node:net's isIP
 * accepts; not imported, as it would load Deno's Node layer, ~9 MB and
 * ~0.1 s, into every server process).
 */
function isNumericIp(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!text.includes(":")) return false;
  try {
    new URL(`http://[${text.replace(/%[\w.-]+$/, "")}]/`);
    return true;
  } catch {
    return false;
  }
}

/** A bind that failed on every address tried; mosh's last line for it. */
class BindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BindError";
  }
}

/** Deno's error text without its " (os error N)" suffix: the system's message, as mosh shows it. */
function systemMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/ \(os error \d+\)$/, "");
}

/**
 * Binds as mosh-server does: the requested IP (numeric only, so a name
 * costs no DNS lookups) on each port of the range, then any interface;
 * each failure is reported through `report` in mosh's words.
 *
 * @throws {BindError} when no address could be bound.
 */
function bindSocket(
  socketClass: typeof UdpSocket,
  options: ServerOptions,
  handler: (data: Uint8Array, from: { hostname: string; port: number }) => void,
  report: (message: string) => void,
  onError: (error: Error) => void,
): UdpSocket {
  const tryBind = (hostname: string): UdpSocket => {
    let lastError: unknown = null;
    for (let port = options.portLow; port <= options.portHigh; port++) {
      try {
        return socketClass.bind({ hostname, port }, handler, onError);
      } catch (error) {
        lastError = error;
      }
    }
    report(`Failed binding to ${hostname}:${options.portHigh}`);
    throw new BindError(`bind: ${systemMessage(lastError)}`);
  };
  if (options.bindIp !== null) {
    try {
      if (!isNumericIp(options.bindIp)) {
        // getaddrinfo with AI_NUMERICHOST refuses names; errno is 0 ("Success").
        throw new BindError(
          `Bad IP address (${options.bindIp}): Name or service not known: Success`,
        );
      }
      return tryBind(options.bindIp);
    } catch (error) {
      if (!(error instanceof BindError)) throw error;
      report(`Error binding to IP ${options.bindIp}: ${error.message}`);
    }
  }
  try {
    return tryBind("0.0.0.0");
  } catch (error) {
    if (!(error instanceof BindError)) throw error;
    report(`Error binding to any interface: ${error.message}`);
    throw error;
  }
}

function childProgram(command: string[]): { program: string; argv: string[] } {
  if (command.length > 0) return { program: command[0]!, argv: command };
  // As mosh-server: SHELL, else the passwd entry's shell; empty means the Bourne shell.
  let shell = Deno.env.get("SHELL") ?? passwdEntry()?.shell ?? "";
  if (shell === "") shell = "/bin/sh";
  return { program: shell, argv: [`-${shell.split("/").pop()}`] };
}

/** Everything `input` gives until its end, as text (without a Response's stream machinery). */
async function readAll(input: { read(p: Uint8Array): Promise<number | null> }): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let text = "";
  for (;;) {
    const n = await input.read(buffer);
    if (n === null) return text + decoder.decode();
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
}

/** The long-lived daemon: binds, reports the port, detaches, runs the session. */
async function runDaemon(): Promise<number> {
  const input = await readAll(Deno.stdin);
  const config = JSON.parse(input) as DaemonConfig;
  const { options } = config;
  const calls = libcCalls("setsid", "prctl");
  calls.setsid();
  // As Debian's daemon is named: `killall mosh-server` ends detached sessions.
  nameProcess("mosh-server", calls);
  // The session's modules are loaded here, not at the top (the foreground needs
  // none of them), and only once the port is reported: the foreground, the
  // wrapper and the client's start go on meanwhile (strace: bind 0.12 s after
  // the daemon's exec when loaded first, 2026-11-25).
  const { UdpSocket } = await import("../network/udp_socket.ts");
  let session: ServerSession | null = null;
  // A client faster than that load: its first datagrams wait here.
  const early: [Uint8Array, Address][] = [];
  let socket: UdpSocket;
  const report = (m: string) => Deno.stdout.writeSync(encoder.encode(`MSG ${m}\n`));
  const log = options.verbose > 0 ? (m: string) => console.error(m) : () => {};
  try {
    socket = bindSocket(
      UdpSocket,
      options,
      (data, from) => {
        if (session !== null) session.onDatagram(data, from);
        else if (early.length < EARLY_DATAGRAMS) early.push([data, from]);
      },
      report,
      (error) => log(`Network exception: ${error.stack ?? error.message}`),
    );
  } catch (error) {
    await Deno.stdout.write(
      encoder.encode(`ERROR Network exception: ${systemMessage(error)}\n`),
    );
    return 1;
  }
  // Stopped before the session is built (the foreground reports it detached
  // now): held until then, so it still ends as a stopped session does.
  let stopRequested = false;
  const requestStop = () => stopRequested = true;
  for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(signal, requestStop);
  await Deno.stdout.write(encoder.encode(`PORT ${socket.localAddr.port}\n`));
  Deno.stdout.close();
  const [
    { Pty },
    { PtyHost },
    { ServerSession },
    { SpawnError, spawnInPty },
    { loginGreeting },
  ] = await Promise.all([
    import("./pty.ts"),
    import("./pty_host.ts"),
    import("./server_session.ts"),
    import("./pty_spawn.ts"),
    import("./motd.ts"),
  ]);
  const pty = Pty.open(config.width, config.height);
  const { program, argv } = childProgram(options.command);
  // mosh-server's child goes to HOME, else to the passwd entry's home directory.
  const home = Deno.env.get("HOME") ?? passwdEntry()?.dir ?? "/";
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    TERM: options.colors === 256 ? "xterm-256color" : "xterm",
    NCURSES_NO_UTF8_ACS: "1",
    PWD: home,
  };
  delete env["STY"];
  // Where the home directory cannot be entered, mosh's child stays where the
  // server was started (its chdir fails); so does ours.
  let cwd = home;
  try {
    if (!Deno.statSync(cwd).isDirectory) cwd = Deno.cwd();
  } catch {
    cwd = Deno.cwd();
  }
  // The program starts when the first client attaches, as mosh releases its child then.
  const startChild = (): Promise<unknown> => {
    try {
      return spawnInPty({ tty: pty.slavePath, program, argv, env, cwd }).exited;
    } catch (error) {
      // On the terminal, as the program's own stderr would show it; then a pause
      // so the client can show it before the session ends.
      const code = error instanceof SpawnError ? error.errno : 0;
      // mosh's warn(): program name, then the system's message.
      const message = encoder.encode(`mosh-server: execvp: ${program}: ${strerror(code)}\n`);
      libc().write(pty.slave, message, BigInt(message.length));
      return new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };
  const registry = SessionRegistry.open(Deno.env, socket.localAddr.port);
  session = new ServerSession({
    key: config.key,
    socket,
    host: new PtyHost({ pty, startChild }),
    // A login shell's notices, as mosh's child prints them before its release.
    ...(options.command.length === 0 && !hushed(home)
      ? {
        greeting: loginGreeting(registry ? detachedNotice(registry.detachedOthers()) : ""),
      }
      : {}),
    ...(registry ? { onAttachment: (a: boolean) => registry.setAttached(a) } : {}),
    width: config.width,
    height: config.height,
    networkTimeoutMs: config.networkTimeoutMs,
    signalTimeoutMs: config.signalTimeoutMs,
    log,
  });
  const s = session;
  for (const [data, from] of early.splice(0)) s.onDatagram(data, from);
  const listeners: [Deno.Signal, () => void][] = [
    ["SIGTERM", () => s.terminate()],
    ["SIGINT", () => s.terminate()],
    ["SIGUSR1", () => s.usr1()],
    ["SIGHUP", () => {}],
    ["SIGPIPE", () => {}],
  ];
  for (const [signal, fn] of listeners) Deno.addSignalListener(signal, fn);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.removeSignalListener(signal, requestStop);
  }
  releaseStartupCode();
  const running = session.run();
  if (stopRequested) s.terminate();
  await running;
  registry?.close();
  for (const [signal, fn] of listeners) Deno.removeSignalListener(signal, fn);
  await socket.closed;
  // mosh prints this on stdout; the daemon's stdout was the pipe to the
  // foreground, closed once the port was reported, so it goes with the rest
  // of the verbose output, on the inherited stderr.
  if (options.verbose > 0) console.error("\n[mosh-server is exiting.]");
  return 0;
}

/** `~/.hushlogin` silences the login notices (mosh checks it before its motd and this notice). */
function hushed(home: string): boolean {
  try {
    Deno.statSync(`${home}/.hushlogin`);
    return true;
  } catch {
    return false;
  }
}

/** Parses a seconds value the way mosh does (leading number used; negative ignored). */
export function timeoutFromEnv(name: string, log: (m: string) => void): number {
  const value = Deno.env.get(name);
  if (value === undefined || value === "") return 0;
  // strtol(3) in base 10: C white space, a sign, digits, and nothing after them.
  const m = value.match(/^[ \t\n\v\f\r]*([+-]?\d+)/);
  if (!m || m[0].length !== value.length) log(`${name} not a valid integer, ignoring`);
  const n = m ? Number(m[1]) : 0;
  if (n < 0) {
    log(`${name} is negative, ignoring`);
    return 0;
  }
  return n * 1000;
}

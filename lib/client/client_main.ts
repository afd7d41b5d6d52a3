/**
 * `mosh-client`: checks its arguments, key and locale, runs a session on
 * the real terminal, and restores the terminal on every way out.
 *
 * @module
 */
import { describeLocale, showLocale } from "../locale.ts";
import { releaseStartupCode } from "../resident_code.ts";
import { versionText } from "../version.ts";
import {
  checkClientEnvironment,
  clientHelp,
  ClientKeyError,
  clientUsage,
  ClientUsageError,
  isNumericAddress,
  parseClientArgs,
  readClientEnvironment,
} from "./client_args.ts";
import { ClientSession, type LocalTerminal } from "./client_session.ts";
import {
  listSessions,
  type Persistence,
  recordNewSession,
  ResumeError,
  settleSession,
  takeOverSession,
} from "./resume.ts";
import { SessionStoreError } from "./session_store.ts";
import { terminalColors, UnknownTerminalError } from "./terminal_description.ts";

const encoder = new TextEncoder();

/**
 * Where frames go. `Deno.stdout` is line-buffered: a write with a line feed
 * leaves as two, up to the last line feed and the rest, so a terminal that
 * does not know synchronized output could show a frame without its end. A
 * second description of the same terminal (`/dev/stdout`) is written
 * as is: one frame, one write.
 */
function unbufferedStdout(): { writeSync(bytes: Uint8Array): number } {
  const path = "/dev/stdout";
  try {
    // Only with write permission there (never a prompt): narrow installs keep the buffered one.
    if (
      Deno.stdout.isTerminal() &&
      Deno.permissions.querySync({ name: "write", path }).state === "granted"
    ) {
      return Deno.openSync(path, { write: true });
    }
  } catch { /* no /dev/stdout: the buffered one still works */ }
  return Deno.stdout;
}

/**
 * The real terminal. Its size is read again only after SIGWINCH
 * ({@linkcode resized}), as mosh does: the sink asks for it on every frame
 * (an ioctl each, ≈ 7 a second under output).
 */
function stdoutTerminal(): LocalTerminal & { resized(): void } {
  let size: { columns: number; rows: number } | null = null;
  const out = unbufferedStdout();
  return {
    write(text) {
      const bytes = encoder.encode(text);
      let at = 0;
      while (at < bytes.length) at += out.writeSync(bytes.subarray(at));
    },
    size() {
      if (size !== null) return size;
      try {
        const { columns, rows } = Deno.consoleSize();
        if (columns > 0 && rows > 0) return size = { columns, rows };
      } catch { /* not a terminal */ }
      return size = { columns: 80, rows: 24 };
    },
    resized() {
      size = null;
    },
    setRaw(raw) {
      try {
        if (Deno.stdin.isTerminal()) Deno.stdin.setRaw(raw);
      } catch { /* not a terminal */ }
    },
  };
}

function isTty(file: { isTerminal(): boolean }): boolean {
  try {
    return file.isTerminal();
  } catch {
    return false;
  }
}

/**
 * Runs `mosh-client`; resolves to the exit status.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await clientMain(Deno.args));
 * ```
 */
export async function clientMain(args: string[], argv0 = "mosh-client"): Promise<number> {
  let command;
  try {
    command = parseClientArgs(args, argv0);
  } catch (error) {
    if (error instanceof ClientUsageError) {
      if (error.message !== "") console.error(error.message);
      console.error(`${versionText("mosh-client")}\n\n${clientUsage(argv0)}`);
      return 1;
    }
    throw error;
  }
  if (command.kind === "help") {
    console.log(`${versionText("mosh-client")}\n\n${clientHelp(argv0)}`);
    return 0;
  }
  if (command.kind === "version") {
    console.log(versionText("mosh-client"));
    return 0;
  }
  if (command.kind === "colors") {
    try {
      console.log(terminalColors(Deno.env.get("TERM"), Deno.env.toObject()));
    } catch (error) {
      if (!(error instanceof UnknownTerminalError)) throw error;
      console.error(error.message);
      return 1;
    }
    return 0;
  }
  let persistence: Persistence | null = null;
  if (command.kind === "resume") {
    if (command.list) {
      // A terminal gets rows that fit it; a pipe gets the whole screen line.
      const columns = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : Infinity;
      Deno.stdout.writeSync(new TextEncoder().encode(listSessions(Deno.env, Date.now(), columns)));
      return 0;
    }
    try {
      persistence = takeOverSession(Deno.env, command.id);
    } catch (error) {
      if (error instanceof ResumeError || error instanceof SessionStoreError) {
        console.error(error instanceof ResumeError ? error.message : `mosh: ${error.message}`);
        return 1;
      }
      throw error;
    }
    // The key comes from the record, as MOSH_KEY would.
    Deno.env.set("MOSH_KEY", persistence.journal.record.key);
  }
  const target = command.kind === "resume"
    ? { ip: persistence!.journal.record.ip, port: persistence!.journal.record.port }
    : { ip: command.ip, port: command.port };
  // mosh-client's order: environment, locale, terminal, then the key itself.
  try {
    checkClientEnvironment(Deno.env);
  } catch (error) {
    if (error instanceof ClientUsageError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const locale = describeLocale(Deno.env.toObject());
  if (!locale.utf8) {
    console.error(
      "mosh-client needs a UTF-8 native locale to run.\n\n" +
        `Unfortunately, the client's environment (${locale.variable}) specifies\n` +
        `the character set "${locale.charset}".\n`,
    );
    await showLocale();
    return 1;
  }
  if (!isTty(Deno.stdin)) {
    // Never draw into a pipe or a file: mosh-client's tcgetattr fails the same way.
    console.error("tcgetattr: Inappropriate ioctl for device");
    return 1;
  }
  let env;
  try {
    env = readClientEnvironment(Deno.env);
  } catch (error) {
    if (error instanceof ClientKeyError) {
      await Deno.stderr.write(encoder.encode(`Crypto exception: ${error.message}\r\n`));
      console.log("[mosh is exiting.]");
      return 1;
    }
    throw error;
  }
  if (command.kind === "run" && !isNumericAddress(command.ip)) {
    // As mosh-client's numeric-only lookup fails (its message ends with errno's "Success").
    await Deno.stderr.write(
      encoder.encode(
        `Network exception: Bad IP address (${command.ip}): Name or service not known: Success\r\n`,
      ),
    );
    console.log("[mosh is exiting.]");
    return 1;
  }
  const terminal = stdoutTerminal();
  if (command.kind === "run") {
    const { columns, rows } = terminal.size();
    persistence = recordNewSession(
      Deno.env,
      { host: command.host ?? command.ip, ...target, key: env.key, columns, rows },
      (message) => console.error(message),
    );
  }
  const session = new ClientSession({
    ...target,
    env,
    terminal,
    ...(persistence
      ? {
        transport: persistence.transport,
        resumed: persistence.resumed,
        onLinesPrinted: (end: number) => persistence!.journal.linesPrinted(end),
      }
      : {}),
  });
  const signals: [Deno.Signal, () => void][] = [
    ["SIGWINCH", () => {
      terminal.resized();
      session.resize();
    }],
    ["SIGTERM", () => session.signal()],
    ["SIGINT", () => session.signal()],
    ["SIGHUP", () => session.signal()],
    ["SIGPIPE", () => session.signal()],
    ["SIGCONT", () => {
      terminal.resized(); // the size may have changed while stopped
      session.resume();
    }],
  ];
  for (const [s, fn] of signals) Deno.addSignalListener(s, fn);
  let result;
  const stdinDone = new AbortController();
  try {
    session.start();
    releaseStartupCode();
    readStdin(session, stdinDone.signal);
    result = await session.finished;
    await session.restored(); // the answers still due to the client's queries, read first
  } catch (error) {
    terminal.write("\x1b[?1l\x1b[0m\x1b[?25h\r\n");
    terminal.setRaw(false);
    console.error(`Error: ${(error as Error).message}\r`);
    result = { status: 1, connected: false };
  } finally {
    for (const [s, fn] of signals) Deno.removeSignalListener(s, fn);
    stdinDone.abort();
  }
  const settled = persistence
    ? settleSession(persistence, result, session.core.endedByServer)
    : null;
  if (persistence?.resumed && settled !== null) {
    console.error(`\n${settled}`);
  } else if (!result.connected) {
    console.error(
      `\nmosh did not make a successful connection to ${target.ip}:${target.port}.\n` +
        `Please verify that UDP port ${target.port} is not firewalled and can reach the server.\n\n` +
        "(By default, mosh uses a UDP port between 60000 and 61000. The -p option\n" +
        "selects a specific UDP port number.)",
    );
  } else if (result.status !== 0) {
    console.error(
      "\n\nmosh did not shut down cleanly. Please note that the\n" +
        "mosh-server process may still be running on the server.",
    );
    if (settled !== null) console.error(settled);
  }
  console.log("[mosh is exiting.]");
  return result.status;
}

async function readStdin(session: ClientSession, stop: AbortSignal): Promise<void> {
  const buffer = new Uint8Array(16384);
  for (;;) {
    let n: number | null;
    try {
      n = await Deno.stdin.read(buffer);
    } catch {
      n = null;
    }
    if (stop.aborted) return;
    session.input(n === null ? null : buffer.slice(0, n));
    if (n === null) return;
  }
}

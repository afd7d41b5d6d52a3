/**
 * `connectSession`: a mosh client without a terminal, for scripts and CI —
 * type into a remote session, wait for text, read the screen.
 *
 * @module
 */
import { parseKey } from "../crypto/session_key.ts";
import { ClientCore, type ClientResult } from "./client_core.ts";
import { type CursorPosition, FramebufferSink } from "./framebuffer_sink.ts";

export { type CursorPosition, ScreenWaitError } from "./framebuffer_sink.ts";

/** Options for {@linkcode connectSession}. */
export interface ConnectSessionOptions {
  /** The server's address (an IP address, as `MOSH CONNECT` implies). */
  hostname: string;
  /** The server's UDP port (from `MOSH CONNECT`). */
  port: number;
  /** The session key (from `MOSH CONNECT`): 22 characters, or 16 bytes. */
  key: string | Uint8Array;
  /** Window width; default 80. */
  columns?: number;
  /** Window height; default 24. */
  rows?: number;
  /**
   * Local address to bind; default the loopback address when `hostname` is
   * one (so `--allow-net=127.0.0.1` suffices), else every interface.
   */
  localHostname?: string;
  /** Give up connecting after this long (ms); default 15 s, as mosh-client. */
  timeoutMs?: number;
  /** Aborting ends the session (the shutdown handshake when connected). */
  signal?: AbortSignal;
}

/**
 * The server never answered, or the session ended before its first state arrived.
 *
 * @example
 * ```ts
 * import { ConnectError } from "./connect_session.ts";
 * new ConnectError("Nothing received").name; // "ConnectError"
 * ```
 */
export class ConnectError extends Error {
  /** An error saying `message`. */
  constructor(message: string) {
    super(message);
    this.name = "ConnectError";
  }
}

/** A running headless client session. */
export interface RemoteSession {
  /** Types text (UTF-8) or bytes, as if at a keyboard; `"\r"` is Enter. */
  write(input: string | Uint8Array): void;
  /** Changes the window size; the server's program sees SIGWINCH. */
  resize(columns: number, rows: number): void;
  /** The server's screen as lines, trailing spaces trimmed. */
  screenText(): string[];
  /** Where the server's cursor is (0-based). */
  readonly cursor: CursorPosition;
  /** The screen's current size. */
  readonly size: { columns: number; rows: number };
  /**
   * Resolves with the matched text once `pattern` appears on the screen (a
   * RegExp is matched against the lines joined by "\n", trailing spaces
   * trimmed; a string also matches with a row's trailing spaces); rejects with a
   * `ScreenWaitError` showing the screen after `timeoutMs` (default 10 s)
   * or when the session ends first.
   */
  waitForText(pattern: string | RegExp, options?: { timeoutMs?: number }): Promise<string>;
  /** Ends the session with mosh's shutdown handshake; resolves once it is over. */
  close(): Promise<ClientResult>;
  /** Settles when the session ends, from either side. */
  readonly closed: Promise<ClientResult>;
}

const encoder = new TextEncoder();

/**
 * Connects to a mosh server (ours or any mosh 1.4.0 `mosh-server`) with no
 * terminal attached; resolves once the server's first screen arrives. Loss,
 * reordering and a change of the client's address are tolerated as by the
 * interactive client.
 *
 * @example Type into a served session and read its screen
 * ```ts
 * import { connectSession } from "./connect_session.ts";
 * import { serveSession } from "../server/serve_session.ts";
 * const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
 *   const writer = session.writable.getWriter();
 *   await writer.write(new TextEncoder().encode("name? "));
 *   const { value } = await session.readable.getReader().read();
 *   await writer.write(new TextEncoder().encode(`\r\nhello ${new TextDecoder().decode(value)}`));
 * });
 * const session = await connectSession({ hostname: "127.0.0.1", port: server.port, key: server.key });
 * await session.waitForText("name?");
 * session.write("deno");
 * await session.waitForText("hello deno");
 * session.screenText()[1]; // "hello deno"
 * await session.closed; // the handler returned: the server ended the session
 * await server.finished;
 * ```
 *
 * @example Drive a shell on a real `mosh-server`
 * ```ts ignore
 * import { connectSession } from "./connect_session.ts";
 * const out = new TextDecoder().decode(
 *   (await new Deno.Command("mosh-server", { args: ["new"] }).output()).stdout,
 * );
 * const [, port, key] = out.match(/MOSH CONNECT (\d+) (\S+)/)!;
 * const session = await connectSession({ hostname: "127.0.0.1", port: Number(port), key: key! });
 * session.write("echo hello\r");
 * await session.waitForText(/^hello$/m);
 * await session.close();
 * ```
 */
export function connectSession(options: ConnectSessionOptions): Promise<RemoteSession> {
  const columns = options.columns ?? 80;
  const rows = options.rows ?? 24;
  if (typeof options.key === "string") parseKey(options.key); // throws KeyFormatError at once
  const sink = new FramebufferSink(columns, rows);
  const loopback = /^127\./.test(options.hostname)
    ? "127.0.0.1"
    : options.hostname === "::1"
    ? "::1"
    : undefined;
  const localHostname = options.localHostname ?? loopback;
  let onConnect: () => void = () => {};
  const core = new ClientCore({
    ip: options.hostname,
    port: options.port,
    key: options.key,
    columns,
    rows,
    predict: "never",
    ...(localHostname === undefined ? {} : { localHostname }),
    sink: {
      frame(core, now, final) {
        sink.frame(core, now, final);
        if (core.connected) onConnect();
      },
      finish: () => sink.finish(),
    },
  });
  const signal = options.signal;
  const abort = () => core.connected ? core.shutdown("Aborted") : core.abort();
  signal?.addEventListener("abort", abort, { once: true });
  const closed = core.finished.finally(() => signal?.removeEventListener("abort", abort));
  const session: RemoteSession = {
    write(input) {
      core.type(typeof input === "string" ? encoder.encode(input) : input);
    },
    resize(columns, rows) {
      core.resize(columns, rows);
    },
    screenText: () => sink.screenText(),
    get cursor() {
      return sink.cursor;
    },
    get size() {
      return sink.size;
    },
    waitForText: (pattern, waitOptions) =>
      sink.waitForText(pattern, waitOptions?.timeoutMs ?? 10_000),
    close() {
      core.shutdown("Closing", { force: true });
      return closed;
    },
    closed,
  };
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => core.abort(), options.timeoutMs ?? 15_000);
    onConnect = () => {
      onConnect = () => {};
      clearTimeout(giveUp);
      resolve(session);
    };
    closed.then((result) => {
      clearTimeout(giveUp);
      if (!result.connected) {
        reject(
          new ConnectError(
            `Nothing received from ${options.hostname}:${options.port}: ` +
              "check that the server runs, the key is right and UDP reaches it",
          ),
        );
      }
    });
    core.start();
    if (signal?.aborted) abort();
  });
}

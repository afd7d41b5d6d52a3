/**
 * `serveSession`: serve a Deno program over mosh. The handler's streams
 * take the place of a pty and a shell; any mosh client connects to it.
 *
 * @module
 */
import { formatKey, generateKey, parseKey } from "../crypto/session_key.ts";
import { UdpSocket } from "../network/udp_socket.ts";
import { ServerSession } from "./server_session.ts";
import { type ServedSession, StreamHost } from "./stream_host.ts";

export { ResizeEvent, ServedSession, SessionClosedError } from "./stream_host.ts";

/** Options for {@linkcode serveSession}. */
export interface ServeSessionOptions {
  /** Address to bind; default "0.0.0.0" (every IPv4 interface). */
  hostname?: string;
  /**
   * UDP port, or an inclusive range `[low, high]` tried in order; default
   * mosh's range 60001–60999. 0 lets the system choose.
   */
  port?: number | [number, number];
  /** The session key (22 characters); default a fresh random one. */
  key?: string;
  /** Aborting ends the session: the shutdown handshake if a client is connected. */
  signal?: AbortSignal;
  /** Connection diagnostics (default: none). */
  log?: (message: string) => void;
}

/** A bound, waiting session: hand `port` and `key` to a client. */
export interface ServedSessionInfo {
  /** The bound address. */
  hostname: string;
  /** The bound UDP port. */
  port: number;
  /** The session key, as `MOSH CONNECT` prints it (the client's `MOSH_KEY`). */
  key: string;
  /**
   * Settles when the session is over and its socket closed: after the
   * handler returned or the client quit (then the handler's streams end),
   * on abort, or when no client came within 60 s. Rejects with the
   * handler's error if it threw one (await it to see that error: unawaited,
   * the rejection is not reported as unhandled).
   */
  finished: Promise<void>;
}

/** The session handler: runs once the client connects. */
export type SessionHandler = (session: ServedSession) => Promise<void> | void;

/**
 * No port of the range could be bound.
 *
 * @example
 * ```ts
 * import { BindError, serveSession } from "./serve_session.ts";
 * const taken = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
 * const port = (taken.addr as Deno.NetAddr).port;
 * await serveSession({ hostname: "127.0.0.1", port }, () => {})
 *   .catch((e) => e instanceof BindError); // true
 * taken.close();
 * ```
 */
export class BindError extends Error {
  /** An error saying `message`, caused by the last bind failure. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BindError";
  }
}

function bindFirstFree(
  hostname: string,
  [low, high]: [number, number],
  handler: (data: Uint8Array, from: { hostname: string; port: number }) => void,
  onError: (error: Error) => void,
): UdpSocket {
  let lastError: unknown = null;
  for (let port = low; port <= high; port++) {
    try {
      return UdpSocket.bind({ hostname, port }, handler, onError);
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) {
        throw new BindError(`Cannot bind UDP ${hostname}:${port}: ${error}`, { cause: error });
      }
      lastError = error;
    }
  }
  throw new BindError(`No free UDP port on ${hostname} in ${low}-${high}`, { cause: lastError });
}

/**
 * Binds a UDP port and serves one mosh session on it: when a client
 * connects with the returned key, `handler` runs with the session's
 * streams. Resolves at once, with the port and key to give the client.
 *
 * @example A greeting, served to any mosh client
 * ```ts
 * import { serveSession } from "./serve_session.ts";
 * const server = await serveSession(
 *   { hostname: "127.0.0.1", port: 0, signal: AbortSignal.timeout(100) },
 *   async (session) => {
 *     const writer = session.writable.getWriter();
 *     await writer.write(new TextEncoder().encode(`Hello, ${session.columns} columns!\r\n`));
 *   },
 * );
 * // MOSH_KEY=<server.key> mosh-client 127.0.0.1 <server.port>
 * await server.finished;
 * ```
 */
export function serveSession(
  options: ServeSessionOptions,
  handler: SessionHandler,
): Promise<ServedSessionInfo> {
  // Inside a promise so that a bad key or a port in use rejects rather than throws.
  return new Promise((resolve) => resolve(startSession(options, handler)));
}

function startSession(options: ServeSessionOptions, handler: SessionHandler): ServedSessionInfo {
  const hostname = options.hostname ?? "0.0.0.0";
  const port = options.port ?? [60001, 60999];
  const range: [number, number] = typeof port === "number" ? [port, port] : port;
  const key = options.key === undefined ? formatKey(generateKey()) : options.key;
  parseKey(key); // a KeyFormatError now, not a silent session nobody can join
  let session: ServerSession | null = null;
  const log = options.log ?? (() => {});
  const socket = bindFirstFree(
    hostname,
    range,
    (data, from) => session?.onDatagram(data, from),
    (error) => log(`Network exception: ${error.stack ?? error.message}`),
  );
  const host = new StreamHost(handler);
  session = new ServerSession({
    key,
    socket,
    host,
    width: 80,
    height: 24,
    ...(options.log ? { log: options.log } : {}),
  });
  const s = session;
  const signal = options.signal;
  const abort = () => s.terminate();
  signal?.addEventListener("abort", abort, { once: true });
  const finished = (async () => {
    await s.run();
    signal?.removeEventListener("abort", abort);
    await socket.closed;
    await host.handlerDone;
  })();
  // Observed here so that a handler's error reaches only those who await
  // `finished`: one session's failing handler must not end, as an unhandled
  // rejection, a program that serves others or awaits something else first.
  finished.catch(() => {});
  if (signal?.aborted) abort();
  const bound = socket.localAddr;
  return { hostname: bound.hostname, port: bound.port, key, finished };
}

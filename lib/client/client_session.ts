/**
 * The interactive client: the session core drawing on the user's terminal,
 * with the escape key (Ctrl-^ . quits, Ctrl-^ Ctrl-Z suspends) in front of
 * the user stream.
 *
 * @module
 */
import type { ClientEnvironment } from "./client_args.ts";
import { ClientCore, type ClientCoreOptions, type ClientResult } from "./client_core.ts";
import { EscapeKeyFilter, parseEscapeKey } from "./escape_key.ts";
import type { NotificationBar } from "./notification_bar.ts";
import type { PredictionEngine } from "./prediction_engine.ts";
import { type LocalTerminal, TerminalSink } from "./terminal_sink.ts";

export type { ClientResult } from "./client_core.ts";
export type { LocalTerminal } from "./terminal_sink.ts";

/** Options for {@linkcode ClientSession}. */
export interface ClientSessionOptions {
  /** Server address. */
  ip: string;
  /** Server UDP port. */
  port: number;
  /** Environment the client reads (MOSH_* variables, TERM). */
  env: ClientEnvironment;
  /** The local terminal the session draws on. */
  terminal: LocalTerminal;
  /** Millisecond clock; tests pass a virtual one. */
  clock?: () => number;
  /** Builds the transport (a resumable or resumed session: see `ClientCoreOptions.transport`). */
  transport?: ClientCoreOptions["transport"];
  /** The transport starts from a resumed snapshot. */
  resumed?: boolean;
  /** Told the history lines the local terminal holds (see `TerminalSinkOptions.onLinesPrinted`). */
  onLinesPrinted?: (end: number) => void;
}

/**
 * One interactive mosh-client session.
 *
 * @example
 * ```ts ignore
 * const session = new ClientSession({ ip, port, env, terminal });
 * session.start();
 * session.input(bytesFromStdin);
 * const { status } = await session.finished;
 * ```
 */
export class ClientSession {
  /** The session core (transport, remote screen, predictions). */
  readonly core: ClientCore;
  /** Settles when the session ends, with why. */
  readonly finished: Promise<ClientResult>;
  readonly #sink: TerminalSink;
  readonly #terminal: LocalTerminal;
  readonly #escape: EscapeKeyFilter;
  readonly #clock: () => number;
  /** The window size the server was last told. */
  #size: { columns: number; rows: number };
  #quit = false;

  /** A ClientSession configured by `options`. */
  constructor(options: ClientSessionOptions) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#terminal = options.terminal;
    const env = options.env;
    this.#escape = new EscapeKeyFilter(parseEscapeKey(env.escapeKey));
    this.#sink = new TerminalSink({
      terminal: options.terminal,
      term: env.term,
      noTermInit: env.noTermInit,
      titleNoPrefix: env.titleNoPrefix,
      scrollback: env.scrollback,
      ...(options.onLinesPrinted ? { onLinesPrinted: options.onLinesPrinted } : {}),
    });
    const { columns, rows } = options.terminal.size();
    this.#size = { columns, rows };
    const escapeKey = this.#escape.config;
    this.core = new ClientCore({
      ip: options.ip,
      port: options.port,
      key: env.key,
      columns,
      rows,
      sink: this.#sink,
      predict: env.predict,
      predictOverwrite: env.predictOverwrite,
      quitHint: escapeKey.key === null ? "" : ` [To quit: ${escapeKey.keyName} .]`,
      clock: this.#clock,
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.resumed ? { resumed: true } : {}),
      features: this.#sink.features,
    });
    this.finished = this.core.finished;
  }

  /** Predictive local echo. */
  get prediction(): PredictionEngine {
    return this.core.prediction;
  }

  /** The notification bar (Last contact, escape-key help). */
  get notifications(): NotificationBar {
    return this.core.notifications;
  }

  /** Puts the terminal in raw mode, draws the first frame and starts the loop. */
  start(): void {
    this.#sink.start();
    this.core.start();
  }

  /** Keystrokes from the user (null = stdin closed). */
  input(bytes: Uint8Array | null): void {
    if (bytes === null) return this.core.shutdown("Exiting...");
    const keys = this.#sink.takeCursorReport(bytes, this.#clock());
    if (keys.length < bytes.length) this.core.wake(); // the frame waiting for it can be drawn
    if (keys.length === 0) return;
    this.core.type(keys, (byte, send) => this.#filter(byte, send));
    if (this.#quit) {
      this.#quit = false;
      this.core.shutdown("Exiting on user request...", { force: true });
    }
  }

  /** The escape key in front of the user stream; false = drop the rest of the input. */
  #filter(byte: number, send: number[]): boolean {
    const { send: out, action } = this.#escape.feed(byte);
    for (const b of out) send.push(b);
    const notifications = this.core.notifications;
    if (action === "quit") {
      this.#quit = true;
      return false;
    } else if (action === "suspend") {
      this.#sink.suspend();
      // As mosh: the help is gone when the session comes back.
      if (notifications.message === this.#escape.helpText) notifications.clear();
    } else if (action === "help") {
      notifications.set(this.#escape.helpText, this.#clock(), { permanent: true, showQuit: false });
    } else if (action === "clear-help") {
      if (notifications.message === this.#escape.helpText) notifications.clear();
    }
    if (byte === 0x0c) this.#sink.repaint();
    return true;
  }

  /**
   * Resolves once the terminal is given back after the session ended (see
   * TerminalSink.restored): keep feeding input() until then.
   */
  restored(): Promise<void> {
    return this.#sink.restored();
  }

  /** SIGWINCH: the window changed size. */
  resize(): void {
    const { columns, rows } = this.#terminal.size();
    this.#size = { columns, rows };
    this.core.resize(columns, rows);
  }

  /** SIGTERM, SIGINT, SIGHUP, SIGPIPE. */
  signal(): void {
    this.core.shutdown("Signal received, shutting down...");
  }

  /**
   * SIGCONT after a suspend: raw mode again and a full repaint. A window
   * resized while the client was stopped signalled the shell, not the
   * client (mosh-client misses it): the server is told now.
   */
  resume(): void {
    const repaint = this.#sink.resume();
    const { columns, rows } = this.#terminal.size();
    if (columns !== this.#size.columns || rows !== this.#size.rows) this.resize();
    else if (repaint) this.core.wake();
  }
}

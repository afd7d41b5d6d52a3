/**
 * The client's main loop: keystrokes → escape key → prediction → user
 * stream; server frames → predictions, notification bar, title prefix →
 * display diff → the user's terminal.
 *
 * @module
 */
import type { Address } from "../network/datagram_socket.ts";
import { Transport } from "../network/transport.ts";
import { UdpSocket } from "../network/udp_socket.ts";
import { CompleteTerminal } from "../statesync/complete_terminal.ts";
import { UserStream } from "../statesync/user_stream.ts";
import { type Capabilities, capabilitiesForTerm, newFrame } from "../terminal/display.ts";
import { Framebuffer } from "../terminal/framebuffer.ts";
import { TerminalState } from "../terminal/terminal_state.ts";
import type { ClientEnvironment } from "./client_args.ts";
import { EscapeKeyFilter, parseEscapeKey } from "./escape_key.ts";
import { NotificationBar } from "./notification_bar.ts";
import { PredictionEngine } from "./prediction_engine.ts";
import { closeString, openString } from "./terminal_init.ts";

/** Waits shorter than this are slept through rather than left to a timer. */
const SHORT_WAIT_MS = 1.5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The user's terminal, as the session needs it (real stdin/stdout, or a test double). */
export interface LocalTerminal {
  /** Writes output to the local terminal. */
  write(text: string): void;
  /** Current size of the local terminal. */
  size(): { columns: number; rows: number };
  /** Set raw. */
  setRaw(raw: boolean): void;
}

/** How a session ended. */
export interface ClientResult {
  /** 0 after a clean shutdown, 1 otherwise. */
  status: number;
  /** Whether any server state ever arrived. */
  connected: boolean;
}

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
}

const CONNECT_GRACE = 250;
const CONNECT_TIMEOUT = 15_000;
const PASTE_THRESHOLD = 100;

/**
 * One mosh-client session.
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
  /** SSP transport: sends the user stream, receives the screen. */
  readonly transport: Transport<UserStream, CompleteTerminal<TerminalState>>;
  /** Settles when the session ends, with why. */
  readonly finished: Promise<ClientResult>;
  /** Predictive local echo. */
  readonly prediction: PredictionEngine;
  /** The notification bar (Last contact, escape-key help). */
  readonly notifications: NotificationBar;
  readonly #term: LocalTerminal;
  readonly #clock: () => number;
  readonly #caps: Capabilities;
  readonly #env: ClientEnvironment;
  readonly #escape: EscapeKeyFilter;
  readonly #sockets: UdpSocket[] = [];
  readonly #start: number;
  readonly #port: number;
  #onScreen: Framebuffer;
  #repaint = false;
  #connected = false;
  #done = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #resolve!: (r: ClientResult) => void;
  #titlePrefix: string;
  #suspended = false;

  /** A ClientSession configured by `options`. */
  constructor(options: ClientSessionOptions) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#term = options.terminal;
    this.#env = options.env;
    this.#port = options.port;
    this.#caps = capabilitiesForTerm(options.env.term);
    this.#escape = new EscapeKeyFilter(parseEscapeKey(options.env.escapeKey));
    this.#titlePrefix = options.env.titleNoPrefix ? "" : "[mosh] ";
    this.#start = this.#clock();
    const quit = this.#escape.config.key === null
      ? ""
      : ` [To quit: ${this.#escape.config.keyName} .]`;
    this.notifications = new NotificationBar(quit, this.#start);
    this.prediction = new PredictionEngine(
      options.env.predict,
      options.env.predictOverwrite,
      this.#clock,
    );
    const { columns, rows } = this.#term.size();
    this.#onScreen = new Framebuffer(columns, rows);
    const remote = { hostname: options.ip, port: options.port };
    const family = options.ip.includes(":") ? "::" : "0.0.0.0";
    this.transport = new Transport({
      role: "client",
      key: options.env.key,
      initialState: new UserStream(),
      initialRemoteState: new CompleteTerminal(new TerminalState(columns, rows)),
      clock: this.#clock,
      socket: () => {
        const s = UdpSocket.bind(
          { hostname: family, port: 0 },
          (data, from) => this.#onDatagram(data, from),
        );
        this.#sockets.push(s);
        return s;
      },
      remote,
    });
    this.transport.currentState.pushResize(columns, rows);
    this.finished = new Promise((resolve) => this.#resolve = resolve);
  }

  /** Puts the terminal in raw mode, draws the first frame and starts the loop. */
  start(): void {
    this.#term.setRaw(true);
    this.#term.write(openString(this.#env.term, this.#env.noTermInit));
    const blank = new Framebuffer(this.#onScreen.width, this.#onScreen.height);
    this.#term.write(newFrame(false, blank, blank, this.#caps));
    this.#iterate();
  }

  #onDatagram(data: Uint8Array, from: Address): void {
    if (this.#done) return;
    this.transport.receiveDatagram(data, from);
    if (this.transport.lastError) {
      if (!this.transport.shutdownInProgress) {
        this.notifications.setNetworkError(this.transport.lastError, this.#clock());
      }
      this.transport.lastError = null;
    }
    this.#iterate();
  }

  /** Keystrokes from the user (null = stdin closed). */
  input(bytes: Uint8Array | null): void {
    if (this.#done) return;
    const now = this.#clock();
    if (bytes === null) {
      this.#stop("Exiting...");
      return;
    }
    if (this.transport.shutdownInProgress) return;
    this.prediction.setLocalFrameSent(this.transport.sender.lastSent.num);
    const paste = bytes.length > PASTE_THRESHOLD;
    if (paste) this.prediction.reset();
    const remoteFb = this.transport.latestRemoteState.screen.fb;
    const send: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (!paste) this.prediction.newUserInput(bytes.subarray(i, i + 1), remoteFb);
      const { send: out, action } = this.#escape.feed(byte);
      send.push(...out);
      if (action === "quit") {
        if (this.transport.hasRemoteAddr && !this.transport.shutdownInProgress) {
          this.notifications.set("Exiting on user request...", now, { permanent: true });
          this.transport.startShutdown();
        } else {
          this.#finish(1);
        }
        break;
      } else if (action === "suspend") {
        this.#suspend();
      } else if (action === "help") {
        this.notifications.set(this.#escape.helpText, now, { permanent: true, showQuit: false });
      } else if (action === "clear-help") {
        if (this.notifications.message === this.#escape.helpText) this.notifications.clear();
      }
      if (byte === 0x0c) this.#repaint = true;
    }
    if (send.length > 0) this.transport.currentState.pushKeys(Uint8Array.from(send));
    this.#iterate();
  }

  /** SIGWINCH: the window changed size. */
  resize(): void {
    if (this.#done) return;
    const { columns, rows } = this.#term.size();
    if (!this.transport.shutdownInProgress) this.transport.currentState.pushResize(columns, rows);
    this.prediction.reset();
    this.#iterate();
  }

  /** SIGTERM, SIGINT, SIGHUP, SIGPIPE. */
  signal(): void {
    this.#stop("Signal received, shutting down...");
  }

  /** SIGCONT after a suspend: raw mode again and a full repaint. */
  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    this.#term.setRaw(true);
    this.#term.write(openString(this.#env.term, this.#env.noTermInit));
    this.#repaint = true;
    this.#iterate();
  }

  #suspend(): void {
    this.#term.write(closeString(this.#env.term, this.#env.noTermInit));
    this.#term.setRaw(false);
    this.#term.write("\n\x1b[37;44m[mosh is suspended.]\x1b[m\n");
    this.#suspended = true;
    try {
      Deno.kill(Deno.pid, "SIGSTOP");
    } catch { /* cannot stop: carry on */ }
  }

  #stop(message: string): void {
    if (this.#done) return;
    if (!this.transport.hasRemoteAddr) return this.#finish(1);
    if (!this.transport.shutdownInProgress) {
      this.notifications.set(message, this.#clock(), { permanent: true });
      this.transport.startShutdown();
    }
    this.#iterate();
  }

  #draw(final = false): void {
    const now = this.#clock();
    const state = this.transport.latestRemoteState;
    const target = state.screen.fb.clone();
    if (!final) {
      this.prediction.cull(state.screen.fb);
      this.prediction.apply(target);
      this.notifications.apply(target, now);
      if (this.#titlePrefix !== "" && target.titleInitialized) {
        if (target.iconName === target.windowTitle) {
          target.iconName = this.#titlePrefix + target.iconName;
        }
        target.windowTitle = this.#titlePrefix + target.windowTitle;
      }
    }
    const out = newFrame(!this.#repaint, this.#onScreen, target, this.#caps);
    if (out.length > 0) this.#term.write(out);
    this.#repaint = false;
    this.#onScreen = target;
  }

  #iterate(): void {
    if (this.#done || this.#suspended) return;
    const now = this.#clock();
    const t = this.transport;
    if (t.remoteStateNum > 0n && !this.#connected) {
      this.#connected = true;
      if (this.notifications.message.startsWith("Nothing received")) this.notifications.clear();
    }
    this.notifications.lastHeard = this.#connected ? t.latestRemoteTimestamp : this.#start;
    this.notifications.lastAcked = Math.max(this.#start, t.sentStateAckedTimestamp);
    this.prediction.setSendInterval(t.connection.rtt.sendInterval);
    this.prediction.setLocalFrameLateAcked(t.latestRemoteState.echoAck);
    if (t.shutdownAcknowledged) return this.#finish(0);
    if (t.shutdownAckTimedOut) return this.#finish(1);
    if (t.counterpartyShutdownAckSent) return this.#finish(0);
    if (!this.#connected && !t.shutdownInProgress && now - this.#start > CONNECT_GRACE) {
      if (now - this.#start > CONNECT_TIMEOUT) {
        this.notifications.set("Timed out waiting for server...", now, { permanent: true });
        t.startShutdown();
      } else {
        this.notifications.set(`Nothing received from server on UDP port ${this.#port}.`, now);
      }
    }
    try {
      t.tick();
      if (t.connection.sendError === null) this.notifications.clearNetworkError(now);
    } catch (error) {
      this.notifications.setNetworkError(String((error as Error).message ?? error), now);
    }
    if (t.counterpartyShutdownAckSent) return this.#finish(0);
    this.#draw();
    // The keystroke send delay is 1 ms, and Deno's timers overshoot that by
    // 1–2 ms: once the screen is drawn, wait it out here (a brief, bounded block).
    const due = t.waitTime();
    if (due > 0 && due <= SHORT_WAIT_MS) {
      sleepSync(due);
      try {
        t.tick();
      } catch { /* reported on the next turn */ }
    }
    let wait = Math.min(t.waitTime(), this.notifications.waitTime(now), this.prediction.waitTime());
    if (!this.#connected) wait = Math.min(wait, CONNECT_GRACE);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#iterate(), Math.max(1, Math.min(wait, 10_000)));
  }

  #finish(status: number): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.notifications.clear();
    this.#draw(true);
    this.#term.write(closeString(this.#env.term, this.#env.noTermInit));
    this.#term.setRaw(false);
    this.transport.close();
    Promise.all(this.#sockets.map((s) => s.closed)).then(() =>
      this.#resolve({ status, connected: this.#connected })
    );
  }
}

/**
 * The client's session core, shared by every front end: the transport, the
 * remote terminal state, the user stream and the prediction engine, run as
 * one event-driven loop. What becomes of each frame is a sink's business:
 * the interactive client draws it on the local terminal
 * (`TerminalSink`), a headless client keeps it for scripts
 * (`FramebufferSink`).
 *
 * @module
 */
import type { Address } from "../network/datagram_socket.ts";
import { SEND_MINDELAY_CLIENT } from "../network/constants.ts";
import { Transport, type TransportOptions } from "../network/transport.ts";
import { UdpSocket } from "../network/udp_socket.ts";
import { CompleteTerminal } from "../statesync/complete_terminal.ts";
import { UserStream } from "../statesync/user_stream.ts";
import type { Framebuffer } from "../terminal/framebuffer.ts";
import { TerminalState } from "../terminal/terminal_state.ts";
import type { PredictMode } from "./client_args.ts";
import { NotificationBar } from "./notification_bar.ts";
import { PredictionEngine } from "./prediction_engine.ts";
import { WakeupTimer } from "../network/wakeup_timer.ts";

/** Waits shorter than this are slept through rather than left to a timer. */
const SHORT_WAIT_MS = 1.5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const CONNECT_GRACE = 250;
const CONNECT_TIMEOUT = 15_000;
const PASTE_THRESHOLD = 100;
/**
 * A loop turn this late past its timer's deadline means the process was not
 * running (stopped, or its machine froze); timers are otherwise 1–2 ms late.
 */
const STALL_MS = 1000;

/** Blocks the thread for `ms` milliseconds. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The client's transport: our user stream out, the server's terminal in. */
export type ClientTransport = Transport<UserStream, CompleteTerminal<TerminalState>>;

/** How a session ended. */
export interface ClientResult {
  /** 0 after a clean shutdown, 1 otherwise. */
  status: number;
  /** Whether any server state ever arrived. */
  connected: boolean;
}

/**
 * What a front end does with the core's frames.
 *
 * @example A sink that logs each new screen
 * ```ts
 * import type { ClientSink } from "./client_core.ts";
 * let last = -1n;
 * const sink: ClientSink = {
 *   frame(core) {
 *     if (core.remoteStateNum === last) return;
 *     last = core.remoteStateNum;
 *     console.log(core.screen.screenText());
 *   },
 * };
 * ```
 */
export interface ClientSink {
  /**
   * Called once per loop turn, after the transport ran: show the newest
   * remote state ({@linkcode ClientCore.screen}; a new one when
   * {@linkcode ClientCore.remoteStateNum} changed). `final` is the last
   * call, as the session ends: show the server's screen as it is, without
   * predictions or notifications.
   */
  frame(core: ClientCore, now: number, final: boolean): void;
  /** Milliseconds until the sink needs another frame (a ticking bar); Infinity when never. */
  waitTime?(core: ClientCore, now: number): number;
  /** The session is over: undo what the sink did to its output (after the final frame). */
  finish?(now: number): void;
}

/**
 * Byte filter between the user's keys and the user stream (the escape key):
 * appends the bytes to send; false drops the rest of the input.
 *
 * @example
 * ```ts
 * import type { KeyFilter } from "./client_core.ts";
 * const upper: KeyFilter = (byte, send) => {
 *   send.push(byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte);
 *   return true;
 * };
 * ```
 */
export type KeyFilter = (byte: number, send: number[]) => boolean;

/** Options for {@linkcode ClientCore}. */
export interface ClientCoreOptions {
  /** Server address. */
  ip: string;
  /** Server UDP port. */
  port: number;
  /** The session key: 16 bytes, or the 22 characters `MOSH CONNECT` prints. */
  key: Uint8Array | string;
  /** Initial window width. */
  columns: number;
  /** Initial window height. */
  rows: number;
  /** Where frames go. */
  sink: ClientSink;
  /** When to show predictive echo; default "adaptive". */
  predict?: PredictMode;
  /** Predict that typing overwrites (`--predict-overwrite`). */
  predictOverwrite?: boolean;
  /** Local address to bind; default every interface of the server address's family. */
  localHostname?: string;
  /** Shown after notification messages, e.g. " [To quit: Ctrl-^ .]". */
  quitHint?: string;
  /** Millisecond clock; tests pass a virtual one. */
  clock?: () => number;
  /**
   * Extensions to announce to the server (`Feature` bits, capabilities.ts),
   * as the first unit of the user stream; 0 (the default) announces nothing.
   */
  features?: number;
  /**
   * Builds the transport from the options the core chose (default
   * `new Transport(options)`): a resumed session starts one from saved
   * numbers here.
   */
  transport?: (
    options: TransportOptions<UserStream, CompleteTerminal<TerminalState>>,
  ) => ClientTransport;
  /**
   * The transport starts from a resumed snapshot: it already holds a server
   * state, so "connected" waits for the server to answer this process.
   */
  resumed?: boolean;
}

/**
 * One client session, whatever the front end.
 *
 * @example Type into a session and watch the screen
 * ```ts
 * import { ClientCore } from "./client_core.ts";
 * import { serveSession } from "../server/serve_session.ts";
 * const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
 *   const { value } = await session.readable.getReader().read(); // the first key
 *   await session.writable.getWriter().write(value!); // echoed: then the handler ends
 * });
 * let screen = "";
 * const core = new ClientCore({
 *   ip: "127.0.0.1", port: server.port, key: server.key, columns: 20, rows: 2,
 *   sink: { frame: (core) => screen = core.screen.rowText(0).trimEnd() },
 * });
 * core.start();
 * core.type(new TextEncoder().encode("k"));
 * const { status } = await core.finished; // 0: the server shut the session down
 * await server.finished; // screen: "k"
 * ```
 */
export class ClientCore {
  /** Settles when the session ends, with why. */
  readonly finished: Promise<ClientResult>;
  /** Predictive local echo. */
  readonly prediction: PredictionEngine;
  /** The session's status messages (Last contact, errors, exiting); a sink may show them. */
  readonly notifications: NotificationBar;
  readonly #transport: ClientTransport;
  readonly #sink: ClientSink;
  readonly #clock: () => number;
  readonly #sockets: UdpSocket[] = [];
  readonly #start: number;
  readonly #port: number;
  #connected = false;
  #endedByServer = false;
  readonly #resumed: boolean;
  #started = false;
  #done = false;
  readonly #timer = new WakeupTimer(() => this.#iterate());
  /** When the next loop turn is due at the latest: its timer's deadline. */
  #dueBy = Infinity;
  /** The bar's "last heard" and "last acknowledged" times at least (see #excuseStall). */
  #heardFloor = -Infinity;
  #ackedFloor = -Infinity;
  #resolve!: (r: ClientResult) => void;

  /** A ClientCore configured by `options`; nothing is sent before {@linkcode start}. */
  constructor(options: ClientCoreOptions) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#sink = options.sink;
    this.#port = options.port;
    this.#resumed = options.resumed ?? false;
    this.#start = this.#clock();
    this.notifications = new NotificationBar(options.quitHint ?? "", this.#start);
    this.prediction = new PredictionEngine(
      options.predict ?? "adaptive",
      options.predictOverwrite ?? false,
      this.#clock,
    );
    const family = options.localHostname ?? (options.ip.includes(":") ? "::" : "0.0.0.0");
    const transportOptions: TransportOptions<UserStream, CompleteTerminal<TerminalState>> = {
      role: "client",
      key: options.key,
      initialState: new UserStream(),
      initialRemoteState: new CompleteTerminal(new TerminalState(options.columns, options.rows)),
      clock: this.#clock,
      socket: () => {
        const s = UdpSocket.bind(
          { hostname: family, port: 0 },
          (data, from) => this.#onDatagram(data, from),
          (error) => this.#onSocketError(error),
        );
        this.#sockets.push(s);
        return s;
      },
      remote: { hostname: options.ip, port: options.port },
    };
    this.#transport = options.transport?.(transportOptions) ?? new Transport(transportOptions);
    if (options.features) this.#transport.currentState.pushCapabilities(options.features);
    this.#transport.currentState.pushResize(options.columns, options.rows);
    this.finished = new Promise((resolve) => this.#resolve = resolve);
  }

  /** Starts the loop. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#iterate();
  }

  /** Whether the session was resumed from a dead client's record (it starts from a saved state). */
  get resumed(): boolean {
    return this.#resumed;
  }

  /** Whether a state from the server has arrived. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Whether the server ended the session (its shell exited, or it was told to stop). */
  get endedByServer(): boolean {
    return this.#endedByServer;
  }

  /** Whether the session has ended. */
  get done(): boolean {
    return this.#done;
  }

  /** Whether the shutdown handshake has begun (input is no longer sent). */
  get shuttingDown(): boolean {
    return this.#transport.shutdownInProgress;
  }

  /** The server's newest screen (do not modify; clone to draw on it). */
  get screen(): Framebuffer {
    return this.#transport.latestRemoteState.screen.fb;
  }

  /** The server's newest state (screen plus echo ack), for extensions of the sinks. */
  get remoteState(): CompleteTerminal<TerminalState> {
    return this.#transport.latestRemoteState;
  }

  /** Number of the server's newest state: a sink sees a new frame when it changes. */
  get remoteStateNum(): bigint {
    return this.#transport.remoteStateNum;
  }

  /** Clock time the server was last heard from (the start time before it ever was). */
  get lastContact(): number {
    return this.#connected ? this.#transport.latestRemoteTimestamp : this.#start;
  }

  /**
   * The screen as the user should see it: a copy of the server's newest
   * screen with the predictions that still stand drawn over it.
   */
  predictedScreen(): Framebuffer {
    const fb = this.screen;
    this.prediction.cull(fb);
    const target = fb.clone();
    this.prediction.apply(target);
    return target;
  }

  /**
   * What the user typed. Every byte goes to the prediction engine (unless
   * it is a paste), then through `filter` if given, which appends the bytes
   * to send and returns false to drop the rest.
   */
  type(bytes: Uint8Array, filter?: KeyFilter): void {
    if (this.#done || this.#transport.shutdownInProgress) return;
    this.prediction.setLocalFrameSent(this.#transport.lastSentNum);
    const paste = bytes.length > PASTE_THRESHOLD;
    if (paste) this.prediction.reset();
    const remoteFb = this.screen;
    const send: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (!paste) this.prediction.newUserInput(bytes.subarray(i, i + 1), remoteFb);
      if (filter === undefined) send.push(byte);
      else if (!filter(byte, send)) break;
    }
    if (send.length > 0 && !this.#done) {
      this.#transport.currentState.pushKeys(Uint8Array.from(send));
    }
    // The predicted echo first (keystroke latency), then the rest of the turn.
    this.#iterate();
  }

  /** The window changed size. */
  resize(columns: number, rows: number): void {
    if (this.#done) return;
    if (!this.#transport.shutdownInProgress) {
      this.#transport.currentState.pushResize(columns, rows);
    }
    this.prediction.reset();
    this.#iterate();
  }

  /**
   * Ends the session: starts the shutdown handshake and shows `message`,
   * or ends at once when the server was never reached. With `force`, a
   * second request while the handshake runs ends the session at once.
   */
  shutdown(message: string, options: { force?: boolean } = {}): void {
    if (this.#done) return;
    const t = this.#transport;
    if (!t.hasRemoteAddr || (options.force && t.shutdownInProgress)) return this.#finish(1);
    if (!t.shutdownInProgress) {
      this.notifications.set(message, this.#clock(), { permanent: true });
      t.startShutdown();
    }
    this.#iterate();
  }

  /** Ends the session at once, without the handshake (status 1). */
  abort(): void {
    this.#finish(1);
  }

  /** Runs a loop turn now (a sink calls it after its own state changed, e.g. on resume). */
  wake(): void {
    this.#iterate();
  }

  /** A receive failure or an exception from the loop: shown like mosh's network exceptions. */
  #onSocketError(error: Error): void {
    if (this.#done) return;
    this.notifications.setNetworkError(error.message, this.#clock());
  }

  #onDatagram(data: Uint8Array, from: Address): void {
    if (this.#done) return;
    const t = this.#transport;
    t.receiveDatagram(data, from);
    if (t.lastError) {
      if (!t.shutdownInProgress) this.notifications.setNetworkError(t.lastError, this.#clock());
      t.lastError = null;
    }
    this.#iterate();
  }

  #iterate(): void {
    if (this.#done || !this.#started) return;
    const now = this.#clock();
    if (now - this.#dueBy > STALL_MS) this.#excuseStall(now - this.#dueBy, now);
    const t = this.#transport;
    const answered = this.#resumed ? t.lastHeard >= this.#start : t.remoteStateNum > 0n;
    if (answered && !this.#connected) {
      this.#connected = true;
      if (this.notifications.message.startsWith("Nothing received")) this.notifications.clear();
    }
    // The server sent history: it is ours, and takes a prompt re-acknowledgement.
    if (!t.ackDuplicates) t.ackDuplicates = t.latestRemoteState.history.active;
    this.notifications.lastHeard = Math.max(this.lastContact, this.#heardFloor);
    this.notifications.lastAcked = Math.max(
      this.#start,
      t.sentStateAckedTimestamp,
      this.#ackedFloor,
    );
    this.prediction.setSendInterval(t.sendInterval);
    this.prediction.setLocalFrameLateAcked(t.latestRemoteState.echoAck);
    if (t.shutdownAcknowledged) return this.#finish(0);
    if (t.shutdownAckTimedOut) return this.#finish(1);
    if (t.counterpartyShutdownAckSent) return this.#finish(0, true);
    if (!this.#connected && !t.shutdownInProgress && now - this.#start > CONNECT_GRACE) {
      if (now - this.#start > CONNECT_TIMEOUT) {
        this.notifications.set("Timed out waiting for server...", now, { permanent: true });
        t.startShutdown();
      } else {
        this.notifications.set(`Nothing received from server on UDP port ${this.#port}.`, now);
      }
    }
    // Draw before sending: what the user sees (a predicted echo, a new
    // screen) must not wait for the resume record's writes, which come with
    // acknowledgements and keystrokes (up to 0.4 ms each on ext4).
    this.#draw(now);
    // mosh-client holds a keystroke 1 ms to gather the next into the same
    // datagram, its select loop reading on meanwhile. Ours can only wait that
    // out blocked (below), reading nothing, so the wait gathers nothing: with
    // no predicted echo on the screen the datagram is what the user waits
    // for, and goes at once (the send interval still paces what follows).
    // With one, mosh's 1 ms leaves the CPU to the terminal drawing it.
    t.sendMinDelay = this.prediction.shown ? SEND_MINDELAY_CLIENT : 0;
    try {
      t.tick();
      // A failed send (reported asynchronously) shows until one succeeds, as in mosh.
      const sendError = t.sendError;
      if (sendError !== null) this.notifications.setNetworkError(sendError, now);
      else this.notifications.clearNetworkError(now);
    } catch (error) {
      this.notifications.setNetworkError(String((error as Error).message ?? error), now);
    }
    if (t.counterpartyShutdownAckSent) return this.#finish(0, true);
    // A send due within 1.5 ms (the rest of a send interval) is waited out
    // here, blocked: Deno's timers overshoot by 1–2 ms.
    const due = t.waitTime();
    if (due > 0 && due <= SHORT_WAIT_MS) {
      sleepSync(due);
      try {
        t.tick();
      } catch { /* reported on the next turn */ }
    }
    let wait = Math.min(t.waitTime(), this.#sink.waitTime?.(this, now) ?? Infinity);
    wait = Math.min(wait, this.prediction.waitTime());
    if (!this.#connected) wait = Math.min(wait, CONNECT_GRACE);
    const armed = Math.max(1, Math.min(wait, 10_000));
    this.#timer.arm(armed);
    this.#dueBy = now + armed;
  }

  /**
   * The loop ran `ms` past its deadline: the process was stopped (Ctrl-Z,
   * SIGSTOP) or its machine froze. That time is not the server's silence —
   * mosh's monotonic clock does not count a sleeping laptop's either — so
   * the bar counts without it: after `fg` it waits for the server to answer
   * instead of flashing "Last reply 30 seconds ago" for a round trip.
   */
  #excuseStall(ms: number, now: number): void {
    this.#heardFloor = Math.min(now, this.notifications.lastHeard + ms);
    this.#ackedFloor = Math.min(now, this.notifications.lastAcked + ms);
  }

  /**
   * Draws a frame. A sink that fails (the user's terminal hung up: EIO) ends
   * the session as a hangup does; the loop goes on, so the shutdown
   * handshake runs and the process exits.
   */
  #draw(now: number): void {
    try {
      this.#sink.frame(this, now, false);
    } catch (error) {
      this.#sinkFailed(error);
    }
  }

  #sinkFailed(error: unknown): void {
    if (this.#transport.shutdownInProgress) return;
    this.notifications.set(`Output failed: ${(error as Error).message ?? error}`, this.#clock(), {
      permanent: true,
    });
    this.#transport.startShutdown();
  }

  #finish(status: number, endedByServer = false): void {
    if (this.#done) return;
    this.#endedByServer = endedByServer;
    this.#done = true;
    this.#timer.cancel();
    this.notifications.clear();
    try {
      const now = this.#clock();
      this.#sink.frame(this, now, true);
      this.#sink.finish?.(now);
    } catch {
      // The terminal is gone (hangup): nothing is left to draw on, but the
      // session must still end. A failed final frame once left a client
      // running with its socket open and `finished` never settled.
    } finally {
      this.#transport.close();
      Promise.all(this.#sockets.map((s) => s.closed)).then(() =>
        this.#resolve({ status, connected: this.#connected })
      );
    }
  }
}

/**
 * The server's main loop: the host's output (a pty's, or a handler's
 * stream) goes through the emulator to the transport; the client's
 * keystrokes and resizes go back to the host.
 *
 * @module
 */
import type { Address } from "../network/datagram_socket.ts";
import { Transport } from "../network/transport.ts";
import type { UdpSocket } from "../network/udp_socket.ts";
import { Feature } from "../statesync/capabilities.ts";
import { CompleteTerminal } from "../statesync/complete_terminal.ts";
import { decodeUserMessage } from "../statesync/user_message.ts";
import { UserStream } from "../statesync/user_stream.ts";
import { UserInputTranslator } from "../terminal/emulator.ts";
import { TerminalState } from "../terminal/terminal_state.ts";
import { EchoAckTracker } from "./echo_ack.ts";
import { SynchronizedOutput } from "./synchronized_output.ts";
import type { Host } from "./host.ts";
import { WakeupTimer } from "../network/wakeup_timer.ts";
import { InputPacer } from "./input_pacer.ts";
import { MAX_HISTORY_LINES } from "../statesync/complete_terminal.ts";

/** Longest sleep while no client has connected or a shutdown runs. */
const IDLE_WAIT_CAP = 5000;
/** Exit if no client connects within this time. */
const CONNECT_TIMEOUT = 60_000;
const encoder = new TextEncoder();
/** mosh marks a session detached once its client has been silent this long. */
const DETACH_AFTER_MS = 30_000;
/**
 * History lines a scrollback client may lack before a paste's next piece
 * waits (input_pacer.ts): well under the most a diff carries, so a piece's
 * echo still fits.
 */
const PASTE_HISTORY_AHEAD = 256;

/** Options for {@linkcode ServerSession}. */
export interface ServerSessionOptions {
  /** The 22-character base64 session key. */
  key: string;
  /** Bound UDP socket the session answers on. */
  socket: UdpSocket;
  /** What the session serves: a pty with a shell ({@linkcode PtyHost}), or a handler's streams. */
  host: Host;
  /** Initial screen width in columns. */
  width: number;
  /** Initial screen height in rows. */
  height: number;
  /** `MOSH_SERVER_NETWORK_TMOUT` in ms (0 = off). */
  networkTimeoutMs?: number;
  /** `MOSH_SERVER_SIGNAL_TMOUT` in ms (0 = off). */
  signalTimeoutMs?: number;
  /** Where diagnostics go (stderr when the server runs in the foreground). */
  log?: (message: string) => void;
  /** Millisecond clock; tests pass a virtual one. */
  clock?: () => number;
  /**
   * Shown on the terminal before the host's first output, as the terminal
   * would draw it (a login shell's message of the day and detached-session
   * notice).
   */
  greeting?: string | Uint8Array;
  /** Told when a client becomes attached, or detached after 30 s of silence (the registry). */
  onAttachment?: (attached: boolean) => void;
}

/**
 * A running server session.
 *
 * @example
 * ```ts ignore
 * const host = new PtyHost({ pty, childExited: child.status });
 * const session = new ServerSession({ key, socket, host, width: 80, height: 24 });
 * await session.run(); // until the host's output ends or the client quits
 * ```
 */
export class ServerSession {
  /** SSP transport: sends the screen, receives the user stream. */
  readonly transport: Transport<CompleteTerminal<TerminalState>, UserStream>;
  readonly #host: Host;
  readonly #clock: () => number;
  readonly #log: (message: string) => void;
  readonly #translator = new UserInputTranslator();
  readonly #echo = new EchoAckTracker();
  /** Output held while the program redraws (mode 2026), so no half-drawn frame is sent. */
  readonly #sync = new SynchronizedOutput();
  readonly #start: number;
  readonly #networkTimeout: number;
  readonly #signalTimeout: number;
  #lastRemoteNum = 0n;
  #attached = false;
  #terminating = false; // SIGTERM/SIGINT: never cleared
  #usr1 = false;
  #done = false;
  readonly #timer = new WakeupTimer(() => this.#iterate());
  #finished!: () => void;
  readonly #finishedPromise: Promise<void>;
  readonly #onAttachment: ((attached: boolean) => void) | null;
  #clientAttached = false;
  readonly #input: InputPacer;

  /** A ServerSession configured by `options`. */
  constructor(options: ServerSessionOptions) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#log = options.log ?? (() => {});
    this.#host = options.host;
    this.#start = this.#clock();
    this.#networkTimeout = options.networkTimeoutMs ?? 0;
    this.#signalTimeout = options.signalTimeoutMs ?? 0;
    this.transport = new Transport({
      role: "server",
      key: options.key,
      initialState: new CompleteTerminal(new TerminalState(options.width, options.height)),
      initialRemoteState: new UserStream(),
      clock: this.#clock,
      socket: options.socket,
      log: this.#log,
    });
    this.#finishedPromise = new Promise((resolve) => this.#finished = resolve);
    const greeting = options.greeting ?? "";
    if (greeting.length > 0) {
      this.#screen().writeOutput(
        typeof greeting === "string" ? encoder.encode(greeting) : greeting,
      );
    }
    this.#onAttachment = options.onAttachment ?? null;
    this.#input = new InputPacer(
      (bytes) => this.#host.write(bytes).catch((error) => this.#hostCallFailed(error)),
      () => this.#historyRoom(),
      this.#clock,
    );
  }

  /** Handles one datagram from the socket. */
  onDatagram(data: Uint8Array, from: Address): void {
    if (this.#done) return;
    try {
      this.transport.receiveDatagram(data, from);
    } catch (error) {
      this.#log(`Network exception: ${error instanceof Error ? error.message : error}`);
    }
    if (this.transport.remoteStateNum !== this.#lastRemoteNum) this.#applyUserInput();
    this.#iterate();
  }

  /** SIGTERM / SIGINT: shut down (after telling the client, if any). */
  terminate(): void {
    this.#terminating = true;
    this.#iterate();
  }

  /** SIGUSR1: shut down if idle long enough. */
  usr1(): void {
    this.#usr1 = true;
    this.#iterate();
  }

  /** Runs until the session ends. */
  async run(): Promise<void> {
    this.#pumpHost();
    this.#iterate();
    await this.#finishedPromise;
  }

  #applyUserInput(): void {
    const now = this.#clock();
    this.#lastRemoteNum = this.transport.remoteStateNum;
    const events = decodeUserMessage(this.transport.takeRemoteDiff());
    const screen = this.#screen();
    const toHost: Uint8Array[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === "resize") {
        if (events[i + 1]?.kind === "resize") continue; // a run of resizes: only the last counts
        try {
          this.#host.resize(e.width, e.height);
        } catch (error) {
          this.#hostFailed(error);
        }
        if (!this.transport.shutdownInProgress) screen.resize(e.width, e.height);
      } else if (e.kind === "capabilities") {
        this.transport.currentState.peerAnnounced(e.features); // our extension (capabilities.ts)
      } else {
        toHost.push(this.#translator.translate(e.keys, screen.applicationCursorKeys));
      }
    }
    if (events.length > 0) this.#echo.register(this.#lastRemoteNum, now);
    if (!this.#attached) {
      this.#attached = true;
      // The client's announcement is the first unit of its stream: known by now.
      const continuesTerminal = this.transport.currentState.peer.has(Feature.Scrollback);
      this.#whenFailed(() => this.#host.attach(screen.width, screen.height, { continuesTerminal }));
    }
    for (const bytes of toHost) this.#writeHost(bytes);
  }

  /** The server's terminal as it is now (the transport sends it). */
  #screen(): TerminalState {
    return this.transport.currentState.screen;
  }

  /** The host refused a call: say why, and shut the session down. */
  #hostFailed(error: unknown): void {
    this.#log(`Host exception: ${error instanceof Error ? error.stack ?? error.message : error}`);
    this.transport.startShutdown();
  }

  /** A host call failed outside the loop: shut down, and let the loop see it now. */
  #hostCallFailed(error: unknown): void {
    this.#hostFailed(error);
    this.#iterate();
  }

  /** Runs a host call; if it fails, the session shuts down. */
  #whenFailed(call: () => Promise<void> | void): void {
    try {
      const pending = call();
      if (pending) pending.catch((error) => this.#hostCallFailed(error));
    } catch (error) {
      this.#hostCallFailed(error);
    }
  }

  #writeHost(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.#done) return;
    this.#input.push(bytes);
  }

  /**
   * Whether a paste's next piece may go: the client does not keep the
   * history, or lacks at most PASTE_HISTORY_AHEAD lines of it — or lacks
   * more than a diff carries (a flood: those are skipped anyway, and
   * holding input back would hold back the user's Ctrl-C).
   */
  #historyRoom(): boolean {
    const t = this.transport;
    const live = t.currentState.screen;
    if (!live.historyActive) return true;
    const behind = live.historyEnd - t.assumedRemoteCopy.screen.historyEnd;
    return behind <= PASTE_HISTORY_AHEAD || behind > MAX_HISTORY_LINES;
  }

  async #pumpHost(): Promise<void> {
    for (;;) {
      if (this.#done || this.transport.shutdownInProgress) return;
      const data = await this.#host.read();
      if (this.#done) return;
      if (data === null) {
        this.#feed(this.#sync.flush());
        this.transport.startShutdown();
        this.#iterate();
        return;
      }
      if (this.transport.shutdownInProgress) return;
      this.#feed(this.#sync.take(data, this.#clock()));
      this.#iterate();
    }
  }

  /** The host's output through the emulator; its replies (to queries) back to the host. */
  #feed(output: Uint8Array): void {
    if (output.length === 0 || this.transport.shutdownInProgress) return;
    try {
      const replies = this.#screen().writeOutput(output);
      if (replies.length > 0) this.#writeHost(encoder.encode(replies));
    } catch (error) {
      // A bug in the emulator must not take the session down: log it and go on.
      this.#log(`Terminal exception: ${error instanceof Error ? error.stack : error}`);
    }
  }

  /** Steps 5–10 of mosh's loop, then re-arms the timer. */
  #iterate(): void {
    if (this.#done) return;
    const now = this.#clock();
    const t = this.transport;
    const sinceClient = now - t.latestRemoteTimestamp;
    const attached = this.#lastRemoteNum > 0n && sinceClient <= DETACH_AFTER_MS;
    if (attached !== this.#clientAttached) {
      this.#clientAttached = attached;
      this.#onAttachment?.(attached);
    }
    let idle = false;
    if (this.#networkTimeout > 0 && sinceClient >= this.#networkTimeout) {
      this.#log(`Network idle for ${Math.floor(sinceClient / 1000)} seconds.`);
      idle = true;
    }
    if (this.#usr1) {
      this.#usr1 = false;
      if (this.#signalTimeout === 0 || sinceClient >= this.#signalTimeout) {
        this.#log(
          `Network idle for ${Math.floor(sinceClient / 1000)} seconds when SIGUSR1 received`,
        );
        idle = true;
      }
    }
    if (this.#terminating || idle) {
      if (t.hasRemoteAddr && !t.shutdownInProgress) {
        t.startShutdown();
        if (idle && !this.#terminating) this.#terminating = true; // exit on the next round
      } else return this.#finish();
    }
    if (t.shutdownAcknowledged || t.shutdownAckTimedOut || t.counterpartyShutdownAckSent) {
      return this.#finish();
    }
    if (now >= this.#sync.deadline) this.#feed(this.#sync.flush()); // the program never ended it
    const echoAck = this.#echo.compute(now);
    if (!t.shutdownInProgress && echoAck !== t.currentState.echoAck) {
      t.currentState.echoAck = echoAck;
    }
    if (this.#lastRemoteNum === 0n && now - this.#start >= CONNECT_TIMEOUT) {
      this.#log("No connection within 60 seconds.");
      return this.#finish();
    }
    try {
      t.tick();
    } catch (error) {
      this.#log(`Network exception: ${error instanceof Error ? error.message : error}`);
    }
    if (t.counterpartyShutdownAckSent) return this.#finish();
    this.#input.pump(); // an acknowledgement may have made room for a paste's next piece
    let wait = Math.min(t.waitTime(), this.#echo.waitTime(now), this.#sync.deadline - now);
    wait = Math.min(wait, this.#input.waitTime());
    if (this.#lastRemoteNum === 0n || t.shutdownInProgress) wait = Math.min(wait, IDLE_WAIT_CAP);
    if (this.#networkTimeout > 0) {
      wait = Math.min(wait, Math.max(0, this.#networkTimeout - sinceClient));
    }
    if (this.#terminating) wait = Math.min(wait, 50);
    this.#timer.arm(Math.min(Math.max(wait, 0), IDLE_WAIT_CAP));
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#timer.cancel();
    this.#host.close();
    this.transport.close();
    this.#finished();
  }
}

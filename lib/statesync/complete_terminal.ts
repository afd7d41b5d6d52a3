/**
 * The complete terminal, server → client: a terminal screen plus the echo
 * acknowledgement number (the newest user-stream state whose input the
 * application has had time to echo) and, for a client that announced it,
 * the lines that scrolled off the screen (capabilities.ts).
 *
 * @module
 */
import type { SyncState } from "../network/sync_state.ts";
import { Feature, PeerFeatures } from "./capabilities.ts";
import { decodeHostMessage, encodeHostMessage, type HostInstruction } from "./host_message.ts";
import { ReceivedHistory } from "./received_history.ts";
import type { TerminalScreen } from "./terminal_screen.ts";

/**
 * At most this many lines in one diff, the newest. In a flood the server
 * keeps no line that no diff could send (scrollback_store.ts), so floods are
 * counted, not sent: they cost nothing and leave one gap each.
 */
export const MAX_HISTORY_LINES = 1024;
/** At most this many bytes of lines in one diff; the oldest lines beyond are skipped. */
export const MAX_HISTORY_BYTES = 64 * 1024;

/** A host diff that would move the echo ack backwards (mosh asserts; we refuse). */
export class EchoAckRegressionError extends RangeError {
  constructor(current: bigint, received: bigint) {
    super(`Refusing echo ack ${received}: it is older than the current ${current}`);
    this.name = "EchoAckRegressionError";
  }
}

/** Sizes a peer may ask for (and a resume record may hold): positive, and at most 4 Mi cells in all. */
export function validSize(width: number, height: number): boolean {
  return width > 0 && height > 0 && width * height <= 4 * 1024 * 1024;
}

/**
 * Screen + echo ack, synchronized as HostMessages.
 *
 * @example
 * ```ts ignore
 * const state = new CompleteTerminal(new TerminalState(80, 24));
 * state.screen.write(new TextEncoder().encode("hello"));
 * const diff = state.diffFrom(blank); // HostMessage bytes
 * ```
 */
export class CompleteTerminal<S extends TerminalScreen<S>>
  implements SyncState<CompleteTerminal<S>> {
  /** The screen state (emulator) being synchronized. */
  screen: S;
  /** Echo ack. */
  echoAck: bigint;
  /** Server: what the client announced (shared by all copies of the state). */
  readonly peer: PeerFeatures;
  /** Client: the server's history as received (empty from a stock mosh-server). */
  history: ReceivedHistory = ReceivedHistory.NONE;

  /** Wraps `screen`, with the echo ack the server last confirmed. */
  constructor(screen: S, echoAck = 0n, peer: PeerFeatures = new PeerFeatures()) {
    this.screen = screen;
    this.echoAck = echoAck;
    this.peer = peer;
  }

  /**
   * Server: the client announced `features` (capabilities.ts); from now on
   * diffs use what it supports. Called on the live state.
   */
  peerAnnounced(features: number): void {
    this.peer.announce(features);
    if (this.peer.has(Feature.Scrollback)) {
      this.screen.recordHistory?.(this.peer.has(Feature.ShrinkLines));
    }
  }

  diffFrom(base: CompleteTerminal<S>): Uint8Array {
    const out: HostInstruction[] = [];
    if (this.echoAck !== base.echoAck) out.push({ kind: "echoack", num: this.echoAck });
    if (this.screen.width !== base.screen.width || this.screen.height !== base.screen.height) {
      out.push({ kind: "resize", width: this.screen.width, height: this.screen.height });
    }
    const links = this.peer.has(Feature.Hyperlinks);
    if (this.#historyMark() !== base.#historyMark()) out.push(this.#historyLines(base, links));
    const bytes = this.screen.diffFrom(base.screen, this.peer.bits);
    if (bytes.length > 0) out.push({ kind: "hostbytes", bytes });
    return encodeHostMessage(out);
  }

  /** −1 without history, else the number of lines there have been. */
  #historyMark(): number {
    if (this.history.active) return this.history.end;
    return this.screen.historyActive ? this.screen.historyEnd ?? 0 : -1;
  }

  /** The lines `base` lacks, newest kept first within the bounds; older ones skipped. */
  #historyLines(base: CompleteTerminal<S>, links: boolean): HostInstruction {
    const end = this.screen.historyEnd ?? 0;
    // Lines the program erased (ED 3) after they left: not sent, and the
    // receiver drops what it lacks of them, uncounted, before the next ones.
    const cleared = this.screen.historyClearedAt ?? 0;
    const from = Math.max(0, base.#historyMark(), cleared);
    // The newest lines the screen still keeps, within the bounds; the rest
    // is skipped. The same lines whatever the base, so a resend from an
    // older state (the sender's prospective resend) never drops lines that
    // a diff from a newer one would carry. During a flood the screen keeps
    // none of the newest lines (scrollback_store.ts): all are counted.
    const lines: Uint8Array[] = [];
    let bytes = 0;
    for (let n = end - 1; n >= from && lines.length < MAX_HISTORY_LINES; n--) {
      const line = this.screen.historyLine?.(n, links) ?? null;
      if (line === null || bytes + line.length > MAX_HISTORY_BYTES) break;
      lines.push(line);
      bytes += line.length;
    }
    lines.reverse();
    const first = end - lines.length;
    const wrapped: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (this.screen.historyWraps?.(first + i)) wrapped.push(i);
    }
    return {
      kind: "scrollback",
      first,
      lines,
      ...(cleared > base.#historyMark() ? { cleared } : {}),
      ...(wrapped.length > 0 ? { wrapped } : {}),
      ...(this.peer.has(Feature.ShrinkLines) ? { shrinkLines: true } : {}),
    };
  }

  apply(diff: Uint8Array): void {
    const instructions = decodeHostMessage(diff);
    // Validate before mutating so a refused diff leaves no trace.
    for (const i of instructions) {
      if (i.kind === "echoack" && i.num < this.echoAck) {
        throw new EchoAckRegressionError(this.echoAck, i.num);
      }
      if (i.kind === "resize" && !validSize(i.width, i.height)) {
        throw new RangeError(`Refusing resize to ${i.width}x${i.height}`);
      }
    }
    for (const i of instructions) {
      if (i.kind === "hostbytes") this.screen.write(i.bytes);
      else if (i.kind === "resize") this.screen.resize(i.width, i.height);
      else if (i.kind === "echoack") this.echoAck = i.num;
      else {
        this.history = this.history.append(i.first, i.lines, i.cleared, i.wrapped, i.shrinkLines);
      }
    }
  }

  subtract(_prefix: CompleteTerminal<S>): void {}

  equals(other: CompleteTerminal<S>): boolean {
    return this.echoAck === other.echoAck && this.#historyMark() === other.#historyMark() &&
      this.screen.equals(other.screen);
  }

  clone(): CompleteTerminal<S> {
    const copy = new CompleteTerminal(this.screen.clone(), this.echoAck, this.peer);
    copy.history = this.history;
    return copy;
  }
}

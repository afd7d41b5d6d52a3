/**
 * The complete terminal, server → client: a terminal screen plus the echo
 * acknowledgement number (the newest user-stream state whose input the
 * application has had time to echo).
 *
 * @module
 */
import type { SyncState } from "../network/sync_state.ts";
import { decodeHostMessage, encodeHostMessage, type HostInstruction } from "./host_message.ts";
import type { TerminalScreen } from "./terminal_screen.ts";

/** A host diff that would move the echo ack backwards (mosh asserts; we refuse). */
export class EchoAckRegressionError extends RangeError {
  constructor(current: bigint, received: bigint) {
    super(`Refusing echo ack ${received}: it is older than the current ${current}`);
    this.name = "EchoAckRegressionError";
  }
}

/** Sizes a peer may ask for: positive, and at most 4 Mi cells in all. */
function validSize(width: number, height: number): boolean {
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

  /** Wraps `screen`, with the echo ack the server last confirmed. */
  constructor(screen: S, echoAck = 0n) {
    this.screen = screen;
    this.echoAck = echoAck;
  }

  diffFrom(base: CompleteTerminal<S>): Uint8Array {
    const out: HostInstruction[] = [];
    if (this.echoAck !== base.echoAck) out.push({ kind: "echoack", num: this.echoAck });
    if (this.screen.width !== base.screen.width || this.screen.height !== base.screen.height) {
      out.push({ kind: "resize", width: this.screen.width, height: this.screen.height });
    }
    const bytes = this.screen.diffFrom(base.screen);
    if (bytes.length > 0) out.push({ kind: "hostbytes", bytes });
    return encodeHostMessage(out);
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
      else this.echoAck = i.num;
    }
  }

  subtract(_prefix: CompleteTerminal<S>): void {}

  equals(other: CompleteTerminal<S>): boolean {
    return this.echoAck === other.echoAck && this.screen.equals(other.screen);
  }

  clone(): CompleteTerminal<S> {
    return new CompleteTerminal(this.screen.clone(), this.echoAck);
  }
}

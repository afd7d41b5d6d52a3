/**
 * What a server session serves: a program whose output is terminal bytes
 * and whose input is what the user typed. A pty with a shell is one host
 * (`PtyHost`); a handler's streams are another (`StreamHost`).
 *
 * @module
 */

/** What a host may want to know of the first client when it attaches. */
export interface AttachedClient {
  /**
   * The client draws the session on its terminal's main screen, below what
   * the terminal showed, as ssh does (our scrollback extension); a stock
   * mosh client draws it on a screen of its own.
   */
  continuesTerminal: boolean;
}

/**
 * The program end of a server session. The session reads output until
 * `read()` resolves to `null`, writes the user's (already translated) bytes,
 * forwards window sizes, and closes the host when the session ends.
 *
 * @example A host whose program prints one line and ends
 * ```ts
 * import type { Host } from "./host.ts";
 * const lines = [new TextEncoder().encode("hello\r\n")];
 * const host: Host = {
 *   read: () => Promise.resolve(lines.shift() ?? null),
 *   write: () => Promise.resolve(), // the user's keys are ignored
 *   resize() {},
 *   attach() {},
 *   close() {},
 * };
 * ```
 */
export interface Host {
  /** The program's next output (terminal bytes); `null` once it has ended. */
  read(): Promise<Uint8Array | null>;
  /** Queues what the user typed; a rejection ends the session. */
  write(bytes: Uint8Array): Promise<void>;
  /** The client's window size changed; a throw ends the session. */
  resize(columns: number, rows: number): void;
  /**
   * The first client has connected, at this size (its input follows); a
   * rejection ends the session.
   */
  attach(columns: number, rows: number, client?: AttachedClient): Promise<void> | void;
  /** The session is over: release everything the host holds. */
  close(): void;
}

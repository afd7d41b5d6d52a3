/**
 * The classic host: a pseudo-terminal whose slave runs the user's shell.
 *
 * @module
 */
import type { AttachedClient, Host } from "./host.ts";
import type { Pty } from "./pty.ts";
import { libc } from "../libc.ts";

const RELEASE_LINE = new Uint8Array([0x0a]);

/** Options for {@linkcode PtyHost}. */
export interface PtyHostOptions {
  /** The pty whose slave the child (shell) opened. */
  pty: Pty;
  /** Resolves when the child exits: our copy of the slave is then closed so reads end. */
  childExited?: Promise<unknown>;
  /**
   * Starts the program on the slave when the first client attaches; resolves
   * when it has exited. Without it the program is already running (started
   * by the caller) and attaching writes nothing to it.
   */
  startChild?: () => Promise<unknown>;
}

/**
 * A {@linkcode Host} over a pty. With `startChild`, the program starts when
 * the first client attaches ({@linkcode attach}), as mosh's does.
 *
 * @example The terminal's echo comes back as output (FFI: not run as a doc test, the library stays loaded)
 * ```ts ignore
 * import { Pty } from "./pty.ts";
 * import { PtyHost } from "./pty_host.ts";
 * const host = new PtyHost({ pty: Pty.open(80, 24) });
 * await host.write(new TextEncoder().encode("x"));
 * await host.read(); // "x": the pty echoes what is typed while nothing reads it
 * host.close();
 * ```
 */
export class PtyHost implements Host {
  readonly #pty: Pty;
  readonly #startChild: (() => Promise<unknown>) | undefined;

  /** A host over `options.pty`. */
  constructor(options: PtyHostOptions) {
    this.#pty = options.pty;
    this.#startChild = options.startChild;
    options.childExited?.then(() => this.#pty.closeSlave());
  }

  read(): Promise<Uint8Array | null> {
    return this.#pty.read();
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#pty.write(bytes);
  }

  resize(columns: number, rows: number): void {
    this.#pty.resize(columns, rows);
  }

  attach(_columns: number, _rows: number, client?: AttachedClient): Promise<void> {
    if (this.#startChild) {
      // mosh's child waits for a release line on its terminal, which echoes
      // it: under mosh every program starts a row down. Ours starts at once,
      // so the terminal writes that row itself (output processing makes it
      // CR LF, as it does the echo), unless the client continues its own
      // terminal, where the session follows the user's command line as ssh's.
      if (!client?.continuesTerminal) libc().write(this.#pty.slave, RELEASE_LINE, 1n);
      this.#startChild().then(() => this.#pty.closeSlave());
    }
    return Promise.resolve();
  }

  close(): void {
    this.#pty.close();
  }
}

/**
 * Runs a program on a pty of our own (not tmux), so a test or benchmark sees
 * every byte it writes the moment it writes it: keystroke-to-screen latency
 * measured to the millisecond. The output is mirrored into our emulator.
 *
 * @module
 */
import { TEST_STATE_HOME } from "./state_home.ts";
import { Pty } from "../../lib/server/pty.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";

const HELPER = new URL("./pty_exec_helper.ts", import.meta.url).pathname;

/** A program on its own pty, with its screen mirrored. */
export class PtyProgram {
  /** The program's screen as our emulator draws it from the program's output. */
  readonly screen: Emulator;
  /** `performance.now()` of the last output chunk. */
  lastOutputAt = 0;
  readonly #pty: Pty;
  readonly #child: Deno.ChildProcess;
  readonly #listeners = new Set<() => void>();
  readonly #reading: Promise<void>;
  #ended = false;

  private constructor(pty: Pty, child: Deno.ChildProcess, width: number, height: number) {
    this.#pty = pty;
    this.#child = child;
    this.screen = new Emulator(width, height);
    this.#reading = this.#readLoop();
  }

  /** Starts `argv` on a `width`×`height` pty with `env` added to ours. */
  static start(
    argv: string[],
    options: { env?: Record<string, string>; width?: number; height?: number } = {},
  ): PtyProgram {
    const width = options.width ?? 80, height = options.height ?? 24;
    const pty = Pty.open(width, height);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", HELPER],
      env: {
        LANG: "C.UTF-8",
        LC_ALL: "C.UTF-8",
        TERM: "xterm-256color",
        XDG_STATE_HOME: TEST_STATE_HOME,
        ...options.env,
        PTY_EXEC_REQUEST: JSON.stringify({ tty: pty.slavePath, program: argv[0]!, argv }),
      },
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    // Hold the slave until the program is gone: with no slave open, reads of
    // the master fail (EIO) before the program has even opened its side.
    child.status.then(() => pty.closeSlave());
    // execInPty waits for a newline before it execs: the terminal is ready.
    pty.write(new TextEncoder().encode("\n"));
    return new PtyProgram(pty, child, width, height);
  }

  async #readLoop(): Promise<void> {
    for (;;) {
      const chunk = await this.#pty.read();
      if (chunk === null) break;
      this.lastOutputAt = performance.now();
      this.screen.write(chunk);
      for (const listener of this.#listeners) listener();
    }
    this.#ended = true;
    for (const listener of this.#listeners) listener();
  }

  /** Path of the pty slave the program runs on (e.g. `/dev/pts/3`). */
  get ttyPath(): string {
    return this.#pty.slavePath;
  }

  /** Types `text` (as keystrokes) into the program. */
  type(text: string): Promise<void> {
    return this.#pty.write(new TextEncoder().encode(text));
  }

  /** The screen's text, rows joined by "\n". */
  text(): string {
    return this.screen.fb.screenText();
  }

  /** The screen's text and cursor position: changes whenever anything visible moves. */
  signature(): string {
    const ds = this.screen.fb.ds;
    return `${ds.cursorRow},${ds.cursorCol}\n${this.text()}`;
  }

  /**
   * Resolves with `performance.now()` at the first output after which
   * `predicate` holds, or `null` after `timeoutMs`.
   */
  waitUntil(predicate: () => boolean, timeoutMs: number): Promise<number | null> {
    if (predicate()) return Promise.resolve(performance.now());
    return new Promise((resolve) => {
      const done = (value: number | null) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve(value);
      };
      const check = () => {
        if (predicate()) done(this.lastOutputAt);
        else if (this.#ended) done(null);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.#listeners.add(check);
    });
  }

  /** Waits for `pattern` on the screen; throws with the screen after `timeoutMs`. */
  async waitFor(pattern: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const test = () =>
      typeof pattern === "string" ? this.text().includes(pattern) : pattern.test(this.text());
    if ((await this.waitUntil(test, timeoutMs)) === null) {
      throw new Error(`Timed out waiting for ${pattern} on the screen:\n${this.text()}`);
    }
  }

  /** Hangs up: closes the pty and waits for the program to go. */
  async close(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* already gone */ }
    await this.#child.status;
    // The read loop ends at the hangup; don't wait forever if a grandchild holds the pty.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#reading, new Promise((r) => timer = setTimeout(r, 1000))]);
    clearTimeout(timer);
    this.#pty.close();
  }
}

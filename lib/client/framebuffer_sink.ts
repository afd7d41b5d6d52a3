/**
 * The headless client's sink: keeps the server's newest screen for a
 * script to read, and wakes whoever waits for some text to appear.
 *
 * @module
 */
import type { Framebuffer } from "../terminal/framebuffer.ts";
import type { ClientCore, ClientSink } from "./client_core.ts";

/**
 * A wait for text that did not finish; the message shows the screen it last saw.
 *
 * @example
 * ```ts
 * import { FramebufferSink, ScreenWaitError } from "./framebuffer_sink.ts";
 * await new FramebufferSink(80, 24).waitForText("never", 1)
 *   .catch((e) => e instanceof ScreenWaitError); // true
 * ```
 */
export class ScreenWaitError extends Error {
  /** The screen's lines when the wait gave up. */
  readonly screen: string[];
  /** Why the wait gave up and the screen it saw. */
  constructor(message: string, screen: string[]) {
    super(`${message}; the screen was:\n${screen.join("\n")}`);
    this.name = "ScreenWaitError";
    this.screen = screen;
  }
}

/** A cursor position, 0-based. */
export interface CursorPosition {
  /** Row from the top. */
  row: number;
  /** Column from the left. */
  column: number;
}

interface Waiter {
  pattern: string | RegExp;
  resolve: (match: string) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The first match of `pattern` on a screen: a RegExp against the trimmed
 * lines joined by newlines; a string there or in the full rows (so that a
 * prompt's trailing space still matches).
 */
function findText(screen: ScreenText, pattern: string | RegExp): string | null {
  if (typeof pattern === "string") {
    return screen.trimmed.includes(pattern) || screen.full.includes(pattern) ? pattern : null;
  }
  pattern.lastIndex = 0;
  return pattern.exec(screen.trimmed)?.[0] ?? null;
}

/** A screen's text, with and without trailing spaces. */
interface ScreenText {
  full: string;
  trimmed: string;
}

/**
 * Frames kept in memory: the server's screen as it is (no predictions).
 *
 * @example
 * ```ts
 * import { FramebufferSink } from "./framebuffer_sink.ts";
 * const sink = new FramebufferSink(80, 24);
 * sink.screenText().length; // 24
 * ```
 */
export class FramebufferSink implements ClientSink {
  #screen: Framebuffer | null = null;
  #lines: string[];
  #text: ScreenText;
  #num = -1n;
  #ended = false;
  readonly #waiters = new Set<Waiter>();
  readonly #width: number;

  /** A sink whose screen is blank, `columns` × `rows`, until the first frame. */
  constructor(columns: number, rows: number) {
    this.#width = columns;
    this.#lines = Array.from({ length: rows }, () => "");
    this.#text = { full: "", trimmed: this.#lines.join("\n") };
  }

  /** The screen's lines, trailing spaces trimmed. */
  screenText(): string[] {
    return this.#lines.slice();
  }

  /** Where the server's cursor is. */
  get cursor(): CursorPosition {
    const ds = this.#screen?.ds;
    return { row: ds?.cursorRow ?? 0, column: ds?.cursorCol ?? 0 };
  }

  /** The screen's size. */
  get size(): { columns: number; rows: number } {
    return {
      columns: this.#screen?.width ?? this.#width,
      rows: this.#screen?.height ?? this.#lines.length,
    };
  }

  /** The server's window title ("" until it sets one). */
  get title(): string {
    return this.#screen?.windowTitle ?? "";
  }

  /**
   * Resolves with the matched text once `pattern` is on the screen: a
   * RegExp is matched against the lines, trailing spaces trimmed, joined by
   * newlines; a string may also match with the spaces a row has.
   */
  waitForText(pattern: string | RegExp, timeoutMs: number): Promise<string> {
    const now = findText(this.#text, pattern);
    if (now !== null) return Promise.resolve(now);
    if (this.#ended) {
      return Promise.reject(
        new ScreenWaitError(`The session ended before ${pattern} appeared`, this.#lines),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pattern,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new ScreenWaitError(`${pattern} did not appear within ${timeoutMs} ms`, this.#lines),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  frame(core: ClientCore, _now: number, final: boolean): void {
    if (core.connected && core.remoteStateNum !== this.#num) {
      this.#num = core.remoteStateNum;
      const fb = core.screen;
      this.#screen = fb;
      const full = fb.rows.map((r) => r.text());
      this.#lines = full.map((line) => line.trimEnd());
      this.#text = { full: full.join("\n"), trimmed: this.#lines.join("\n") };
      for (const w of this.#waiters) {
        const match = findText(this.#text, w.pattern);
        if (match === null) continue;
        clearTimeout(w.timer);
        this.#waiters.delete(w);
        w.resolve(match);
      }
    }
    if (final) this.finish();
  }

  /** The session is over: waits still pending fail. */
  finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new ScreenWaitError(`The session ended before ${w.pattern} appeared`, this.#lines));
    }
    this.#waiters.clear();
  }
}

/**
 * The strings the client writes to set up and restore the user's terminal
 * (display.md §8.3): the alternate screen where the terminal has one, and
 * application cursor keys.
 *
 * @module
 */

/**
 * smcup/rmcup guessed from `TERM` (as ncurses' database has them), for when
 * no terminfo entry can be read.
 */
export function altScreen(term: string | undefined): { smcup: string; rmcup: string } {
  const t = term ?? "";
  if (/^(xterm|alacritty)/.test(t)) {
    return { smcup: "\x1b[?1049h\x1b[22;0;0t", rmcup: "\x1b[?1049l\x1b[23;0;0t" };
  }
  if (/^rxvt/.test(t)) return { smcup: "\x1b[?1049h", rmcup: "\x1b[r\x1b[?1049l" };
  if (/^(screen|tmux)/.test(t)) return { smcup: "\x1b[?1049h", rmcup: "\x1b[?1049l" };
  return { smcup: "", rmcup: "" };
}

/**
 * Written at start and on resume.
 *
 * @example
 * ```ts
 * import { openString } from "./terminal_init.ts";
 * openString({ smcup: "\x1b[?1049h" }, false); // "\x1b[?1049h\x1b[?1h"
 * ```
 */
export function openString(terminal: { smcup: string }, noInit: boolean): string {
  return (noInit ? "" : terminal.smcup) + "\x1b[?1h";
}

/** Written at exit and on suspend. */
export function closeString(terminal: { rmcup: string }, noInit: boolean): string {
  return "\x1b[?1l\x1b[0m\x1b[?25h\x1b[?1003l\x1b[?1002l\x1b[?1001l\x1b[?1000l" +
    "\x1b[?1015l\x1b[?1006l\x1b[?1005l" + (noInit ? "" : terminal.rmcup);
}

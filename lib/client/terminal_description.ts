/**
 * What the client knows about the user's terminal, from its terminfo entry
 * as mosh-client asks ncurses (`tigetnum("colors")`, `tigetstr("ech")`,
 * `tigetflag("bce")`, smcup/rmcup), with built-in guesses from `TERM` only
 * when no entry exists (a machine without a terminfo database).
 *
 * @module
 */
import { type Capabilities, capabilitiesForTerm } from "../terminal/display.ts";
import { altScreen } from "./terminal_init.ts";
import { loadTerminfo, type TerminfoEnvironment } from "./terminfo.ts";

/** The user's terminal as the client draws on it. */
export interface TerminalDescription {
  /** terminfo's `colors`; -1 when the entry has none. */
  colors: number;
  /** ECH, BCE, and titles for the display diff. */
  caps: Capabilities;
  /** Enters the alternate screen ("" when the terminal has none). */
  smcup: string;
  /** Leaves the alternate screen. */
  rmcup: string;
  /** Whether this came from a terminfo entry rather than the built-in guesses. */
  fromTerminfo: boolean;
}

/** `TERM` is unset, unknown, or generic: `mosh-client -c` reports it as ncurses' `setupterm` does. */
export class UnknownTerminalError extends Error {
  /** An error carrying ncurses' message for `term`. */
  constructor(message: string) {
    super(message);
    this.name = "UnknownTerminalError";
  }
}

/** Colours by `TERM` when there is no entry to read. */
function guessColors(term: string): number | null {
  if (/256color/.test(term)) return 256;
  if (/^(xterm|screen|tmux|rxvt|linux|vt220|alacritty)/.test(term)) return 8;
  return null;
}

/**
 * Describes the terminal named `term`, searching terminfo as ncurses does.
 *
 * @param term `TERM`.
 * @param env Where to search (`TERMINFO`, `HOME`, `TERMINFO_DIRS`).
 *
 * @example
 * ```ts
 * import { describeTerminal } from "./terminal_description.ts";
 * describeTerminal("alacritty", {}).colors; // 256
 * ```
 */
export function describeTerminal(
  term: string | undefined,
  env: TerminfoEnvironment,
): TerminalDescription {
  const info = term === undefined ? null : loadTerminfo(term, env);
  // Titles: terminfo has no reliable flag, so mosh uses a list of TERM prefixes.
  // Hyperlinks and the other OSCs: no terminfo flag either; the same list decides (display.ts).
  const guessed = capabilitiesForTerm(term);
  if (info === null) {
    return {
      colors: guessColors(term ?? "") ?? -1,
      caps: guessed,
      ...altScreen(term),
      fromTerminfo: false,
    };
  }
  return {
    colors: info.numbers.get("colors") ?? -1,
    caps: {
      ...guessed,
      ech: info.strings.has("ech"),
      bce: info.booleans.has("bce"),
      cursorStyle: info.strings.has("Ss"),
    },
    smcup: info.strings.get("smcup") ?? "",
    rmcup: info.strings.get("rmcup") ?? "",
    fromTerminfo: true,
  };
}

/**
 * What `mosh-client -c` prints: terminfo's `colors` for `term`.
 *
 * @throws {UnknownTerminalError} with ncurses' words when `term` is unset,
 * has no entry (and no built-in guess), or names a generic entry.
 *
 * @example
 * ```ts
 * import { terminalColors } from "./terminal_description.ts";
 * terminalColors("xterm-direct", {}); // 16777216
 * ```
 */
export function terminalColors(term: string | undefined, env: TerminfoEnvironment): number {
  if (term === undefined || term === "") {
    throw new UnknownTerminalError("TERM environment variable not set.");
  }
  const info = loadTerminfo(term, env);
  if (info === null) {
    const guess = guessColors(term);
    if (guess === null) throw new UnknownTerminalError(`'${term}': unknown terminal type.`);
    return guess;
  }
  if (info.booleans.has("gn")) {
    throw new UnknownTerminalError(`'${term}': I need something more specific.`);
  }
  return info.numbers.get("colors") ?? -1;
}

/**
 * The interactive client's sink: draws each frame on the user's terminal
 * as a display diff, with predictions, the notification bar and the
 * "[mosh] " title prefix; sets the terminal up and restores it, also
 * around a suspend.
 *
 * @module
 */
import { newFrame } from "../terminal/display.ts";
import { Framebuffer } from "../terminal/framebuffer.ts";
import type { ClientCore, ClientSink } from "./client_core.ts";
import { closeString, openString } from "./terminal_init.ts";
import { describeTerminal, type TerminalDescription } from "./terminal_description.ts";

/** The user's terminal, as the session needs it (real stdin/stdout, or a test double). */
export interface LocalTerminal {
  /** Writes output to the local terminal. */
  write(text: string): void;
  /** Current size of the local terminal. */
  size(): { columns: number; rows: number };
  /** Set raw. */
  setRaw(raw: boolean): void;
}

/** Options for {@linkcode TerminalSink}. */
export interface TerminalSinkOptions {
  /** Where frames are drawn. */
  terminal: LocalTerminal;
  /** The local `TERM` (capabilities, alternate screen). */
  term?: string | undefined;
  /** What the terminal can do; by default read from terminfo for `term`. */
  description?: TerminalDescription;
  /** Leave the alternate screen alone (`--no-init`). */
  noTermInit?: boolean;
  /** Drop the "[mosh] " title prefix (`MOSH_TITLE_NOPREFIX`). */
  titleNoPrefix?: boolean;
}

/**
 * Frames on a local terminal.
 *
 * @example The escape string that sets up a terminal
 * ```ts
 * import { TerminalSink } from "./terminal_sink.ts";
 * let written = "";
 * const sink = new TerminalSink({
 *   terminal: { write: (t) => written += t, size: () => ({ columns: 80, rows: 24 }), setRaw() {} },
 *   term: "xterm-256color",
 * });
 * sink.start(); // written: alternate screen, application cursor keys, a cleared screen
 * ```
 */
export class TerminalSink implements ClientSink {
  readonly #term: LocalTerminal;
  readonly #noInit: boolean;
  readonly #described: TerminalDescription;
  readonly #titlePrefix: string;
  #onScreen: Framebuffer;
  #repaint = false;
  #suspended = false;

  /** A sink drawing on `options.terminal`. */
  constructor(options: TerminalSinkOptions) {
    this.#term = options.terminal;
    this.#noInit = options.noTermInit ?? false;
    this.#described = options.description ?? describeTerminal(options.term, Deno.env.toObject());
    this.#titlePrefix = options.titleNoPrefix ? "" : "[mosh] ";
    const { columns, rows } = this.#term.size();
    this.#onScreen = new Framebuffer(columns, rows);
  }

  /** Puts the terminal in raw mode and clears it (the first frame is blank). */
  start(): void {
    this.#term.setRaw(true);
    this.#term.write(openString(this.#described, this.#noInit));
    const blank = new Framebuffer(this.#onScreen.width, this.#onScreen.height);
    this.#term.write(newFrame(false, blank, blank, this.#described.caps));
  }

  /** Redraw everything on the next frame (Ctrl-L). */
  repaint(): void {
    this.#repaint = true;
  }

  /** Restores the terminal and stops this process (Ctrl-^ Ctrl-Z); see {@linkcode resume}. */
  suspend(): void {
    this.#term.write(closeString(this.#described, this.#noInit));
    this.#term.setRaw(false);
    this.#term.write("\n\x1b[37;44m[mosh is suspended.]\x1b[m\n");
    this.#suspended = true;
    try {
      Deno.kill(0, "SIGSTOP"); // the whole process group, as mosh does: the shell sees its job stop
    } catch { /* cannot stop: carry on */ }
  }

  /** After SIGCONT: raw mode again, and a full repaint. Returns whether it was suspended. */
  resume(): boolean {
    if (!this.#suspended) return false;
    this.#suspended = false;
    this.#term.setRaw(true);
    this.#term.write(openString(this.#described, this.#noInit));
    this.#repaint = true;
    return true;
  }

  frame(core: ClientCore, now: number, final: boolean): void {
    if (this.#suspended) return;
    let target: Framebuffer;
    if (final) {
      target = core.screen.clone();
    } else {
      target = core.predictedScreen();
      core.notifications.apply(target, now);
      if (this.#titlePrefix !== "" && target.titleInitialized) {
        if (target.iconName === target.windowTitle) {
          target.iconName = this.#titlePrefix + target.iconName;
        }
        target.windowTitle = this.#titlePrefix + target.windowTitle;
      }
    }
    const out = newFrame(!this.#repaint, this.#onScreen, target, this.#described.caps);
    if (out.length > 0) this.#term.write(out);
    this.#repaint = false;
    this.#onScreen = target;
  }

  waitTime(core: ClientCore, now: number): number {
    return core.notifications.waitTime(now);
  }

  finish(): void {
    this.#term.write(closeString(this.#described, this.#noInit));
    this.#term.setRaw(false);
  }
}

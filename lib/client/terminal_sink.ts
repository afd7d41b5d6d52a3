/**
 * The interactive client's sink: draws each frame on the user's terminal
 * as a display diff, with predictions, the notification bar and the
 * "[mosh] " title prefix; sets the terminal up and restores it, also
 * around a suspend.
 *
 * @module
 */
import { after } from "../network/wakeup_timer.ts";
import { Feature } from "../statesync/capabilities.ts";
import type { ReceivedHistory } from "../statesync/received_history.ts";
import {
  BOTTOM_ROW,
  type Capabilities,
  leftMainScreen,
  newFrame,
  pushLines,
  unknownRow,
} from "../terminal/display.ts";
import { Framebuffer } from "../terminal/framebuffer.ts";
import { Row } from "../terminal/row.ts";
import type { ClientCore, ClientSink } from "./client_core.ts";
import { LocalScrollback } from "./local_scrollback.ts";
import { closeString, openString } from "./terminal_init.ts";
import { describeTerminal, type TerminalDescription } from "./terminal_description.ts";

/** How long a frame waits for the terminal's cursor position after the window grew (ms). */
const CURSOR_QUERY_MS = 300;
/**
 * How long frames wait after a change of the window's size, in case another
 * comes (ms): tmux resizes its screen at once but tells the program (the
 * pty's size, SIGWINCH) at most every 250 ms, so while a window is dragged
 * its screen is often not the size the client was told.
 */
const SETTLE_MS = 300;
/** How long after a query its answer is still taken out of the keystrokes (ms). */
const CURSOR_ANSWER_MS = 2000;
/**
 * How long the server's history may stand still, after lines were skipped,
 * before the marker goes into the local history without waiting for the
 * line after the gap (ms). A flood moves it at every state: its marker waits,
 * and counts the whole gap.
 */
const MARKER_WAIT_MS = 1000;

/** Onto the terminal's alternate screen, homed, with no renditions, region or link. */
const ENTER_ALTERNATE = "\x1b[0m\x1b]8;;\x1b\\\x1b[?1049h\x1b[r\x1b[H";

/**
 * A cursor-position query (scrollback mode) and its answer: where the cursor
 * was expected, at most how many rows it may have moved down, and — once the
 * terminal answered — how many it did (lines pulled back from the terminal's
 * history). `leaving`: asked on the way back from the alternate screen
 * rather than after a grow.
 */
interface CursorQuery {
  row: number;
  grown: number;
  deadline: number;
  pulled: number | null;
  /** The row the terminal said its cursor is on (from 0), once it answered. */
  answer?: number;
  leaving?: boolean;
}

/**
 * Pushes the top `n` rows of the screen into the terminal's
 * history: line feeds on the bottom row, with no region or renditions.
 */
function pushedBack(n: number): string {
  return `\x1b[r\x1b[0m${BOTTOM_ROW}` + "\n".repeat(n);
}

/**
 * Whether a terminal that reflows (tmux, VTE) rewraps any of `screen`'s rows
 * down to its cursor's at `columns` wide: one that wrapped (a wide character
 * that did not fit in its last column too), or one with cells in use past
 * `columns` (tmux splits a row by the cells written).
 */
function reflowsAt(screen: Framebuffer, columns: number): boolean {
  const last = Math.min(screen.ds.cursorRow, screen.height - 1);
  for (let y = 0; y <= last; y++) {
    const row = screen.row(y);
    if (row.continues || row.usedPast(columns)) return true;
  }
  return false;
}

/** Synchronized update (mode 2026) begin and end: the terminal draws what is between at once. */
const BEGIN_UPDATE = "\x1b[?2026h", END_UPDATE = "\x1b[?2026l";
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
  /**
   * Put the lines that scroll off the server's screen into the local
   * terminal's history, when the server sends them (our extension; off
   * with `--no-scrollback` / `MOSH_SCROLLBACK=0`).
   */
  scrollback?: boolean;
  /**
   * Told after each frame that put lines into the local history, with the
   * number of the first line not yet there (the resume journal keeps it).
   */
  onLinesPrinted?: (end: number) => void;
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
  #caps: Capabilities;
  readonly #scrollback: boolean;
  readonly #onLinesPrinted: ((end: number) => void) | null;
  /** Set once the server sends its history: the local history is ours to fill. */
  #history: LocalScrollback | null = null;
  /**
   * Taken at the first frame: in a resumed session, the history end of the
   * state it resumed from — those lines are in the local terminal already
   * (the dead client drew each state before its record kept it), and the
   * main screen shows the dead client's rows; null in a new session.
   */
  #resumedAt: number | null | undefined = undefined;
  readonly #titlePrefix: string;
  #onScreen: Framebuffer;
  #repaint = false;
  #suspended = false;
  /** What the screen on the terminal was drawn from (to skip frames that would draw nothing). */
  #drawnNum = -1n;
  #drawnBar = "";
  #drawnPredictions = false;
  /**
   * Scrollback mode: how many lines the terminal's history holds that a grown
   * window can pull back onto its screen — unknown (plenty) until the client
   * erased it (ED 3), then counted.
   */
  #localHistory = Infinity;
  /**
   * Scrollback mode, the window grew: where the cursor was, by how much it
   * grew, and — once the terminal answered the cursor-position query — how
   * many lines it pulled back from its history (the cursor moved down as
   * many rows). The frame waits for the answer, at most until `deadline`.
   */
  #cursorQuery: CursorQuery | null = null;
  /**
   * The cursor-position queries sent after the start's whose answers are
   * due, oldest first (the terminal answers in order): when each went out (a
   * late answer is still taken out of the keys) and what takes its answer.
   */
  readonly #answersDue: {
    sent: number;
    take: (row: number, now: number) => void;
  }[] = [];
  /** Scrollback mode: the terminal is on its alternate screen, showing a full-screen program. */
  #onAlternate = false;
  /**
   * On the alternate screen: the main screen's cursor row had the window only
   * ever shrunk around it since the terminal left it, as the server's main
   * screen does (a grow adds rows at its bottom).
   */
  #mainCursorRow = 0;
  /** On the alternate screen: the fewest rows the window had since the terminal went there. */
  #mainMinRows = 0;
  /**
   * Scrollback mode, this frame: the top rows of the server's screen that
   * the fit took off and the local history lacks (see #fitted), to push
   * after the frame's history lines.
   */
  readonly #unshownRows: Row[] = [];
  /**
   * Scrollback mode, this frame: after a change of width that rewrapped drawn
   * rows, how many rows the terminal shows above its cursor (see
   * #dropPrintedRows); null when the width did not change so.
   */
  #reflowedRows: number | null = null;
  /**
   * Scrollback mode: the top rows of the terminal hold lines it rewrapped at
   * a change of width, which count as printed (in its history already). They
   * stay on the screen, as a terminal alone keeps its rewrapped lines, above
   * the session's rows (drawn from the next line on); they leave only by
   * scrolling into the history, as many as the session's rows need, or all
   * at once before anything else could write over them (a history line, the
   * notification bar, a repaint, a resize under a full-screen program).
   */
  #foreignRows = 0;
  /**
   * Scrollback mode, this frame: the first row drawn (below any foreign
   * rows) continues the line on the terminal's row above it — the last in
   * its history, or the last foreign row (a long line the terminal wrapped).
   */
  #topContinues = false;
  /**
   * Scrollback mode: the session asked the terminal where its cursor was
   * before anything else, to start below the user's own lines as an ssh
   * session does (see #startBelowLocalRows); the answer is taken out of the
   * keys until CURSOR_ANSWER_MS after the first frame (`#startAskedAt`).
   */
  #startAsked = false;
  #startAskedAt = -Infinity;
  /** The answer: the cursor's row and column (from 0) and the window's size then ("80x24"). */
  #startAt: { row: number; column: number; size: string } | null = null;
  /**
   * On the alternate screen: the window changed size since (at a frame), and
   * its width changed so that the terminal rewraps the main screen it keeps
   * aside (#mainAtEntry, and any foreign rows, whose text is not known).
   */
  #alternateResized = false;
  #alternateRewrapped = false;
  /**
   * The main screen as drawn when the terminal went onto its alternate
   * screen (its size the window's then, its cursor the main one's).
   */
  #mainAtEntry: Framebuffer;
  /**
   * The server's main screen then: the line its top row would be in the
   * history (the history's end: nothing is recorded from a main screen kept
   * aside) and its cursor's row (the drawn one is below foreign rows).
   */
  #mainFirstLine = 0;
  #mainServerRow = 0;
  /** Scrollback mode, this frame: how many of the foreign rows scroll into the history first. */
  #flushRows = 0;
  /** Scrollback mode, this frame: the rows a grown window pulled back stay, as foreign rows. */
  #pulledKept = false;
  /** A blank row to compare rows with (never drawn or written). */
  #blank = new Row(0);
  /** The server's history end in the last frame, and when it last moved (see MARKER_WAIT_MS). */
  #historyEnd = -1;
  #historyMovedAt = 0;
  /** Scrollback mode: the window's size as told at the last frame, and when that last changed. */
  #sizeTold = { columns: 0, rows: 0 };
  #sizeToldAt = -Infinity;
  /** finish() left raw mode on for answers still due: what gives the terminal back (restored()). */
  #restoring: (() => void) | null = null;
  #onRestored: (() => void) | null = null;
  /** The window's size as read in this frame (null: not read yet). */
  #frameSize: { columns: number; rows: number } | null = null;

  /** A sink drawing on `options.terminal`. */
  constructor(options: TerminalSinkOptions) {
    this.#term = options.terminal;
    this.#noInit = options.noTermInit ?? false;
    this.#described = options.description ?? describeTerminal(options.term, Deno.env.toObject());
    this.#caps = this.#described.caps;
    this.#scrollback = options.scrollback ?? false;
    this.#onLinesPrinted = options.onLinesPrinted ?? null;
    this.#titlePrefix = options.titleNoPrefix ? "" : "[mosh] ";
    const { columns, rows } = this.#term.size();
    this.#onScreen = this.#mainAtEntry = new Framebuffer(columns, rows);
    this.#sizeTold = { columns, rows };
  }

  /**
   * The extensions to announce to the server (capabilities.ts): hyperlinks,
   * the working directory and notifications if the local terminal takes
   * those OSCs, scrollback if enabled.
   */
  get features(): number {
    return (this.#caps.hyperlinks ? Feature.Hyperlinks : 0) |
      (this.#caps.workingDirectory ? Feature.WorkingDirectory : 0) |
      (this.#caps.notifications ? Feature.Notifications : 0) |
      (this.#scrollback ? Feature.Scrollback | Feature.ShrinkLines : 0);
  }

  /** Whether lines are being put into the local terminal's history. */
  get scrollbackActive(): boolean {
    return this.#history !== null;
  }

  /** Puts the terminal in raw mode and clears it (the first frame is blank). */
  start(): void {
    this.#term.setRaw(true);
    // Scrollback mode leaves the alternate screen at the server's first history; where the
    // cursor is on the main screen (asked first, before smcup) says where the session starts.
    this.#startAsked = this.#scrollback && !this.#noInit && this.#described.rmcup !== "";
    const ask = this.#startAsked ? "\x1b[6n" : "";
    this.#term.write(ask + openString(this.#described, this.#noInit));
    const blank = new Framebuffer(this.#onScreen.width, this.#onScreen.height);
    this.#term.write(newFrame(false, blank, blank, this.#described.caps));
  }

  /** Redraw everything on the next frame (Ctrl-L). */
  repaint(): void {
    this.#repaint = true;
  }

  /** Restores the terminal and stops this process (Ctrl-^ Ctrl-Z); see {@linkcode resume}. */
  suspend(): void {
    this.#term.write(this.#closing());
    // Back on the main screen for the shell (#closing); after fg the program's screen is
    // entered again and the main one redrawn when it leaves.
    this.#onAlternate = false;
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
    let out = openString(this.#described, this.#noInit || this.#history !== null);
    if (this.#history !== null && !this.#noInit) {
      // Scrollback mode: what the user's shell printed meanwhile (the suspend
      // message, "Stopped", the commands run) scrolls into the history above
      // the repainted session, as the rows before the session did at its start.
      this.#frameSize = null; // the window may have changed while stopped
      out += this.#keepLocalRows();
      this.#foreignRows = 0; // scrolled away with the rest
      this.#localHistory = Infinity; // the shell's lines in it are not counted
    }
    this.#term.write(out);
    this.#repaint = true;
    return true;
  }

  frame(core: ClientCore, now: number, final: boolean): void {
    if (this.#resumedAt === undefined) {
      this.#resumedAt = core.resumed ? core.remoteState.history.end : null;
    }
    if (this.#suspended) return;
    if (this.#startAsked && this.#startAskedAt === -Infinity) this.#startAskedAt = now;
    this.#frameSize = null;
    if (this.#history !== null) this.#trackSize(now); // scrollback mode only: a system call
    if (this.#onAlternate) {
      const { columns, rows } = this.#windowSize();
      this.#mainMinRows = Math.min(this.#mainMinRows, rows);
      this.#mainCursorRow = Math.min(this.#mainCursorRow, rows - 1);
      const entry = this.#mainAtEntry;
      if (columns !== entry.width || rows !== entry.height) this.#alternateResized = true;
      if (
        columns !== entry.width && !this.#alternateRewrapped &&
        (this.#foreignRows > 0 || reflowsAt(entry, columns))
      ) {
        this.#alternateRewrapped = true;
      }
    }
    const reflows = core.remoteState.history.shrinkLines;
    if (
      !final &&
      (this.#awaitingSettledSize(now) || this.#awaitingCursor(now, reflows) ||
        this.#awaitingMainScreen(core, now) ||
        this.#awaitingStartCursor(core, now) > 0)
    ) {
      return;
    }
    const bar = final ? "" : core.notifications.text(now);
    if (!final && this.#unchanged(core, bar, now)) return;
    let target: Framebuffer;
    if (final) {
      target = this.#fitted(core.screen.clone(), core.remoteState.history, "");
      this.#drawnNum = -1n;
    } else {
      target = this.#fitted(core.predictedScreen(), core.remoteState.history, bar);
      this.#drawnNum = core.remoteStateNum;
      this.#drawnBar = bar;
      this.#drawnPredictions = core.prediction.active;
      core.notifications.apply(target, now);
      if (this.#titlePrefix !== "" && target.titleInitialized) {
        if (target.iconName === target.windowTitle) {
          target.iconName = this.#titlePrefix + target.iconName;
        }
        target.windowTitle = this.#titlePrefix + target.windowTitle;
      }
    }
    let out = "";
    const history = core.remoteState.history;
    const printed = this.#history?.printed ?? -1;
    // Off the program's screen before the history lines, onto it after them (and after
    // the first of them, which start scrollback mode: a resumed session may resume in vim).
    const switchable = !this.#noInit && this.#scrollback;
    if (switchable && target.primaryRows === null) out += this.#switchScreens(target, history);
    if (history.active && this.#scrollback && !this.#onAlternate) {
      // Onto a full-screen program: the main screen it left goes first, as a frame of its
      // own, so the terminal keeps that one aside (see leftMainScreen).
      const left = switchable && !final ? leftMainScreen(target, target) : null;
      const main = left === null ? target : this.#fitted(left, history, "");
      out += this.#pushHistory(history, main, final, now, bar);
      if (left !== null) {
        out += newFrame(!this.#repaint, this.#onScreen, main, this.#caps);
        this.#repaint = false;
        this.#onScreen = main;
      }
    }
    if (switchable && this.#history !== null) out += this.#switchScreens(target, history);
    out += newFrame(!this.#repaint, this.#onScreen, target, this.#caps);
    if (out.length > 0) {
      // One synchronized update (mode 2026): a terminal that knows it shows the frame whole,
      // even when it reads the write in pieces; others skip the mode.
      this.#term.write(this.#caps.synchronizedOutput ? `${BEGIN_UPDATE}${out}${END_UPDATE}` : out);
    }
    this.#repaint = false;
    this.#onScreen = target;
    this.#cursorQuery = null; // it served the frame right after the window grew
    const printedNow = this.#history?.printed ?? -1;
    if (printedNow > printed && printedNow > 0) this.#onLinesPrinted?.(printedNow);
  }

  /** The window's size, read once a frame (a system call, and several steps of a frame ask). */
  #windowSize(): { columns: number; rows: number } {
    return this.#frameSize ??= this.#term.size();
  }

  /**
   * Scrollback mode: a full-screen program went on the remote alternate
   * screen (the server says so to a scrollback client), or left it. The
   * terminal follows it onto its own alternate screen, where its history
   * gets none of the program's rows (when the window shrinks, say) and the
   * mouse wheel scrolls the program, as over ssh; the main screen waits
   * there as the program left it (drawn just before, see frame), and
   * history lines wait for it.
   */
  #switchScreens(target: Framebuffer, history: ReceivedHistory): string {
    const remoteAlternate = target.primaryRows !== null;
    if (remoteAlternate === this.#onAlternate) return "";
    this.#onAlternate = remoteAlternate;
    if (remoteAlternate) {
      this.#mainCursorRow = this.#onScreen.ds.cursorRow;
      this.#mainMinRows = this.#onScreen.height;
      this.#alternateResized = this.#alternateRewrapped = false;
      this.#mainAtEntry = this.#onScreen;
      this.#mainFirstLine = history.end;
      this.#mainServerRow = target.primaryCursor?.row ?? 0;
    }
    const left = this.#cursorQuery?.leaving === true; // ahead, by awaitingMainScreen
    const { columns, rows } = this.#windowSize();
    // The alternate screen starts blank; the main one comes back as the terminal kept it
    // (resized as it chose): blanked and drawn again.
    this.#onScreen = this.#onScreen.blankLike(columns, rows);
    this.#repaint = !remoteAlternate;
    if (!left) this.#cursorQuery = null;
    // Entering, the terminal saves the main screen's cursor (where the shell's was: the
    // exit message goes there if the session ends meanwhile) and keeps it: home it, with no
    // renditions, region or link, as the blank screen it is drawn from has it.
    if (remoteAlternate) return ENTER_ALTERNATE;
    return left ? "" : "\x1b[?1049l";
  }

  /**
   * Scrollback mode, the window resized and the server not yet told: its
   * screen as the server will make it, shrunk around the cursor as the
   * terminal shrank (drawn at the old size, it would run off the bottom and
   * scroll the terminal, pushing rows into its history).
   *
   * With a server that records the rows a shrink drops (Feature.ShrinkLines),
   * the screen's top line is tracked exactly: the rows the terminal pushed as
   * it shrank count as printed (they reach the client later, as lines that
   * scrolled off before the server resized, or as the rows its resize
   * dropped), and the drawn screen never shows a row the local history
   * holds: its top row is always the line after the history's last. A
   * server still behind several resizes would otherwise have rows pushed
   * twice, or never.
   */
  #fitted(screen: Framebuffer, history: ReceivedHistory, bar: string): Framebuffer {
    if (this.#history === null) return screen;
    const { columns, rows } = this.#windowSize();
    this.#unshownRows.length = 0;
    this.#reflowedRows = null;
    this.#flushRows = 0;
    this.#topContinues = false;
    this.#pulledKept = false;
    const main = screen.primaryRows === null;
    if (main && this.#onAlternate && history.shrinkLines) this.#rewrappedWhileAway();
    let redrawsHeld = false;
    if (history.shrinkLines && main) {
      redrawsHeld = this.#dropPrintedRows(screen, columns, rows, history);
    }
    if (screen.width !== columns || screen.height !== rows) screen.resize(columns, rows, true);
    if (this.#reflowedRows !== null) this.#foreignRows = this.#reflowedRows;
    const mainKnown = !(main && this.#onAlternate) ||
      this.#foreignOnMainScreen(history.shrinkLines);
    if (this.#foreignRows > 0 && main) {
      const local = this.#history;
      const flushAll = bar !== "" || redrawsHeld || this.#unshownRows.length > 0 ||
        this.#repaint && this.#reflowedRows === null || !mainKnown ||
        history.end > Math.max(local.printed, history.clearedAt) || local.pendingSkipped > 0 ||
        screen.historyClears !== this.#onScreen.historyClears;
      this.#keepForeignRows(screen, rows, flushAll);
    }
    return screen;
  }

  /**
   * Back from a full-screen program (the frame that leaves the alternate
   * screen): sets how many foreign rows the terminal's main screen shows
   * above the session's rows: as many as it left, fewer the ones a shrink
   * pushed off its top (shrinking around the cursor, as #mainCursorRow
   * follows), and more the lines a grow pulled back from its history (its
   * answer to where the main cursor is, see #awaitingMainScreen): those stay,
   * as foreign rows. Returns false when that is not known (a change of
   * width rewrapped its rows, or no answer came).
   */
  #foreignOnMainScreen(tracked: boolean): boolean {
    if (!this.#alternateResized) return true;
    if (!tracked) return false;
    if (this.#alternateRewrapped) return this.#reflowedRows !== null; // see #rewrappedWhileAway
    const pushed = this.#mainAtEntry.ds.cursorRow - this.#mainCursorRow;
    // The terminal's history now ends with the last row it pushed; the top row
    // (pulled-back rows above it or not) goes on with it if that one wrapped.
    if (pushed > 0) this.#topContinues = this.#mainAtEntry.rows[pushed - 1]!.continues;
    let foreign = Math.max(0, this.#foreignRows - pushed);
    const query = this.#cursorQuery;
    if (query?.leaving === true) {
      if (query.pulled === null) return false;
      foreign += query.pulled;
      this.#pulledKept = true;
    }
    this.#foreignRows = foreign;
    return true;
  }

  /**
   * Back from a full-screen program under which a change of width rewrapped
   * the terminal's main screen (#alternateRewrapped), with its answer to
   * where its main cursor is: as after a change of width on the main screen
   * (see #dropPrintedRows), every row the terminal shows above its cursor
   * becomes a foreign row, left as it rewrapped it, and the lines above the
   * program's cursor count as printed.
   */
  #rewrappedWhileAway(): void {
    const query = this.#cursorQuery;
    if (!this.#alternateRewrapped || query?.leaving !== true || query.answer === undefined) return;
    // The server's main screen shrank around its cursor, as the window did at the most.
    const above = Math.min(this.#mainServerRow, this.#mainMinRows - 1);
    const local = this.#history!;
    local.advance(Math.max(0, this.#mainFirstLine + above - local.printed));
    this.#reflowedRows = query.answer;
  }

  /**
   * Puts the foreign rows (see #foreignRows) above the session's rows in
   * `screen` (`rows` high), after scrolling out as many as the session's
   * rows in use need (the cursor's, and any below it that are not blank), or
   * all of them (`all`); those go first (#flushRows).
   */
  #keepForeignRows(screen: Framebuffer, rows: number, all: boolean): void {
    const foreign = this.#foreignRows;
    let used = screen.ds.cursorRow;
    if (this.#blank.width !== screen.width) {
      this.#blank = new Row(screen.width);
      this.#blank.shared = true; // a write to it copies it first
    }
    const blank = this.#blank;
    for (let y = rows - 1; y > used; y--) {
      if (!screen.rows[y]!.contentEquals(blank)) {
        used = y;
        break;
      }
    }
    const flush = all ? foreign : Math.min(foreign, Math.max(0, used + foreign - (rows - 1)));
    const kept = foreign - flush;
    this.#flushRows = flush;
    this.#foreignRows = kept;
    if (kept === 0) return;
    // Placeholders never drawn (the diff finds them equal): no new row per frame, which is
    // every keystroke's while the user's own lines from before the session stay above it.
    screen.rows = new Array<Row>(kept).fill(blank).concat(screen.rows.slice(0, rows - kept));
    screen.ds.cursorRow += kept;
  }

  /**
   * Takes off the top of the server's `screen` the rows the local history
   * holds, and those the window, `rows` high, has no room for above the
   * cursor (which go to the history first: #unshownRows). Line `end` is the
   * screen's top row.
   *
   * A change of width that rewraps drawn rows: terminals that reflow (tmux,
   * VTE) rewrapped them, pushing those that no longer fit into their history
   * or pulling history rows back onto the screen, while the server's screen,
   * as mosh's, cuts or pads its rows. So every row the terminal shows above
   * its cursor (the cursor-position answer says how many) becomes a foreign
   * row (see #foreignRows), left as the terminal rewrapped it, and the drawn
   * lines above the cursor count as printed: the session's rows go on from
   * the cursor's row, and each of those lines reaches the history once,
   * whole, when its rows scroll off. When no drawn row rewraps (short lines)
   * the screen is just drawn again at the new width.
   *
   * A shrink pushes the top rows, foreign ones first; a grow pulls lines back
   * from the history onto the top, which stay as foreign rows.
   *
   * Returns whether the cursor went up into rows the local history holds
   * (they are drawn again).
   */
  #dropPrintedRows(
    screen: Framebuffer,
    columns: number,
    rows: number,
    history: ReceivedHistory,
  ): boolean {
    const local = this.#history!;
    const drawn = this.#onScreen;
    const foreign = this.#foreignRows;
    // Back from a full-screen program, what is drawn is its screen: only the drop below applies.
    const adjust = !this.#repaint && !this.#onAlternate;
    if (adjust && columns !== drawn.width && (foreign > 0 || reflowsAt(drawn, columns))) {
      this.#reflowedRows = this.#cursorQuery?.answer ?? drawn.ds.cursorRow;
      local.advance(drawn.ds.cursorRow - foreign);
    } else if (adjust && rows < drawn.height) {
      // The terminal shrank around its cursor, pushing the drawn screen's top
      // rows: the foreign ones first.
      const pushed = Math.max(0, drawn.ds.cursorRow - rows + 1);
      this.#foreignRows -= Math.min(foreign, pushed);
      local.advance(Math.max(0, pushed - foreign));
    } else if (adjust && rows > drawn.height) {
      // The terminal grew, pulling lines back from its history onto its top
      // rows (tmux and VTE do): they stay there, as in a terminal alone, as
      // foreign rows above the drawn ones (see #afterResize for how many).
      const pulled = this.#cursorQuery?.pulled ??
        Math.min(rows - drawn.height, this.#localHistory);
      this.#foreignRows += pulled;
      this.#localHistory -= pulled;
      this.#pulledKept = true;
    }
    const ds = screen.ds, end = history.end;
    const held = Math.max(0, local.printed - end);
    // Whether the line the local history ends with wraps onto the next: then the
    // terminal's top row (below any foreign rows) goes on with it.
    const last = held > 0 ? screen.rows[held - 1]! : null;
    this.#topContinues = last !== null ? last.continues : history.continues(local.printed - 1);
    const fit = Math.max(0, ds.cursorRow - rows + 1);
    const drop = Math.min(Math.max(held, fit), ds.cursorRow); // never the cursor's row
    if (drop <= 0) return held > 0;
    const width = drawn.width;
    for (let y = held; y < drop; y++) {
      const row = screen.rows[y]!.copy();
      if (row.width !== width) row.resize(width, 0);
      this.#unshownRows.push(row);
    }
    const kept = screen.rows.slice(drop);
    while (kept.length < screen.height) kept.push(new Row(screen.width));
    screen.rows = kept;
    ds.cursorRow -= drop;
    return drop < held;
  }

  /**
   * Whether a frame would draw exactly what the terminal shows: the same
   * server state and bar, no predictions then or now. The loop runs a turn
   * for every datagram and timer, ≈ 6 per new state under output through
   * loss, and each drawn frame copies and compares the whole screen.
   */
  #unchanged(core: ClientCore, bar: string, now: number): boolean {
    if (this.#repaint || core.remoteStateNum !== this.#drawnNum || bar !== this.#drawnBar) {
      return false;
    }
    if (this.#markerWait(now) === 0) return false;
    if (this.#drawnPredictions || core.prediction.active) return false;
    if (this.#history === null) return true;
    const { columns, rows } = this.#windowSize(); // scrollback mode redraws on a local resize
    return columns === this.#onScreen.width && rows === this.#onScreen.height;
  }

  /**
   * Scrollback mode: the lines that left the server's screen go through the
   * top of the local screen into its history, before the frame is drawn.
   * From the server's first history on, the local terminal stays on its main
   * screen, and nothing is ever cleared or scrolled but by this.
   */
  #pushHistory(
    history: ReceivedHistory,
    target: Framebuffer,
    final: boolean,
    now: number,
    bar: string,
  ): string {
    let out = "";
    if (this.#history === null) {
      if (final) return "";
      this.#history = new LocalScrollback(this.#resumedAt ?? 0);
      this.#caps = { ...this.#caps, keepHistory: true, clearHistory: true };
      if (!this.#noInit) {
        out += this.#described.rmcup;
        if (this.#described.rmcup !== "" && this.#resumedAt === null) {
          out += this.#startBelowLocalRows(target, history, bar);
        }
      }
      this.#repaint = true;
    }
    const { columns, rows } = this.#windowSize();
    if (this.#repaint || columns !== this.#onScreen.width || rows !== this.#onScreen.height) {
      if (this.#reflowedRows === null) {
        out += this.#repaint ? this.#pushBackAfterAlternate() : this.#afterResize(rows);
      }
      out += this.#scrollOutForeign();
      // What the terminal shows below the foreign rows is unknown: blank it row
      // by row (a clear would push it into the history) and draw everything from there.
      out += "\x1b[r\x1b[0m\x1b]8;;\x1b\\";
      // But a top row that continues the line above it (which the terminal pushed
      // itself as its window shrank, pulled back as it grew, or rewrapped as a
      // foreign row): erasing the whole row would unmark that one as wrapped
      // (tmux), so the row is drawn over instead.
      const top = this.#foreignRows, keepTop = this.#topContinues;
      const first = top + (keepTop ? 2 : 1);
      for (let y = first; y <= rows; y++) out += `\x1b[${y};1H\x1b[2K`;
      if (first > rows) out += BOTTOM_ROW; // where the cursor is taken to be (below)
      this.#onScreen = this.#onScreen.blankLike(columns, rows);
      if (keepTop && top < rows) this.#onScreen.rows[top] = unknownRow(columns);
      this.#onScreen.ds.cursorRow = rows - 1;
      this.#repaint = false;
    } else {
      out += this.#scrollOutForeign();
    }
    if (this.#caps.clearHistory && target.historyClears !== this.#onScreen.historyClears) {
      // The program erased the history (ED 3) before the lines that left after
      // it (the server sends none from before): erase first, then push those.
      out += "\x1b[3J";
      this.#onScreen.historyClears = target.historyClears;
      this.#localHistory = 0;
    }
    // A screenful at a time: all of a frame's lines as rows at once (≈ 2 KB
    // each, 566 in one frame of the 50 MB mixed-SGR drain) outlived V8's
    // 1 MB young generation, and the promoted garbage took the client's
    // peak RSS to 106–238 MB.
    for (;;) {
      const lines = this.#history.take(history, this.#onScreen.width, this.#onScreen.height);
      if (lines.length === 0) break;
      out += pushLines(this.#onScreen, lines, this.#caps);
      this.#localHistory += lines.length;
    }
    if (history.end !== this.#historyEnd) {
      this.#historyEnd = history.end;
      this.#historyMovedAt = now;
    }
    const unshown = this.#unshownRows;
    // The marker of a gap goes before the line after it: one of those rows, or
    // none yet, once the output has stood still (or the session ended) there.
    if (unshown.length > 0 || final || this.#markerWait(now) === 0) {
      const marker = this.#history.takeMarker();
      if (marker !== null) {
        out += pushLines(this.#onScreen, [marker], this.#caps);
        this.#localHistory++;
      }
    }
    if (unshown.length > 0) {
      out += pushLines(this.#onScreen, unshown, this.#caps);
      this.#localHistory += unshown.length;
      this.#history.advance(unshown.length);
    }
    return out;
  }

  /**
   * Scrolls this frame's #flushRows foreign rows into the terminal's history;
   * what is drawn scrolls with them, the pen reset, the cursor on the bottom row.
   */
  #scrollOutForeign(): string {
    const n = this.#flushRows;
    if (n === 0) return "";
    this.#flushRows = 0;
    this.#localHistory += n;
    const shown = this.#onScreen, ds = shown.ds;
    shown.rows = shown.rows.slice(n);
    while (shown.rows.length < shown.height) shown.rows.push(new Row(shown.width));
    ds.cursorRow = shown.height - 1;
    ds.cursorCol = 0;
    ds.fg = ds.bg = ds.attrs = 0;
    return pushedBack(n);
  }

  /**
   * The window changed height under a drawn screen. Terminals that keep a
   * history (xterm, tmux, VTE) shrink around the cursor, pushing the rows
   * above it into their history (so does the server's screen for a client
   * in scrollback mode, without sending them), and grow by pulling lines
   * back from their history onto the top of the screen: those stay there as
   * foreign rows with a server that tracks the screen's top line
   * (Feature.ShrinkLines, see #dropPrintedRows), else they are pushed back
   * (line feeds on the bottom row) before the redraw, which would otherwise
   * write over them. How many: the terminal's answer to a
   * cursor-position query, or, without one within CURSOR_QUERY_MS, as many
   * as the window grew (unless the client erased the history since: then at
   * most as many as it pushed).
   */
  #afterResize(rows: number): string {
    const old = this.#onScreen;
    if (rows < old.height) {
      this.#localHistory += Math.max(0, old.ds.cursorRow - rows + 1);
      return "";
    }
    // As the terminal said (the cursor moved down as many rows), else a guess.
    const measured = this.#cursorQuery?.pulled ?? null;
    this.#cursorQuery = null;
    if (this.#pulledKept) return ""; // they stay on the screen (see #dropPrintedRows)
    const pulled = measured ?? Math.min(rows - old.height, this.#localHistory);
    if (pulled <= 0) return "";
    this.#localHistory -= pulled;
    return pushedBack(pulled);
  }

  /**
   * Back from the alternate screen: rows the terminal pulled back from its
   * history onto its main screen while the window grew under the program
   * (tmux does, xterm does not) are pushed back before the redraw, which
   * would write over them. How many: as many rows as the terminal's main
   * cursor is below where shrinking alone would have left it (the answer to
   * awaitingMainScreen's query).
   */
  #pushBackAfterAlternate(): string {
    if (this.#pulledKept) return ""; // they stay, as foreign rows (see #foreignOnMainScreen)
    const query = this.#cursorQuery;
    const pulled = query?.leaving === true ? query.pulled ?? 0 : 0;
    if (pulled <= 0) return "";
    this.#localHistory += pulled;
    return pushedBack(pulled);
  }

  /**
   * Scrollback mode, the program left the remote alternate screen after the
   * window grew under it: the terminal leaves its own ahead of the frame, and
   * the frame waits for its answer to a cursor-position query there (see
   * pushBackAfterAlternate), at most CURSOR_QUERY_MS.
   */
  #awaitingMainScreen(core: ClientCore, now: number): boolean {
    if (!this.#onAlternate) return false;
    const query = this.#cursorQuery;
    const { columns, rows } = this.#windowSize();
    if (core.screen.primaryRows !== null) {
      if (query?.leaving === true) {
        // The program came back before the answer: onto the alternate screen again, blank.
        this.#cursorQuery = null;
        this.#term.write(ENTER_ALTERNATE);
        this.#onScreen = this.#onScreen.blankLike(columns, rows);
      }
      return false;
    }
    if (query?.leaving === true) return query.pulled === null && now < query.deadline;
    // Never grown, nor rewrapped: nothing pulled back, and the rows are where they were.
    if (rows <= this.#mainMinRows && !this.#alternateRewrapped) return false;
    this.#cursorQuery = {
      row: this.#mainCursorRow,
      grown: rows,
      deadline: now + CURSOR_QUERY_MS,
      pulled: null,
      leaving: true,
    };
    this.#askCursor("\x1b[?1049l", now);
    return true;
  }

  /**
   * Scrollback mode, the frame that leaves the alternate screen for good
   * waits for the answer to the query start() sent, at most CURSOR_QUERY_MS
   * after the first frame: returns how long still (0: no wait).
   */
  #awaitingStartCursor(core: ClientCore, now: number): number {
    if (this.#history !== null || !this.#startAsked || this.#startAt !== null) return 0;
    if (!core.remoteState.history.active) return 0;
    return Math.max(0, this.#startAskedAt + CURSOR_QUERY_MS - now);
  }

  /**
   * Back on the main screen at the session's start, the cursor where the
   * shell left it: the session starts on its row (the next one if text was
   * left on it), below the user's own lines, which stay on the screen as the
   * foreign rows do (see #foreignRows), as an ssh session would leave them —
   * they scroll into the history as the session needs the room. Without the
   * cursor's position (no answer, or the window changed since), they all go
   * into the history first (#keepLocalRows).
   */
  #startBelowLocalRows(target: Framebuffer, history: ReceivedHistory, bar: string): string {
    const at = this.#startAt;
    const { columns, rows } = this.#windowSize();
    const size = `${columns}x${rows}`;
    if (at === null || at.size !== size || target.width !== columns || target.height !== rows) {
      return this.#keepLocalRows();
    }
    const out = toFreshRow(columns); // a wrap at the bottom scrolls one
    this.#foreignRows = Math.min(at.column > 0 ? at.row + 1 : at.row, rows - 1);
    if (this.#foreignRows > 0 && target.primaryRows === null) {
      const flushAll = bar !== "" || history.end > history.clearedAt;
      this.#keepForeignRows(target, rows, flushAll);
    }
    return out;
  }

  /**
   * Back on the main screen, the cursor is where the shell left it when the
   * session started: the rows above it (what the user had on the screen
   * before mosh) scroll into the history ahead of the session's lines instead
   * of being blanked, and the session starts on the cursor's row, as an ssh
   * session would. A line feed per row but one scrolls exactly those: the
   * first ones only move down to the bottom row. Not after a resume: the
   * main screen then shows the dead client's rows, which the server sends
   * again as they leave its screen.
   */
  #keepLocalRows(): string {
    const { columns, rows } = this.#windowSize();
    return toFreshRow(columns) + "\n".repeat(rows - 1);
  }

  /**
   * What gives the terminal back (at exit and on suspend): its own cursor
   * style if the session changed it (DECSCUSR 0), then closeString, which
   * leaves the alternate screen unless scrollback mode never used it.
   */
  #closing(): string {
    const style = this.#caps.cursorStyle && this.#onScreen.ds.cursorStyle !== 0 ? "\x1b[0 q" : "";
    const main = this.#onAlternate ? "\x1b[?1049l" : ""; // off the program's screen
    return style + main + closeString(this.#described, this.#noInit || this.#history !== null);
  }

  /**
   * Scrollback mode, lines were skipped and their marker waits for the line
   * after the gap: how long until it goes anyway (MARKER_WAIT_MS after the
   * server's history last moved); ∞ when none waits, or none can go yet (a
   * full-screen program is shown, a frame waits for the cursor's position,
   * or the client is suspended): a due marker makes the loop draw at once.
   */
  #markerWait(now: number): number {
    if (this.#history === null || this.#history.pendingSkipped === 0) return Infinity;
    if (this.#onAlternate || this.#cursorQuery !== null || this.#suspended) return Infinity;
    return Math.max(0, this.#historyMovedAt + MARKER_WAIT_MS - now);
  }

  waitTime(core: ClientCore, now: number): number {
    const query = this.#cursorQuery;
    let wait = Math.min(core.notifications.waitTime(now), this.#markerWait(now));
    const start = this.#awaitingStartCursor(core, now);
    if (start > 0) wait = Math.min(wait, start);
    if (this.#awaitingSettledSize(now)) wait = Math.min(wait, this.#sizeToldAt + SETTLE_MS - now);
    return query?.pulled === null ? Math.max(0, Math.min(wait, query.deadline - now)) : wait;
  }

  /** Notes when the window's size last changed, for #awaitingSettledSize. */
  #trackSize(now: number): void {
    const { columns, rows } = this.#windowSize();
    const told = this.#sizeTold;
    if (columns === told.columns && rows === told.rows) return;
    this.#sizeTold = { columns, rows };
    this.#sizeToldAt = now;
  }

  /**
   * Scrollback mode: whether frames wait for the window to settle, until
   * SETTLE_MS after the last change of its size. While a window is dragged,
   * a frame drawn for the size the client was told may reach a screen of
   * another size (tmux tells late; any terminal resizes under the bytes it
   * has not yet read): it would scroll the wrong rows into the history, or
   * write over the lines a grow pulled back from it. The terminal shows its
   * screen meanwhile, resized as it chose; the session catches up at once
   * after.
   */
  #awaitingSettledSize(now: number): boolean {
    return this.#history !== null && !this.#onAlternate && now < this.#sizeToldAt + SETTLE_MS;
  }

  /**
   * Scrollback mode: whether the frame waits for the terminal's answer to a
   * cursor-position query, sent when the window grew (the answer says how
   * many lines the terminal pulled back from its history; see afterResize),
   * or, with `widths` (see #dropPrintedRows), changed width.
   */
  #awaitingCursor(now: number, widths: boolean): boolean {
    if (this.#history === null || this.#repaint || this.#onAlternate) return false;
    const query = this.#cursorQuery;
    if (query === null) {
      const { columns, rows } = this.#windowSize();
      const widthChanged = widths && columns !== this.#onScreen.width &&
        (this.#foreignRows > 0 || reflowsAt(this.#onScreen, columns));
      if (rows <= this.#onScreen.height && !widthChanged) return false;
      const grown = Math.max(0, rows - this.#onScreen.height);
      this.#cursorQuery = {
        row: this.#onScreen.ds.cursorRow,
        grown,
        deadline: now + CURSOR_QUERY_MS,
        pulled: null,
      };
      this.#askCursor("", now);
      return true;
    }
    return query.pulled === null && now < query.deadline;
  }

  /**
   * Asks where the cursor is after `before`, for #cursorQuery: its answer
   * says how many rows the cursor moved down since the query's `row` (lines
   * pulled back from the history).
   */
  #askCursor(before: string, now: number): void {
    const query = this.#cursorQuery!;
    this.#answersDue.push({
      sent: now,
      take: (row, at) => {
        if (query.pulled !== null || at >= query.deadline) return; // too late: dropped
        query.answer = row;
        query.pulled = Math.min(query.grown, Math.max(0, row - query.row));
      },
    });
    this.#term.write(before + "\x1b[6n");
  }

  /** Whether answers to the queries may still come at `now` (the late ones are forgotten). */
  #answersPending(now: number): boolean {
    const due = this.#answersDue;
    while (due.length > 0 && now - due[0]!.sent > CURSOR_ANSWER_MS) due.shift();
    return due.length > 0 || this.#startAnswerDue(now);
  }

  /** Whether the answer to the start's query (see start()) may still come at `now`. */
  #startAnswerDue(now: number): boolean {
    return this.#startAsked && this.#startAt === null &&
      (this.#startAskedAt === -Infinity || now - this.#startAskedAt <= CURSOR_ANSWER_MS);
  }

  /**
   * Keystrokes from the terminal at `now`: the answers to the
   * cursor-position queries (`ESC [ row ; column R`) sent in the last 2 s
   * are taken out of them (late, they are only dropped); returns the rest.
   */
  takeCursorReport(bytes: Uint8Array, now: number): Uint8Array {
    let keys = bytes;
    for (let from = 0; this.#answersPending(now);) {
      const report = findCursorReport(keys, from);
      if (report === null) break;
      const { index, length, row, column } = report;
      // The start's query (see start()) was the first one sent: its answer comes first.
      if (this.#startAnswerDue(now)) {
        const { columns, rows } = this.#term.size();
        this.#startAt = { row, column, size: `${columns}x${rows}` };
      } else {
        this.#answersDue.shift()!.take(row, now);
      }
      const rest = new Uint8Array(keys.length - length);
      rest.set(keys.subarray(0, index));
      rest.set(keys.subarray(index + length), index);
      keys = rest;
      from = index;
    }
    if (!this.#answersPending(now)) this.#restoring?.();
    return keys;
  }

  finish(now: number): void {
    // Scrollback mode stays on the main screen: "[mosh is exiting.]" and the
    // local prompt go on a row of their own, as after rmcup (leaving a
    // program's alternate screen puts the cursor back where it was on the main one).
    const column = (this.#onAlternate ? this.#mainAtEntry : this.#onScreen).ds.cursorCol;
    const newRow = this.#history !== null && column > 0;
    let out = this.#closing();
    if (newRow) out += "\r\n";
    this.#term.write(out);
    if (!this.#answersPending(now)) return this.#term.setRaw(false);
    // Answers still due would reach the shell as typed text (and be echoed): raw mode
    // stays until they are taken out of the input, or restored() gives up waiting.
    this.#restoring = () => {
      this.#restoring = null;
      this.#term.setRaw(false);
      this.#onRestored?.();
    };
  }

  /**
   * Resolves once finish() has given the terminal back: at once, or when the
   * answers to the queries still due have been taken out of the input (keep
   * passing it to takeCursorReport meanwhile), at most `ms` later.
   */
  restored(ms = 200): Promise<void> {
    if (this.#restoring === null) return Promise.resolve();
    return new Promise((resolve) => {
      const cancel = after(ms, () => this.#restoring?.());
      this.#onRestored = () => {
        cancel();
        resolve();
      };
    });
  }
}

/**
 * The first cursor-position report (`ESC [ row ; column R`, 1 to 5 digits
 * each) in `bytes` from `from` on: where it is, how long, and the row and
 * column it says (from 0); null if there is none.
 */
function findCursorReport(
  bytes: Uint8Array,
  from: number,
): { index: number; length: number; row: number; column: number } | null {
  for (let i = bytes.indexOf(0x1b, from); i >= 0; i = bytes.indexOf(0x1b, i + 1)) {
    if (bytes[i + 1] !== 0x5b) continue; // [
    const numbers = [0, 0];
    let at = i + 2, ok = true;
    for (let n = 0; n < 2 && ok; n++) {
      const start = at;
      while (at < bytes.length && bytes[at]! >= 0x30 && bytes[at]! <= 0x39 && at - start < 5) {
        numbers[n] = numbers[n]! * 10 + bytes[at]! - 0x30;
        at++;
      }
      ok = at > start && bytes[at] === (n === 0 ? 0x3b : 0x52); // ; then R
      at++;
    }
    if (ok) return { index: i, length: at - i, row: numbers[0]! - 1, column: numbers[1]! - 1 };
  }
  return null;
}

/**
 * Moves the cursor to the start of a row that nothing was written on: the
 * next row if the cursor is past column 0 (text the client cannot read is
 * there), else its own. A row's width of spaces wraps only in the first
 * case: from column 0 they stop on the last column, where the carriage
 * return cancels the pending wrap (zsh's PROMPT_SP finds a partial line so).
 */
function onFreshRow(columns: number): string {
  return " ".repeat(columns) + "\r";
}

/**
 * onFreshRow with no renditions (new rows take the background) and no
 * scrolling region (`ESC [ r` homes the cursor: saved and restored around it).
 */
function toFreshRow(columns: number): string {
  return "\x1b[0m\x1b7\x1b[r\x1b8" + onFreshRow(columns);
}

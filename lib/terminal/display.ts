/**
 * The display diff: the escape string that turns one framebuffer into
 * another (display.md). The server sends it to the client as hostbytes;
 * the client uses it to paint the user's terminal.
 *
 * @module
 */
import type { Framebuffer } from "./framebuffer.ts";
import { sgrString } from "./renditions.ts";
import { FALLBACK, Row, WIDE } from "./row.ts";

/** What the target terminal can do. */
export interface Capabilities {
  /** `CSI n X` erases characters. */
  ech: boolean;
  /** Erases fill with the current background colour. */
  bce: boolean;
  /** Emit window/icon titles (OSC 0/1/2). */
  title: boolean;
  /** Emit OSC 8 hyperlinks (otherwise cells are drawn without their links). */
  hyperlinks?: boolean;
  /** Emit DECSCUSR cursor styles (terminfo's `Ss`). */
  cursorStyle?: boolean;
  /** Emit the working directory a program reported (OSC 7). */
  workingDirectory?: boolean;
  /**
   * Emit desktop notifications (OSC 9, OSC 777): those `current` counts past
   * `last`'s count, in a redraw from scratch too (a count, unlike the screen,
   * says what the other side has already shown).
   */
  notifications?: boolean;
  /**
   * Erase the terminal's history (ED 3) when the program did: for a terminal
   * whose history is the session's (scrollback mode, and the server's diff
   * to such a client).
   */
  clearHistory?: boolean;
  /** Bracket each frame in a synchronized update (mode 2026; the client's frames only). */
  synchronizedOutput?: boolean;
  /**
   * The terminal's own history must hold only what the client pushes into it
   * (scrollback mode): never clear the screen and never scroll it — many
   * terminals push cleared or scrolled rows into their history.
   */
  keepHistory?: boolean;
  /**
   * Beyond mosh 1.4.0, for a client whose terminal holds the history: the
   * switch to and from the alternate screen (mode 1047) goes with the diff,
   * followed by the whole new screen, so that client can show full-screen
   * programs on its terminal's own alternate screen.
   */
  alternateScreen?: boolean;
  /**
   * The receiver is mosh's emulator (the server's diff, a saved screen): its
   * OSC buffer holds 256 code points, so a 255-character title only fits in
   * the `OSC ;` form. A terminal always gets `OSC 0`, `1` and `2` (tmux
   * ignores `OSC ;`), whatever the length.
   */
  emulatorTitles?: boolean;
}

/** The server's diff assumes mosh's own emulator on the other side. */
export const SERVER_CAPABILITIES: Capabilities = {
  ech: true,
  bce: true,
  title: true,
  // mosh 1.4.0's client skips the sequence as an unknown one; ours draws the style.
  cursorStyle: true,
  emulatorTitles: true,
};

/** Opens an OSC 8 hyperlink ("params;URI"), or closes it ("" ). */
export function linkSequence(link: string): string {
  return link === "" ? "\x1b]8;;\x1b\\" : `\x1b]8;${link}\x1b\\`;
}

/**
 * Capabilities guessed from `TERM`, for when no terminfo entry can be read.
 * Titles always come from this list of prefixes, as in mosh (terminfo has
 * no reliable flag for them).
 */
export function capabilitiesForTerm(term: string | undefined): Capabilities {
  const t = term ?? "";
  const title = /^(xterm|rxvt|kterm|Eterm|alacritty|screen|tmux)/.test(t);
  const noBceEch = /^(screen|tmux|vt100|vt220|dumb)/.test(t);
  // Terminals that do not know OSC 8 skip it as any OSC; these few may not.
  const hyperlinks = !/^(vt100|vt220|dumb|linux)/.test(t) && t !== "";
  // Terminals that take titles skip an OSC they do not know (the Linux console prints it).
  return {
    ech: !noBceEch,
    bce: !noBceEch,
    title,
    hyperlinks,
    cursorStyle: title,
    workingDirectory: title,
    notifications: title,
    synchronizedOutput: title,
  };
}

/** Tracks what the real terminal shows while the frame is written. */
class FrameWriter {
  out = "";
  cursorX = -1;
  cursorY = -1;
  cursorVisible: boolean;
  fg = 0;
  bg = 0;
  attrs = 0;
  /** The OSC 8 link open on the terminal ("" = none). */
  link = "";
  readonly links: boolean;

  constructor(cursorVisible: boolean, links: boolean) {
    this.cursorVisible = cursorVisible;
    this.links = links;
  }

  /** Opens `link` (or closes the open one) unless it is already the open one. */
  hyperlink(link: string): void {
    if (!this.links || link === this.link) return;
    this.out += linkSequence(link);
    this.link = link;
  }

  /** Moves the cursor, hiding it first if visible (display.md §5 "silent move"). */
  silentMove(y: number, x: number): void {
    if (this.cursorX === x && this.cursorY === y) return;
    this.hyperlink(""); // a link covers a run of printed cells, never a cursor motion
    if (this.cursorVisible) {
      this.out += "\x1b[?25l";
      this.cursorVisible = false;
    }
    this.move(y, x);
  }

  /**
   * Leaves the cursor in row `y`'s last column (`width` wide), where the
   * next row's wide first character does not fit: the terminal wraps it
   * there itself, marking the row wrapped. Tracked as on the next row's start.
   */
  waitToWrapWide(y: number, width: number): void {
    this.cursorX = this.cursorY = -1; // an absolute move: no wrap may be pending there
    this.silentMove(y, width - 1);
    this.cursorX = 0; // where the next row's first character lands
    this.cursorY = y + 1;
  }

  move(y: number, x: number): void {
    this.hyperlink(""); // a link covers a run of printed cells, never a cursor motion
    const ly = this.cursorY, lx = this.cursorX;
    if (ly >= 0 && lx >= 0) {
      if (x === 0 && y - ly >= 0 && y - ly < 5) {
        if (lx !== 0) this.out += "\r";
        this.out += "\n".repeat(y - ly);
        this.cursorX = x;
        this.cursorY = y;
        return;
      }
      if (y === ly && x - lx < 0 && x - lx > -5) {
        this.out += "\b".repeat(lx - x);
        this.cursorX = x;
        return;
      }
    }
    this.out += `\x1b[${y + 1};${x + 1}H`;
    this.cursorX = x;
    this.cursorY = y;
  }

  renditions(fg: number, bg: number, attrs: number, force = false): void {
    if (!force && fg === this.fg && bg === this.bg && attrs === this.attrs) return;
    this.out += sgrString(fg, bg, attrs);
    this.fg = fg;
    this.bg = bg;
    this.attrs = attrs;
  }
}

function cellText(row: Row, x: number): string {
  const c = row.contents[x]!;
  if (c === "") return " ";
  return row.flags[x]! & FALLBACK ? "\u00a0" + c : c;
}

function rowsMatch(a: Row, b: Row): boolean {
  return a === b || (a.gen === b.gen && a.contentEquals(b));
}

/**
 * The escape string that turns `last` into `current` on a terminal that
 * shows `last` (or anything, when `initialized` is false).
 *
 * @example
 * ```ts
 * import { Emulator } from "./emulator.ts";
 * import { Framebuffer } from "./framebuffer.ts";
 * import { newFrame } from "./display.ts";
 * const term = new Emulator(80, 24);
 * term.write(new TextEncoder().encode("hi"));
 * const diff = newFrame(true, new Framebuffer(80, 24), term.fb);
 * ```
 */
export function newFrame(
  initialized: boolean,
  last: Framebuffer,
  current: Framebuffer,
  caps: Capabilities = SERVER_CAPABILITIES,
): string {
  const f = current, ds = f.ds, lds = last.ds;
  const w = new FrameWriter(lds.cursorVisible, caps.hyperlinks === true);
  if (f.bellCount !== last.bellCount) w.out += "\x07";
  if (caps.clearHistory && f.historyClears !== last.historyClears) w.out += "\x1b[3J";
  if (caps.notifications) w.out += notificationSequences(last, f);
  if (
    caps.workingDirectory &&
    f.workingDirectory !== (initialized ? last.workingDirectory : "")
  ) {
    w.out += `\x1b]7;${f.workingDirectory}\x07`;
  }
  if (
    caps.title && f.titleInitialized &&
    (!initialized || f.iconName !== last.iconName || f.windowTitle !== last.windowTitle)
  ) {
    w.out += titleSequence(f.iconName, f.windowTitle, caps.emulatorTitles === true);
  }
  if (f.clipboard !== last.clipboard) w.out += `\x1b]52;c;${f.clipboard}\x07`;
  if (!initialized || ds.reverseVideo !== lds.reverseVideo) {
    w.out += ds.reverseVideo ? "\x1b[?5h" : "\x1b[?5l";
  }
  let init = initialized;
  const altSwitch = caps.alternateScreen === true && initialized &&
    (f.primaryRows !== null) !== (last.primaryRows !== null);
  if (altSwitch && f.primaryRows !== null) {
    const main = leftMainScreen(last, f);
    if (main !== null) w.out += newFrame(true, last, main, caps);
    w.out += "\x1b[?1047h";
  } else if (altSwitch) w.out += "\x1b[?1047l";
  if (!initialized || altSwitch || f.width !== last.width || f.height !== last.height) {
    // Keeping the history: every row is drawn in full below, no clear needed.
    w.out += caps.keepHistory ? "\x1b[r\x1b[0m\x1b[H" : "\x1b[r\x1b[0m\x1b[H\x1b[2J";
    init = false;
    w.cursorX = 0;
    w.cursorY = 0;
  } else {
    w.cursorX = lds.cursorCol;
    w.cursorY = lds.cursorRow;
    w.fg = lds.fg;
    w.bg = lds.bg;
    w.attrs = lds.attrs;
  }
  if (!init) {
    w.out += "\x1b[?25l";
    w.cursorVisible = false;
  }

  // The old rows, adapted to the new size.
  const oldRows: Row[] = init ? last.rows.slice() : [];
  // A wrap flag on the bottom row cannot be drawn without scrolling, so the
  // terminal's bottom row has none: when that row moves up, it is redrawn
  // with its flag (found by the round-trip fuzz; mosh 1.4.0 leaves it off).
  const bottom = oldRows[last.height - 1];
  if (bottom?.wrap) {
    const shown = bottom.copy();
    shown.wrap = false;
    oldRows[last.height - 1] = shown;
  }
  let firstRow = 0;
  if (init && !caps.keepHistory) firstRow = detectScroll(w, oldRows, f);

  let wrap = false;
  for (let y = firstRow; y < f.height; y++) {
    const old = init ? oldRows[y] ?? null : null;
    wrap = putRow(w, init, f, y, old, wrap, caps);
    const row = f.row(y);
    if (
      row.wideWrap && y + 1 < f.height && !(init && old === row) && wrapsWide(row, f.row(y + 1))
    ) {
      // A wide character that did not fit in this row's last column went on to the next
      // row: the terminal wraps it there as it did, and its copy and reflow join the rows.
      w.waitToWrapWide(y, f.width);
      wrap = true;
    }
  }
  w.hyperlink(""); // typing, predictions and the bar must not land in a link

  if (!init || ds.cursorRow !== w.cursorY || ds.cursorCol !== w.cursorX) {
    w.move(ds.cursorRow, ds.cursorCol);
  }
  if (!init || ds.cursorVisible !== w.cursorVisible) {
    w.out += ds.cursorVisible ? "\x1b[?25h" : "\x1b[?25l";
  }
  if (caps.cursorStyle && ds.cursorStyle !== (init ? lds.cursorStyle : 0)) {
    w.out += `\x1b[${ds.cursorStyle} q`;
  }
  w.renditions(ds.fg, ds.bg, ds.attrs, !init);
  if (!init || ds.bracketedPaste !== lds.bracketedPaste) {
    w.out += ds.bracketedPaste ? "\x1b[?2004h" : "\x1b[?2004l";
  }
  if (!init || ds.mouseReporting !== lds.mouseReporting) {
    if (ds.mouseReporting === 0) w.out += "\x1b[?1003l\x1b[?1002l\x1b[?1001l\x1b[?1000l";
    else {
      if (lds.mouseReporting !== 0) w.out += `\x1b[?${lds.mouseReporting}l`;
      w.out += `\x1b[?${ds.mouseReporting}h`;
    }
  }
  if (!init || ds.mouseFocusEvents !== lds.mouseFocusEvents) {
    w.out += ds.mouseFocusEvents ? "\x1b[?1004h" : "\x1b[?1004l";
  }
  if (!init || ds.mouseEncoding !== lds.mouseEncoding) {
    if (ds.mouseEncoding === 0) w.out += "\x1b[?1015l\x1b[?1006l\x1b[?1005l";
    else {
      if (lds.mouseEncoding !== 0) w.out += `\x1b[?${lds.mouseEncoding}l`;
      w.out += `\x1b[?${ds.mouseEncoding}h`;
    }
  }
  return w.out;
}

/**
 * Entering the alternate screen: the main screen `f` keeps aside, as a
 * screen to draw over `last` (a copy of it but for the rows and cursor, or
 * of `f` when the size changed too: the whole screen is drawn then), or
 * null when `f` is on its main screen.
 *
 * The server's diff draws it before the switch, and a client keeping the
 * history draws it on its terminal's main screen before that one's switch,
 * so the main screen kept aside is the one the program left, not the one
 * last seen — output and a full-screen program can start in one frame
 * (`seq 1 40; less`) — and a shrink under the program pushes those rows
 * into the terminal's history, as in a terminal alone.
 */
export function leftMainScreen(last: Framebuffer, f: Framebuffer): Framebuffer | null {
  const cursor = f.primaryCursor;
  if (f.primaryRows === null || cursor === null) return null;
  const main = (f.width === last.width && f.height === last.height ? last : f).clone();
  main.rows = f.primaryRows.slice();
  main.primaryRows = main.primaryCursor = null;
  main.ds.cursorRow = cursor.row;
  main.ds.cursorCol = cursor.col;
  return main;
}

/** Whether `row` starts with a wide character. */
function startsWide(row: Row): boolean {
  return (row.flags[0]! & WIDE) !== 0;
}

/**
 * Whether printing `next`'s first character in `row`'s last column leaves
 * that column as it is: a wide character that does not fit there blanks it
 * in the current background (as it did when the program printed it, unless
 * it changed since) and goes on to the next row.
 */
function wrapsWide(row: Row, next: Row): boolean {
  const x = row.width - 1;
  return startsWide(next) && row.contents[x] === "" && row.fg[x] === 0 && row.attrs[x] === 0 &&
    row.flags[x] === 0 && row.bg[x] === next.bg[0] && row.linkAt(x) === "";
}

/** Scroll detection (display.md §3): returns the first row still to draw. */
function detectScroll(w: FrameWriter, oldRows: Row[], f: Framebuffer): number {
  const height = f.height;
  let k = -1;
  for (let i = 0; i < height; i++) {
    if (rowsMatch(f.rows[0]!, oldRows[i]!)) {
      k = i;
      break;
    }
  }
  if (k <= 0) return 0;
  let scrollHeight = 1;
  while (
    k + scrollHeight < height && rowsMatch(f.rows[scrollHeight]!, oldRows[k + scrollHeight]!)
  ) {
    scrollHeight++;
  }
  const bottom = k + scrollHeight - 1;
  w.renditions(0, 0, 0, true);
  if (k + scrollHeight === height && w.cursorY === height - 1) {
    w.out += "\r" + "\n".repeat(k);
    w.cursorX = 0;
  } else {
    w.out += `\x1b[1;${bottom + 1}r`;
    w.cursorX = -1;
    w.cursorY = -1;
    w.silentMove(bottom, 0);
    w.out += "\n".repeat(k);
    w.out += "\x1b[r";
    w.cursorX = -1;
    w.cursorY = -1;
  }
  // The terminal scrolled rows 0..bottom up by k; mirror that in our copy.
  const moved = oldRows.splice(0, k);
  oldRows.splice(bottom - k + 1, 0, ...moved.map(() => new Row(f.width)));
  return scrollHeight;
}

/** Draws row `y` (display.md §4); returns whether the next row continues by autowrap. */
function putRow(
  w: FrameWriter,
  init: boolean,
  f: Framebuffer,
  y: number,
  old: Row | null,
  wrapIn: boolean,
  caps: Capabilities,
): boolean {
  const row = f.rows[y]!;
  const width = f.width;
  let x = 0;
  let wroteLast = false;
  if (wrapIn) {
    w.renditions(row.fg[0]!, row.bg[0]!, row.attrs[0]!);
    if (w.links) w.hyperlink(row.linkAt(0));
    w.out += cellText(row, 0);
    const step = row.flags[0]! & WIDE ? 2 : 1;
    x += step;
    w.cursorX += step;
    // A wide character alone fills a 2-column row: the terminal now waits to wrap.
    if (x >= width) wroteLast = true;
  }
  if (init && old === row && !wroteLast) return false;
  const sameShape = old !== null && old.width === width;
  let runStart = -1;
  const flushRun = (end: number) => {
    const n = end - runStart;
    w.silentMove(y, runStart);
    const fg = row.fg[runStart]!, bg = row.bg[runStart]!, attrs = row.attrs[runStart]!;
    w.renditions(fg, bg, attrs);
    w.hyperlink("");
    const plain = fg === 0 && bg === 0 && attrs === 0;
    if ((caps.bce || plain) && caps.ech && n > 4) {
      w.out += `\x1b[${n}X`;
    } else {
      w.out += " ".repeat(n);
      w.cursorX += n;
      if (end === width) wroteLast = true;
    }
    runStart = -1;
  };
  // Against pushLines' blank row, every cell past the row's last non-blank
  // one equals the old cell: the loop would skip them one by one.
  const blankFrom = init && old === sharedBlank && !row.wrap ? blankTail(row, w.links) : width;
  while (x < width) {
    if (x >= blankFrom && runStart < 0) break;
    const step = row.flags[x]! & WIDE ? 2 : 1;
    // The wrap flag belongs to the last cell (as in mosh), so it is part of that cell's equality.
    // The right half of a wide character was never drawn: what the terminal shows there
    // once a narrow one replaces it is not the old cell (mosh 1.4.0 skips it all the same).
    if (
      init && runStart < 0 && sameShape && row.cellEquals(x, old!, w.links) &&
      (x + step < width || row.wrap === old!.wrap) && !(x > 0 && old!.flags[x - 1]! & WIDE)
    ) {
      x += step;
      continue;
    }
    if (row.contents[x] === "") {
      if (
        runStart >= 0 && row.fg[x] === row.fg[runStart] && row.bg[x] === row.bg[runStart] &&
        row.attrs[x] === row.attrs[runStart]
      ) {
        x += step;
        continue;
      }
      if (runStart >= 0) flushRun(x);
      runStart = x;
      x += step;
      continue;
    }
    if (runStart >= 0) flushRun(x);
    if (row.wrap && x + step >= width) {
      w.cursorX = -1;
      w.cursorY = -1;
    }
    w.silentMove(y, x);
    w.renditions(row.fg[x]!, row.bg[x]!, row.attrs[x]!);
    if (w.links) w.hyperlink(row.linkAt(x));
    w.out += cellText(row, x);
    x += step;
    w.cursorX += step;
    if (x >= width) wroteLast = true;
    // The plain cells that follow in the same renditions and link, drawn
    // as the loop would (no move, no SGR), joined into one string: a string
    // appended per cell was a third of the client's garbage under output.
    let end = x;
    while (end < width - 1) { // the last cell, with its wrap flag, takes the loop's path
      if (row.contents[end] === "" || row.flags[end] !== 0) break;
      if (row.fg[end] !== w.fg || row.bg[end] !== w.bg || row.attrs[end] !== w.attrs) break;
      if (w.links && row.linkAt(end) !== w.link) break;
      if (init && sameShape && row.cellEquals(end, old!, w.links)) break;
      end++;
    }
    if (end > x + 1) {
      w.out += row.contents.slice(x, end).join("");
      w.cursorX += end - x;
      x = end;
    }
  }
  if (runStart >= 0) {
    const n = width - runStart;
    w.silentMove(y, runStart);
    const fg = row.fg[runStart]!, bg = row.bg[runStart]!, attrs = row.attrs[runStart]!;
    w.renditions(fg, bg, attrs);
    w.hyperlink("");
    const plain = fg === 0 && bg === 0 && attrs === 0;
    if ((caps.bce || plain) && !row.wrap) {
      w.out += "\x1b[K";
    } else {
      w.out += " ".repeat(n);
      w.cursorX += n;
      wroteLast = true;
    }
  }
  if (wroteLast && y === f.height - 1) {
    // The real cursor sits on the last column with a wrap pending, not past it:
    // forget the position so the final cursor move is explicit (mosh would
    // backspace from the wrong column here).
    w.cursorX = -1;
    w.cursorY = -1;
  }
  if (wroteLast && y < f.height - 1) {
    if (row.wrap) {
      w.cursorX = 0;
      w.cursorY = y + 1;
      return true;
    }
    w.hyperlink("");
    w.out += "\r\n";
    w.cursorX = 0;
    w.cursorY = y + 1;
  }
  return false;
}

/** The index after the last cell of `row` that is not a blank one in the default renditions. */
function blankTail(row: Row, links: boolean): number {
  const { contents, fg, bg, attrs, flags } = row;
  let x = contents.length;
  while (
    x > 0 && contents[x - 1] === "" && fg[x - 1] === 0 && bg[x - 1] === 0 &&
    attrs[x - 1] === 0 && flags[x - 1] === 0 && (!links || row.linkAt(x - 1) === "")
  ) x--;
  return x;
}

/** The notifications `current` has had since `last`, as their OSC sequences. */
function notificationSequences(last: Framebuffer, current: Framebuffer): string {
  const missed = current.notificationCount - last.notificationCount;
  if (missed <= 0) return "";
  let out = "";
  for (const body of current.notifications.slice(-missed)) out += `\x1b]${body}\x07`;
  return out;
}

/**
 * OSC sequences that set the icon name and window title. For mosh's
 * emulator (`emulator`), a 255-character title can only have come from the
 * `OSC ;` form, and only fits its 256-code-point buffer in that same
 * one-character-prefix form.
 */
function titleSequence(icon: string, window: string, emulator: boolean): string {
  const long = (s: string) => emulator && [...s].length > 254;
  if (icon === window) return `\x1b]${long(window) ? "" : "0"};${window}\x07`;
  if (long(window)) return `\x1b];${window}\x07\x1b]1;${icon}\x07`;
  if (long(icon)) return `\x1b];${icon}\x07\x1b]2;${window}\x07`;
  return `\x1b]1;${icon}\x07\x1b]2;${window}\x07`;
}

/**
 * One row as a line for the terminal's history (the scrollback extension):
 * renditions, OSC 8 links and text, trailing blank cells dropped, no cursor
 * motion and no line end; renditions and link are reset at its end.
 *
 * @example
 * ```ts
 * import { Emulator } from "./emulator.ts";
 * import { lineString } from "./display.ts";
 * const term = new Emulator(80, 24);
 * term.write(new TextEncoder().encode("\x1b[31mred\x1b[m plain"));
 * lineString(term.fb.rows[0]!, true); // "\x1b[0;31mred\x1b[0m plain"
 * ```
 */
export function lineString(row: Row, hyperlinks: boolean): string {
  let last = row.width - 1;
  while (last >= 0 && row.contents[last] === "" && row.bg[last] === 0 && row.attrs[last] === 0) {
    last--;
  }
  const w = new FrameWriter(false, hyperlinks);
  for (let x = 0; x <= last; x++) {
    if (x > 0 && (row.flags[x - 1]! & WIDE)) continue;
    w.renditions(row.fg[x]!, row.bg[x]!, row.attrs[x]!);
    w.hyperlink(row.contents[x] === "" ? "" : row.linkAt(x));
    w.out += cellText(row, x);
  }
  w.hyperlink("");
  if (w.fg !== 0 || w.bg !== 0 || w.attrs !== 0) w.out += "\x1b[0m";
  return w.out;
}

/**
 * A line for {@linkcode pushLines}: a row, or plain text — printable ASCII
 * in the default renditions, no link (most lines of output are), drawn
 * without building and comparing a row of cells. Text wider than the screen
 * ends as a row with autowrap off would: its last character in the last
 * cell; other characters show as `?`.
 */
export type HistoryLine = Row | string;

/** Whether `text` is printable ASCII that fits `width` cells. */
function fitsPlain(text: string, width: number): boolean {
  if (text.length > width) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** `text` as one row of printable ASCII (see {@linkcode HistoryLine}). */
function fitText(text: string, width: number): string {
  if (fitsPlain(text, width)) return text;
  let fitted = text.replace(/[^\x20-\x7e]/g, "?");
  if (fitted.length > width) fitted = fitted.slice(0, width - 1) + fitted.slice(-1);
  return fitted;
}

/**
 * Draws plain `text` (fitted) over row `y` from its first cell; `erase`
 * clears the rest of a row that may hold something.
 */
function putText(w: FrameWriter, y: number, text: string, width: number, erase: boolean): void {
  w.silentMove(y, 0);
  w.renditions(0, 0, 0);
  w.hyperlink("");
  w.out += text;
  if (text.length < width) {
    if (erase) w.out += "\x1b[K";
    w.cursorX = text.length;
  } else {
    // On the last column with a wrap pending: the next move must be explicit.
    w.cursorX = -1;
    w.cursorY = -1;
  }
}

/** A copy of `row` without its wrap flag. */
function unwrapped(row: Row): Row {
  const copy = row.copy();
  copy.wrap = false;
  return copy;
}

/** A row no drawn row equals, so every cell of it is drawn again. */
export function unknownRow(width: number): Row {
  const row = new Row(width);
  row.contents.fill("\u0000");
  return row;
}

let sharedBlank: Row | null = null;
/**
 * A blank row of `width` cells, the same one from call to call: only ever
 * compared against (marked shared, so a framebuffer copies it before any
 * write).
 */
function blankRow(width: number): Row {
  if (sharedBlank === null || sharedBlank.width !== width) {
    sharedBlank = new Row(width);
    sharedBlank.shared = true;
  }
  return sharedBlank;
}

/** To the first column of the bottom row, whatever the terminal's height (a move is clamped). */
export const BOTTOM_ROW = "\x1b[9999;1H";

/**
 * Scrollback mode: the escape string that pushes `lines` (rows as wide as
 * `screen`, or plain text: {@linkcode HistoryLine}) through the top of a
 * terminal showing `screen`, in order, into the terminal's own history — each
 * line is drawn over the top rows (a row only where it differs), then a line
 * feed on the bottom row scrolls it out.
 * `screen` is updated to what the terminal shows afterwards (its new bottom
 * rows are one shared blank row: compare against them, never write into
 * them). Needs the scrolling region to be the whole screen (the display diff
 * never sets one when it keeps the history).
 *
 * @example
 * ```ts
 * import { Emulator } from "./emulator.ts";
 * import { Framebuffer } from "./framebuffer.ts";
 * import { pushLines, SERVER_CAPABILITIES } from "./display.ts";
 * const line = new Emulator(80, 1);
 * line.write(new TextEncoder().encode("gone"));
 * const shown = new Framebuffer(80, 24);
 * pushLines(shown, [line.fb.rows[0]!], SERVER_CAPABILITIES); // draws "gone" on row 0, then LF on row 24
 * ```
 */
export function pushLines(
  screen: Framebuffer,
  lines: readonly HistoryLine[],
  caps: Capabilities,
): string {
  const height = screen.height, ds = screen.ds;
  const w = new FrameWriter(ds.cursorVisible, caps.hyperlinks === true);
  w.cursorX = ds.cursorCol;
  w.cursorY = ds.cursorRow;
  w.fg = ds.fg;
  w.bg = ds.bg;
  w.attrs = ds.attrs;
  const blank = blankRow(screen.width);
  for (let start = 0; start < lines.length; start += height) {
    const group = lines.slice(start, start + height);
    // A line that wraps (one long line) is drawn to its last column and the
    // next one from where the cursor waits to wrap, so the terminal marks the
    // row wrapped, as it had the output itself: its history and copy join them.
    let wrap = false;
    for (let y = 0; y < group.length; y++) {
      const old = screen.rows[y]!, row = group[y]!;
      // The row scrolls out below: nothing needs it in `screen` meanwhile.
      if (typeof row === "string") {
        const text = fitText(row, screen.width);
        if (!wrap && (old === blank ? text === "" : old.showsText(text))) continue;
        putText(w, y, wrap && text === "" ? " " : text, screen.width, old !== blank);
        wrap = false;
        continue;
      }
      // A wide character that did not fit in this row's last column went on to the next
      // row: this one is drawn but for that cell, and the cursor left there, where the
      // next row's first character does not fit either: the terminal wraps it, as it did.
      const next = group[y + 1];
      const wideWrap = row.wideWrap && typeof next === "object" && startsWide(next);
      if (!wrap && !row.wrap && !wideWrap && old.contentEquals(row)) continue;
      screen.rows[y] = row;
      // What the terminal shows is compared against, but never a wrap flag:
      // a wrapping row's last cell is always drawn.
      const base = old.width !== row.width ? blank : old.wrap && row.wrap ? unwrapped(old) : old;
      wrap = putRow(w, true, screen, y, base, wrap, caps) ||
        (row.wrap && y === height - 1); // on the last column, waiting to wrap
      if (wideWrap) {
        w.waitToWrapWide(y, screen.width);
        wrap = true;
      }
    }
    w.renditions(0, 0, 0);
    w.hyperlink("");
    let feeds = group.length;
    if (wrap) {
      // The last line continues on the line after it, or on the screen's top
      // row: a blank wraps the cursor there (scrolling, from the bottom row),
      // and that row, which becomes the top one, is drawn again.
      w.out += " ";
      if (group.length === height) feeds--;
    }
    // The bottom row as the terminal has it: if it was resized since the client
    // last knew (tmux tells a resize late), these still scroll the drawn lines out.
    w.out += BOTTOM_ROW + "\n".repeat(feeds);
    w.cursorX = 0;
    w.cursorY = height - 1;
    screen.rows.splice(0, group.length);
    // One blank row object for every new bottom row: rows of a screen that
    // is only compared against are never written (a fresh Row per history
    // line was a third of this function's time).
    for (let i = 0; i < group.length; i++) screen.rows.push(blank);
    if (wrap) screen.rows[0] = unknownRow(screen.width);
  }
  ds.cursorRow = w.cursorY;
  ds.cursorCol = w.cursorX;
  ds.cursorVisible = w.cursorVisible;
  ds.fg = w.fg;
  ds.bg = w.bg;
  ds.attrs = w.attrs;
  return w.out;
}

/**
 * The framebuffer: rows of cells plus the drawing state (cursor, modes,
 * scrolling region, renditions), titles, clipboard and bell count — the
 * screen both mosh ends keep in sync.
 *
 * Rows are copy-on-write: {@linkcode Framebuffer.clone} shares them, and a
 * row is copied the first time either copy writes to it.
 *
 * @module
 */
import type { Renditions } from "./renditions.ts";
import { Row, WIDE } from "./row.ts";

/** Cursor state saved by DECSC / restored by DECRC. */
export interface SavedCursor {
  /** Saved cursor row. */
  row: number;
  /** Saved cursor column. */
  col: number;
  /** Saved graphic rendition. */
  renditions: Renditions;
  /** Saved autowrap mode (DECAWM). */
  autowrap: boolean;
  /** Origin mode. */
  originMode: boolean;
  /** Character sets ({@linkcode DrawState.charsets}). */
  charsets: number;
}

/** A cursor saved before any DECSC: home, default renditions and modes. */
export function defaultSavedCursor(): SavedCursor {
  return {
    row: 0,
    col: 0,
    renditions: { fg: 0, bg: 0, attrs: 0 },
    autowrap: true,
    originMode: false,
    charsets: 0,
  };
}

/** Everything about the screen besides its cells. */
export class DrawState {
  /** Cursor row (0-based). */
  cursorRow = 0;
  /** Cursor column (0-based). */
  cursorCol = 0;
  /** Row of the cell a following combining character attaches to (−1: none). */
  combiningRow = 0;
  /** Column of that cell. */
  combiningCol = 0;
  /** Tab stops, one flag per column. */
  tabs: boolean[];
  /** Still the default every-8-columns stops (until TBC 3). */
  defaultTabs = true;
  /** First row of the scrolling region. */
  scrollTop = 0;
  /** Last row of the scrolling region. */
  scrollBottom: number;
  /** Current foreground colour code (see renditions.ts). */
  fg = 0;
  /** Current background colour code. */
  bg = 0;
  /** Current attribute bits. */
  attrs = 0;
  /** Current OSC 8 hyperlink ("params;URI", "" = none), given to printed cells. */
  link = "";
  /** Cursor state saved by DECSC. */
  saved: SavedCursor = defaultSavedCursor();
  /** The pending-wrap ("column 81") flag. */
  nextPrintWillWrap = false;
  /** Origin mode. */
  originMode = false;
  /** Autowrap mode (DECAWM): printing at the last column wraps to the next line. */
  autowrap = true;
  /** Insert mode. */
  insertMode = false;
  /** Cursor visible. */
  cursorVisible = true;
  /** Reverse video. */
  reverseVideo = false;
  /** Bracketed paste. */
  bracketedPaste = false;
  /** Mouse reporting. */
  mouseReporting = 0;
  /** Mouse focus events. */
  mouseFocusEvents = false;
  /** Mouse alternate scroll. */
  mouseAlternateScroll = false;
  /** Mouse encoding. */
  mouseEncoding = 0;
  /** Application cursor keys. */
  applicationCursorKeys = false;
  /** DECSCUSR cursor style, 0 (the terminal's default) to 6 (beyond mosh 1.4.0). */
  cursorStyle = 0;
  /** Character sets designated and in use (`Charset` bits, charsets.ts; beyond mosh 1.4.0). */
  charsets = 0;
  /** Whether {@linkcode DrawState.charsets} print line drawing now (kept with it). */
  lineDrawing = false;

  /** A blank DrawState of `width` columns by `height` rows. */
  constructor(width: number, height: number) {
    this.tabs = Array.from({ length: width }, (_, i) => i % 8 === 0);
    this.scrollBottom = height - 1;
  }

  /** An independent copy. */
  copy(): DrawState {
    // Assigned onto a constructed one: Object.assign onto Object.create(…) made
    // a dictionary-mode object, and the sender's live screen is such a copy, so
    // every cursor update in the emulator went through V8's generic store (a
    // tenth of the server's CPU in a `seq` drain, 2026-11-25 profile).
    const d = Object.assign(new DrawState(0, 0), this);
    d.tabs = this.tabs.slice();
    d.saved = { ...this.saved, renditions: { ...this.saved.renditions } };
    return d;
  }

  /** The current renditions. */
  get renditions(): Renditions {
    return { fg: this.fg, bg: this.bg, attrs: this.attrs };
  }
}

/** A blank row: `reuse` recycled (a row the scrollback let go of), or a new one. */
function blankFrom(fb: Framebuffer, reuse: Row | null): Row {
  return reuse === null ? new Row(fb.width, fb.ds.bg) : recycle(fb, reuse);
}

/** Whether `row` made `width` wide loses cells in use, or its wrap flag (mosh's resize drops it). */
function cutOrUnwrapped(row: Row, width: number): boolean {
  return row.continues || row.usedPast(width) ||
    (width < row.width && (row.flags[width - 1]! & WIDE) !== 0);
}

/** Whether any cell of `row` holds a character or a colour. */
function written(row: Row): boolean {
  for (let x = 0; x < row.width; x++) {
    if (row.contents[x] !== "" || row.bg[x] !== 0) return true;
  }
  return false;
}

/**
 * A blank row in the current background, reusing `row`'s storage unless
 * another framebuffer copy shares it.
 */
function recycle(fb: Framebuffer, row: Row): Row {
  if (row.shared || row.width !== fb.width) return new Row(fb.width, fb.ds.bg);
  row.reset(fb.ds.bg);
  return row;
}

/** An icon name and window title saved by `CSI 22 t`. */
export interface SavedTitle {
  /** The icon name when saved. */
  iconName: string;
  /** The window title when saved. */
  windowTitle: string;
}

/** Titles `CSI 22 t` keeps, as xterm: a deeper push drops the oldest. */
export const TITLE_STACK_DEPTH = 10;

/**
 * A screen of `width` × `height` cells and its state.
 *
 * @example
 * ```ts
 * import { Framebuffer } from "./framebuffer.ts";
 * const fb = new Framebuffer(80, 24);
 * fb.rowText(0); // 80 spaces
 * ```
 */
export class Framebuffer {
  /** Screen width in columns. */
  width: number;
  /** Screen height in rows. */
  height: number;
  /**
   * The rows in storage order: screen row `y` is at `(y + #top) % height`.
   * A line feed at the bottom of a full-screen scrolling region only moves
   * `#top` instead of every row: while V8 marks its heap, each row moved in
   * an array went through its write barrier, a fifth of the server's CPU in
   * a `seq` drain (2026-11-25 profile).
   */
  #rows: Row[];
  /** Storage index of screen row 0. */
  #top = 0;
  /** Draw state: cursor, modes, scroll region, tabs, renditions. */
  ds: DrawState;
  /** Icon name. */
  iconName = "";
  /** Window title. */
  windowTitle = "";
  /** Title initialized. */
  titleInitialized = false;
  /**
   * Beyond mosh 1.4.0: titles saved by XTWINOPS 22 (at most
   * {@linkcode TITLE_STACK_DEPTH}), newest last; replaced, never changed in
   * place. The server's own: the diff sends the titles, not the stack.
   */
  titleStack: readonly SavedTitle[] = [];
  /** Last clipboard text set by OSC 52 (base64 as sent). */
  clipboard = "";
  /** Bell count. */
  bellCount = 0;
  /** Beyond mosh 1.4.0: how many times the program erased the terminal's history (ED 3). */
  historyClears = 0;
  /** Beyond mosh 1.4.0: the working directory a program reported (an OSC 7 URI), "" for none. */
  workingDirectory = "";
  /**
   * Beyond mosh 1.4.0: the latest desktop notifications (OSC bodies such as
   * `9;text` or `777;notify;title;body`), oldest first; replaced, never
   * changed in place, so copies share it.
   */
  notifications: readonly string[] = [];
  /** How many notifications there have been: a diff sends the ones past the other side's count. */
  notificationCount = 0;
  /** The primary screen's rows while the alternate screen is shown (modes 47/1047/1049). */
  primaryRows: Row[] | null = null;
  /**
   * While the alternate screen is shown: the main screen's cursor when it was
   * left (mode 1049 restores it), apart from DECSC's, as xterm and tmux keep
   * it: a program's own DECSC must not move the shell's cursor.
   */
  primaryCursor: SavedCursor | null = null;
  /**
   * Receives each row leaving the top of the main screen by scrolling (the
   * scrollback extension) and hands back a row to reuse as the new blank one
   * (an old one it let go of, or the same row when it kept none). Not copied
   * by {@linkcode Framebuffer.clone}.
   */
  scrollOff: ((row: Row) => Row | null) | null = null;
  /**
   * Told when the program erases the history (ED 3), after the lines that
   * left before it: the scrollback extension's record of where. Not copied
   * by {@linkcode Framebuffer.clone}.
   */
  historyCleared: (() => void) | null = null;
  /**
   * For the history only, while it is recorded: the rows a change of width
   * cut or unwrapped (mosh's screen cuts a row and unmarks it as wrapped at
   * any change of width, where a terminal alone rewraps it), each with the
   * row it was (`was`) and the one the change made of it (`made`). A row
   * that still shows just that when it leaves the screen goes to the
   * history as it was, whole. Not copied by {@linkcode Framebuffer.clone}.
   */
  #resized: Map<Row, { was: Row; made: Row }> | null = null;

  /** A blank Framebuffer of `width` columns by `height` rows. */
  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.#rows = Array.from({ length: height }, () => new Row(width));
    this.ds = new DrawState(width, height);
  }

  /** The rows, top to bottom; rows are shared between clones until written. */
  get rows(): Row[] {
    if (this.#top !== 0) this.#unrotate();
    return this.#rows;
  }

  set rows(rows: Row[]) {
    this.#rows = rows;
    this.#top = 0;
  }

  /** Puts the rows back in screen order (storage index = screen row). */
  #unrotate(): void {
    // In place: whoever holds the array (the alternate screen's saved rows) keeps it.
    const rows = this.#rows, top = this.#top, stored = rows.slice();
    for (let y = 0; y < rows.length; y++) rows[y] = stored[(y + top) % rows.length]!;
    this.#top = 0;
  }

  /** Row `y` for reading. */
  row(y: number): Row {
    const i = y + this.#top;
    const rows = this.#rows;
    return rows[i < rows.length ? i : i - rows.length]!;
  }

  /** A copy sharing rows copy-on-write. */
  clone(): Framebuffer {
    // A constructed (empty) one, so copies share the hidden class of the
    // screens they copy: the emulator's and the display diff's accesses stay
    // monomorphic (the sender's live screen is a copy).
    const f = new Framebuffer(0, 0);
    f.width = this.width;
    f.height = this.height;
    for (const r of this.#rows) r.shared = true;
    f.#rows = this.#rows.slice();
    f.#top = this.#top;
    f.ds = this.ds.copy();
    f.iconName = this.iconName;
    f.windowTitle = this.windowTitle;
    f.titleInitialized = this.titleInitialized;
    f.titleStack = this.titleStack;
    f.clipboard = this.clipboard;
    f.bellCount = this.bellCount;
    f.historyClears = this.historyClears;
    f.workingDirectory = this.workingDirectory;
    f.notifications = this.notifications;
    f.notificationCount = this.notificationCount;
    if (this.primaryRows) { for (const r of this.primaryRows) r.shared = true; }
    f.primaryRows = this.primaryRows?.slice() ?? null;
    f.primaryCursor = this.primaryCursor;
    f.scrollOff = null;
    f.historyCleared = null;
    return f;
  }

  /**
   * A blank framebuffer of `width` × `height` that keeps this one's
   * terminal-wide state — the bell, history-erase and notification counts,
   * the notifications, working directory, titles and clipboard — so a diff
   * from it repeats none of them. Not the recording hooks.
   */
  blankLike(width = this.width, height = this.height): Framebuffer {
    const f = new Framebuffer(width, height);
    f.bellCount = this.bellCount;
    f.historyClears = this.historyClears;
    f.notifications = this.notifications;
    f.notificationCount = this.notificationCount;
    f.workingDirectory = this.workingDirectory;
    f.iconName = this.iconName;
    f.windowTitle = this.windowTitle;
    f.titleInitialized = this.titleInitialized;
    f.clipboard = this.clipboard;
    return f;
  }

  /** Row `y` for writing (copied first if shared). */
  mutableRow(y: number): Row {
    const rows = this.#rows;
    let i = y + this.#top;
    if (i >= rows.length) i -= rows.length;
    let r = rows[i]!;
    if (r.shared) {
      r = r.copy();
      rows[i] = r;
    }
    return r;
  }

  /** The text of row `y` (tests, logs). */
  rowText(y: number): string {
    return this.row(y).text();
  }

  /** All rows' text, trailing spaces trimmed, joined with newlines. */
  screenText(): string {
    return this.rows.map((r) => r.text().trimEnd()).join("\n");
  }

  /** Lowest and highest rows the cursor may reach (the region in origin mode). */
  get limitTop(): number {
    return this.ds.originMode ? this.ds.scrollTop : 0;
  }

  /** Limit bottom. */
  get limitBottom(): number {
    return this.ds.originMode ? this.ds.scrollBottom : this.height - 1;
  }

  /**
   * Before the whole main screen is erased (ED 2, or ED 0 from the top-left
   * corner): while the history is recorded, its rows down to the last one
   * written go there first, as tmux (`scroll-on-clear`) and VTE keep a
   * cleared screen — Ctrl-L leaves what it cleared in the history.
   */
  recordBeforeErase(): void {
    const off = this.primaryRows === null ? this.scrollOff : null;
    if (off === null) return;
    let last = -1;
    for (let y = 0; y < this.height; y++) if (written(this.row(y))) last = y;
    if (last >= 0) this.#recordTop(off, last + 1);
  }

  /** The main screen's top `n` rows go to the history (`off`), blank ones in their place. */
  #recordTop(off: (row: Row) => Row | null, n: number): void {
    const rows = this.rows;
    for (let y = 0; y < n; y++) rows[y] = this.#toHistory(off, rows[y]!);
  }

  /**
   * Hands `row`, leaving the screen, to the history (`off`) — as it was
   * before a change of width cut or unwrapped it, if it still shows just
   * what the change made — and returns a blank row to take its place.
   */
  #toHistory(off: (row: Row) => Row | null, row: Row): Row {
    const entry = this.#resized?.get(row);
    if (entry !== undefined) {
      this.#resized!.delete(row);
      if (row.contentEquals(entry.made)) return blankFrom(this, off(entry.was));
    }
    return blankFrom(this, off(row));
  }

  /**
   * Removes `n` rows at `top` of [top, bottom] and adds blank ones at
   * `bottom`; `deleting` (DL) removes them rather than scrolling them off.
   */
  scrollUp(
    n: number,
    top = this.ds.scrollTop,
    bottom = this.ds.scrollBottom,
    deleting = false,
  ): void {
    n = Math.min(n, bottom - top + 1);
    if (n <= 0) return;
    // Rows leaving through the top of the main screen go to the scrollback
    // (whatever the bottom margin: a status line below the region, as apt's
    // progress bar, still lets the output above it into the history); rows
    // deleted there do not, as in xterm and tmux.
    const off = !deleting && top === 0 && this.primaryRows === null ? this.scrollOff : null;
    if (n === 1 && top === 0 && bottom === this.#rows.length - 1) {
      // The common case (a line feed at the bottom of the screen): the top row,
      // blanked, becomes the bottom one where it is.
      const rows = this.#rows, i = this.#top;
      rows[i] = off ? this.#toHistory(off, rows[i]!) : recycle(this, rows[i]!);
      this.#top = i + 1 === rows.length ? 0 : i + 1;
      return;
    }
    if (n === 1) {
      // A line feed at the bottom of a region: rotate without splicing.
      const rows = this.rows;
      const fresh = off ? this.#toHistory(off, rows[top]!) : recycle(this, rows[top]!);
      for (let y = top; y < bottom; y++) rows[y] = rows[y + 1]!;
      rows[bottom] = fresh;
      return;
    }
    const removed = this.rows.splice(top, n);
    this.rows.splice(
      bottom - n + 1,
      0,
      ...removed.map((r) => off ? this.#toHistory(off, r) : recycle(this, r)),
    );
  }

  /** Removes `n` rows at `bottom` of [top, bottom] and adds blank ones at `top`. */
  scrollDown(n: number, top = this.ds.scrollTop, bottom = this.ds.scrollBottom): void {
    n = Math.min(n, bottom - top + 1);
    if (n <= 0) return;
    const removed = this.rows.splice(bottom - n + 1, n);
    this.rows.splice(top, 0, ...removed.map((r) => recycle(this, r)));
  }

  /**
   * Resizes per mosh's rules (terminal.md §15): rows are kept from the top.
   * With `keepCursorRow` (a client whose own terminal holds the history), a
   * smaller main screen keeps the cursor's row instead, as xterm, tmux and
   * VTE shrink: the rows below the cursor go first, then rows from the top,
   * which that terminal has pushed into its history itself. With
   * `recordDropped` too, while the history is recorded, those rows go there
   * first, as if they had scrolled off (Feature.ShrinkLines: the client
   * counts them in its terminal's history). Under the alternate screen the hidden main screen
   * shrinks the same way around its cursor (`primaryCursor`), whatever the client: as a
   * terminal shrinks the main screen it keeps aside (a scrollback client
   * shows the program on its terminal's own alternate screen, having saved
   * its cursor there), and a stock client, which knows nothing of that
   * screen, then gets back the shell's latest rows and prompt rather than
   * its oldest ones.
   */
  resize(width: number, height: number, keepCursorRow = false, recordDropped = false): void {
    if (width === this.width && height === this.height) return;
    const ds = this.ds;
    const drop = keepCursorRow && this.primaryRows === null
      ? Math.max(0, ds.cursorRow - height + 1)
      : 0;
    if (recordDropped && drop > 0 && this.scrollOff !== null) this.#recordTop(this.scrollOff, drop);
    const kept = this.primaryCursor;
    const primaryDrop = kept !== null ? Math.max(0, kept.row - height + 1) : 0;
    if (kept !== null) {
      this.primaryCursor = {
        ...kept,
        row: kept.row - primaryDrop,
        col: Math.min(kept.col, width - 1),
      };
    }
    ds.scrollTop = 0;
    ds.scrollBottom = height - 1;
    const tabs = ds.tabs.slice(0, width);
    for (let x = ds.tabs.length; x < width; x++) tabs.push(ds.defaultTabs && x % 8 === 0);
    ds.tabs = tabs;
    const before = this.#resized;
    const resized = width === this.width
      ? before
      : this.scrollOff !== null
      ? new Map<Row, { was: Row; made: Row }>()
      : null;
    const fit = (rows: Row[], from = 0): Row[] => {
      const out = rows.slice(from, from + height);
      if (width !== this.width) {
        for (let i = 0; i < out.length; i++) {
          const old = out[i]!, r = old.copy();
          r.resize(width, ds.bg);
          out[i] = r;
          if (resized === null) continue;
          // A row still as an earlier change of width made it is kept as it was before that.
          const earlier = before?.get(old);
          const was = earlier !== undefined && old.contentEquals(earlier.made) ? earlier.was : null;
          if (was !== null || cutOrUnwrapped(old, width)) {
            resized.set(r, { was: was ?? old, made: r.copy() });
          }
        }
      }
      while (out.length < height) out.push(new Row(width, ds.bg));
      return out;
    };
    this.rows = fit(this.rows, drop);
    if (this.primaryRows) this.primaryRows = fit(this.primaryRows, primaryDrop);
    this.#resized = resized !== null && resized.size > 0 ? resized : null;
    this.width = width;
    this.height = height;
    ds.cursorRow = Math.min(ds.cursorRow - drop, height - 1);
    ds.cursorCol = Math.min(ds.cursorCol, width - 1);
    if (drop > 0 && ds.combiningRow >= 0) ds.combiningRow -= drop;
    if (ds.combiningRow < 0 || ds.combiningRow >= height || ds.combiningCol >= width) {
      ds.combiningRow = -1;
      ds.combiningCol = -1;
    }
  }

  /**
   * Equality as the transport needs it (terminal.md §19), comparing row
   * contents (a substitute mosh's spec allows for its row identity check).
   */
  equals(other: Framebuffer): boolean {
    if (this === other) return true;
    const a = this.ds, b = other.ds;
    if (
      this.width !== other.width || this.height !== other.height ||
      a.cursorRow !== b.cursorRow || a.cursorCol !== b.cursorCol ||
      a.cursorVisible !== b.cursorVisible || a.cursorStyle !== b.cursorStyle ||
      a.reverseVideo !== b.reverseVideo ||
      a.fg !== b.fg || a.bg !== b.bg || a.attrs !== b.attrs ||
      a.bracketedPaste !== b.bracketedPaste || a.mouseReporting !== b.mouseReporting ||
      a.mouseFocusEvents !== b.mouseFocusEvents ||
      a.mouseAlternateScroll !== b.mouseAlternateScroll ||
      a.mouseEncoding !== b.mouseEncoding ||
      this.windowTitle !== other.windowTitle || this.clipboard !== other.clipboard ||
      this.bellCount !== other.bellCount || this.historyClears !== other.historyClears ||
      this.workingDirectory !== other.workingDirectory ||
      this.notificationCount !== other.notificationCount
    ) {
      return false;
    }
    for (let y = 0; y < this.height; y++) {
      if (!this.row(y).contentEquals(other.row(y))) return false;
    }
    return true;
  }
}

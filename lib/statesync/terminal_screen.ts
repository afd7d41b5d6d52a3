/**
 * What the complete-terminal state object needs from a terminal emulator.
 *
 * The statesync layer sits below the terminal layer, so it names only this
 * structural contract; `lib/terminal/` provides the implementation (an
 * emulator plus its framebuffer and the display diff).
 *
 * @module
 */

/** A terminal screen that can be diffed, replayed, resized, compared and copied. */
export interface TerminalScreen<S extends TerminalScreen<S>> {
  /** Columns of the framebuffer. */
  readonly width: number;
  /** Rows of the framebuffer. */
  readonly height: number;
  /**
   * The display-diff escape string (UTF-8 bytes) that turns `base`'s
   * framebuffer into this one when fed to a copy of `base`
   * (`new_frame(true, base, this)` in mosh's terms), using only the
   * extensions in `features` (`Feature` bits the peer announced; none by
   * default, as mosh 1.4.0).
   */
  diffFrom(base: S, features?: number): Uint8Array;
  // The scrollback extension (capabilities.ts); a screen without these never records.
  /** Whether lines leaving the top of the main screen are being recorded (server). */
  readonly historyActive?: boolean;
  /** Lines recorded so far (this copy's count; the next line's number). */
  readonly historyEnd?: number;
  /** Lines before this number were erased by the program (ED 3) after they were recorded. */
  readonly historyClearedAt?: number;
  /** Recorded line `n` (renditions, links if `hyperlinks`, text), or null when no longer kept. */
  historyLine?(n: number, hyperlinks: boolean): Uint8Array | null;
  /** Whether recorded line `n` continues on the next (a long line that wrapped there). */
  historyWraps?(n: number): boolean;
  /**
   * Starts recording lines that leave the top of the main screen (idempotent);
   * with `shrinks`, also the rows a shrink drops from its top (Feature.ShrinkLines).
   */
  recordHistory?(shrinks?: boolean): void;
  /** Feeds host bytes (a display diff) through this emulator. Replies are discarded. */
  write(hostBytes: Uint8Array): void;
  /** Resizes the framebuffer as the emulator does on a window-size change. */
  resize(width: number, height: number): void;
  /** Framebuffer equality as mosh defines it (parser state not compared). */
  equals(other: S): boolean;
  /** An independent copy (cheap: called for every sent state). */
  clone(): S;
}

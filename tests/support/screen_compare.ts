/**
 * Cell-by-cell comparison of two framebuffers as a terminal would show
 * them, for the display-diff round-trip and fuzz tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Framebuffer } from "../../lib/terminal/framebuffer.ts";

/** Fails with the first differing cell (or mode) and both screens. */
export function assertSameScreen(a: Framebuffer, b: Framebuffer, context: string): void {
  for (let y = 0; y < a.height; y++) {
    const ra = a.rows[y]!, rb = b.rows[y]!;
    for (let x = 0; x < a.width; x++) {
      // The shadow cell right of a wide character is never drawn (display.md §4).
      if (x > 0 && (ra.flags[x - 1]! & 1)) continue;
      // Compare as displayed (terminal.md §18): a fallback cell arrives as U+00A0 +
      // combining, and an erased cell may arrive as a written space.
      const shown = (c: string, flags: number) => (flags & 2 ? "\u00a0" : "") + (c || " ");
      const ca = shown(ra.contents[x]!, ra.flags[x]!);
      const cb = shown(rb.contents[x]!, rb.flags[x]!);
      if (
        ca !== cb || ra.fg[x] !== rb.fg[x] || ra.bg[x] !== rb.bg[x] ||
        ra.attrs[x] !== rb.attrs[x] || (ra.flags[x]! & 1) !== (rb.flags[x]! & 1)
      ) {
        assert.fail(
          `${context}: cell (${y},${x}) differs: ${JSON.stringify(ca)}/${ra.fg[x]}/${ra.bg[x]}/${
            ra.attrs[x]
          } vs ${JSON.stringify(cb)}/${rb.fg[x]}/${rb.bg[x]}/${
            rb.attrs[x]
          }\nA:\n${a.screenText()}\nB:\n${b.screenText()}`,
        );
      }
    }
    // The bottom row's wrap flag cannot be drawn without scrolling (mosh has the same limit).
    if (y < a.height - 1) assert.equal(rb.wrap, ra.wrap, `${context}: wrap flag of row ${y}`);
  }
  const da = a.ds, db = b.ds;
  assert.deepEqual(
    [db.cursorRow, db.cursorCol, db.cursorVisible, db.reverseVideo, db.fg, db.bg, db.attrs],
    [da.cursorRow, da.cursorCol, da.cursorVisible, da.reverseVideo, da.fg, da.bg, da.attrs],
    `${context}: cursor and renditions`,
  );
  assert.deepEqual(
    [db.bracketedPaste, db.mouseReporting, db.mouseEncoding, db.mouseFocusEvents],
    [da.bracketedPaste, da.mouseReporting, da.mouseEncoding, da.mouseFocusEvents],
    `${context}: modes`,
  );
  assert.equal(b.windowTitle, a.windowTitle, `${context}: title`);
  assert.equal(b.clipboard, a.clipboard, `${context}: clipboard`);
}

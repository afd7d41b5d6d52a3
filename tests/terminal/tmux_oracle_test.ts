/**
 * Our emulator against an independent one: each corpus case is played into
 * a tmux pane (raw mode, so the bytes reach tmux unchanged) and into our
 * emulator; the screens are compared cell by cell — text, colours,
 * attributes, wide cells — and the cursor. tmux's screen is read raw with
 * `capture-pane -e -p -N` by a small reader of tmux's own SGR output
 * (tests/support/tmux_cells.ts), never through our emulator, so an attribute
 * we do not model shows up as a difference.
 *
 * Where mosh 1.4.0 deliberately differs from tmux, the case is listed in
 * KNOWN_DIFFERENCES with the reason, and the exact difference is asserted.
 */
import assert from "node:assert/strict";
import { Emulator } from "../../lib/terminal/emulator.ts";
import type { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { caseBytes, CASES, H, W } from "../support/terminal_corpus.ts";
import {
  cellDifferences,
  parseTmuxCapture,
  playInTmux,
  type ShownCell,
  shownCells,
  shownText,
} from "../support/tmux_cells.ts";

/**
 * Cases where tmux and mosh 1.4.0 (which ours follows) part ways, or where
 * tmux's capture cannot show what we would compare. Each states the reason
 * and asserts the exact difference, so anything else changing still fails.
 */
const KNOWN_DIFFERENCES: Record<
  string,
  { reason: string; check: (ours: ShownCell[][], theirs: ShownCell[][], fb: Framebuffer) => void }
> = {
  "invalid UTF-8 becomes U+FFFD": {
    reason: "mosh shows each invalid byte as U+FFFD (terminal.md §1); tmux drops them",
    check(ours, theirs) {
      assert.equal(shownText(ours, 0), "a\ufffd\ufffdb");
      assert.equal(shownText(theirs, 0), "ab");
    },
  },
  "combining character in column 0": {
    reason:
      "mosh keeps a lone combining mark in a cell of its own (shown on U+00A0); tmux drops it",
    check(ours, theirs) {
      assert.equal(shownText(ours, 0), "\u00a0\u0301x");
      assert.equal(shownText(theirs, 0), "x");
    },
  },
  "background colour erase (ED, EL, ECH)": {
    reason: "tmux 3.3's capture-pane does not report the background of erased cells",
    check(ours, theirs, fb) {
      for (let y = 0; y < H; y++) {
        assert.equal(shownText(ours, y), shownText(theirs, y), `row ${y}`);
      }
      // What tmux cannot show, checked on ours: erased cells take the current background.
      assert.equal(fb.rows[0]!.bg[W - 1], 44);
      assert.equal(fb.rows[1]!.bg[4], 42);
      assert.equal(fb.rows[1]!.bg[5], 0);
      assert.equal(fb.rows[H - 1]!.bg[0], 41);
    },
  },
};

for (const [name, text] of Object.entries(CASES)) {
  Deno.test(`tmux agrees: ${name}`, async () => {
    const bytes = caseBytes(name, text);
    const emulator = new Emulator(W, H);
    emulator.write(bytes);
    const screen = await playInTmux(bytes, W, H);
    const ours = shownCells(emulator.fb);
    const theirs = parseTmuxCapture(screen.lines.join("\n"), H);
    const known = KNOWN_DIFFERENCES[name];
    if (known) {
      known.check(ours, theirs, emulator.fb);
      return;
    }
    const diff = cellDifferences(ours, theirs);
    assert.deepEqual(
      diff,
      [],
      `${name}: ${diff.length} cells differ, first: ${
        diff.slice(0, 6).join("; ")
      }\nours:\n${emulator.fb.screenText()}\ntmux:\n${screen.lines.join("\n")}`,
    );
    assert.deepEqual(
      [emulator.fb.ds.cursorRow, emulator.fb.ds.cursorCol],
      // tmux puts a cursor with a wrap pending past the last column; mosh keeps it on it.
      [screen.cursor[0], Math.min(screen.cursor[1], W - 1)],
      `${name}: cursor`,
    );
  });
}

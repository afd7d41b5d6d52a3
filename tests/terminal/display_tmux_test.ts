/**
 * The display diff against an independent terminal: the diffs of a run of
 * frames (from a blank screen, then each from the one before) are played
 * into a tmux pane, and tmux's screen, read raw, must show what the last
 * frame holds, cell by cell. round_trip_test.ts checks the same with our own
 * emulator as the terminal; tmux also knows what a terminal does with a
 * cell that the diff never drew.
 */
import assert from "node:assert/strict";
import { newFrame } from "../../lib/terminal/display.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import {
  cellDifferences,
  joinedText,
  parseTmuxCapture,
  playInTmux,
  shownCells,
} from "../support/tmux_cells.ts";
import { seededRandom } from "../support/sim_network.ts";
import { randomStream } from "../support/random_terminal_stream.ts";

const encoder = new TextEncoder();

/** Each step's host output into our emulator; the diffs between the frames, as one string. */
function diffsOf(emulator: Emulator, steps: string[]): string {
  let previous = new Framebuffer(emulator.fb.width, emulator.fb.height);
  let out = "";
  for (const step of steps) {
    emulator.write(encoder.encode(step));
    out += newFrame(true, previous, emulator.fb);
    previous = emulator.fb.clone();
  }
  return out;
}

async function assertTmuxShows(
  width: number,
  height: number,
  steps: string[],
  context: string,
  wrapFlags = false,
) {
  const emulator = new Emulator(width, height);
  const diffs = diffsOf(emulator, steps);
  const screen = await playInTmux(encoder.encode(diffs), width, height);
  const diff = cellDifferences(
    shownCells(emulator.fb),
    parseTmuxCapture(screen.lines.join("\n"), height),
    {
      erasedBackground: false,
    },
  );
  assert.deepEqual(diff, [], `${context}: ${JSON.stringify(steps)}`);
  // Which rows run on into the next (the wrap flag: a copy joins them, a reflow keeps them).
  // Not for random frames: an erase to the end of a row clears its flag in mosh's model (the
  // last cell's flag, terminal.md §4), not in tmux's.
  if (wrapFlags) {
    assert.deepEqual(screen.joined, joinedText(emulator.fb), `${context} (wrapped rows)`);
  }
}

Deno.test("a narrow character over a wide one: the cell that was the wide one's right half is drawn", async () => {
  // After ESC [ D the cursor is on the emoji's right half, which a combining mark then
  // fills (a U+00A0 fallback cell, as in mosh). The diff never draws a wide character's
  // right half; once a narrow "£" replaces the emoji, that cell shows and must be drawn.
  await assertTmuxShows(21, 9, ["\x1b[5;10H😀\x1b[D\u0302", "\x1b[5;10H£"], "shadow");
});

Deno.test("a wrapped bottom row that scrolls up keeps its wrap flag on the terminal", async () => {
  // Scrolling down leaves a wrapped row at the bottom (a wrap flag no terminal can show there);
  // two line feeds then move it up, where it must run on into the next row as in our screen
  // (found by the round-trip fuzz).
  await assertTmuxShows(
    14,
    4,
    ["x".repeat(28) + "y\x1b[2T", "\x1b[4;1H\n\n\x1b[3;1Habc"],
    "wrap",
    true,
  );
});

Deno.test("on a 2-column screen, wide characters that each fill a row run on by autowrap, and the cursor ends where the screen has it", async () => {
  // A wide character alone fills such a row: the terminal then waits to wrap. The diff
  // took it for past the edge, so it broke the chain with a new line (a copy split the
  // text) and backspaced to the cursor's column, which terminals place differently from
  // that state (tmux where the screen has it, our emulator and mosh's model one column
  // further left). Found by the round-trip fuzz; a known divergence until then.
  await assertTmuxShows(2, 5, ["中文字", "ab"], "2 columns", true);
  const emulator = new Emulator(2, 5);
  const screen = await playInTmux(encoder.encode(diffsOf(emulator, ["中文"])), 2, 5);
  assert.deepEqual(screen.cursor, [emulator.fb.ds.cursorRow, emulator.fb.ds.cursorCol]);
});

Deno.test("random frames (text, colours, wide and combining characters, scrolls, erases) diffed into tmux", async () => {
  const random = seededRandom(6060);
  for (let trial = 0; trial < 24; trial++) {
    const width = 10 + Math.floor(random() * 30), height = 3 + Math.floor(random() * 8);
    // U+00AD (soft hyphen) is one column to glibc's wcwidth, as mosh counts, and none to tmux.
    const steps = Array.from(
      { length: 4 },
      () => randomStream(random, 15).replaceAll("\u00ad", "-"),
    );
    await assertTmuxShows(width, height, steps, `trial ${trial} (${width}x${height})`);
  }
});

Deno.test("a wide character wrapped from a row's last column: tmux joins the rows as for the program's own output", async () => {
  // "1 " and 19 wide characters fill 40 of 41 columns; the 20th does not fit in the last one
  // and goes on to the next row. Until 2026-12-08 the diff went there with CR LF, so the
  // terminal's copy, history and reflow saw two lines (in scrollback mode, after a change
  // of width, each such line on the screen reached the history in two pieces).
  const output = "1 " + "漢字".repeat(12) + "\r\n2 " + "漢字".repeat(12) + "\r\n";
  const emulator = new Emulator(41, 6);
  const diff = diffsOf(emulator, [output, "\x1b[1;1H\x1b[42m漢\x1b[m"]);
  const [drawn, direct] = await Promise.all([
    playInTmux(encoder.encode(diff), 41, 6),
    playInTmux(encoder.encode(output + "\x1b[1;1H\x1b[42m漢\x1b[m"), 41, 6),
  ]);
  assert.equal(direct.joined.length, 2, JSON.stringify(direct.joined));
  assert.deepEqual(drawn.joined, direct.joined);
  assert.deepEqual(drawn.lines, direct.lines);
});

Deno.test("a wide character cut by a narrower window: the screen drawn again is the server's", async () => {
  // 漢 in columns 9-10 of 10; the window narrowed to 9 cut it in two. Left in the last
  // column, the redraw printed it there and the terminal (and the client's emulator)
  // wrapped it onto the next row, writing over that row's first cells: in scrollback mode
  // later output showed `字` where `11` was (found side by side, 2026-12-08).
  const emulator = new Emulator(10, 3);
  emulator.write(encoder.encode("abcdefgh漢\r\n11\r\n"));
  emulator.resize(9, 3);
  const frame = newFrame(true, new Framebuffer(9, 3), emulator.fb);
  const screen = await playInTmux(encoder.encode(frame), 9, 3);
  const diff = cellDifferences(
    shownCells(emulator.fb),
    parseTmuxCapture(screen.lines.join("\n"), 3),
    { erasedBackground: false },
  );
  assert.deepEqual(diff, [], JSON.stringify(frame));
  assert.equal(emulator.fb.rowText(1).trimEnd(), "11");
});

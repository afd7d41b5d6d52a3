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

async function assertTmuxShows(width: number, height: number, steps: string[], context: string) {
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
}

Deno.test("a narrow character over a wide one: the cell that was the wide one's right half is drawn", async () => {
  // After ESC [ D the cursor is on the emoji's right half, which a combining mark then
  // fills (a U+00A0 fallback cell, as in mosh). The diff never draws a wide character's
  // right half; once a narrow "£" replaces the emoji, that cell shows and must be drawn.
  await assertTmuxShows(21, 9, ["\x1b[5;10H😀\x1b[D\u0302", "\x1b[5;10H£"], "shadow");
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

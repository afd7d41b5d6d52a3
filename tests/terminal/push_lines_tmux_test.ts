/**
 * Scrollback mode's drawing against an independent terminal: a frame, then
 * lines pushed through the top of the screen into the history
 * (`pushLines`: rows of text, colours, wide and combining characters, and
 * plain text, some too wide or not ASCII), then the next frame — played into
 * a tmux pane. tmux's history must hold exactly the lines, in order, and its
 * screen the last frame, cell by cell, read raw (`capture-pane -e`).
 */
import assert from "node:assert/strict";
import {
  type Capabilities,
  type HistoryLine,
  newFrame,
  pushLines,
} from "../../lib/terminal/display.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import type { Row } from "../../lib/terminal/row.ts";
import {
  cellDifferences,
  parseTmuxCapture,
  playInTmux,
  type ShownCell,
  shownCells,
  shownRow,
} from "../support/tmux_cells.ts";
import { seededRandom } from "../support/sim_network.ts";
import { randomStream } from "../support/random_terminal_stream.ts";

const encoder = new TextEncoder();
const CAPABILITIES: Capabilities[] = [
  { ech: true, bce: true, title: false, keepHistory: true },
  { ech: false, bce: false, title: false, keepHistory: true },
];

/** A random screen; U+00AD dropped (one column to glibc's wcwidth and to mosh, none to tmux). */
function randomScreen(random: () => number, width: number, height: number): Framebuffer {
  const emulator = new Emulator(width, height);
  emulator.write(encoder.encode(randomStream(random, 12).replaceAll("\u00ad", "-")));
  return emulator.fb;
}

/** What a plain-text line shows: ASCII as is, anything else `?`, too long cut to its last character. */
function shownText(text: string, width: number): ShownCell[] {
  let fitted = [...text].map((c) => /^[\x20-\x7e]$/.test(c) ? c : "?").join("");
  if (fitted.length > width) fitted = fitted.slice(0, width - 1) + fitted.slice(-1);
  return [...fitted].map((c) => ({ text: c, style: "fg=default bg=default" }));
}

/** A trial's window size (10–39 × 3–10) and terminal capabilities (alternating). */
function randomTrial(random: () => number, trial: number) {
  const width = 10 + Math.floor(random() * 30), height = 3 + Math.floor(random() * 8);
  return { width, height, caps: CAPABILITIES[trial % 2]! };
}

function randomText(random: () => number, width: number): string {
  const length = Math.floor(random() * (width + 6));
  let text = "";
  for (let i = 0; i < length; i++) {
    const r = random();
    text += r < 0.9 ? String.fromCharCode(0x20 + Math.floor(random() * 95)) : r < 0.95 ? "é" : "中";
  }
  return text;
}

Deno.test("pushLines into tmux: its history holds the lines in order, its screen the next frame", async () => {
  const random = seededRandom(4242);
  for (let trial = 0; trial < 16; trial++) {
    const { width, height, caps } = randomTrial(random, trial);
    const first = randomScreen(random, width, height), next = randomScreen(random, width, height);
    const lines: HistoryLine[] = [];
    const count = 1 + Math.floor(random() * height * 2.5);
    for (let i = 0; i < count; i++) {
      lines.push(
        random() < 0.5
          ? randomText(random, width)
          : randomScreen(random, width, height).rows[Math.floor(random() * height)]!,
      );
    }
    const shown = new Framebuffer(width, height);
    let out = newFrame(true, shown, first, caps);
    const onScreen = first.clone();
    out += pushLines(onScreen, lines, caps);
    out += newFrame(true, onScreen, next, caps);

    const screen = await playInTmux(encoder.encode(out), width, height, { history: true });
    const captured = parseTmuxCapture(screen.lines.join("\n"), screen.lines.length);
    const expected = [
      ...lines.map((l) => typeof l === "string" ? shownText(l, width) : shownRow(l)),
      ...shownCells(next),
    ];
    const context = `trial ${trial} (${width}x${height}, ${lines.length} lines)`;
    assert.equal(captured.length, expected.length, `${context}: rows in history and screen`);
    assert.deepEqual(cellDifferences(expected, captured, { erasedBackground: false }), [], context);
  }
});

/**
 * Random output lines, some several rows long, with colours and wide
 * characters — but none of those in the last column, where it would not fit:
 * it goes on to the next row, and our emulator, as mosh's, leaves the row it
 * left unwrapped (tmux alone marks it).
 */
function randomOutput(random: () => number, width: number, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const length = Math.floor(random() * width * 3.2);
    let column = 0;
    for (let n = 0; n < length; n++) {
      const r = random();
      out += r < 0.03 ? `\x1b[3${Math.floor(random() * 8)}m` : r < 0.05 ? "\x1b[0m" : "";
      const wide = r > 0.97 && column % width !== width - 1;
      out += wide ? "中" : r > 0.95 ? "é" : String.fromCharCode(0x21 + Math.floor(random() * 94));
      column += wide ? 2 : 1;
    }
    out += "\r\n";
  }
  return out;
}

Deno.test("pushLines into tmux: long lines that wrapped stay one line in the history, as when tmux had the output itself", async () => {
  const random = seededRandom(77);
  for (let trial = 0; trial < 8; trial++) {
    const { width, height, caps } = randomTrial(random, trial);
    const output = randomOutput(random, width, 4 + Math.floor(random() * 30));
    // The oracle: tmux given the output itself.
    const direct = await playInTmux(encoder.encode(output), width, height, { history: true });

    // The server's screen, frames of it as the client draws them, and the rows
    // that scrolled off in between pushed first, with their wrap flags.
    const emulator = new Emulator(width, height);
    let left: Row[] = [];
    emulator.fb.scrollOff = (row) => {
      left.push(row);
      return null;
    };
    const onScreen = new Framebuffer(width, height);
    let drawn = newFrame(false, onScreen, emulator.fb, caps);
    let shown = emulator.fb.clone();
    const bytes = encoder.encode(output);
    for (let at = 0; at < bytes.length;) {
      const end = Math.min(bytes.length, at + 1 + Math.floor(random() * width * height * 1.5));
      emulator.write(bytes.subarray(at, end));
      at = end;
      // The client pushes a screenful at a time (terminal_sink.ts).
      for (let i = 0; i < left.length; i += height) {
        drawn += pushLines(shown, left.slice(i, i + height), caps);
      }
      left = [];
      drawn += newFrame(true, shown, emulator.fb, caps);
      shown = emulator.fb.clone();
    }
    const ours = await playInTmux(encoder.encode(drawn), width, height, { history: true });
    const context = `trial ${trial} (${width}x${height})`;
    assert.ok(direct.joined.some((l) => [...l].length > width), `${context}: a long line`);
    assert.deepEqual(ours.joined, direct.joined, context);
  }
});

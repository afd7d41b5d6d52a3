/**
 * The display diff reproduces the screen: emulator A consumes a stream; the
 * diff from a blank screen (and from A's previous frame) fed to emulator B
 * gives B the same framebuffer.
 */
import assert from "node:assert/strict";
import { newFrame } from "../../lib/terminal/display.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { assertSameScreen } from "../support/screen_compare.ts";
import { seededRandom } from "../support/sim_network.ts";

const enc = new TextEncoder();

const PIECES = [
  "hello",
  " ",
  "\r\n",
  "\n",
  "\r",
  "\t",
  "\b",
  "\x07",
  "e\u0301",
  "\u0302",
  "\u4e2d\u6587",
  "\u{1f600}",
  "\x1b[1;31m",
  "\x1b[0m",
  "\x1b[38;5;200m",
  "\x1b[48;2;10;20;30m",
  "\x1b[7;4m",
  "\x1b[44m",
  "\x1b[K",
  "\x1b[1K",
  "\x1b[2K",
  "\x1b[J",
  "\x1b[1J",
  "\x1b[2J",
  "\x1b[H",
  "\x1b[5;10H",
  "\x1b[A",
  "\x1b[3B",
  "\x1b[2C",
  "\x1b[D",
  "\x1b[2;5r",
  "\x1b[r",
  "\x1b[3L",
  "\x1b[2M",
  "\x1b[4@",
  "\x1b[3P",
  "\x1b[6X",
  "\x1b[S",
  "\x1b[2T",
  "\x1bM",
  "\x1bD",
  "\x1bE",
  "\x1b7",
  "\x1b8",
  "\x1b[?25l",
  "\x1b[?25h",
  "\x1b[?5h",
  "\x1b[?5l",
  "\x1b[?7l",
  "\x1b[?7h",
  "\x1b[?6h",
  "\x1b[?6l",
  "\x1b[4h",
  "\x1b[4l",
  "\x1b[?2004h",
  "\x1b[?1002h",
  "\x1b[?1006h",
  "\x1b[?1004h",
  "\x1b]0;title\x07",
  "\x1b]1;icon\x07",
  "\x1b]2;window\x07",
  "\x1b]52;c;aGk=\x07",
  "\x1b[?1049h",
  "\x1b[?1049l",
  "\x1b#8",
  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  "\x1b(0lqk\x1b(B",
];

function randomStream(random: () => number, pieces: number): string {
  let s = "";
  for (let i = 0; i < pieces; i++) {
    if (random() < 0.1) {
      // raw random bytes, decoded leniently
      s += String.fromCharCode(...Array.from({ length: 5 }, () => Math.floor(random() * 256)));
    } else {
      s += PIECES[Math.floor(random() * PIECES.length)]!;
    }
  }
  return s;
}

Deno.test("display diffs from blank and from the previous frame reproduce the screen (2000 random streams)", () => {
  const random = seededRandom(2026);
  for (let trial = 0; trial < 2000; trial++) {
    const width = 10 + Math.floor(random() * 30), height = 3 + Math.floor(random() * 8);
    const a = new Emulator(width, height);
    const b = new Emulator(width, height); // follows A frame by frame
    let previous = a.fb.clone();
    for (let step = 0; step < 4; step++) {
      a.write(enc.encode(randomStream(random, 15)));
      const diff = newFrame(true, previous, a.fb);
      b.write(enc.encode(diff));
      assertSameScreen(a.fb, b.fb, `trial ${trial} step ${step} (incremental)`);
      previous = a.fb.clone();
    }
    const fresh = new Emulator(width, height);
    fresh.write(enc.encode(newFrame(true, new Framebuffer(width, height), a.fb)));
    assertSameScreen(a.fb, fresh.fb, `trial ${trial} (from blank)`);
  }
});

Deno.test("an unchanged screen gives an empty diff", () => {
  const a = new Emulator(80, 24);
  a.write(enc.encode("\x1b[1;32mhello\x1b[0m world\r\n"));
  assert.equal(newFrame(true, a.fb.clone(), a.fb), "");
});

Deno.test("a scrolled screen is diffed with a scroll, not a full redraw", () => {
  const a = new Emulator(20, 5);
  for (let i = 0; i < 5; i++) a.write(enc.encode(`line ${i}\r\n`));
  const before = a.fb.clone();
  a.write(enc.encode("line 5\r\n"));
  const diff = newFrame(true, before, a.fb);
  assert.ok(diff.includes("\x1b[1;4r"), `scrolls within a region: ${JSON.stringify(diff)}`);
  assert.ok(
    !diff.includes("line 2") && !diff.includes("line 4"),
    "unchanged lines are not redrawn",
  );
  assert.ok(diff.includes("line 5"));
  const b = new Emulator(20, 5);
  b.write(enc.encode(newFrame(false, new Framebuffer(20, 5), before)));
  b.write(enc.encode(diff));
  assert.equal(b.fb.screenText(), a.fb.screenText());
});

Deno.test("a 255-character title (only the OSC ; form holds one) survives the diff", () => {
  const long = "t".repeat(300);
  for (const host of [`\x1b];${long}\x07`, `\x1b];${long}\x07\x1b]1;icon\x07`]) {
    const a = new Emulator(20, 3);
    a.write(enc.encode(host));
    assert.equal([...a.fb.windowTitle].length, 255);
    const b = new Emulator(20, 3);
    b.write(enc.encode(newFrame(true, new Framebuffer(20, 3), a.fb)));
    assert.equal(b.fb.windowTitle, a.fb.windowTitle);
    assert.equal(b.fb.iconName, a.fb.iconName);
  }
});

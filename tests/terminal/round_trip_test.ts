/**
 * The display diff reproduces the screen: emulator A consumes a stream; the
 * diff from a blank screen (and from A's previous frame) fed to emulator B
 * gives B the same framebuffer.
 */
import assert from "node:assert/strict";
import { newFrame, SERVER_CAPABILITIES } from "../../lib/terminal/display.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { assertSameScreen } from "../support/screen_compare.ts";
import { seededRandom } from "../support/sim_network.ts";
import { randomStream } from "../support/random_terminal_stream.ts";

const enc = new TextEncoder();

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

Deno.test("on 2-column screens too, where a wide character fills a row (300 random streams)", () => {
  const random = seededRandom(2);
  for (let trial = 0; trial < 300; trial++) {
    const height = 2 + Math.floor(random() * 10);
    const a = new Emulator(2, height);
    const b = new Emulator(2, height);
    let previous = a.fb.clone();
    for (let step = 0; step < 6; step++) {
      a.write(enc.encode(randomStream(random, 15)));
      b.write(enc.encode(newFrame(true, previous, a.fb)));
      assertSameScreen(a.fb, b.fb, `trial ${trial} step ${step}`);
      previous = a.fb.clone();
    }
  }
});

Deno.test("with the extensions announced, the follower also has the titles, directory and notification count (500 random streams)", () => {
  const random = seededRandom(77);
  const caps = {
    ...SERVER_CAPABILITIES,
    hyperlinks: true,
    workingDirectory: true,
    notifications: true,
  };
  for (let trial = 0; trial < 500; trial++) {
    const a = new Emulator(30, 6);
    const b = new Emulator(30, 6);
    let previous = a.fb.clone();
    for (let step = 0; step < 4; step++) {
      a.write(enc.encode(randomStream(random, 15)));
      b.write(enc.encode(newFrame(true, previous, a.fb, caps)));
      previous = a.fb.clone();
      const context = `trial ${trial} step ${step}`;
      assertSameScreen(a.fb, b.fb, context);
      assert.deepEqual(
        [b.fb.windowTitle, b.fb.iconName, b.fb.workingDirectory, b.fb.clipboard],
        [a.fb.windowTitle, a.fb.iconName, a.fb.workingDirectory, a.fb.clipboard],
        context,
      );
      // Each notification once (at most NOTIFICATIONS_KEPT a frame; 15 pieces rarely hold more).
      assert.equal(b.fb.notificationCount, a.fb.notificationCount, context);
    }
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

Deno.test("the cursor style (DECSCUSR) goes into the diff when it changes, and only to terminals with Ss", () => {
  const a = new Emulator(20, 4);
  const blank = new Framebuffer(20, 4);
  a.write(enc.encode("\x1b[5 q"));
  assert.equal(a.fb.ds.cursorStyle, 5);
  const first = newFrame(true, blank, a.fb);
  assert.ok(first.includes("\x1b[5 q"), JSON.stringify(first));
  const b = new Emulator(20, 4);
  b.write(enc.encode(first));
  assert.equal(b.fb.ds.cursorStyle, 5, "our client's emulator takes it from the diff");
  const previous = a.fb.clone();
  a.write(enc.encode("x"));
  assert.ok(!newFrame(true, previous, a.fb).includes(" q"), "unchanged: not sent again");
  const before = a.fb.clone();
  a.write(enc.encode("\x1b[0 q\x1b[7 q")); // 7 is no style: ignored
  assert.equal(newFrame(true, before, a.fb), "\x1b[0 q");
  const noSs = { ech: true, bce: true, title: true, cursorStyle: false };
  assert.ok(!newFrame(true, blank, previous, noSs).includes(" q"));
  assert.ok(!newFrame(false, blank, blank).includes(" q"), "a repaint of the default sends none");
});

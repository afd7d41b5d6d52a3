/**
 * Beyond mosh 1.4.0: the working directory (OSC 7) and desktop notifications
 * (OSC 9, OSC 777) — kept by the emulator, sent by the display diff only
 * where the capability says the other side takes them.
 */
import assert from "node:assert/strict";
import {
  Emulator,
  MAX_NOTIFICATION_LENGTH,
  NOTIFICATIONS_KEPT,
} from "../../lib/terminal/emulator.ts";
import { type Capabilities, newFrame, SERVER_CAPABILITIES } from "../../lib/terminal/display.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";

const enc = new TextEncoder();
const EVENTS: Capabilities = {
  ...SERVER_CAPABILITIES,
  workingDirectory: true,
  notifications: true,
};

function emulator(text = ""): Emulator {
  const e = new Emulator(80, 24);
  e.write(enc.encode(text));
  return e;
}

Deno.test("OSC 7 sets the working directory (BEL or ST); a reset keeps it; a bad URI is ignored", () => {
  const e = emulator("\x1b]7;file://host/tmp/a%20b\x07");
  assert.equal(e.fb.workingDirectory, "file://host/tmp/a%20b");
  e.write(enc.encode("\x1b]7;file://host/srv\x1b\\"));
  assert.equal(e.fb.workingDirectory, "file://host/srv");
  e.write(enc.encode("\x1bc"));
  assert.equal(e.fb.workingDirectory, "file://host/srv", "RIS keeps it");
  e.write(enc.encode("\x1b]7;file://host/tmp/é\x07")); // not a URI (raw non-ASCII)
  e.write(enc.encode(`\x1b]7;file://host/${"x".repeat(3000)}\x07`));
  assert.equal(e.fb.workingDirectory, "file://host/srv");
  e.write(enc.encode("\x1b]7;\x07"));
  assert.equal(e.fb.workingDirectory, "", "an empty one clears it");
});

Deno.test("OSC 9 and 777 are counted events: the latest few kept, long ones dropped", () => {
  const e = emulator("\x1b]9;build done\x07\x1b]777;notify;Title;Body\x1b\\");
  assert.equal(e.fb.notificationCount, 2);
  assert.deepEqual(e.fb.notifications, ["9;build done", "777;notify;Title;Body"]);
  const before = e.fb.clone();
  for (let i = 0; i < 20; i++) e.write(enc.encode(`\x1b]9;n${i}\x07`));
  assert.equal(e.fb.notificationCount, 22);
  assert.equal(e.fb.notifications.length, NOTIFICATIONS_KEPT);
  assert.equal(e.fb.notifications.at(-1), "9;n19");
  assert.equal(e.fb.notifications[0], `9;n${20 - NOTIFICATIONS_KEPT}`);
  assert.deepEqual(
    before.notifications,
    ["9;build done", "777;notify;Title;Body"],
    "copies keep theirs",
  );
  assert.equal(before.equals(e.fb), false, "a notification changes the state");
  e.write(enc.encode(`\x1b]9;${"x".repeat(MAX_NOTIFICATION_LENGTH)}\x07\x1b]9;a\x7fb\x07`));
  assert.equal(e.fb.notificationCount, 22, "too long, or with DEL: dropped");
  e.write(enc.encode("\x1b]99;kitty\x07\x1b]77;x\x07"));
  assert.equal(e.fb.notificationCount, 22, "other OSCs are not notifications");
  e.write(enc.encode("\x1bc"));
  assert.equal(e.fb.notificationCount, 22, "RIS keeps the count");
});

Deno.test("the diff sends neither without the capabilities (mosh 1.4.0's diff)", () => {
  const e = emulator("\x1b]7;file://h/x\x07\x1b]9;hi\x07text");
  const stock = newFrame(true, new Framebuffer(80, 24), e.fb, SERVER_CAPABILITIES);
  assert.equal(stock.includes("\x1b]7;"), false);
  assert.equal(stock.includes("\x1b]9;"), false);
  assert.ok(stock.includes("text"));
});

Deno.test("the diff sends the directory when it changes, and each notification once", () => {
  const e = emulator();
  let last = e.fb.clone();
  const frame = (text: string, initialized = true) => {
    e.write(enc.encode(text));
    const out = newFrame(initialized, last, e.fb, EVENTS);
    last = e.fb.clone();
    return out;
  };
  assert.equal(
    frame("\x1b]7;file://h/x\x07\x1b]9;one\x07\x1b]9;two\x07"),
    "\x1b]9;one\x07\x1b]9;two\x07\x1b]7;file://h/x\x07",
  );
  assert.equal(frame("\x1b]7;file://h/x\x07"), "", "the same directory again: nothing");
  // A redraw from scratch repeats the directory, never an old notification.
  const redraw = frame("\x1b]9;three\x07", false);
  assert.ok(redraw.includes("\x1b]7;file://h/x\x07"));
  assert.equal(redraw.split("\x1b]9;").length - 1, 1);
  assert.ok(redraw.includes("\x1b]9;three\x07"));
  // More than are kept since the last frame: the newest NOTIFICATIONS_KEPT.
  let burst = "";
  for (let i = 0; i < 30; i++) burst += `\x1b]9;b${i}\x07`;
  const out = frame(burst);
  assert.equal(out.split("\x1b]9;").length - 1, NOTIFICATIONS_KEPT);
  assert.ok(out.endsWith("\x1b]9;b29\x07"));
});

Deno.test("a follower fed the diffs ends with the same directory and count", () => {
  const leader = emulator();
  const follower = emulator();
  let last = leader.fb.clone();
  for (const chunk of ["\x1b]7;file://h/a\x07", "x\x1b]9;n\x07", "\x1b]7;file://h/b\x07"]) {
    leader.write(enc.encode(chunk));
    follower.write(enc.encode(newFrame(true, last, leader.fb, EVENTS)));
    last = leader.fb.clone();
  }
  assert.equal(follower.fb.workingDirectory, "file://h/b");
  assert.equal(follower.fb.notificationCount, 1);
  assert.ok(follower.fb.equals(leader.fb));
});

/**
 * The prediction engine against scripted server frames on a virtual clock.
 */
import assert from "node:assert/strict";
import { PredictionEngine } from "../../lib/client/prediction_engine.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Attr } from "../../lib/terminal/renditions.ts";

const enc = new TextEncoder();

/** A scripted server: an emulator the test writes to, plus frame numbering. */
class Script {
  now = 0;
  frame = 0n;
  readonly server = new Emulator(40, 5);
  readonly engine: PredictionEngine;
  constructor(mode: "adaptive" | "always" | "never" | "experimental", sendInterval = 150) {
    this.engine = new PredictionEngine(mode, false, () => this.now);
    this.engine.setSendInterval(sendInterval);
    this.server.write(enc.encode("$ "));
  }
  /** The user types `text`: it becomes the next user-stream state. */
  type(text: string): void {
    this.engine.setLocalFrameSent(this.frame);
    this.engine.newUserInput(enc.encode(text), this.server.fb);
    this.frame++;
  }
  /** The server echoes (or not) and acknowledges everything typed so far. */
  serverFrame(output: string, advanceMs = 100): void {
    this.now += advanceMs;
    this.server.write(enc.encode(output));
    this.engine.setLocalFrameLateAcked(this.frame);
    this.engine.cull(this.server.fb);
  }
  shown(): string {
    const fb = this.server.fb.clone();
    this.engine.cull(this.server.fb);
    this.engine.apply(fb);
    return fb.rowText(0).trimEnd();
  }
}

Deno.test("after the first echo confirms the epoch, typing shows at once", () => {
  const s = new Script("always");
  s.type("l");
  assert.equal(s.shown(), "$", "the first keystroke of an epoch is tentative");
  assert.equal(s.engine.shown, false, "so the client sends it at once");
  s.serverFrame("l");
  assert.equal(s.engine.shown, false, "nothing outstanding");
  s.type("s");
  assert.equal(s.shown(), "$ ls", "shown before the server echoes it");
  assert.equal(s.engine.shown, true, "so the client keeps mosh's 1 ms before sending it");
  s.type(" -l");
  assert.equal(s.shown(), "$ ls -l");
  s.serverFrame("s -l");
  assert.equal(s.shown(), "$ ls -l");
});

Deno.test("adaptive mode shows nothing on a fast link and predicts on a slow one", () => {
  const fast = new Script("adaptive", 10);
  fast.type("a");
  fast.serverFrame("a");
  fast.type("b");
  assert.equal(fast.shown(), "$ a", "fast link: no prediction drawn");
  assert.equal(fast.engine.shown, false);
  const slow = new Script("adaptive", 150);
  slow.type("a");
  slow.serverFrame("a");
  slow.type("b");
  assert.equal(slow.shown(), "$ ab");
  assert.equal(slow.engine.shown, true);
});

Deno.test("never mode draws nothing", () => {
  const s = new Script("never");
  s.type("a");
  s.serverFrame("a");
  s.type("b");
  assert.equal(s.shown(), "$ a");
  assert.equal(s.engine.shown, false);
});

Deno.test("a password prompt (no echo) leaves no trace: wrong predictions are removed", () => {
  const s = new Script("always");
  s.type("x");
  s.serverFrame("x");
  s.type("\r");
  s.serverFrame("\r\nPassword: ");
  s.type("s");
  s.type("ecret");
  for (let i = 0; i < 10; i++) s.serverFrame("", 100);
  const fb = s.server.fb.clone();
  s.engine.apply(fb);
  assert.ok(!fb.screenText().includes("ecret"), fb.screenText());
  assert.equal(s.engine.active, false, "all predictions culled");
});

Deno.test("vi: insert-mode typing is predicted; after Esc, normal-mode 'jjj' is never drawn", () => {
  const s = new Script("always");
  const screen = () => {
    const fb = s.server.fb.clone();
    s.engine.cull(s.server.fb);
    s.engine.apply(fb);
    return fb.screenText();
  };
  // Insert mode: once the first key's echo confirms the epoch, typing shows at once.
  s.type("a");
  s.serverFrame("a");
  s.type("b");
  assert.equal(s.shown(), "$ ab", "insert-mode typing is predicted before the echo");
  s.serverFrame("b");
  // Esc: vi leaves insert mode and steps the cursor back; nothing is printed.
  s.type("\x1b");
  s.serverFrame("\b");
  // Normal mode: each 'j' moves the cursor down; none may be drawn as text.
  s.type("j");
  assert.ok(!screen().includes("j"), `before any echo:\n${screen()}`);
  s.type("jj");
  assert.ok(!screen().includes("j"), `before any echo:\n${screen()}`);
  s.serverFrame("\x1b[2;4H");
  assert.ok(!screen().includes("j"), `after the cursor moved:\n${screen()}`);
  s.serverFrame("\x1b[4;4H", 200);
  assert.ok(!screen().includes("j"), `after the echo timeout:\n${screen()}`);
  assert.equal(s.engine.active, false, "the refuted guesses are all dropped");
});

Deno.test("backspace and arrows are predicted at the cursor", () => {
  const s = new Script("always");
  s.type("a");
  s.serverFrame("a");
  s.type("bc\x7f");
  assert.equal(s.shown(), "$ ab");
  s.type("\x1b[D");
  const fb = s.server.fb.clone();
  s.engine.apply(fb);
  assert.equal(fb.ds.cursorCol, 3, "left arrow moved the predicted cursor");
});

Deno.test("predictions are underlined when the link is very slow (flagging)", () => {
  const s = new Script("always", 200);
  s.type("a");
  s.serverFrame("a");
  s.type("b");
  const fb = s.server.fb.clone();
  s.engine.cull(s.server.fb);
  s.engine.apply(fb);
  assert.equal(fb.rows[0]!.contents[3], "b");
  assert.equal(fb.rows[0]!.attrs[3]! & Attr.Underline, Attr.Underline);
});

/**
 * The display diff for a scrollback client (`alternateScreen`): a switch to
 * or from the alternate screen goes with the diff, then the whole screen,
 * so the client's emulator follows the program's screens; without the
 * capability (mosh 1.4.0's client) nothing of it is sent.
 */
import assert from "node:assert/strict";
import { type Capabilities, newFrame, SERVER_CAPABILITIES } from "../../lib/terminal/display.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { playInTmux } from "../support/tmux_cells.ts";

const enc = new TextEncoder();
const WITH: Capabilities = { ...SERVER_CAPABILITIES, alternateScreen: true };

Deno.test("a scrollback client's emulator follows the program onto the alternate screen and back", () => {
  const server = new Emulator(20, 5);
  const client = new Emulator(20, 5);
  let shown = new Framebuffer(20, 5);
  const send = (caps: Capabilities) => {
    const now = server.fb.clone();
    client.write(enc.encode(newFrame(true, shown, now, caps)));
    shown = now;
  };
  server.write(enc.encode("$ seq\r\n1\r\n2\r\n$ vi"));
  send(WITH);
  server.write(enc.encode("\x1b[?1049h\x1b[Hfile\x1b[3;1H~"));
  const entering = newFrame(true, shown, server.fb.clone(), WITH);
  assert.ok(entering.startsWith("\x1b[?1047h"), JSON.stringify(entering));
  send(WITH);
  assert.notEqual(client.fb.primaryRows, null, "the client is on the alternate screen");
  assert.equal(client.fb.screenText(), server.fb.screenText());
  server.write(enc.encode("\x1b[?1049l\r\n$ "));
  send(WITH);
  assert.equal(client.fb.primaryRows, null, "and back on the main screen");
  assert.equal(client.fb.screenText(), server.fb.screenText());
  assert.equal(client.fb.screenText().split("\n")[0], "$ seq");
});

Deno.test("without the capability (mosh 1.4.0's client) no switch is sent: the active screen only", () => {
  const server = new Emulator(20, 5);
  const before = server.fb.clone();
  server.write(enc.encode("\x1b[?1049h\x1b[Hfile"));
  const diff = newFrame(true, before, server.fb.clone(), SERVER_CAPABILITIES);
  assert.equal(diff.includes("\x1b[?1047"), false);
});

Deno.test("output and the switch in one frame: the diff draws the main screen the program left first (tmux as the terminal)", async () => {
  // `seq 1 12; less` in one frame: a terminal that keeps the main screen aside (a client
  // keeping the history) must keep this one, not the one it showed before (until
  // 2026-12-08 the diff went straight to the program's screen, and those lines were lost).
  const before = "$ seq 1 12; less\r\n";
  const output = Array.from({ length: 12 }, (_, i) => `${i + 1}\r\n`).join("") + "END";
  const program = "\x1b[?1049h\x1b[Hfull";
  const server = new Emulator(20, 5);
  server.write(enc.encode(before));
  const shown = server.fb.clone();
  server.write(enc.encode(output + program));
  const diff = newFrame(true, shown, server.fb.clone(), WITH);
  const at = diff.indexOf("\x1b[?1047h");
  assert.ok(at > 0, JSON.stringify(diff));
  // Up to the switch, the diff played after the shown screen leaves the terminal as the
  // program's output itself does, cursor and all.
  const [drawn, direct] = await Promise.all([
    playInTmux(enc.encode(before + diff.slice(0, at)), 20, 5),
    playInTmux(enc.encode(before + output), 20, 5),
  ]);
  const text = (lines: string[]) => lines.map((l) => l.trimEnd());
  assert.deepEqual(text(drawn.lines), text(direct.lines));
  assert.deepEqual(drawn.cursor, direct.cursor);
  assert.equal(direct.lines.at(-1), "END");
});

Deno.test("a resize and the switch in one frame: the main screen the program left is drawn first, at the new size", async () => {
  const server = new Emulator(20, 5);
  server.write(enc.encode("$ seq 1 12; less\r\n"));
  const shown = server.fb.clone();
  const output = Array.from({ length: 12 }, (_, i) => `${i + 1}\r\n`).join("") + "END";
  server.write(enc.encode(output + "\x1b[?1049h\x1b[Hfull"));
  server.resize(24, 6);
  const diff = newFrame(true, shown, server.fb.clone(), WITH);
  const at = diff.indexOf("\x1b[?1047h");
  assert.ok(at > 0, JSON.stringify(diff));
  // Until the switch, tmux shows what the server keeps aside, cursor and all.
  const drawn = await playInTmux(enc.encode(diff.slice(0, at)), 24, 6);
  const kept = server.fb.primaryRows!.map((row) => row.text().trimEnd());
  assert.deepEqual(drawn.lines.map((l) => l.trimEnd()), kept);
  assert.equal(kept.at(-2), "END", "the output's last line, above a row the grow added");
  const cursor = server.fb.primaryCursor!;
  assert.deepEqual(drawn.cursor, [cursor.row, cursor.col]);
});

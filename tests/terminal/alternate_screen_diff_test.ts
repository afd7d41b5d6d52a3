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

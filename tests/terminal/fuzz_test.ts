/**
 * Emulator fuzzing: over a million bytes of random and structured-random
 * host output (hostile CSI/OSC/DCS, broken UTF-8, C1 bytes, resizes). The
 * emulator never throws, the framebuffer invariants hold after every chunk,
 * splitting the input anywhere changes nothing, and the display diff keeps
 * reproducing the screen.
 */
import assert from "node:assert/strict";
import { newFrame } from "../../lib/terminal/display.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { WIDE } from "../../lib/terminal/row.ts";
import { assertSameScreen } from "../support/screen_compare.ts";
import { HostileStream } from "../support/hostile_stream.ts";
import { seededRandom } from "../support/sim_network.ts";

const encoder = new TextEncoder();

/** Whether `text` holds a C0 or C1 control, or DEL. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function assertInvariants(fb: Framebuffer, context: string): void {
  assert.equal(fb.rows.length, fb.height, `${context}: row count`);
  const ds = fb.ds;
  assert.ok(
    ds.cursorRow >= 0 && ds.cursorRow < fb.height,
    `${context}: cursor row ${ds.cursorRow}`,
  );
  assert.ok(ds.cursorCol >= 0 && ds.cursorCol < fb.width, `${context}: cursor col ${ds.cursorCol}`);
  assert.ok(
    ds.scrollTop >= 0 && ds.scrollTop <= ds.scrollBottom && ds.scrollBottom < fb.height,
    `${context}: scroll region ${ds.scrollTop}..${ds.scrollBottom}`,
  );
  for (let y = 0; y < fb.height; y++) {
    const row = fb.rows[y]!;
    for (
      const [name, length] of Object.entries({
        contents: row.contents.length,
        fg: row.fg.length,
        bg: row.bg.length,
        attrs: row.attrs.length,
        flags: row.flags.length,
      })
    ) {
      assert.equal(length, fb.width, `${context}: row ${y} ${name} length`);
    }
    for (let x = 0; x < fb.width; x++) {
      const cell = row.contents[x]!;
      // Nothing that would act as a control when drawn may land in a cell.
      assert.ok(!hasControl(cell), `${context}: control in cell (${y},${x})`);
      assert.ok(cell.length <= 64, `${context}: cell (${y},${x}) holds ${cell.length} units`);
      if (row.flags[x]! & WIDE) {
        assert.ok(x < fb.width - 1, `${context}: wide character in the last column of row ${y}`);
        assert.equal(row.contents[x + 1], "", `${context}: shadow of wide cell (${y},${x})`);
      }
    }
  }
}

const MEGABYTE = 1 << 20;

Deno.test("emulator fuzz: over 1 MB of hostile host output never throws and keeps every invariant", () => {
  const stream = new HostileStream(8128);
  const ops = stream.operations(MEGABYTE);
  const random = seededRandom(77);
  const split = new Emulator(80, 24); // fed at random split points
  const whole = new Emulator(80, 24); // fed each operation at once
  let follower = new Emulator(80, 24); // fed only display diffs of `split`
  let previous = split.fb.clone();
  let fed = 0, checks = 0;
  for (const [i, op] of ops.entries()) {
    if ("resize" in op) {
      for (const e of [split, whole]) e.resize(...op.resize);
      // A resized client repaints from scratch, as mosh's does.
      follower = new Emulator(...op.resize);
      follower.write(encoder.encode(newFrame(true, new Framebuffer(...op.resize), split.fb)));
      previous = split.fb.clone();
      continue;
    }
    for (let at = 0; at < op.bytes.length;) {
      const end = Math.min(op.bytes.length, at + 1 + Math.floor(random() * 700));
      split.write(op.bytes.subarray(at, end));
      at = end;
      assertInvariants(split.fb, `op ${i} at byte ${at}`);
    }
    whole.write(op.bytes);
    fed += op.bytes.length;
    assert.ok(split.fb.equals(whole.fb), `op ${i}: split input gave a different screen`);
    if (i % 4 === 0) {
      follower.write(encoder.encode(newFrame(true, previous, split.fb)));
      assertSameScreen(split.fb, follower.fb, `op ${i} (incremental diff)`);
      previous = split.fb.clone();
      const fresh = new Emulator(split.fb.width, split.fb.height);
      fresh.write(
        encoder.encode(newFrame(true, new Framebuffer(split.fb.width, split.fb.height), split.fb)),
      );
      assertSameScreen(split.fb, fresh.fb, `op ${i} (from blank)`);
      checks++;
    }
  }
  assert.ok(fed >= MEGABYTE, `fed ${fed} bytes`);
  assert.ok(checks > 60, `${checks} round-trip checks`);
});

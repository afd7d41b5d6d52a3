import assert from "node:assert/strict";
import { Emulator } from "../../lib/terminal/emulator.ts";
import type { Framebuffer } from "../../lib/terminal/framebuffer.ts";

const enc = new TextEncoder();

/** Lines `from`..`to` (inclusive) as a program prints them. */
function lines(from: number, to: number): string {
  let s = "";
  for (let i = from; i <= to; i++) s += `${i}\r\n`;
  return s;
}

/** Every way of reading the screen gives rows in screen order. */
function screen(fb: Framebuffer): string[] {
  const viaRowText = Array.from({ length: fb.height }, (_, y) => fb.rowText(y).trimEnd());
  const viaRow = Array.from({ length: fb.height }, (_, y) => fb.row(y).text().trimEnd());
  const viaRows = fb.rows.map((r) => r.text().trimEnd());
  assert.deepEqual(viaRow, viaRowText);
  assert.deepEqual(viaRows, viaRowText);
  return viaRowText;
}

Deno.test("full-screen line feeds: rows stay in screen order however they are read", () => {
  for (let n = 1; n <= 12; n++) {
    const t = new Emulator(10, 4);
    t.write(enc.encode(lines(1, n)));
    // What the screen shows: the last rows of every line printed, then the cursor's blank row.
    const shown = [...Array.from({ length: n }, (_, i) => String(i + 1)), ""];
    while (shown.length < 4) shown.push("");
    const expected = shown.slice(-4);
    assert.deepEqual(screen(t.fb), expected, `after ${n} lines`);
  }
});

Deno.test("a copy taken between line feeds keeps its screen while the original scrolls on", () => {
  const t = new Emulator(10, 4);
  t.write(enc.encode(lines(1, 6)));
  const copy = t.fb.clone();
  const before = screen(copy);
  assert.ok(copy.equals(t.fb));
  t.write(enc.encode(lines(7, 9)));
  assert.deepEqual(screen(copy), before);
  assert.deepEqual(screen(t.fb), ["7", "8", "9", ""]);
  assert.ok(!copy.equals(t.fb));
  // The copy scrolls on its own too, to the same screen.
  const replay = new Emulator(10, 4);
  replay.fb = copy;
  replay.write(enc.encode(lines(7, 9)));
  assert.ok(copy.equals(t.fb));
});

Deno.test("the alternate screen and a scrolling region after full-screen line feeds", () => {
  const t = new Emulator(10, 4);
  t.write(enc.encode(lines(1, 7))); // the rows are stored rotated now
  t.write(enc.encode("\x1b[?1049h\x1b[Halt\r\n\x1b[?1049l"));
  assert.deepEqual(screen(t.fb), ["5", "6", "7", ""]);
  t.write(enc.encode(lines(8, 9)));
  assert.deepEqual(screen(t.fb), ["7", "8", "9", ""]);
  // A region of rows 2–3: a line feed at its bottom scrolls only those rows.
  t.write(enc.encode("\x1b[2;3r\x1b[3;1Hx\r\ny"));
  assert.deepEqual(screen(t.fb), ["7", "x", "y", ""]);
});

Deno.test("resize: mosh keeps the top rows; keepCursorRow shrinks around the cursor as a terminal with a history does", () => {
  const lines = (fb: Framebuffer) => fb.screenText().split("\n");
  const filled = () => {
    const term = new Emulator(10, 6);
    term.write(new TextEncoder().encode("a\r\nb\r\nc\r\nd\r\ne")); // cursor on row 4, row 5 blank
    return term.fb;
  };
  const mosh = filled();
  mosh.resize(10, 3);
  assert.deepEqual(lines(mosh), ["a", "b", "c"]);
  assert.equal(mosh.ds.cursorRow, 2);
  const kept = filled();
  kept.resize(10, 3, true); // the blank row below the cursor goes, then two from the top
  assert.deepEqual(lines(kept), ["c", "d", "e"]);
  assert.equal(kept.ds.cursorRow, 2);
  const roomy = filled();
  roomy.resize(10, 5, true); // only the row below the cursor
  assert.deepEqual(lines(roomy), ["a", "b", "c", "d", "e"]);
  assert.equal(roomy.ds.cursorRow, 4);
  kept.resize(10, 6, true); // growing adds blank rows below, as mosh does
  assert.deepEqual(lines(kept), ["c", "d", "e", "", "", ""]);
});

Deno.test("resize under the alternate screen: keepCursorRow shrinks the hidden main screen around its saved cursor, recording nothing", () => {
  const term = new Emulator(10, 6);
  const recorded: string[] = [];
  term.fb.scrollOff = (row) => {
    recorded.push(row.text().trimEnd());
    return null;
  };
  term.write(new TextEncoder().encode("a\r\nb\r\nc\r\nd\r\ne\x1b[?1049h\x1b[Hfull"));
  term.resize(10, 3, true);
  assert.deepEqual(recorded, [], "the terminal shrinks the main screen it keeps aside itself");
  assert.deepEqual(
    term.fb.screenText().split("\n"),
    ["full", "", ""],
    "the alternate screen: mosh's rule",
  );
  term.write(new TextEncoder().encode("\x1b[?1049l"));
  assert.deepEqual(term.fb.screenText().split("\n"), ["c", "d", "e"]);
  assert.equal(term.fb.ds.cursorRow, 2);
});

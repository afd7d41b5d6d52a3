import assert from "node:assert/strict";
import { Emulator } from "../../lib/terminal/emulator.ts";

const enc = new TextEncoder();

/** Output mixing runs of ASCII with everything that changes how a character prints. */
function randomOutput(seed: number, tokens: number): string {
  const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const pieces = [
    "\r\n",
    "\r",
    "\x1b[4h", // insert mode
    "\x1b[4l",
    "\x1b[?7l", // autowrap off
    "\x1b[?7h",
    "中",
    "e\u0301",
    "\x1b]8;;https://example.com/\x1b\\",
    "\x1b]8;;\x1b\\",
    "\x1b[1;31m",
    "\x1b[0m",
    "\x1b[K",
    "\t",
    "\x1b[2;15H",
    "\x1b[12G",
    "\x1b[3D",
  ];
  let out = "";
  for (let t = 0; t < tokens; t++) {
    if (next(3) === 0) out += pieces[next(pieces.length)];
    else {
      let run = "";
      for (let k = 1 + next(45); k > 0; k--) run += String.fromCharCode(0x20 + next(95));
      out += run;
    }
  }
  return out;
}

Deno.test("printing a run of ASCII at once draws what printing it byte by byte draws", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const bytes = enc.encode(randomOutput(seed, 120));
    const whole = new Emulator(20, 5);
    whole.write(bytes);
    const byByte = new Emulator(20, 5);
    for (let i = 0; i < bytes.length; i++) byByte.write(bytes.subarray(i, i + 1));
    const a = whole.fb, b = byByte.fb;
    assert.ok(a.equals(b), `seed ${seed}:\n${a.screenText()}\n---\n${b.screenText()}`);
    for (const key of ["cursorRow", "cursorCol", "combiningRow", "combiningCol"] as const) {
      assert.equal(a.ds[key], b.ds[key], `seed ${seed}: ${key}`);
    }
    assert.equal(a.ds.nextPrintWillWrap, b.ds.nextPrintWillWrap, `seed ${seed}: pending wrap`);
    for (let y = 0; y < a.height; y++) {
      for (let x = 0; x < a.width; x++) {
        assert.equal(a.row(y).linkAt(x), b.row(y).linkAt(x), `seed ${seed}: link at ${x},${y}`);
      }
    }
  }
});

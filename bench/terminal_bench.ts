/**
 * Emulator and display-diff throughput (`deno bench`).
 */
import { newFrame } from "../lib/terminal/display.ts";
import { Emulator } from "../lib/terminal/emulator.ts";

const enc = new TextEncoder();
let seqText = "";
for (let i = 1; i <= 200_000; i++) seqText += `${i}\r\n`;
const SEQ = enc.encode(seqText); // ~1.4 MB, like `seq 1 200000` through a pty
let sgrText = "";
for (let i = 0; i < 20_000; i++) {
  sgrText += `\x1b[1;3${i % 8}mcolour ${i}\x1b[0m \x1b[38;5;${i % 256}mpalette\x1b[48;2;${
    i % 256
  };20;30m rgb \x1b[0m\r\n`;
}
const SGR = enc.encode(sgrText); // ~1.3 MB of mixed SGR

Deno.bench(`emulator: seq 1 200000 output (${(SEQ.length / 1e6).toFixed(1)} MB)`, () => {
  new Emulator(80, 24).write(SEQ);
});

Deno.bench(`emulator: mixed-SGR text (${(SGR.length / 1e6).toFixed(1)} MB)`, () => {
  new Emulator(80, 24).write(SGR);
});

const full = new Emulator(200, 60);
full.write(SGR.subarray(0, 100_000));
const blank = new Emulator(200, 60).fb;
Deno.bench("display: full redraw of a 200x60 coloured screen", () => {
  newFrame(false, blank, full.fb);
});

const scrolled = new Emulator(80, 24);
scrolled.write(SEQ.subarray(0, 5000));
const before = scrolled.fb.clone();
scrolled.write(enc.encode("next line\r\n"));
Deno.bench("display: one-line scroll of 80x24", () => {
  newFrame(true, before, scrolled.fb);
});

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
let cjkText = "";
for (let i = 0; i < 20_000; i++) {
  cjkText += `中文字符 한국어 e\u0301a\u0308 日本語テキスト ${i}\r\n`;
}
const CJK = enc.encode(cjkText); // wide and combining characters
let vimText = "";
for (let frame = 0; frame < 200; frame++) {
  // A full-screen program redrawing every row by cursor address, as vim scrolling does.
  for (let row = 1; row <= 24; row++) {
    vimText += `\x1b[${row};1H\x1b[38;5;${(row + frame) % 256}m${
      `${frame}:${row} let x = compute(${row}, ${frame}); // comment`.padEnd(79)
    }\x1b[0m`;
  }
}
const VIM = enc.encode(vimText);

Deno.bench(`emulator: seq 1 200000 output (${(SEQ.length / 1e6).toFixed(1)} MB)`, () => {
  new Emulator(80, 24).write(SEQ);
});

Deno.bench(`emulator: mixed-SGR text (${(SGR.length / 1e6).toFixed(1)} MB)`, () => {
  new Emulator(80, 24).write(SGR);
});

Deno.bench(`emulator: CJK + combining text (${(CJK.length / 1e6).toFixed(1)} MB)`, () => {
  new Emulator(80, 24).write(CJK);
});

Deno.bench(
  `emulator: full-screen cursor-addressed redraws (${(VIM.length / 1e6).toFixed(1)} MB)`,
  () => {
    new Emulator(80, 24).write(VIM);
  },
);

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

for (const changed of [1, 10, 60]) {
  const screen = new Emulator(200, 60);
  screen.write(SGR.subarray(0, 100_000));
  const last = screen.fb.clone();
  for (let i = 0; i < changed; i++) {
    screen.write(enc.encode(`\x1b[${1 + i};5H\x1b[1;35mchanged row ${i}\x1b[0m`));
  }
  Deno.bench(`display: 200x60 screen, ${changed} row(s) changed`, () => {
    newFrame(true, last, screen.fb);
  });
}

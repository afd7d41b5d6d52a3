/** Lines leaving the top of the main screen are recorded, numbered and rendered. */
import assert from "node:assert/strict";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { ScrollbackStore } from "../../lib/terminal/scrollback_store.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function recording(width = 80, height = 24, capacity?: number) {
  const store = new ScrollbackStore(capacity);
  const term = new Emulator(width, height);
  term.fb.scrollOff = (row) => store.push(row);
  const lines = () => {
    const out: string[] = [];
    for (let n = store.first; n < store.end; n++) out.push(dec.decode(store.line(n)!));
    return out;
  };
  return { store, term, lines };
}

function seq(from: number, to: number): string {
  let s = "";
  for (let i = from; i <= to; i++) s += `${i}\r\n`;
  return s;
}

Deno.test("seq 1 100 in 80x24: lines 1..77 left the screen, in order, once each", () => {
  const { store, term, lines } = recording();
  term.write(enc.encode(seq(1, 100)));
  assert.equal(store.end, 77);
  assert.deepEqual(lines(), Array.from({ length: 77 }, (_, i) => String(i + 1)));
  assert.equal(term.fb.rowText(0).trimEnd(), "78");
});

Deno.test("renditions and links are kept; trailing blanks dropped", () => {
  const { term, lines } = recording(20, 2);
  term.write(enc.encode("\x1b[1;32mok\x1b[m \x1b]8;;http://x\x1b\\ln\x1b]8;;\x1b\\\r\n\n"));
  assert.deepEqual(lines(), ["\x1b[0;1;32mok\x1b[0m \x1b]8;;http://x\x1b\\ln\x1b]8;;\x1b\\"]);
});

Deno.test("the alternate screen, and regions not starting at the top, record nothing", () => {
  const { store, term } = recording(20, 5);
  term.write(enc.encode(`\x1b[?1049h${seq(1, 50)}\x1b[?1049l`));
  assert.equal(store.end, 0, "alternate screen");
  term.write(enc.encode(`\x1b[2;5r\x1b[5;1H${seq(1, 10)}\x1b[r`));
  assert.equal(store.end, 0, "region 2-5");
  // A region from the top with a status line below it (apt's progress bar) records.
  term.write(enc.encode(`\x1b[1;4r\x1b[4;1H${seq(1, 10)}`));
  assert.equal(store.end, 10);
  // So does SU (CSI S) on the whole screen.
  term.write(enc.encode("\x1b[r\x1b[2S"));
  assert.equal(store.end, 12);
});

Deno.test("bounded: only the last `capacity` lines are kept, rows are reused", () => {
  const { store, term, lines } = recording(10, 3, 100);
  for (let n = 1; n <= 1002; n += 50) {
    term.write(enc.encode(seq(n, Math.min(1002, n + 49))));
    store.copied(); // the sender copies the state every frame
  }
  assert.equal(store.end, 1000);
  assert.equal(store.first, 900);
  assert.equal(store.line(899), null);
  assert.equal(lines()[0], "901");
  assert.equal(lines().at(-1), "1000");
});

Deno.test("a flood: lines more than `capacity` after the newest copy are only counted", () => {
  const { store, term } = recording(10, 3, 100);
  term.write(enc.encode(seq(1, 52)));
  store.copied();
  term.write(enc.encode(seq(53, 502)));
  assert.equal(store.end, 500);
  // Any diff from a copy holds more than `capacity` lines past it, so skips them all.
  assert.equal(store.line(200), null);
  assert.equal(dec.decode(store.line(100)!), "101", "within capacity of the copy: kept");
  store.copied();
  term.write(enc.encode("x\r\n"));
  assert.equal(dec.decode(store.line(500)!), "501", "recording again after a copy");
});

Deno.test("thousands of long links: the store drops links past its budget, never text", () => {
  const { store, term } = recording(80, 2);
  let input = "";
  for (let i = 0; i < 400; i++) {
    // Ten distinct 1800-character links per line: 18 KB of links a line.
    for (let k = 0; k < 10; k++) input += `\x1b]8;;http://h/${i}/${k}/${"x".repeat(1800)}\x1b\\-`;
    input += `\x1b]8;;\x1b\\${i}\r\n`;
  }
  term.write(enc.encode(input));
  assert.equal(store.end, 399);
  assert.equal(dec.decode(store.line(0)!).includes("\x1b]8;;http://h/0/0/"), true);
  assert.equal(dec.decode(store.line(398)!), "----------398", "over budget: text only");
  let kept = 0;
  for (let n = store.first; n < store.end; n++) kept += store.line(n)!.length;
  assert.ok(kept < 2_200_000, `${kept} bytes kept`);
});

Deno.test("a full reset (RIS, as `reset` sends) records the screen it clears, then goes on recording", () => {
  const { store, term, lines } = recording(20, 5);
  term.write(enc.encode(seq(1, 10)));
  assert.equal(store.end, 6);
  term.write(enc.encode("\x1bc"));
  assert.equal(store.end, 10, "the screen's written rows (7..10), as tmux keeps them");
  term.write(enc.encode(seq(11, 20)));
  assert.equal(store.end, 16, "lines after the reset recorded");
  assert.deepEqual(lines().slice(-10), seq(7, 16).trimEnd().split("\r\n"));
});

Deno.test("a history erase (ED 3) marks where: later lines are numbered on, copies keep their mark", () => {
  const state = new TerminalState(20, 5);
  state.recordHistory();
  state.write(enc.encode(seq(1, 10)));
  assert.equal(state.historyClearedAt, 0);
  const before = state.clone();
  state.write(enc.encode(`\x1b[H\x1b[2J\x1b[3J${seq(11, 20)}`));
  // Lines 1..6 had left; ED 2 recorded the screen's 4 written rows (7..10) before the erase.
  assert.equal(state.historyClearedAt, 10, "the end when the program erased");
  assert.equal(state.historyEnd, 16);
  assert.equal(before.historyClearedAt, 0, "a copy from before keeps its own");
  assert.equal(state.clone().historyClearedAt, 10);
  state.write(enc.encode("\x1bc\x1b[3J"));
  assert.equal(state.historyClearedAt, 20, "after a full reset too (which recorded 17..20 first)");
});

Deno.test("erasing the whole main screen records its written rows first, as tmux and VTE keep them", () => {
  const { store, term, lines } = recording(20, 5);
  term.write(enc.encode("one\r\ntwo\r\n\r\n"));
  term.write(enc.encode("\x1b[2J")); // ED 2 (Ctrl-L): the rows down to the last written
  assert.deepEqual(lines(), ["one", "two"]);
  term.write(enc.encode("\x1b[Hthree\x1b[H\x1b[J")); // ED 0 from the top-left corner
  assert.deepEqual(lines(), ["one", "two", "three"]);
  term.write(enc.encode("\x1b[Hfour\x1b[2;1H\x1b[J")); // ED 0 from elsewhere: not a clear
  assert.equal(store.end, 3);
  term.write(enc.encode("\x1b[2J\x1b[2J")); // nothing written: nothing recorded
  assert.deepEqual(lines(), ["one", "two", "three", "four"]);
  term.write(enc.encode("\x1b[?1049hfive\x1b[2J\x1b[?1049l")); // the alternate screen: never
  assert.equal(store.end, 4);
});

Deno.test("lines deleted at the top (DL) are not recorded: they did not scroll off", () => {
  const { store, term } = recording(20, 5);
  term.write(enc.encode("one\r\ntwo\x1b[H\x1b[2M\x1b[3L\x1b[M"));
  assert.equal(store.end, 0);
  term.write(enc.encode("\x1b[5;1H\n")); // a line feed at the bottom still scrolls one off
  assert.equal(store.end, 1);
});

Deno.test("rows a change of width cut or unwrapped leave for the history as they were, unless written since", () => {
  // mosh's screen cuts its rows, and unmarks them as wrapped, at any change of width; a
  // terminal alone rewraps them whole, so the history gets each such row as it was.
  const long = (i: number) => `line ${i} ${"x".repeat(62)}`; // 72 characters
  const narrowed = recording(80, 4);
  narrowed.term.write(enc.encode(`${long(1)}\r\n${long(2)}\r\n${long(3)}`));
  narrowed.term.resize(60, 4, true);
  narrowed.term.write(enc.encode("\r\x1b[Kredrawn\r\n\r\n\r\n\r\n")); // line 3 written since
  assert.deepEqual(narrowed.lines(), [long(1), long(2), "redrawn"]);

  const widened = recording(60, 6);
  widened.term.write(enc.encode(`${long(1)}\r\n${long(2)}`));
  widened.term.resize(80, 6, true);
  assert.equal(widened.term.fb.row(0).wrap, false, "the screen as mosh's: unwrapped");
  widened.term.resize(100, 6, true); // a second change: still as they were at first
  widened.term.write(enc.encode("\r\n".repeat(6)));
  assert.deepEqual(widened.lines(), [
    long(1).slice(0, 60),
    long(1).slice(60),
    long(2).slice(0, 60),
    long(2).slice(60),
  ]);
  assert.deepEqual([0, 1, 2].map((n) => widened.store.wraps(n)), [true, false, true]);
});

import assert from "node:assert/strict";
import { Emulator, UserInputTranslator } from "../../lib/terminal/emulator.ts";
import { newFrame, SERVER_CAPABILITIES } from "../../lib/terminal/display.ts";
import { Attr, TRUE_COLOR } from "../../lib/terminal/renditions.ts";
import { FALLBACK, WIDE } from "../../lib/terminal/row.ts";

const enc = new TextEncoder();
function term(text: string, width = 80, height = 24): Emulator {
  const t = new Emulator(width, height);
  t.write(enc.encode(text));
  return t;
}

Deno.test("printing, CR/LF and the deferred wrap at the last column", () => {
  const t = term("abcde\r\nfg", 5, 3);
  assert.equal(t.fb.rowText(0), "abcde");
  assert.equal(t.fb.rowText(1), "fg   ");
  const w = term("abcdef", 5, 3);
  assert.equal(w.fb.rowText(0), "abcde");
  assert.equal(w.fb.rows[0]!.wrap, true);
  assert.equal(w.fb.rowText(1), "f    ");
  const pending = term("abcde", 5, 3);
  assert.equal(pending.fb.ds.cursorCol, 4);
  assert.equal(pending.fb.ds.nextPrintWillWrap, true);
});

Deno.test("scrolling at the bottom and inside a scroll region", () => {
  const t = term("1\r\n2\r\n3\r\n4", 3, 3);
  assert.equal(t.fb.screenText(), "2\n3\n4");
  const r = term("a\r\nb\r\nc\r\nd\x1b[2;3r\x1b[3;1H\nX", 3, 4);
  assert.equal(r.fb.screenText(), "a\nc\nX\nd");
});

Deno.test("SGR: bold red, 256-colour, true colour, bright, reset", () => {
  const t = term("\x1b[1;31mA\x1b[38;5;200;48;2;1;2;3mB\x1b[91mC\x1b[0mD");
  const row = t.fb.rows[0]!;
  assert.equal(row.fg[0], 31);
  assert.equal(row.attrs[0], Attr.Bold);
  assert.equal(row.fg[1], 230);
  assert.equal(row.bg[1], 0x1010203);
  assert.equal(row.fg[2], 39);
  assert.equal(row.fg[3], 0);
  assert.equal(row.attrs[3], 0);
});

Deno.test("combining characters attach to the previous cell, and in column 0 make a fallback cell", () => {
  const t = term("e\u0301x\r\n\u0302y");
  assert.equal(t.fb.rows[0]!.contents[0], "e\u0301");
  assert.equal(t.fb.rows[0]!.contents[1], "x");
  assert.equal(t.fb.rows[1]!.contents[0], "\u0302");
  assert.equal(t.fb.rows[1]!.flags[0]! & FALLBACK, FALLBACK);
  assert.equal(t.fb.rows[1]!.contents[1], "y");
});

Deno.test("wide characters take two cells and never split at the margin", () => {
  const t = term("abcd\u4e2d", 5, 2);
  assert.equal(t.fb.rows[0]!.contents[4], "");
  assert.equal(t.fb.rows[0]!.wrap, false);
  assert.equal(t.fb.rows[1]!.contents[0], "\u4e2d");
  assert.equal(t.fb.rows[1]!.flags[0]! & WIDE, WIDE);
  assert.equal(t.fb.ds.cursorCol, 2);
});

Deno.test("erase, insert and delete characters and lines use the current background", () => {
  const t = term("abcdef\x1b[1;3H\x1b[2P\x1b[1@\x1b[44m\x1b[K", 6, 2);
  assert.equal(t.fb.rowText(0), "ab    ");
  assert.equal(t.fb.rows[0]!.bg[5], 44);
  const l = term("1\r\n2\r\n3\x1b[1;1H\x1b[L", 3, 3);
  assert.equal(l.fb.screenText(), "\n1\n2");
  const d = term("1\r\n2\r\n3\x1b[1;1H\x1b[M", 3, 3);
  assert.equal(d.fb.screenText(), "2\n3\n");
});

Deno.test("DEC line drawing: designated into G0 or G1, shifted with SO/SI, saved with the cursor", () => {
  // G0 graphics; SO to G1 (ASCII); SI back; G1 graphics; ESC n (G2) is ignored; ESC ( B ends it.
  const t = term("\x1b(0q\x0eq\x0fq\x1b)0\x1bnq\x0eq\x0f\x1b(Bq");
  assert.equal(t.fb.rowText(0).trimEnd(), "─q───q");
  // Only 0x5F–0x7E change; DECSC saves the sets, DECRC restores them.
  const saved = term("\x1b(0AZ_`lkmjxtuvwn~\x1b7\x1b(Bq\x1b8q");
  assert.equal(saved.fb.rowText(0).trimEnd(), "AZ\u00a0◆┌┐└┘│├┤┴┬┼·─");
  // A full or soft reset goes back to ASCII; a REP repeats the drawn character.
  assert.equal(term("\x1b(0\x1bcq").fb.rowText(0).trimEnd(), "q");
  assert.equal(term("\x1b)0\x0e\x1b[!pq").fb.rowText(0).trimEnd(), "q");
  assert.equal(term("\x1b(0q\x1b[3b").fb.rowText(0).trimEnd(), "────");
});

Deno.test("titles, clipboard, bell and modes are recorded", () => {
  const t = term(
    "\x1b]0;hello\x07\x1b]52;c;aGk=\x07\x07\x1b[?2004h\x1b[?1000h\x1b[?1006h\x1b[?25l\x1b[?1h",
  );
  assert.equal(t.fb.windowTitle, "hello");
  assert.equal(t.fb.iconName, "hello");
  assert.equal(t.fb.clipboard, "aGk=");
  assert.equal(t.fb.bellCount, 1);
  assert.equal(t.fb.ds.bracketedPaste, true);
  assert.equal(t.fb.ds.mouseReporting, 1000);
  assert.equal(t.fb.ds.mouseEncoding, 1006);
  assert.equal(t.fb.ds.cursorVisible, false);
  assert.equal(t.fb.ds.applicationCursorKeys, true);
  const osc2 = term("\x1b]2;win\x1b\\");
  assert.equal(osc2.fb.windowTitle, "win");
});

Deno.test("DSR and DA are answered to the host", () => {
  const t = new Emulator(80, 24);
  assert.equal(t.write(enc.encode("\x1b[3;5H\x1b[6n")), "\x1b[3;5R");
  assert.equal(t.write(enc.encode("\x1b[c\x1b[>c\x1b[5n")), "\x1b[?62c\x1b[>1;10;0c\x1b[0n");
});

Deno.test("the alternate screen (1049) saves the primary screen and cursor and restores them", () => {
  const t = term("primary\x1b[?1049h\x1b[Halt");
  assert.equal(t.fb.rowText(0).trimEnd(), "alt");
  t.write(enc.encode("\x1b[?1049l"));
  assert.equal(t.fb.rowText(0).trimEnd(), "primary");
  assert.equal(t.fb.ds.cursorCol, 7);
});

Deno.test("hostile sequences never throw and leave the emulator usable", () => {
  const t = new Emulator(20, 5);
  const evil = [
    "\x1b[" + "9".repeat(10000) + "A",
    "\x1b[" + "1;".repeat(5000) + "m",
    "\x1b]0;" + "x".repeat(1_000_000),
    "\x1bP" + "q".repeat(10000) + "\x1b\\",
    "\x1b[?1049h\x1b[?1049h\x1b[?1049l\x1b[?1049l",
    "\x1b[99999;99999H\x1b[99999@\x1b[99999P\x1b[99999L\x1b[99999M\x1b[99999X",
    "\x1b[0;0r\x1b[5;2r\x1b[?6h\x1b[99B",
    "\u0301\u0301\u0301".repeat(100),
  ];
  for (const s of evil) t.write(enc.encode(s));
  let seed = 1;
  const bytes = new Uint8Array(200_000).map(() =>
    (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24
  );
  t.write(bytes);
  t.write(enc.encode("\x1bc\x1b[Hok"));
  assert.equal(t.fb.rowText(0).slice(0, 2), "ok");
  assert.ok(t.fb.ds.cursorRow >= 0 && t.fb.ds.cursorRow < 5);
});

Deno.test("user input translation turns SS3 arrows into CSI unless application cursor keys are on", () => {
  const tr = new UserInputTranslator();
  assert.deepEqual(tr.translate(enc.encode("\x1bOA"), false), enc.encode("\x1b[A"));
  assert.deepEqual(tr.translate(enc.encode("\x1bOA"), true), enc.encode("\x1bOA"));
  assert.deepEqual(tr.translate(enc.encode("\x1bO"), false), enc.encode("\x1b"));
  assert.deepEqual(tr.translate(enc.encode("P"), false), enc.encode("OP"));
});

Deno.test("a cloned emulator keeps working: scrolling and the alternate screen on a clone", () => {
  const original = term("a\r\nb\r\nc", 5, 3);
  const copy = original.clone();
  copy.write(enc.encode("\r\nd\r\ne\x1b[?1049hX\x1b[?1049l\x1b[2S"));
  assert.equal(copy.fb.screenText(), "e\n\n");
  assert.equal(original.fb.screenText(), "a\nb\nc", "the original is untouched");
});

Deno.test("REP repeats the last printed character (wide ones too) to the end of the row at most", () => {
  // tmux agrees on the ASCII cases (tmux_oracle_test); wide characters as xterm and VTE
  // repeat them (tmux 3.3 drops non-ASCII ones).
  assert.equal(term("中\x1b[2b|", 10, 2).fb.rowText(0).replaceAll(" ", ""), "中中中|");
  const wide = term("ab中\x1b[9b", 9, 2).fb;
  assert.equal(
    wide.rowText(0).replaceAll(" ", ""),
    "ab中中中",
    "three fit in the seven columns left",
  );
  assert.equal(wide.rows[1]!.contents[0], "", "nothing wrapped");
  // A hostile count is bounded by the row, whatever its size.
  const huge = term("x\x1b[65535b\x1b[65535b", 20, 2).fb;
  assert.equal(huge.rowText(0), "x".repeat(20));
  assert.equal(huge.rowText(1), " ".repeat(20));
  // The renditions of the character as printed now.
  const red = term("\x1b[31mr\x1b[2b", 10, 1).fb.rows[0]!;
  assert.deepEqual([red.fg[0], red.fg[1], red.fg[2], red.fg[3]], [31, 31, 31, 0]);
});

Deno.test("CSI s / CSI u save and restore like ESC 7 / ESC 8, only without parameters", () => {
  const t = term(
    "\x1b[2;3H\x1b[31m\x1b[sA\x1b[0m\x1b[5;1H\x1b[uB\x1b[1;1H\x1b[1;9s\x1b[3;3H\x1b[2uC",
  );
  assert.equal(t.fb.rowText(1).trimEnd(), "  B");
  assert.equal(t.fb.rows[1]!.fg[2], 31, "renditions restored");
  assert.equal(t.fb.rowText(2).trimEnd(), "  C", "with parameters (DECSLRM, kitty keys): nothing");
});

Deno.test("SGR colon sub-parameters (beyond mosh): underline styles, colon colours, the rest ignored", () => {
  const e = new Emulator(20, 2);
  const ds = e.fb.ds;
  e.write(new TextEncoder().encode("\x1b[4:3m"));
  assert.equal(ds.attrs, Attr.Underline, "a curly underline is an underline");
  e.write(new TextEncoder().encode("\x1b[4:0;1m"));
  assert.equal(ds.attrs, Attr.Bold, "4:0 ends it; the plain parameter after it counts");
  e.write(new TextEncoder().encode("\x1b[0;38:2::255:0:10;48:2:1:2:3m"));
  assert.equal(ds.fg, (TRUE_COLOR | 0xff000a) >>> 0);
  assert.equal(ds.bg, (TRUE_COLOR | 0x010203) >>> 0);
  e.write(new TextEncoder().encode("\x1b[38;5;28;48:5:3m"));
  assert.deepEqual([ds.fg, ds.bg], [30 + 28, 40 + 3], "a semicolon 38;5;n before a colon group");
  e.write(new TextEncoder().encode("\x1b[58:2::1:2:3;5:1;4:9;38:2:1m"));
  assert.deepEqual([ds.fg, ds.bg, ds.attrs], [30 + 28, 40 + 3, 0], "58, 5:1, 4:9, 38:2:1: ignored");
  e.write(new TextEncoder().encode("\x1b[2:3Hx"));
  assert.deepEqual([ds.cursorRow, ds.cursorCol], [0, 1], "not SGR: ignored as before");
});

Deno.test("OSC 52: any selection sets the clipboard (tmux sends none); only base64 data, never a query", () => {
  const e = new Emulator(20, 2);
  const clip = (osc: string) => {
    e.write(new TextEncoder().encode(`\x1b]${osc}\x07`));
    return e.fb.clipboard;
  };
  assert.equal(clip("52;c;aGk="), "aGk=");
  assert.equal(clip("52;;dG11eA=="), "dG11eA==", "tmux's copy: no selection");
  assert.equal(clip("52;ps0;cA=="), "cA==", "primary, select, cut buffer 0");
  assert.equal(clip("52;c;?"), "cA==", "a query is not data");
  assert.equal(clip("52;x;aGk="), "cA==", "not a selection");
  assert.equal(clip("52;c;a b"), "cA==", "not base64");
  assert.equal(clip("52;c"), "cA==");
  assert.equal(clip("52;c;"), "", "empty data clears it, as in mosh");
});

Deno.test("DECRQM (beyond mosh): the modes kept are reported set or reset, 2026 as known, others unknown", () => {
  const e = new Emulator(20, 2);
  const ask = (text: string) => e.write(new TextEncoder().encode(text));
  assert.equal(ask("\x1b[?2026$p"), "\x1b[?2026;2$y");
  assert.equal(ask("\x1b[?25$p\x1b[?1$p"), "\x1b[?25;1$y\x1b[?1;2$y");
  ask("\x1b[?1049h\x1b[?1002h\x1b[?1006h\x1b[?2004h\x1b[?25l");
  assert.equal(
    ask("\x1b[?1049$p\x1b[?1002$p\x1b[?1000$p\x1b[?1006$p\x1b[?2004$p\x1b[?25$p"),
    "\x1b[?1049;1$y\x1b[?1002;1$y\x1b[?1000;2$y\x1b[?1006;1$y\x1b[?2004;1$y\x1b[?25;2$y",
  );
  assert.equal(ask("\x1b[?9999$p\x1b[?$p"), "\x1b[?9999;0$y\x1b[?0;0$y");
  assert.equal(ask("\x1b[4h\x1b[4$p\x1b[20$p"), "\x1b[4;1$y\x1b[20;0$y");
});

Deno.test("the title stack (CSI 22/23 t, beyond mosh): saved and restored, icon and window apart, at most 10", () => {
  const e = new Emulator(20, 2);
  const put = (text: string) => e.write(new TextEncoder().encode(text));
  const titles = () => [e.fb.iconName, e.fb.windowTitle];
  put("\x1b]0;shell\x07\x1b[22;0t\x1b]0;vim\x07");
  assert.deepEqual(titles(), ["vim", "vim"]);
  put("\x1b[23;0t");
  assert.deepEqual(titles(), ["shell", "shell"]);
  put("\x1b[23;0t"); // nothing saved: nothing changes
  assert.deepEqual(titles(), ["shell", "shell"]);
  put("\x1b[22;2t\x1b]0;less\x07\x1b[23;2t");
  assert.deepEqual(titles(), ["less", "shell"], "2: the window title only");
  for (let i = 0; i < 12; i++) put(`\x1b]2;t${i}\x07\x1b[22t`);
  for (let i = 0; i < 12; i++) put("\x1b[23t");
  assert.equal(e.fb.windowTitle, "t2", "the two oldest were dropped");
  const copy = e.fb.clone();
  put("\x1b]2;x\x07\x1b[22t");
  assert.equal(copy.titleStack.length, 0, "copies keep their own");
});

Deno.test("ED 3 (clear's E3, beyond mosh) is counted; the diff sends it only where the history is the session's", () => {
  const e = new Emulator(20, 3);
  e.write(new TextEncoder().encode("text\x1b[H\x1b[2J\x1b[3J"));
  assert.equal(e.fb.historyClears, 1);
  assert.equal(e.fb.rowText(0).trim(), "", "the screen is cleared by the 2J");
  const before = new Emulator(20, 3).fb;
  assert.ok(!newFrame(true, before, e.fb).includes("\x1b[3J"), "mosh 1.4.0's diff: none");
  const caps = { ...SERVER_CAPABILITIES, clearHistory: true };
  assert.ok(newFrame(true, before, e.fb, caps).includes("\x1b[3J"));
  assert.ok(!newFrame(true, e.fb.clone(), e.fb, caps).includes("\x1b[3J"), "once");
  e.write(new TextEncoder().encode("\x1bc"));
  assert.equal(e.fb.historyClears, 1, "a reset keeps the count");
});

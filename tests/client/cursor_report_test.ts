/**
 * The answers to the client's cursor-position queries are taken out of the
 * keystrokes, each once, wherever they fall in a read; anything else, even
 * the same bytes with nothing asked (Shift-F3 in xterm sends one), reaches
 * the session.
 */
import assert from "node:assert/strict";
import { TerminalSink } from "../../lib/client/terminal_sink.ts";

const enc = new TextEncoder(), dec = new TextDecoder();

function sink(): { sink: TerminalSink; written: string[]; raw: boolean[] } {
  const written: string[] = [], raw: boolean[] = [];
  const terminal = {
    write: (text: string) => void written.push(text),
    size: () => ({ columns: 80, rows: 24 }),
    setRaw: (on: boolean) => void raw.push(on),
  };
  return {
    sink: new TerminalSink({ terminal, term: "xterm-256color", scrollback: true }),
    written,
    raw,
  };
}

Deno.test("the start's answer is taken out of the keys around it, once; a second one stays", () => {
  const { sink: s, written } = sink();
  s.start();
  assert.ok(written.join("").startsWith("\x1b[6n"), "asked first");
  const keys = s.takeCursorReport(enc.encode("ab\x1b[5;12Rcd\x1b[1;2R"), 0);
  assert.equal(dec.decode(keys), "abcd\x1b[1;2R");
  assert.equal(dec.decode(s.takeCursorReport(enc.encode("\x1b[3;4R"), 1)), "\x1b[3;4R");
});

Deno.test("with nothing asked, a report is a key like any other", () => {
  const { sink: s } = sink();
  for (const text of ["\x1b[1;2R", "x\x1b[123456;1R", "\x1b[;R", "\x1b[1;2"]) {
    assert.equal(dec.decode(s.takeCursorReport(enc.encode(text), 0)), text);
  }
});

Deno.test("a session that ends with an answer due keeps raw mode until it is read, or gives up", async () => {
  // Given back at once, the terminal would echo the answer, and the shell read it as typed.
  const { sink: s, raw } = sink();
  s.start();
  s.finish(0);
  assert.deepEqual(raw, [true], "still raw: the start's answer is due");
  const restored = s.restored(10_000);
  assert.equal(dec.decode(s.takeCursorReport(enc.encode("\x1b[7;1R"), 5)), "");
  await restored;
  assert.deepEqual(raw, [true, false]);

  const late = sink();
  late.sink.start();
  late.sink.finish(0);
  // The client's stdin read keeps its event loop alive meanwhile; here a timer does.
  const alive = setTimeout(() => {}, 10_000);
  await late.sink.restored(20); // no answer: given back anyway
  clearTimeout(alive);
  assert.deepEqual(late.raw, [true, false]);

  const answered = sink();
  answered.sink.start();
  answered.sink.takeCursorReport(enc.encode("\x1b[1;1R"), 0);
  answered.sink.finish(1);
  assert.deepEqual(answered.raw, [true, false], "nothing due: at once");
});

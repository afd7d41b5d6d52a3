import assert from "node:assert/strict";
import { parseParams } from "../../lib/terminal/emulator.ts";
import { Parser, type ParserHandler } from "../../lib/terminal/parser.ts";

const ignore = () => {};

function feed(parser: Parser, text: string): void {
  for (const c of text) parser.input(c.codePointAt(0)!);
}

/** Control sequences with parameter texts of every shape the parser keeps. */
function sequences(): string[] {
  const out = ["", "0", ";", ";;", "1;", ";5", "65535", "65536", "99999999", "38;5;123"];
  out.push("48;2;12;84;99", "1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17", "7".repeat(120));
  let seed = 7;
  const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let i = 0; i < 200; i++) {
    let text = "";
    for (let k = next(30); k > 0; k--) text += next(4) === 0 ? ";" : String(next(10));
    out.push(text);
  }
  return out;
}

Deno.test("parsed CSI parameters are the numbers of the text a text handler gets", () => {
  const texts: string[] = [];
  const parsed: number[][] = [];
  const base = { print: ignore, execute: ignore, escDispatch: ignore, oscDispatch: ignore };
  const textParser = new Parser({ ...base, csiDispatch: (p) => texts.push(p) });
  const handler: ParserHandler = {
    ...base,
    csiDispatch: () => assert.fail("the parsed form is preferred"),
    csiDispatchParsed: (p, intermediates, final) => {
      assert.equal(intermediates, "");
      assert.equal(final, 0x6d);
      parsed.push(p.slice()); // the parser reuses its arrays
    },
  };
  const numberParser = new Parser(handler);
  for (const text of sequences()) {
    feed(textParser, `\x1b[${text}m`);
    feed(numberParser, `\x1b[${text}m`);
  }
  assert.equal(parsed.length, sequences().length);
  assert.deepEqual(parsed, texts.map(parseParams));
  // The text keeps at most 100 characters, as mosh's parser does.
  assert.equal(texts[sequences().indexOf("7".repeat(120))]!.length, 100);
});

Deno.test("private markers and intermediates still reach the parsed form", () => {
  const seen: string[] = [];
  const parser = new Parser({
    print: ignore,
    execute: ignore,
    escDispatch: ignore,
    oscDispatch: ignore,
    csiDispatch: ignore,
    csiDispatchParsed: (p, i, f) => seen.push(`${i}${String.fromCharCode(f)} ${p.join(",")}`),
  });
  feed(parser, "\x1b[?1049h\x1b[>c\x1b[2 q\x1b[;7H");
  assert.deepEqual(seen, ["?h 1049", ">c -1", " q 2", "H -1,7"]);
});

Deno.test("colon sub-parameters reach SGR only; any other sequence with a colon is ignored", () => {
  const seen: string[] = [];
  const handler: ParserHandler = {
    print: (c) => seen.push(String.fromCodePoint(c)),
    execute: ignore,
    escDispatch: ignore,
    oscDispatch: ignore,
    csiDispatch: (p, i, f) => seen.push(`CSI ${i}${p}${String.fromCharCode(f)}`),
    sgrSubparams: (p) => seen.push(`SGR ${p}`),
  };
  const parser = new Parser(handler);
  feed(parser, "\x1b[4:3m\x1b[1;38:2::255:0:0m\x1b[:m\x1b[3:4Ha\x1b[?4:3mb\x1b[4:3 mc\x1b[4;1m");
  assert.deepEqual(seen, ["SGR 4:3", "SGR 1;38:2::255:0:0", "SGR :", "a", "b", "c", "CSI 4;1m"]);
  // A handler without the method: the SGR is ignored, as mosh 1.4.0 ignores it.
  const plain: string[] = [];
  const { sgrSubparams: _, ...withoutIt } = handler;
  const old = new Parser({ ...withoutIt, print: (c) => plain.push(String(c)) });
  feed(old, "\x1b[4:3mx");
  assert.deepEqual(plain, ["120"]);
});

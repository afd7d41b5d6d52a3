/**
 * OSC 8 hyperlinks: parsed by the emulator into cells, drawn by the display
 * diff (one open/close per run, only when the target supports them), and
 * bounded against hostile input.
 */
import assert from "node:assert/strict";
import { capabilitiesForTerm, newFrame, SERVER_CAPABILITIES } from "../../lib/terminal/display.ts";
import { Emulator, MAX_LINK_LENGTH, parseHyperlink } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { assertSameScreen } from "../support/screen_compare.ts";
import { seededRandom } from "../support/sim_network.ts";

const enc = new TextEncoder();
const LINKS = { ...SERVER_CAPABILITIES, hyperlinks: true };
const link = (uri: string, text: string, params = "") =>
  `\x1b]8;${params};${uri}\x1b\\${text}\x1b]8;;\x1b\\`;

function term(input: string, width = 40, height = 5): Emulator {
  const t = new Emulator(width, height);
  t.write(enc.encode(input));
  return t;
}

/** Every cell's link, row by row ("" = none). */
function links(fb: Framebuffer): string[][] {
  return fb.rows.map((r) => Array.from({ length: fb.width }, (_, x) => r.linkAt(x)));
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

Deno.test("OSC 8 links the cells printed while it is open, with BEL or ST", () => {
  const t = term(`a${link("http://x/1", "bc")}d\x1b]8;id=7;file:///etc\x07e\x1b]8;;\x07f`);
  const row = t.fb.rows[0]!;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((x) => row.linkAt(x)),
    ["", ";http://x/1", ";http://x/1", "", "id=7;file:///etc", ""],
  );
  assert.equal(t.fb.rowText(0).trimEnd(), "abcdef");
  // Rows that never held a link allocate nothing for links.
  assert.equal(t.fb.rows[1]!.links, null);
});

Deno.test("erasing or overwriting a linked cell drops its link; scrolling keeps it", () => {
  const t = term(`${link("http://x", "abcd")}\r\x1b[2Cz\x1b[K`);
  const row = t.fb.rows[0]!;
  assert.deepEqual([0, 1, 2, 3].map((x) => row.linkAt(x)), [";http://x", ";http://x", "", ""]);
  const s = term(`${link("http://y", "top")}\r\n\n\n\n\n`);
  assert.equal(s.fb.rows[0]!.linkAt(0), "", "the linked row scrolled away");
  const k = term(`\n${link("http://y", "keep")}\r\n\n\n\n`);
  assert.equal(k.fb.rows[0]!.linkAt(0), ";http://y");
});

Deno.test("hostile OSC 8: huge, non-ASCII, control-laden or unterminated links are dropped", () => {
  assert.equal(parseHyperlink(`;http://x/${"a".repeat(MAX_LINK_LENGTH)}`), "");
  assert.equal(parseHyperlink(";http://x/\u00e9"), "");
  assert.equal(parseHyperlink(";http://x/\x1b[2J"), "");
  assert.equal(parseHyperlink("noSemicolon"), "");
  assert.equal(parseHyperlink("foo=bar:id=ab;http://x"), "id=ab;http://x");
  assert.equal(parseHyperlink("id=a;b;http://x"), ";b;http://x".replace(";b", "id=a;b"));
  // A megabyte-long unterminated OSC 8: the text after it still prints, unlinked.
  const t = term(`\x1b]8;;http://x/${"a".repeat(1 << 20)}\x1b[1mbold`);
  assert.equal(t.fb.rowText(0).trimEnd(), "bold");
  assert.equal(t.fb.rows[0]!.linkAt(0), "");
});

Deno.test("thousands of distinct links: the screen stays right and links stay per cell", () => {
  let input = "";
  for (let i = 0; i < 5000; i++) input += link(`http://h/${i}`, String(i % 10));
  const t = term(input, 80, 24);
  const copy = new Emulator(80, 24);
  copy.write(enc.encode(newFrame(false, new Framebuffer(80, 24), t.fb, LINKS)));
  assertSameScreen(t.fb, copy.fb, "5000 links");
  assert.deepEqual(links(copy.fb), links(t.fb));
  assert.equal(t.fb.rows[23]!.linkAt(t.fb.ds.cursorCol - 1), ";http://h/4999");
});

Deno.test("display diff: one open and one close per run, only to a target that supports them", () => {
  const t = term(`${link("file:///a", "alpha")} ${link("file:///b", "beta")}\r\n`);
  const out = newFrame(false, new Framebuffer(40, 5), t.fb, LINKS);
  assert.equal(count(out, "\x1b]8;;file:///a\x1b\\alpha"), 1);
  assert.equal(count(out, "\x1b]8;;file:///b\x1b\\beta"), 1);
  assert.equal(count(out, "\x1b]8;;\x1b\\"), 2, "closed after each run");
  // A stock mosh-client (no announcement) gets no OSC 8 at all, and the same text.
  const plain = newFrame(false, new Framebuffer(40, 5), t.fb, SERVER_CAPABILITIES);
  assert.equal(plain.includes("\x1b]8"), false);
  const stock = new Emulator(40, 5);
  stock.write(enc.encode(plain));
  assert.equal(stock.fb.rowText(0).trimEnd(), "alpha beta");
  // A link-only change is invisible to a target without links: nothing to redraw.
  const relinked = term(`${link("file:///c", "alpha")} ${link("file:///b", "beta")}\r\n`);
  const before = newFrame(true, t.fb, relinked.fb, SERVER_CAPABILITIES);
  assert.equal(before.includes("alpha"), false);
  assert.equal(newFrame(true, t.fb, relinked.fb, LINKS).includes("\x1b]8;;file:///c"), true);
  assert.equal(capabilitiesForTerm("linux").hyperlinks, false);
  assert.equal(capabilitiesForTerm("xterm-256color").hyperlinks, true);
});

Deno.test("round trip: random linked streams rebuild the same cells and links", () => {
  const random = seededRandom(8);
  const pieces = [
    "word ",
    "\r\n",
    "\x1b[31m",
    "\x1b[0m",
    "\x1b]8;;http://a/1\x1b\\",
    "\x1b]8;id=q;http://a/2\x07",
    "\x1b]8;;\x1b\\",
    "\x1b[K",
    "\x1b[2@",
    "\x1b[3P",
    "\u4e2d",
    "\x1b[H",
    "\x1b[5;3H",
    "\x1b[2J",
  ];
  for (let round = 0; round < 300; round++) {
    const a = new Emulator(20, 6);
    const b = new Emulator(20, 6);
    let previous = new Framebuffer(20, 6);
    for (let step = 0; step < 8; step++) {
      let input = "";
      for (let i = 0; i < 6; i++) input += pieces[Math.floor(random() * pieces.length)];
      a.write(enc.encode(input));
      b.write(enc.encode(newFrame(true, previous, a.fb, LINKS)));
      previous = a.fb.clone();
      assertSameScreen(a.fb, b.fb, `round ${round} step ${step}`);
      const shown = (fb: Framebuffer) =>
        links(fb).map((r, y) => r.map((l, x) => fb.rows[y]!.contents[x] === "" ? "" : l));
      assert.deepEqual(shown(b.fb), shown(a.fb), `links, round ${round} step ${step}`);
    }
  }
});

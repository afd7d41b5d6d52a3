/**
 * The server's hold on a program's output between a synchronized-update
 * begin and end (mode 2026), on a virtual clock.
 */
import assert from "node:assert/strict";
import { SynchronizedOutput } from "../../lib/server/synchronized_output.ts";
import { seededRandom } from "../support/sim_network.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const BSU = "\x1b[?2026h", ESU = "\x1b[?2026l";

Deno.test("without a begin, output passes as it comes", () => {
  const hold = new SynchronizedOutput();
  const chunk = enc.encode("plain \x1b[1mtext\x1b[?2026l\x1b[?25h");
  assert.equal(hold.take(chunk, 0), chunk);
  assert.equal(hold.holding, false);
  assert.equal(hold.deadline, Infinity);
});

Deno.test("a begin holds what follows until the end, across reads", () => {
  const hold = new SynchronizedOutput();
  assert.equal(dec.decode(hold.take(enc.encode(`old${BSU}\x1b[2Jtop`), 10)), `old${BSU}`);
  assert.equal(hold.holding, true);
  assert.equal(hold.deadline, 210);
  assert.equal(hold.take(enc.encode(" middle"), 20).length, 0);
  assert.equal(
    dec.decode(hold.take(enc.encode(` bottom${ESU}after`), 30)),
    `\x1b[2Jtop middle bottom${ESU}after`,
  );
  assert.equal(hold.holding, false);
  // A whole update in one read goes out at once.
  const whole = `${BSU}redraw${ESU}`;
  assert.equal(dec.decode(hold.take(enc.encode(whole), 40)), whole);
});

Deno.test("a program that never ends its update is released at the deadline, or when it holds too much", () => {
  const hold = new SynchronizedOutput(200, 100);
  hold.take(enc.encode(`${BSU}a`), 0);
  assert.equal(hold.take(enc.encode("b"), 199).length, 0);
  assert.equal(dec.decode(hold.take(enc.encode("c"), 200)), "abc");
  assert.equal(hold.holding, false);
  hold.take(enc.encode(`${BSU}x`), 300);
  assert.equal(dec.decode(hold.flush()), "x", "the server's timer (or the end of output) flushes");
  assert.equal(hold.flush().length, 0);
  hold.take(enc.encode(BSU), 400);
  assert.equal(hold.take(new Uint8Array(100), 401).length, 0);
  assert.equal(hold.take(new Uint8Array(1), 402).length, 101, "over the limit: all of it");
  // A late end after a release holds nothing.
  assert.equal(dec.decode(hold.take(enc.encode(`${ESU}z`), 403)), `${ESU}z`);
});

Deno.test("only the exact sequences count; a second begin keeps the first deadline", () => {
  const hold = new SynchronizedOutput();
  for (
    const near of ["\x1b[?20261h", "\x1b[?2026;1h", "\x1b[?2025h", "\x1b[2026h", "\x1b\x1b[?2026x"]
  ) {
    assert.equal(
      dec.decode(hold.take(enc.encode(`${near}z`), 0)),
      `${near}z`,
      JSON.stringify(near),
    );
    assert.equal(hold.holding, false);
  }
  hold.take(enc.encode(`\x1b\x1b[?2026h`), 0); // an ESC before the sequence starts it again
  assert.equal(hold.holding, true);
  hold.take(enc.encode(`a${BSU}b`), 100);
  assert.equal(hold.deadline, 200);
});

Deno.test("any split of a stream: everything comes out once, in order, and nothing between a begin and its end goes out early", () => {
  const random = seededRandom(2026);
  const pieces = [
    "ab",
    BSU,
    "\x1b[Hxy",
    "\x1b[",
    "z",
    ESU,
    "cd",
    BSU,
    "e",
    "\x1b[?2026",
    "f",
    ESU,
    "g",
  ];
  const stream = enc.encode(pieces.join(""));
  // Offsets inside an update (after a begin, before the end's last byte): no output may end there.
  const text = pieces.join("");
  const inside: [number, number][] = [];
  for (let at = text.indexOf(BSU); at >= 0; at = text.indexOf(BSU, at + 1)) {
    inside.push([at + BSU.length, text.indexOf(ESU, at) + ESU.length]);
  }
  for (let run = 0; run < 500; run++) {
    const hold = new SynchronizedOutput();
    const out: number[] = [];
    for (let from = 0; from < stream.length;) {
      const to = Math.min(stream.length, from + 1 + Math.floor(random() * 6));
      const released = hold.take(stream.subarray(from, to), 0);
      out.push(...released);
      if (released.length > 0) {
        const end = out.length;
        assert.ok(
          !inside.some(([a, b]) => end > a && end < b),
          `run ${run}: released up to ${end}`,
        );
      }
      from = to;
    }
    out.push(...hold.flush());
    assert.deepEqual(new Uint8Array(out), stream);
  }
});

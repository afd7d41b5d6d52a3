import assert from "node:assert/strict";
import {
  InputPacer,
  PIECE_BYTES,
  PIECE_LINES,
  PIECE_WAIT_MS,
  splitInput,
} from "../../lib/server/input_pacer.ts";

/** A pacer over a recording host, a switchable `room` and a virtual clock. */
function harness() {
  const written: string[] = [];
  const state = { room: true, now: 0 };
  let release: (() => void) | null = null;
  const pacer = new InputPacer(
    (bytes) => {
      written.push(new TextDecoder().decode(bytes));
      return new Promise((resolve) => release = resolve);
    },
    () => state.room,
    () => state.now,
  );
  /** Completes the write in flight and lets its continuation run. */
  const finishWrite = async () => {
    release?.();
    release = null;
    await new Promise((r) => setTimeout(r, 0));
  };
  return { pacer, written, state, finishWrite };
}

Deno.test("splitInput: pieces of at most 1 KB or 128 line feeds, nothing lost", () => {
  const text = "x".repeat(2500) + "\n".repeat(300) + "tail";
  const pieces = splitInput(new TextEncoder().encode(text));
  assert.deepEqual(pieces.map((p) => p.length), [1024, 1024, 452 + 128, 128, 44 + 4]);
  assert.equal(pieces.map((p) => new TextDecoder().decode(p)).join(""), text);
  for (const p of pieces) {
    assert.ok(p.length <= PIECE_BYTES);
    assert.ok(p.filter((b) => b === 10).length <= PIECE_LINES);
  }
});

Deno.test("InputPacer: keystrokes go at once; a paste's later pieces wait for room, in order, keystrokes behind them", async () => {
  const { pacer, written, state, finishWrite } = harness();
  pacer.push(new TextEncoder().encode("ls\r"));
  assert.deepEqual(written, ["ls\r"]);
  await finishWrite();
  state.room = false;
  pacer.push(new TextEncoder().encode("a".repeat(2048) + "b"));
  pacer.push(new TextEncoder().encode("\x03")); // a Ctrl-C typed during the paste
  assert.equal(written.length, 2, "the paste's first piece goes at once");
  await finishWrite();
  assert.equal(written.length, 2, "the next waits for room");
  assert.equal(pacer.waitTime(), PIECE_WAIT_MS);
  state.room = true;
  pacer.pump(); // the session loop, after an acknowledgement
  assert.equal(written.length, 3);
  await finishWrite();
  await finishWrite();
  assert.deepEqual(written.slice(3), ["b", "\x03"]);
  assert.equal(pacer.pending, 0);
  assert.equal(pacer.waitTime(), Number.POSITIVE_INFINITY);
});

Deno.test("InputPacer: without room, a piece goes anyway after PIECE_WAIT_MS (a client gone quiet)", async () => {
  const { pacer, written, state, finishWrite } = harness();
  state.room = false;
  pacer.push(new Uint8Array(3 * PIECE_BYTES).fill(0x61));
  await finishWrite();
  pacer.pump();
  assert.equal(written.length, 1);
  state.now = PIECE_WAIT_MS - 1;
  pacer.pump();
  assert.equal(written.length, 1);
  assert.equal(pacer.waitTime(), 1);
  state.now = PIECE_WAIT_MS;
  pacer.pump();
  assert.equal(written.length, 2);
  await finishWrite();
  assert.equal(written.length, 2, "the next one waits its own time");
  state.now += PIECE_WAIT_MS;
  pacer.pump();
  assert.equal(written.length, 3);
});

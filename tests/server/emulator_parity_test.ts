/**
 * Output that a differential run (random output through Debian's
 * mosh-server and ours, each drawn by Debian's mosh-client) found drawn
 * differently: each case must now give the same screen and cursor through
 * both servers. Debian's pair is the oracle.
 */
import assert from "node:assert/strict";
import { drawnAfterSteps, drawnByRealClient } from "../support/drawn_by_real_client.ts";

const WIDTH = 40;

const PENDING_WRAP = "\x1b[?7l" + " ".repeat(WIDTH - 1) + "ééééé\x1b[?7h"; // wrap pending at the last column

const CASES: [string, string][] = [
  // DECOM homes the cursor, which ends a pending wrap (we kept it: "ab" went a row down).
  ["origin mode set with a wrap pending", `${PENDING_WRAP}\x1b[?6hab`],
  ["origin mode reset with a wrap pending", `${PENDING_WRAP}\x1b[?6lab`],
  // Setting DECOM homes the cursor to the screen's top row, outside a region that starts
  // lower; the first character prints there, and the cursor then snaps into the region
  // (we printed the whole run on the top row).
  ["origin mode set with a region lower down, then text", "\x1b[5;11r\x1b[?6hJ,r`q)-f)"],
  ["origin mode set with a region from row 2, then one character", "\x1b[2;3r\x1b[?6h\\"],
  // A one-row region on the bottom row (DECSTBM 12;13 on 12 rows): a reverse index scrolls
  // it and leaves the cursor a row above (we kept it in the region).
  ["a reverse index in a one-row region on the bottom row", "before\x1b[12;13r\x1b[13;20f\x1bMX"],
  // A tab keeps it, in mosh as in ours.
  ["a back tab with a wrap pending", `${PENDING_WRAP}\x1b[Zab`],
  ["an SGR with a wrap pending", `${PENDING_WRAP}\x1b[1mab`],
];

for (const [name, output] of CASES) {
  Deno.test(`Debian's client draws the same through our server and Debian's: ${name}`, async () => {
    const [real, ours] = await Promise.all([
      drawnByRealClient("real", output),
      drawnByRealClient("ours", output),
    ]);
    assert.equal(ours, real);
  });
}

// Resizing: a differential run with resizes found only README's bottom-row backspace. A guard
// that the whole of our pair shows what Debian's pair shows after the window shrinks below the
// text and grows past it, colours and cursor included. Our client draws as Debian's does here
// with scrollback off: in scrollback mode a change of width that rewraps rows puts the rows
// above the cursor into the terminal's history and starts the screen at the cursor's row
// (README, Scrollback; tests/e2e/scrollback_test.ts checks that history against the output).
Deno.test("Debian's pair and ours show the same screen after the window shrinks and grows", async () => {
  const rows = Array.from({ length: 10 }, (_, i) => `\x1b[3${i % 8}mrow ${i} ${"=".repeat(3 * i)}`);
  const steps = [
    `\x1bc${rows.join("\r\n")}\x1b[0m\x1b[4;7H\x1b[7mcursor here`,
    { width: 15, height: 5 },
    { width: 52, height: 14 },
  ];
  const [real, ours] = await Promise.all([
    drawnAfterSteps("real", steps, { width: 40, height: 12 }, "real"),
    drawnAfterSteps("ours", steps, { width: 40, height: 12 }, "ours", { MOSH_SCROLLBACK: "0" }),
  ]);
  // The oracle drew it: a shrink keeps the top rows, each cut to the new width.
  assert.match(real, /row 4 =========\n/);
  assert.equal(ours, real);
});

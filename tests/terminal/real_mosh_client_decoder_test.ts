/**
 * Debian's real mosh-client as a second decoder of our display diffs: our
 * server transport sends each screen, real mosh-client applies the diff with
 * its own emulator and draws into tmux, and tmux's raw capture must show our
 * screen cell by cell (text, colours, attributes, wide cells) with the cursor
 * where ours is. One client sees the screens in turn, so each diff is from
 * the screen before it, as in a session.
 */
import assert from "node:assert/strict";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { RealClientView } from "../support/real_client_view.ts";
import { randomStream } from "../support/random_terminal_stream.ts";
import { HostileStream } from "../support/hostile_stream.ts";
import { seededRandom } from "../support/sim_network.ts";
import { caseBytes, CASES, H, W } from "../support/terminal_corpus.ts";
import { type ShownCell, shownCells, shownText } from "../support/tmux_cells.ts";

const encoder = new TextEncoder();

/** Shows `state` through real mosh-client; fails with the differing cells. */
async function assertDecoded(
  view: RealClientView,
  state: TerminalState,
  name: string,
  skipRow?: (row: ShownCell[]) => boolean,
) {
  view.show(state);
  const shown = await view.read(state.fb, skipRow ? { skipRow } : {});
  assert.deepEqual(
    shown.differences,
    [],
    `${name}: ${shown.differences.length} differences, first: ${
      shown.differences.slice(0, 6).join("; ")
    }\nours:\n${state.fb.screenText()}\nreal mosh-client:\n${
      shown.cells.map((_, y) => shownText(shown.cells, y)).join("\n")
    }`,
  );
}

Deno.test("real mosh-client draws every corpus screen from our display diffs", async () => {
  const view = await RealClientView.start(W, H);
  try {
    for (const [name, text] of Object.entries(CASES)) {
      const state = new TerminalState(W, H);
      state.write(caseBytes(name, text));
      await assertDecoded(view, state, name);
    }
  } finally {
    await view.close();
  }
});

Deno.test("real mosh-client draws a sample of the round-trip test's random screens from our diffs", async () => {
  const random = seededRandom(2026);
  for (const [width, height] of [[40, 10], [23, 7]] as const) {
    const view = await RealClientView.start(width, height);
    try {
      for (let trial = 0; trial < 8; trial++) {
        const state = new TerminalState(width, height);
        for (let step = 0; step < 3; step++) {
          // U+00AD (soft hyphen) is one column to glibc's wcwidth, as mosh counts, and none to
          // tmux, the display here.
          state.write(encoder.encode(randomStream(random, 15).replaceAll("\u00ad", "-")));
          await assertDecoded(view, state, `${width}x${height} trial ${trial} step ${step}`);
        }
      }
    } finally {
      await view.close();
    }
  }
});

Deno.test("real mosh-client draws a sample of the fuzz test's hostile screens from our diffs", async () => {
  const ops = new HostileStream(8128).operations(160 * 1024);
  const view = await RealClientView.start(80, 24);
  // tmux, the display here, sizes many characters by rules of its own (emoji, zero-width
  // and Hangul jamo, private use; mosh-client and we follow glibc), so only rows of
  // characters on whose width both agree are compared: Latin, combining marks, CJK, U+FFFD.
  const tmuxOwnWidth = (row: ShownCell[]) =>
    !row.every((c) => /^[\u0020-\u036f\u4e00-\u9fff\ufffd]+$/u.test(c.text));
  let rows = 0, skipped = 0;
  try {
    const state = new TerminalState(80, 24);
    for (const [i, op] of ops.entries()) {
      if ("resize" in op) continue; // the pane keeps its size
      state.write(op.bytes);
      if (i % 4 !== 0) continue;
      await assertDecoded(view, state, `hostile op ${i}`, tmuxOwnWidth);
      rows += state.height;
      skipped += shownCells(state.fb).filter(tmuxOwnWidth).length;
    }
    assert.ok(rows - skipped >= 300, `${rows - skipped} of ${rows} rows compared`);
  } finally {
    await view.close();
  }
});

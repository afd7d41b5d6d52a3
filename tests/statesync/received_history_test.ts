import assert from "node:assert/strict";
import { ReceivedHistory } from "../../lib/statesync/received_history.ts";

const line = (text: string) => new TextEncoder().encode(text);

Deno.test("continues: the wrapped lines of each chunk, none that was skipped or not received", () => {
  // Lines 0–2, the second wrapping onto the third; 3–9 skipped; line 10 wraps onto the screen.
  const history = ReceivedHistory.NONE
    .append(0, [line("a"), line("b"), line("c")], 0, [1])
    .append(10, [line("d")], 0, [0]);
  assert.deepEqual(
    [0, 1, 2, 5, 10, 11, -1].map((n) => history.continues(n)),
    [false, true, false, false, true, false, false],
  );
  assert.equal(ReceivedHistory.restored(20).continues(19), false, "none kept");
});

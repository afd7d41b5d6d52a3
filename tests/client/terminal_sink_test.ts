/**
 * Where the session starts on the user's terminal in scrollback mode, when
 * the terminal never answers the cursor-position query the client sends
 * first (our own pty, no tmux behind it): the frame leaving the alternate
 * screen waits for the answer only a moment, then the session starts on the
 * top row, as before there was a query, and works.
 */
import assert from "node:assert/strict";
import { clientArgv, startServer } from "../support/mosh_programs.ts";
import { PtyProgram } from "../support/pty_program.ts";
import { libc } from "../../lib/libc.ts";

libc(); // loaded once for the whole file, not inside the test (resource sanitizer)

Deno.test("a terminal that never says where its cursor is: the session starts on the top row, and works", async () => {
  const server = await startServer("ours", { env: { PS1: "$ " } });
  const program = PtyProgram.start(clientArgv("ours", server.port), {
    env: { MOSH_KEY: server.key },
  });
  try {
    await program.waitFor(/^\$ ?$/m, 30_000);
    assert.equal(program.screen.fb.ds.cursorRow, 0, program.text());
    await program.type("echo started-$((6*7))\r");
    await program.waitFor(/^started-42\n\$ ?$/m);
    // The query went out; nothing answered it, and nothing but the keys reached the shell.
    assert.match(program.text(), /^\$ echo started-\$\(\(6\*7\)\)$/m);
  } finally {
    await program.close();
    await server.stop();
  }
});

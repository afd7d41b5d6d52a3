/**
 * The tests' exec helper (tests/support/child_exec.ts) only ever takes a
 * terminal that is still ours: a helper whose server died before it opened the pty (so the
 * /dev/pts number went to another session) used to sit in its release wait
 * on that session's terminal and steal its keystrokes ('echo' arrived as
 * 'cho' in a later test's shell).
 */
import assert from "node:assert/strict";
import { libc } from "../../lib/libc.ts";
import { PtyProgram } from "./pty_program.ts";

libc(); // loaded once for the whole file, not inside the test (resource sanitizer)

const HELPER = new URL("./pty_exec_helper.ts", import.meta.url).pathname;
const PROMPT = /^\$ ?$/m;

Deno.test("a helper given another session's terminal refuses it and reads nothing from it", async () => {
  const shell = PtyProgram.start(["/bin/sh"], { env: { PS1: "$ " } });
  try {
    await shell.waitFor(PROMPT);
    // A stale helper: its request names a terminal that a running shell controls.
    const stale = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", HELPER],
      env: {
        PTY_EXEC_REQUEST: JSON.stringify({ tty: shell.ttyPath, program: "true", argv: ["true"] }),
      },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      stale.output(),
      new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 10_000)),
    ]);
    clearTimeout(timer);
    if (ended === null) {
      stale.kill("SIGKILL");
      await stale.output();
      assert.fail("the helper is still waiting on the shell's terminal after 10 s");
    }
    assert.equal(ended.code, 1);
    assert.match(new TextDecoder().decode(ended.stderr), /is another session's terminal/);
    // The shell gets every keystroke of its next line.
    await shell.type("echo got-$((40+2))\r");
    await shell.waitFor(/^got-42$/m);
  } finally {
    await shell.type("exit\r"); // an interactive shell ignores the SIGTERM of close()
    await shell.close();
  }
});

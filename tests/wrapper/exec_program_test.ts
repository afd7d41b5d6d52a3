/**
 * execProgram's failure report: the errno of the failed execvp, read before
 * anything else can overwrite it (the exec path binds only a few libc calls).
 * Run in a child process: execProgram resets signal dispositions first.
 */
import assert from "node:assert/strict";

const MODULE = new URL("../../lib/wrapper/exec_program.ts", import.meta.url).href;

Deno.test("execProgram: a missing or non-executable program gives mosh's message and errno", async () => {
  const script = `
    import { execProgram, ExecFailedError } from ${JSON.stringify(MODULE)};
    for (const p of ["/nonexistent/program", "/etc/passwd"]) {
      try { execProgram([p]); } catch (e) {
        if (!(e instanceof ExecFailedError)) throw e;
        console.log(e.code + " " + e.message);
      }
    }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "-q", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(out.stderr), "");
  assert.equal(
    new TextDecoder().decode(out.stdout),
    "2 Cannot exec /nonexistent/program: No such file or directory\n" +
      "13 Cannot exec /etc/passwd: Permission denied\n",
  );
});

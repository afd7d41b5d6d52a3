/**
 * examples/repl.ts (a program served with serveSession) driven through
 * Debian's real mosh-client in tmux: line editing, history, a resize, quit.
 */
import assert from "node:assert/strict";
import { evaluate } from "../../examples/repl.ts";
import { clientCommandLine } from "../support/mosh_programs.ts";
import { parseMoshConnect } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";

const REPL = new URL("../../examples/repl.ts", import.meta.url).pathname;

/** Starts the example with the narrow permissions it documents; resolves once it printed MOSH CONNECT. */
async function startRepl() {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--unstable-net", REPL, "--hostname", "127.0.0.1", "--port", "0"],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  reader.releaseLock();
  return { child, ...parseMoshConnect(out) };
}

Deno.test("the calculator's parser", () => {
  assert.equal(evaluate("1+2*3"), 7);
  assert.equal(evaluate("(1+2)*-3 % 4"), -1);
  assert.equal(evaluate("7/2"), 3.5);
  assert.throws(() => evaluate("2+"), SyntaxError);
  assert.throws(() => evaluate("2)"), SyntaxError);
});

Deno.test("examples/repl.ts served over mosh to real mosh-client: editing, history, resize, quit", async () => {
  const repl = await startRepl();
  const tmux = await TmuxSession.start({
    command: `mosh-client 127.0.0.1 ${repl.port}; echo client-exit-$?; sleep 60`,
    env: { MOSH_KEY: repl.key },
  });
  try {
    await tmux.waitFor("A calculator served over mosh (80x24).");
    await tmux.waitFor(/^calc> ?$/m);
    await tmux.sendText("1+2*3\r");
    await tmux.waitFor(/^calc> 1\+2\*3\n7\ncalc> ?$/m);

    // "12+3", two steps left, erase the "2", type "0": "10+3".
    await tmux.sendText("12+3");
    await tmux.sendKeys("Left", "Left", "BSpace");
    await tmux.sendText("0\r");
    await tmux.waitFor(/^calc> 10\+3\n13$/m);

    // History: up twice brings back "1+2*3"; Home, then a digit in front.
    await tmux.sendKeys("Up", "Up");
    await tmux.waitFor(/^calc> 1\+2\*3$/m);
    await tmux.sendKeys("Home");
    await tmux.sendText("2\r");
    await tmux.waitFor(/^calc> 21\+2\*3\n27$/m);

    await tmux.sendText("2/)\r");
    await tmux.waitFor('error: Unexpected at token 3 (")")');

    await tmux.resize(100, 30);
    await tmux.sendText("size\r");
    await tmux.waitFor(/^100x30$/m);

    await tmux.sendText("quit\r");
    await tmux.waitFor(/^client-exit-0$/m);
    assert.equal((await repl.child.status).code, 0, "the served program ends with its session");
  } finally {
    await tmux.close();
    try {
      repl.child.kill();
    } catch { /* already exited */ }
    await repl.child.status;
    await repl.child.stdout.cancel().catch(() => {});
  }
});

Deno.test("examples/repl.ts with our own mosh-client: a line, and Ctrl-D ends the session", async () => {
  const repl = await startRepl();
  const tmux = await TmuxSession.start({
    command: `${clientCommandLine("ours", repl.port)}; echo client-exit-$?; sleep 60`,
    env: { MOSH_KEY: repl.key },
  });
  try {
    await tmux.waitFor(/^calc> ?$/m, { timeoutMs: 20_000 });
    await tmux.sendText("6*7\r");
    await tmux.waitFor(/^calc> 6\*7\n42$/m);
    await tmux.sendKeys("C-d");
    await tmux.waitFor(/^client-exit-0$/m);
    assert.equal((await repl.child.status).code, 0);
  } finally {
    await tmux.close();
    try {
      repl.child.kill();
    } catch { /* already exited */ }
    await repl.child.status;
    await repl.child.stdout.cancel().catch(() => {});
  }
});

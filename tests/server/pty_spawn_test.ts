import assert from "node:assert/strict";
import { Pty } from "../../lib/server/pty.ts";
import { SpawnError, spawnInPty, type SpawnRequest } from "../../lib/server/pty_spawn.ts";
import { libc } from "../../lib/libc.ts";

libc(); // opened once per process, outside the tests' resource accounting

async function readAll(pty: Pty): Promise<string> {
  let text = "";
  for (;;) {
    const chunk = await pty.read();
    if (chunk === null) return text;
    text += new TextDecoder().decode(chunk);
  }
}

/**
 * Runs `request` on a fresh pty: its output until it exits (the reads end
 * once our copy of the slave is closed), its wait status, pid and terminal.
 */
async function runInPty(request: Omit<SpawnRequest, "tty">) {
  const pty = Pty.open(80, 24);
  try {
    const child = spawnInPty({ tty: pty.slavePath, ...request });
    const status = child.exited.then((s) => {
      pty.closeSlave();
      return s;
    });
    const output = await readAll(pty);
    return { output, status: await status, pid: child.pid, tty: pty.slavePath };
  } finally {
    pty.close();
  }
}

Deno.test("spawnInPty: the program leads a new session on the pty, with our environment and directory", async () => {
  const run = await runInPty({
    program: "sh",
    argv: [
      "-sh",
      "-c",
      'tty; stty -a | grep -o iutf8; echo "foo=$FOO"; pwd; ps -o sid= -p $$; exit 7',
    ],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", FOO: "bar" },
    cwd: "/tmp",
  });
  const lines = run.output.split("\r\n");
  assert.equal(lines[0], run.tty, "the slave is its controlling terminal");
  assert.equal(lines[1], "iutf8");
  assert.equal(lines[2], "foo=bar");
  assert.equal(lines[3], "/tmp");
  assert.equal(Number(lines[4]), run.pid, "session leader");
  assert.equal((run.status >> 8) & 0xff, 7, "exit status reported");
});

Deno.test("spawnInPty: the program starts with every signal at its default and none blocked, as after mosh's fork", async () => {
  const run = await runInPty({
    program: "grep",
    argv: ["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"],
    env: {},
    cwd: "/",
  });
  // The kernel's own account of the program's signal state.
  const lines = run.output.trim().split("\r\n").sort();
  assert.deepEqual(lines, ["SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"]);
  assert.equal(run.status, 0);
});

Deno.test("spawnInPty: a program that cannot be found is a SpawnError with errno ENOENT", () => {
  const pty = Pty.open(80, 24);
  try {
    assert.throws(
      () =>
        spawnInPty({
          tty: pty.slavePath,
          program: "/nonexistent/program",
          argv: ["program"],
          env: {},
          cwd: "/",
        }),
      (error) => error instanceof SpawnError && error.errno === 2,
    );
  } finally {
    pty.close();
  }
});

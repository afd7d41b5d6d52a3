/**
 * The wrapper through a real sshd on 127.0.0.1, in tmux, mixing our
 * programs with Debian's.
 */
import assert from "node:assert/strict";
import { TestSshd } from "../support/sshd.ts";
import { shellQuote, TmuxSession } from "../support/tmux.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const DENO = Deno.execPath();

async function script(dir: string, name: string, program: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\nexec ${DENO} run -A --unstable-net --no-lock ${ROOT}cli/${program}.ts "$@"\n`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

async function session(sshd: TestSshd, command: string, marker: string): Promise<void> {
  const tmux = await TmuxSession.start({ command: `${command}; echo WRAPPER-EXIT=$?; sleep 60` });
  try {
    await tmux.waitFor(/[$#] ?$/m, { timeoutMs: 20_000 });
    // SSH_CONNECTION ends with this sshd's port: the session was set up through it.
    await tmux.sendText(`echo ${marker}-$((6*7)) $SSH_CONNECTION\r`);
    await tmux.waitFor(
      new RegExp(`^${marker}-42 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}$`, "m"),
      { timeoutMs: 10_000 },
    );
    await tmux.sendText("exit\r");
    const screen = await tmux.waitFor(/WRAPPER-EXIT=\d+/, { timeoutMs: 15_000 });
    assert.match(screen, /WRAPPER-EXIT=0/, screen);
  } finally {
    await tmux.close();
  }
}

Deno.test({
  name:
    "mosh wrappers through a real sshd: Debian's alone, ours with either server, Debian's with our programs",
  async fn(t) {
    const sshd = await TestSshd.start();
    const ourClient = await script(sshd.dir, "our-mosh-client", "mosh_client");
    const ourServer = await script(sshd.dir, "our-mosh-server", "mosh_server");
    const ssh = shellQuote(`--ssh=${sshd.sshCommand}`);
    const ourMosh = `${DENO} run -A --unstable-net --no-lock ${ROOT}cli/mosh.ts`;
    try {
      await t.step(
        "Debian's mosh with its own client and server (proves the harness)",
        () => session(sshd, `mosh ${ssh} ${sshd.target}`, "debian"),
      );
      await t.step(
        "our mosh with Debian's mosh-server",
        () => session(sshd, `${ourMosh} ${ssh} ${sshd.target}`, "ours-real"),
      );
      await t.step(
        "our mosh with our mosh-server",
        () => session(sshd, `${ourMosh} ${ssh} --server=${ourServer} ${sshd.target}`, "ours-ours"),
      );
      await t.step("Debian's mosh with our client and our server", () =>
        session(
          sshd,
          `mosh ${ssh} --client=${ourClient} --server=${ourServer} ${sshd.target}`,
          "debian-ours",
        ));
    } finally {
      await sshd.stop();
    }
  },
});

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
      // Without ssh's ProxyCommand (for users whose ssh configuration has its
      // own): the address comes from this machine's resolution of the host, or
      // from the server's $SSH_CONNECTION.
      const byName = sshd.target.replace(/@.*/, "@localhost");
      for (const mode of ["local", "remote"]) {
        await t.step(
          `our mosh with --experimental-remote-ip=${mode}`,
          () =>
            session(
              sshd,
              `${ourMosh} ${ssh} --experimental-remote-ip=${mode} --server=${ourServer} ${byName}`,
              `ours-${mode}`,
            ),
        );
      }
      await t.step("Debian's mosh with our client and our server", () =>
        session(
          sshd,
          `mosh ${ssh} --client=${ourClient} --server=${ourServer} ${sshd.target}`,
          "debian-ours",
        ));
      await t.step(
        "a login shell's first screen: our server shows Debian's message of the day, then the shell a line down, as Debian's server does",
        async () => {
          const real = await firstScreen(`mosh ${ssh} ${sshd.target}`);
          const ours = await firstScreen(`mosh ${ssh} --server=${ourServer} ${sshd.target}`);
          // The motd's rows as Debian's server draws them (a detached-session
          // notice may follow: the two servers count sessions differently).
          const motdRows = motdLineCount();
          assert.deepEqual(ours.slice(0, motdRows), real.slice(0, motdRows), ours.join("\n"));
          if (motdRows > 1) assert.ok(ours.slice(0, motdRows).some((l) => l !== ""), "motd shown");
          // mosh's child waits for a release line, which its terminal echoes.
          for (const screen of [real, ours]) {
            const prompt = screen.findIndex((l) => /[$#] ?$/.test(l));
            assert.ok(prompt >= 1, screen.join("\n"));
            assert.equal(
              screen[prompt - 1],
              "",
              `a blank row above the prompt:\n${screen.join("\n")}`,
            );
          }
        },
      );
    } finally {
      await sshd.stop();
    }
  },
});

/** The screen of a wrapper's session once the login shell's prompt shows, as rows. */
async function firstScreen(command: string): Promise<string[]> {
  const tmux = await TmuxSession.start({ command: `${command}; echo WRAPPER-EXIT=$?; sleep 60` });
  try {
    const screen = await tmux.waitFor(/[$#] ?$/m, { timeoutMs: 20_000 });
    await tmux.sendText("exit\r");
    await tmux.waitFor(/WRAPPER-EXIT=\d+/, { timeoutMs: 15_000 });
    return screen.split("\n");
  } finally {
    await tmux.close();
  }
}

/** Rows the message of the day takes (mosh's files; 0 without any). */
function motdLineCount(): number {
  let rows = 0;
  for (const group of [["/run/motd.dynamic", "/var/run/motd.dynamic"], ["/etc/motd"]]) {
    for (const path of group) {
      try {
        rows += Deno.readTextFileSync(path).split("\n").length - 1;
        break;
      } catch { /* absent: the next */ }
    }
  }
  return rows;
}

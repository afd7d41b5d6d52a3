/**
 * README's `deno install` commands, run as written against this repository
 * served over HTTP, into a temporary root: the installed programs start,
 * hold a session, and `mosh` runs the installed client.
 */
import assert from "node:assert/strict";
import { withRepositoryServer } from "./support/http_source.ts";
import { parseMoshConnect, waitForExit } from "./support/real_mosh.ts";
import { TestSshd } from "./support/sshd.ts";
import { shellQuote, TmuxSession } from "./support/tmux.ts";

const README = new URL("../README.md", import.meta.url);

/** The README's shell block that installs the programs with `deno install -g`. */
async function installScript(): Promise<string> {
  const blocks = [...(await Deno.readTextFile(README)).matchAll(/```sh\n([\s\S]*?)```/g)];
  const block = blocks.map((m) => m[1]!).find((b) => b.includes("deno install -g"));
  assert.ok(block, "README shows the deno install commands");
  return block;
}

/** The command line of every process below `pid` (itself included). */
function processTree(pid: number): string[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry.name)]);
    } catch { /* exited meanwhile */ }
  }
  const out: string[] = [];
  const visit = (p: number) => {
    try {
      out.push(Deno.readTextFileSync(`/proc/${p}/cmdline`).split("\0").join(" "));
    } catch { /* exited meanwhile */ }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return out;
}

Deno.test("deno install from a URL as README shows: the installed mosh, mosh-client and mosh-server work with narrow permissions", async () => {
  const work = await Deno.makeTempDir({ prefix: "mosh-install-" });
  const root = `${work}/root`, state = `${work}/state`;
  const env = {
    DENO_DIR: `${work}/deno_dir`,
    DENO_INSTALL_ROOT: root,
    XDG_STATE_HOME: state,
    NO_COLOR: "1",
    PATH: `${root}/bin:${Deno.env.get("PATH")}`,
    LANG: "C.UTF-8",
  };
  try {
    await withRepositoryServer(async (base) => {
      const script = (await installScript()).replace(/^URL=.*$/m, `URL=${base}`);
      const installed = await new Deno.Command("sh", {
        args: ["-e", "-c", script],
        cwd: work,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(installed.code, 0, new TextDecoder().decode(installed.stderr));
    });
    for (const name of ["mosh", "mosh-client", "mosh-server"]) {
      const shim = await Deno.readTextFile(`${root}/bin/${name}`);
      assert.doesNotMatch(shim, / -A | --allow-all /, `${name} has narrow permissions`);
      const version = await new Deno.Command(`${root}/bin/${name}`, {
        args: ["--version"],
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(version.code, 0, new TextDecoder().decode(version.stderr));
      assert.match(new TextDecoder().decode(version.stdout), new RegExp(`^${name} \\(mosh-deno `));
    }
    assert.match(await Deno.readTextFile(`${root}/bin/mosh-client`), /--allow-write=\S*state/);

    // The installed server and client hold a session (the server's daemon and pty included).
    const started = await new Deno.Command(`${root}/bin/mosh-server`, {
      args: ["new", "-p", "0", "--", "/bin/sh"],
      env: { ...env, PS1: "$ " },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(started.stderr);
    assert.equal(started.code, 0, stderr);
    const { port, key } = parseMoshConnect(new TextDecoder().decode(started.stdout));
    const serverPid = Number(stderr.match(/\[mosh-server detached, pid = (\d+)\]/)?.[1]);
    const tmux = await TmuxSession.start({
      command: `mosh-client 127.0.0.1 ${port}`,
      env: { ...env, MOSH_KEY: key },
    });
    try {
      const daemon = Deno.readTextFileSync(`/proc/${serverPid}/cmdline`).split("\0");
      assert.ok(!daemon.includes("-A"), `the daemon keeps the narrow permissions: ${daemon}`);
      assert.ok(daemon.includes("--allow-ffi"), `${daemon}`);
      assert.ok(daemon.includes(`--allow-write=${state}/mosh-deno`), `${daemon}`);
      await tmux.waitFor(/^\$ ?$/m, { timeoutMs: 20_000 });
      await tmux.sendText("echo installed-$((20+22))\r");
      await tmux.waitFor(/^installed-42$/m);
      await tmux.sendText("exit\r");
      assert.ok(await waitForExit(serverPid, 10_000), "the installed server ends with the shell");
    } finally {
      await tmux.close();
      if (serverPid > 0) await waitForExit(serverPid, 1000);
    }

    // The installed mosh (--local: no ssh) starts the installed client, not `deno run -A`.
    const local = await TmuxSession.start({
      command: "mosh --local; echo mosh-exit-$?; sleep 60",
      env: { ...env, SHELL: "/bin/sh", PS1: "$ " },
    });
    try {
      await local.waitFor(/^[$#] ?$/m, { timeoutMs: 30_000 }); // a login shell: its own prompt
      const client = processTree(await local.panePid()).find((c) => c.includes("mosh_client.ts"));
      assert.ok(client, "a mosh-client runs below the pane");
      assert.ok(client.includes(`--allow-write=${state}/mosh-deno`), client);
      assert.ok(!/ -A /.test(client), client);
      await local.sendText("echo local-$((2*21))\r");
      await local.waitFor(/^local-42$/m);
      await local.sendText("exit\r");
      await local.waitFor(/^mosh-exit-0$/m, { timeoutMs: 15_000 });
    } finally {
      await local.close();
    }

    // Through ssh: the installed mosh's ssh proxy (a copy of itself, with its narrow permissions),
    // the installed server on the "remote" side (this machine, the test's DENO_DIR), its client.
    const sshd = await TestSshd.start();
    const remote = await TmuxSession.start({
      command: `mosh ${shellQuote(`--ssh=${sshd.sshCommand}`)} ` +
        shellQuote(`--server=env DENO_DIR=${env.DENO_DIR} ${root}/bin/mosh-server`) +
        ` ${sshd.target}; echo mosh-exit-$?; sleep 60`,
      env,
    });
    try {
      await remote.waitFor(/[$#] ?$/m, { timeoutMs: 30_000 }); // the login shell's prompt
      // ssh reached sshd through the proxy (a copy of the installed mosh: no -A to give it).
      const client = processTree(await remote.panePid()).find((c) => c.includes("mosh_client.ts"));
      assert.ok(client?.includes(`--allow-write=${state}/mosh-deno`), client);
      await remote.sendText(`echo ssh-$((6*7)) $SSH_CONNECTION\r`);
      await remote.waitFor(
        new RegExp(`^ssh-42 127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}$`, "m"),
      );
      await remote.sendText("exit\r");
      await remote.waitFor(/^mosh-exit-0$/m, { timeoutMs: 15_000 });
    } finally {
      await remote.close();
      await sshd.stop();
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("README's run command needs no download: deno task with an empty cache and npm unreachable", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const cache = await Deno.makeTempDir({ prefix: "mosh-deno-dir-" });
  try {
    for (const task of ["mosh", "mosh-client", "mosh-server"]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", task, "--version"],
        cwd: root,
        env: {
          DENO_DIR: cache,
          // Any npm fetch fails at once (the programs import no npm package; the tests'
          // lockfile must not make `deno task` fetch theirs).
          NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/",
          HTTPS_PROXY: "http://127.0.0.1:9",
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `${task}: ${stderr}`);
      assert.match(new TextDecoder().decode(out.stdout), new RegExp(`^${task} \\(mosh-deno `));
    }
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

/**
 * Resume, end to end in tmux: our client killed with SIGKILL mid-session and
 * resumed by a new process, against Debian's real mosh-server and ours, with
 * every datagram's nonce recorded on the way.
 */
import assert from "node:assert/strict";
import { type Implementation, startServer } from "../support/mosh_programs.ts";
import { type RealMoshServer, waitForExit } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";
import { UdpImpairmentProxy } from "../support/udp_proxy.ts";

const CLIENT = new URL("../../cli/mosh_client.ts", import.meta.url).pathname;
const MOSH = new URL("../../cli/mosh.ts", import.meta.url).pathname;
const DENO = `${Deno.execPath()} run -A --unstable-net`;
/** The client as installed: only the permissions README's `deno install` grants (no /proc access). */
function narrow(state: string): string {
  return `${Deno.execPath()} run --unstable-net --allow-net --allow-env --allow-read --allow-run ` +
    `--allow-write=${state}/mosh-deno`;
}

/** The one session file in the store, parsed. */
function onlyRecord(dir: string): { id: string; owner: { pid: number }; seqEnd: number } {
  const files = [...Deno.readDirSync(`${dir}/mosh-deno`)].filter((e) => e.name.endsWith(".json"));
  assert.equal(files.length, 1, `one session file, found ${files.map((f) => f.name)}`);
  return JSON.parse(Deno.readTextFileSync(`${dir}/mosh-deno/${files[0]!.name}`));
}

async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a resume test runs against: its own server running /bin/sh, and its own resume store. */
interface StoreSetup {
  /** `XDG_STATE_HOME` of the clients (the store is its `mosh-deno/`). */
  state: string;
  server: RealMoshServer;
  /** The clients' environment: the session key and the store. */
  env: Record<string, string>;
  /** A tmux session running `command` in {@linkcode env}, closed at the end. */
  tmux(command: string): Promise<TmuxSession>;
  /** Something else to close at the end, before the server stops. */
  closeLater(close: () => Promise<void>): void;
}

/** Runs `scenario` on a fresh {@linkcode StoreSetup}, always cleaning up. */
async function withStore(
  which: Implementation,
  scenario: (setup: StoreSetup) => Promise<void>,
): Promise<void> {
  const state = Deno.makeTempDirSync();
  const server = await startServer(which, { command: ["/bin/sh"], env: { PS1: "$ " } });
  const env = { MOSH_KEY: server.key, XDG_STATE_HOME: state };
  const closers: (() => Promise<void>)[] = [];
  try {
    await scenario({
      state,
      server,
      env,
      tmux: async (command) => {
        const session = await TmuxSession.start({ command, env });
        closers.push(() => session.close());
        return session;
      },
      closeLater: (close) => closers.push(close),
    });
  } finally {
    for (const close of closers.reverse()) await close();
    await server.stop();
    Deno.removeSync(state, { recursive: true });
  }
}

/** `program --resume --list` (the client, or the wrapper) over the store in `state`. */
/**
 * Kills the client that holds the only record in `state` (SIGKILL) and waits
 * until a resumed client has taken the record over.
 */
async function killAndAwaitResumed(state: string): Promise<void> {
  const record = onlyRecord(state);
  Deno.kill(record.owner.pid, "SIGKILL");
  assert.ok(await waitForExit(record.owner.pid, 5000), "the client is gone");
  await waitUntil(
    () => {
      try {
        return onlyRecord(state).owner.pid !== record.owner.pid;
      } catch {
        return false; // between the writes of the new owner
      }
    },
    "the resumed client",
    15_000,
  );
}

async function resumeList(state: string, program = CLIENT): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", program, "--resume", "--list"],
    env: { XDG_STATE_HOME: state },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

for (const which of ["real", "ours"] as Implementation[]) {
  Deno.test(`a client killed with SIGKILL resumes its session on ${which} mosh-server: current screen, typing, no nonce reused`, async () => {
    await withStore(which, async ({ state, server, tmux, closeLater }) => {
      const flag = `${state}/later`;
      const proxy = new UdpImpairmentProxy(server.port);
      closeLater(() => proxy.close());
      // Every datagram of the session, both directions: the nonce is its first 8 bytes, in clear.
      const nonces: string[] = [];
      proxy.tap = (data) => {
        const v = new DataView(data.buffer, data.byteOffset, 8);
        nonces.push(`${v.getUint32(0).toString(16)}:${v.getUint32(4)}`);
      };
      // On our server, the client runs with the narrow permissions of an installed one.
      const first = await tmux(
        `${
          which === "ours" ? narrow(state) : DENO
        } ${CLIENT} -# myhost 127.0.0.1 ${proxy.port}; sleep 60`,
      );
      await first.waitFor(/^\$ ?$/m, { timeoutMs: 15_000 });
      await first.sendText("echo one\r");
      await first.waitFor(/^one$/m);
      // Output that appears while no client is there.
      await first.sendText(`(sleep 3; echo; echo later-output; touch ${flag}) &\r`);
      // The prompt after that command line (not the one before it).
      await first.waitFor(/later\) &\n\$ ?$/m);
      // Half a command line typed (and echoed), then the client dies.
      await first.sendText("echo tw");
      await first.waitFor(/^\$ echo tw$/m);
      const record = onlyRecord(state);
      const oldNonces = nonces.length;
      Deno.kill(record.owner.pid, "SIGKILL");
      assert.ok(await waitForExit(record.owner.pid, 5000), "the client is gone");
      // The resumed client's datagrams reach the server from a new port (as after a NAT rebinding).
      proxy.rebind();
      await waitUntil(() => {
        try {
          return Deno.statSync(flag).isFile;
        } catch {
          return false;
        }
      }, "the background job");
      const dead = nonces.length;

      // Through the wrapper on one pairing, the client itself on the other.
      const resume = which === "real"
        ? `${DENO} ${MOSH} --resume`
        : `${narrow(state)} ${CLIENT} --resume`;
      const second = await tmux(`${resume}; sleep 60`);
      // The server's current screen, including what was written while away.
      const screen = await second.waitFor(/later-output/, { timeoutMs: 15_000 });
      assert.ok(screen.includes("echo one"), screen);
      await second.waitFor(/^\$ echo tw$/m);
      assert.ok(onlyRecord(state).owner.pid !== record.owner.pid, "the new process took over");
      await second.sendText("o\r");
      // Neither a lost nor a doubled keystroke: exactly "two".
      await second.waitFor(/^two$/m);
      await second.sendText("echo three\r");
      await second.waitFor(/^three$/m);

      assert.ok(oldNonces > 10, `traffic before the kill was recorded: ${oldNonces} datagrams`);
      assert.ok(
        nonces.length > dead,
        `traffic after the resume was recorded: ${dead} → ${nonces.length}`,
      );
      const seen = new Map<string, number>();
      nonces.forEach((n, i) => {
        assert.ok(!seen.has(n), `nonce ${n} used twice (datagrams ${seen.get(n)} and ${i})`);
        seen.set(n, i);
      });
      const clientSeqs = (from: number, to: number) =>
        nonces.slice(from, to).filter((n) => n.startsWith("0:")).map((n) =>
          Number(n.split(":")[1])
        );
      const before = clientSeqs(0, dead), after = clientSeqs(dead, nonces.length);
      assert.ok(
        Math.min(...after) > Math.max(...before),
        "the resumed client starts past the old one",
      );

      await second.sendKeys("C-^");
      await second.sendText(".");
      await second.waitFor("[mosh is exiting.]", { timeoutMs: 10_000 });
      assert.ok(await waitForExit(server.pid, 5000), "the server ends with the session");
      assert.equal(
        [...Deno.readDirSync(`${state}/mosh-deno`)].filter((e) => e.name.endsWith(".json")).length,
        0,
        "a session that ended leaves no record",
      );
    });
  });
}

/**
 * One pane, as a user would: the client shows `seq 1 100`, is killed, and
 * `--resume` goes on in the same terminal; the pane's history and screen must
 * hold each line once. `untilSaved`: killed only once the record holds the
 * screen on display; otherwise at once, before the screen's save (lines
 * printed since the last saved screen must not come again).
 */
async function resumeInSamePane(untilSaved: boolean): Promise<void> {
  await withStore("ours", async ({ state, server, tmux }) => {
    // The shell's stderr is dropped: its "Killed" line would scroll the dead client's top
    // row into the history a second time — the local terminal's doing, no client can know.
    const pane = await tmux(
      `sh -c '${DENO} ${CLIENT} 127.0.0.1 ${server.port}; ${DENO} ${CLIENT} --resume; sleep 60' 2>/dev/null`,
    );
    await pane.waitFor(/^\$ ?$/m, { timeoutMs: 15_000 });
    await pane.sendText("seq 1 100\r");
    const top = (await pane.waitFor(/^100\n\$ ?$/m)).split("\n")[0]!.trim();
    if (untilSaved) {
      // `--resume --list` shows the first line of the newest screen on record.
      await waitUntil(
        async () => (await resumeList(state)).trimEnd().endsWith(` ${top}`),
        `the screen showing ${top} on record`,
      );
    }
    await killAndAwaitResumed(state);
    await pane.waitFor(/^100\n\$ ?$/m, { timeoutMs: 15_000 });
    await pane.sendText("seq 101 200\r");
    await pane.waitFor(/^200\n\$ ?$/m, { timeoutMs: 15_000 });
    const text = await pane.tmux("capture-pane", "-p", "-t", "0", "-S", "-", "-E", "-");
    const lines = text.split("\n").map((l) => l.trimEnd());
    while (lines.at(-1) === "") lines.pop();
    // The first client started on an empty pane: the session begins on its first row.
    const numbers = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
    assert.deepEqual(lines, [
      "$ seq 1 100",
      ...numbers(1, 100),
      "$ seq 101 200",
      ...numbers(101, 200),
      "$",
    ]);
  });
}

Deno.test("in the same terminal, a resumed client's scrollback goes on where the killed one's stopped: each line once, no marker", async () => {
  await resumeInSamePane(true);
});

Deno.test("the same with the client killed as soon as the lines show, before their screen is saved", async () => {
  await resumeInSamePane(false);
});

Deno.test("a client killed under a full-screen program resumes onto the terminal's alternate screen; the program's exit brings the main screen back", async () => {
  await withStore("ours", async ({ state, server, tmux }) => {
    const pane = await tmux(
      `sh -c '${DENO} ${CLIENT} 127.0.0.1 ${server.port}; ${DENO} ${CLIENT} --resume; sleep 60' 2>/dev/null`,
    );
    const alternate = async () =>
      (await pane.tmux("display-message", "-p", "-t", "0", "#{alternate_on}")).trim();
    await pane.waitFor(/^\$ ?$/m, { timeoutMs: 15_000 });
    await pane.sendText(
      "seq 1 30; printf '\\033[?1049h\\033[Hfull'; read x; printf '\\033[?1049l'\r",
    );
    await pane.waitFor(/^full/m);
    assert.equal(await alternate(), "1");
    // Killed once the record holds the program's screen (its first line is listed).
    await waitUntil(async () => (await resumeList(state)).trimEnd().endsWith(" full"), "saved");
    await killAndAwaitResumed(state);
    await pane.waitFor(/^full/m, { timeoutMs: 15_000 });
    await waitUntil(async () => (await alternate()) === "1", "on the alternate screen again");
    await pane.sendText("\r"); // the program ends
    await waitUntil(async () => (await alternate()) === "0", "back on the main screen");
    await pane.sendText("echo BACK\r");
    await pane.waitFor(/^BACK\n\$ ?$/m, { timeoutMs: 15_000 });
    const text = await pane.tmux("capture-pane", "-p", "-t", "0", "-S", "-", "-E", "-");
    const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => /^\d+$/.test(l));
    assert.deepEqual(lines, Array.from({ length: 30 }, (_, i) => String(i + 1)), text);
  });
});

Deno.test("--resume of a session whose shell exited while the client was dead reports it ended and removes its record", async () => {
  await withStore("real", async ({ state, server, tmux }) => {
    const first = await tmux(`${DENO} ${CLIENT} 127.0.0.1 ${server.port}; sleep 60`);
    await first.waitFor(/^\$ ?$/m, { timeoutMs: 15_000 });
    await first.sendText("sleep 1; exit\r");
    await first.waitFor(/^\$ sleep 1; exit$/m);
    const record = onlyRecord(state);
    Deno.kill(record.owner.pid, "SIGKILL");
    assert.ok(await waitForExit(server.pid, 15_000), "the server ends after its shell");
    const second = await tmux(`${DENO} ${CLIENT} --resume; sleep 60`);
    await second.waitFor(
      `mosh: session ${record.id} has ended: no answer from 127.0.0.1:${server.port}`,
      { timeoutMs: 45_000 },
    );
    assert.deepEqual(
      [...Deno.readDirSync(`${state}/mosh-deno`)].map((e) => e.name),
      [],
      "the record is removed",
    );
  });
});

Deno.test("--resume --list shows detached sessions; --resume with nothing to resume says so", async () => {
  await withStore("ours", async ({ state, server, tmux }) => {
    // What mosh's wrapper passes for `mosh -a --ssh="ssh -p 2222" bob@listhost -- sh`.
    const args = "'-a --ssh=ssh -p 2222 bob@listhost -- sh |'";
    const first = await tmux(`${DENO} ${CLIENT} -# ${args} 127.0.0.1 ${server.port}; sleep 60`);
    await first.waitFor(/^\$ ?$/m, { timeoutMs: 15_000 });
    await first.sendText("echo list-me\r");
    await first.waitFor(/^list-me$/m);
    const list = (program = CLIENT) => resumeList(state, program);
    const record = onlyRecord(state);
    // The screen is on record once its acknowledgement leaves (within ACK_DELAY).
    const listed = new RegExp(
      `^${record.id}\\s+bob@listhost\\s+${server.port}\\s.*in use\\s+\\$ echo list-me`,
      "m",
    );
    let listing = await list();
    for (const deadline = Date.now() + 10_000; !listed.test(listing) && Date.now() < deadline;) {
      listing = await list();
    }
    assert.match(listing, listed);
    const busy = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-net", CLIENT, "--resume"],
      env: { XDG_STATE_HOME: state },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(busy.code, 1);
    assert.match(
      new TextDecoder().decode(busy.stderr),
      /no session to resume: every recorded session still has a running client/,
    );
    const byId = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-net", CLIENT, "--resume", record.id],
      env: { XDG_STATE_HOME: state },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(byId.code, 1);
    assert.match(
      new TextDecoder().decode(byId.stderr),
      new RegExp(`session ${record.id} is still held by a running client`),
    );
    Deno.kill(record.owner.pid, "SIGKILL");
    assert.ok(await waitForExit(record.owner.pid, 5000));
    // The wrapper lists without ssh.
    assert.match(
      await list(MOSH),
      new RegExp(
        `^${record.id}\\s+bob@listhost\\s+${server.port}\\s.*detached\\s+\\$ echo list-me`,
        "m",
      ),
    );
  });
});

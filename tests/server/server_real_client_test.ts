/**
 * Our mosh-server, run from source, with Debian's real mosh-client in tmux.
 */
import assert from "node:assert/strict";
import { clientCommandLine, type Implementation, startServer } from "../support/mosh_programs.ts";
import { detachedPid, processAlive, stopMoshServer, waitForExit } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";
import { findDescendant, ttySize, waitUntil } from "../support/processes.ts";

const SERVER = new URL("../../cli/mosh_server.ts", import.meta.url).pathname;
/** An SGR sequence, as tmux's raw capture has them. */
const SGR = new RegExp("\x1b\\[[0-9;]*m", "g");

async function connectRealClient(port: number, key: string, width = 80, height = 24) {
  return await TmuxSession.start({
    command: `mosh-client 127.0.0.1 ${port}`,
    env: { MOSH_KEY: key },
    width,
    height,
  });
}

Deno.test("real mosh-client runs commands, colours, resizes and full-screen programs on our server", async () => {
  const server = await startServer("ours", { command: ["/bin/sh"], env: { PS1: "$ " } });
  const tmux = await connectRealClient(server.port, server.key);
  try {
    await tmux.waitFor(/^[$#] ?$/m);
    await tmux.sendText("echo hello-from-our-server\r");
    await tmux.waitFor(/^hello-from-our-server$/m);

    await tmux.sendText("printf '\\033[1;31mRED\\033[0m plain\\n'\r");
    await tmux.waitFor(/^RED plain$/m);
    const escapes = await tmux.capture({ escapes: true });
    assert.ok(escapes.includes("\x1b[1m\x1b[31mRED\x1b[0m"), JSON.stringify(escapes));

    // Scrolling past the bottom (output through the emulator's scroll path).
    await tmux.sendText("seq 1 3000; echo after-seq-$((1+1))\r");
    const scrolled = await tmux.waitFor(/^after-seq-2$/m);
    assert.match(scrolled, /^3000$/m);

    await tmux.sendText("stty size\r");
    await tmux.waitFor(/^24 80$/m);
    const shell = findDescendant(server.pid, ["/bin/sh"])!;
    await tmux.resize(100, 30);
    await waitUntil(async () => (await ttySize(shell)).join("x") === "30x100", "the pty resized");
    await tmux.sendText("clear; stty size\r");
    await tmux.waitFor(/^30 100$/m);

    await tmux.sendText("vi /tmp/mosh-deno-vi-test.txt\r");
    await tmux.waitFor(/~\s*\n~/);
    await tmux.sendText("iinside-vi\x1b");
    await tmux.waitFor("inside-vi");
    await tmux.sendText(":q!\r");
    await tmux.waitFor(/^[$#] ?$/m);
    assert.ok(!(await tmux.capture()).includes("inside-vi"), "vi left the screen clean");

    // Ctrl-C interrupts a foreground job through the controlling terminal.
    await tmux.sendText("sleep 30\r");
    let sleeper: number | null = null;
    await waitUntil(
      () => (sleeper = findDescendant(server.pid, ["sleep", "30"])) !== null,
      "sleep",
    );
    await tmux.sendKeys("C-c");
    assert.ok(await waitForExit(sleeper!, 3000), "Ctrl-C ended the foreground job");
    await tmux.sendText("echo after-interrupt\r");
    await tmux.waitFor(/^after-interrupt$/m, { timeoutMs: 3000 });

    await tmux.sendText("exit\r");
    assert.ok(await waitForExit(server.pid, 5000), "our server exits when the shell exits");
    await waitUntil(() => tmux.paneDead(), "the real client to exit", 5000);
  } finally {
    await tmux.close();
    await server.stop();
  }
});

/**
 * A shell (`PS1="$ "`) on `server`, shown by `client` in tmux: `scenario`
 * runs once the prompt is up, then both are stopped.
 */
async function withShell(
  server: Implementation,
  client: Implementation,
  scenario: (tmux: TmuxSession) => Promise<void>,
): Promise<void> {
  const started = await startServer(server, { command: ["/bin/sh"], env: { PS1: "$ " } });
  const tmux = await TmuxSession.start({
    command: clientCommandLine(client, started.port),
    env: { MOSH_KEY: started.key, PS1: "$ " },
  });
  try {
    await tmux.waitFor(/^[$#] ?$/m);
    await scenario(tmux);
  } finally {
    await tmux.close();
    await started.stop();
  }
}

Deno.test("a command's output starts a line down, on our server as on Debian's (mosh's release line echoed)", async () => {
  const screens: string[] = [];
  for (const server of ["real", "ours"] as const) {
    const started = await startServer(server, { command: ["sh", "-c", "printf first; sleep 60"] });
    const tmux = await connectRealClient(started.port, started.key, 40, 6);
    try {
      const screen = await tmux.waitFor("first");
      const cursor = await tmux.tmux("display-message", "-p", "-t", "0", "#{cursor_x},#{cursor_y}");
      screens.push(`${screen.trimEnd()}\ncursor ${cursor.trim()}`);
    } finally {
      await tmux.close();
      await started.stop();
    }
  }
  assert.equal(screens[0], "\nfirst\ncursor 5,1", `Debian's server: ${screens[0]}`);
  assert.equal(screens[1], screens[0]);
});

Deno.test("REP (ncurses' rep for xterm) draws its run on our server; real mosh-server drops it", async () => {
  for (const server of ["ours", "real"] as const) {
    await withShell(server, "real", async (tmux) => {
      // What ncurses writes for a run of 20 "=" (xterm-256color's rep=%p1%c\E[%p2%{1}%-%db).
      await tmux.sendText("printf '=\\033[19b|\\n'\r");
      const screen = await tmux.waitFor(/^=+\|$/m);
      const run = screen.match(/^(=+)\|$/m)![1]!;
      // Real mosh 1.4.0 ignores REP (mosh issue #1064: irssi's status bar drawn with gaps).
      assert.equal(run.length, server === "ours" ? 20 : 1, `${server} server: ${screen}`);
    });
  }
});

Deno.test("DEC line drawing (ESC ( 0) is drawn on our server; real mosh-server shows the letters", async () => {
  for (const server of ["ours", "real"] as const) {
    await withShell(server, "real", async (tmux) => {
      await tmux.sendText("printf '\\033(0lqqk\\033(B|\\n'\r");
      // mosh 1.4.0 ignores designations (mosh issue #1155: `tree` drawn as "tqq").
      await tmux.waitFor(server === "ours" ? /^┌──┐\|$/m : /^lqqk\|$/m);
    });
  }
});

/**
 * {@linkcode withShell}, with what the client writes to its terminal, byte
 * for byte (tmux's `pipe-pane`), for the scenario to read.
 */
async function withPaneBytes(
  server: Implementation,
  client: Implementation,
  scenario: (tmux: TmuxSession, written: () => string) => Promise<void>,
): Promise<void> {
  const raw = await Deno.makeTempFile({ prefix: "pane-raw-" });
  try {
    await withShell(server, client, async (tmux) => {
      await tmux.tmux("pipe-pane", "-t", "0", `cat >> ${raw}`);
      await scenario(tmux, () => Deno.readTextFileSync(raw));
    });
  } finally {
    await Deno.remove(raw);
  }
}

/**
 * Has the shell `printf` `format` and returns the line that shows `text` as
 * tmux's raw capture has it: tmux's own SGR for what the pane shows.
 */
async function printedLine(tmux: TmuxSession, format: string, text: string): Promise<string> {
  await tmux.sendText(`printf '${format}'\r`);
  await tmux.waitFor(new RegExp(`^${text}$`, "m"));
  return (await tmux.capture({ escapes: true })).split("\n")
    .find((l) => l.replace(SGR, "") === text)!;
}

Deno.test("the cursor style (DECSCUSR, beyond mosh) reaches the terminal through our client; Debian's skips it", async () => {
  for (const client of ["ours", "real"] as const) {
    await withPaneBytes("ours", client, async (tmux, written) => {
      await tmux.sendText("printf '\\033[5 q'; echo bar-cursor\r");
      // The sequence leaves nothing on the screen (a stray "q" would start the line).
      await tmux.waitFor(/^bar-cursor\n\$ ?$/m);
      await waitUntil(
        () => written().includes("\x1b[5 q") === (client === "ours"),
        "the style written by ours only",
      );
      if (client === "ours") {
        await tmux.sendKeys("C-^");
        await tmux.sendText(".");
        await waitUntil(() => tmux.paneDead(), "the client to exit");
        const bytes = written();
        assert.ok(
          bytes.lastIndexOf("\x1b[0 q") > bytes.lastIndexOf("\x1b[5 q"),
          "the terminal's own style back at exit",
        );
      }
    });
  }
});

Deno.test("faint and struck text (SGR 2, 9; beyond mosh) reach our client; Debian's client shows it plain", async () => {
  for (const client of ["ours", "real"] as const) {
    await withShell("ours", client, async (tmux) => {
      const line = await printedLine(
        tmux,
        "a \\033[2mdim\\033[0m \\033[9mstruck\\033[0m z\\n",
        "a dim struck z",
      );
      if (client === "ours") {
        assert.ok(line.includes("\x1b[2mdim"), line);
        assert.ok(line.includes("\x1b[9mstruck"), line);
      } else {
        assert.equal(line, "a dim struck z", "mosh 1.4.0 has neither attribute");
      }
    });
  }
});

Deno.test("the working directory (OSC 7) and notifications (OSC 9, 777) pass through our pair; a stock peer on either side drops them", async () => {
  const pairs = [["ours", "ours"], ["ours", "real"], ["real", "ours"]] as const;
  for (const [server, client] of pairs) {
    await withPaneBytes(server, client, async (tmux, written) => {
      await tmux.sendText(
        "printf '\\033]7;file://remote/srv/a%%20b\\033\\\\\\033]9;build done\\007" +
          "\\033]777;notify;T;B\\007'; echo osc-$((6*7))\r",
      );
      // Nothing left on the screen by the sequences.
      await tmux.waitFor(/^osc-42\n\$ ?$/m);
      await waitUntil(() => written().includes("osc-42"), "the pane's bytes");
      const bytes = written();
      const passed = server === "ours" && client === "ours";
      const label = `${server} server, ${client} client`;
      assert.equal(bytes.includes("\x1b]9;build done\x07"), passed, label);
      assert.equal(bytes.includes("\x1b]777;notify;T;B\x07"), passed, label);
      // tmux keeps the last OSC 7 as the pane's path: an independent reader of it.
      const path = await tmux.tmux("display-message", "-p", "-t", "0", "#{pane_path}");
      assert.equal(path.trim(), passed ? "file://remote/srv/a%20b" : "", label);
    });
  }
});

Deno.test("colon SGR (a curly underline, a colon colour; beyond mosh) reaches Debian's client through our server; Debian's server drops it", async () => {
  for (const server of ["ours", "real"] as const) {
    await withShell(server, "real", async (tmux) => {
      const line = await printedLine(
        tmux,
        "a \\033[4:3mcurly\\033[4:0m \\033[38:2::255:0:0mred\\033[0m z\\n",
        "a curly red z",
      );
      if (server === "ours") {
        assert.ok(line.includes("\x1b[4mcurly"), line);
        assert.ok(line.includes("\x1b[38;2;255;0;0mred"), line);
      } else {
        assert.equal(line, "a curly red z", "mosh 1.4.0 ignores both sequences");
      }
    });
  }
});

Deno.test("a synchronized update (mode 2026) never reaches the client half drawn through our server; through Debian's it does", async () => {
  // The program clears the screen and draws its top half, then its bottom half 0.1 s later,
  // inside one update. A file, so the command line shows neither marker.
  const script = await Deno.makeTempFile({ prefix: "sync-update-", suffix: ".sh" });
  await Deno.writeTextFile(
    script,
    "printf '\\033[?2026h\\033[2J\\033[HTOP-HALF'; sleep 0.1\n" +
      "printf '\\r\\nBOTTOM-HALF\\033[?2026l'; sleep 0.3\n" +
      "printf '\\r\\nupdate-%s\\r\\n' done\n",
  );
  /** Runs the program, polling the client's screen; whether a half-drawn one showed. */
  const halfShown = (server: "ours" | "real") => {
    let half = false;
    return withShell(server, "real", async (tmux) => {
      await tmux.sendText(`sh ${script}\r`);
      const deadline = Date.now() + 10_000;
      for (let screen = ""; !/^update-done$/m.test(screen);) {
        if (Date.now() > deadline) {
          throw new Error(`The program did not finish; screen:\n${screen}`);
        }
        screen = await tmux.capture();
        if (screen.includes("TOP-HALF") && !screen.includes("BOTTOM-HALF")) half = true;
      }
    }).then(() => half);
  };
  try {
    assert.equal(await halfShown("ours"), false, "our server sent a half-drawn screen");
    // The control: mosh 1.4.0 ignores the mode, so its frames do show the half-drawn screen
    // (a frame every 20 ms against a 0.1 s gap; three tries against a slow poll).
    let control = false;
    for (let i = 0; i < 3 && !control; i++) control = await halfShown("real");
    assert.ok(
      control,
      "Debian's server never showed the half-drawn screen: the test proves nothing",
    );
  } finally {
    await Deno.remove(script);
  }
});

Deno.test("our client writes each frame as one synchronized update (mode 2026); Debian's writes none", async () => {
  for (const client of ["ours", "real"] as const) {
    let written = "";
    await withPaneBytes("ours", client, async (tmux, bytes) => {
      await tmux.sendText("seq 1 50; echo frames-$((6*7))\r");
      await tmux.waitFor(/^frames-42\n\$ ?$/m);
      await waitUntil(() => bytes().includes("frames-42"), "the pane's bytes");
      written = bytes(); // before the client is stopped
    });
    const begins = written.split("\x1b[?2026h").length - 1;
    const ends = written.split("\x1b[?2026l").length - 1;
    if (client === "real") {
      assert.equal(begins + ends, 0);
      continue;
    }
    assert.ok(begins > 0 && begins - ends <= 1, `${begins} begins, ${ends} ends`);
    // Between updates nothing is drawn; inside one, no second begin.
    const outside = written.split("\x1b[?2026h").slice(1).map((part) => part.split("\x1b[?2026l"));
    for (const [inside, after] of outside) {
      assert.ok(!inside!.includes("\x1b[?2026"), "no nested update");
      assert.ok(after === undefined || !/\d/.test(after), `drawn outside an update: ${after}`);
    }
  }
});

Deno.test("tmux's copy inside the session (OSC 52, no selection) reaches the local clipboard through our server; Debian's server drops it", async () => {
  for (const server of ["ours", "real"] as const) {
    await withShell(server, "real", async (tmux) => {
      // The local terminal is tmux too: with set-clipboard on, each OSC 52 it receives becomes a
      // paste buffer (our oracle).
      await tmux.tmux("set-option", "-g", "set-clipboard", "on");
      const inner = `inner-${crypto.randomUUID().slice(0, 8)}`;
      const killInner = () =>
        new Deno.Command("tmux", { args: ["-L", inner, "kill-server"], stderr: "null" }).output();
      try {
        // A tmux inside the session copies with -w (to the terminal's clipboard): tmux 3.3 writes
        // OSC 52 with no selection parameter. Then it goes away.
        await tmux.sendText(
          `tmux -L ${inner} -f /dev/null new-session 'tmux -L ${inner} set -g set-clipboard on;` +
            ` tmux -L ${inner} set-buffer -w copied-$((6*7)); echo inner-ready; exec sh'\r`,
        );
        await tmux.waitFor(/^inner-ready$/m);
      } finally {
        await killInner();
      }
      // Type only once the shell has its terminal back: keys sent while the inner tmux client is
      // still exiting are read (or flushed) by it.
      await tmux.waitFor(/^\[server exited\]\n\$ ?$/m);
      // Then a plain `52;c;`, which mosh 1.4.0 takes too: the last buffer to arrive.
      await tmux.sendText("clear; printf '\\033]52;c;bGF0ZXI=\\007'; echo sent-$((1+1))\r");
      await tmux.waitFor(/^sent-2$/m);
      await waitUntil(
        async () => (await tmux.tmux("show-buffer").catch(() => "")) === "later",
        "the c selection in the local clipboard",
      );
      const buffers = (await tmux.tmux("list-buffers", "-F", "#{buffer_sample}")).trim();
      assert.equal(buffers, server === "ours" ? "later\ncopied-42" : "later");
    });
  }
});

Deno.test("a full-screen program, the window shrunk under it: back on the shell, Debian's client shows its latest rows and prompt", async () => {
  const started = await startServer("ours", { command: ["/bin/sh"], env: { PS1: "$ " } });
  const tmux = await TmuxSession.start({
    command: clientCommandLine("real", started.port),
    env: { MOSH_KEY: started.key },
  });
  try {
    await tmux.waitFor(/^\$ ?$/m);
    const shell = findDescendant(started.pid, ["/bin/sh"])!;
    await tmux.sendText("seq 1 40; echo END0\r");
    await tmux.waitFor(/^END0\n\$ ?$/m);
    await tmux.sendText(
      "printf '\\033[?1049h\\033[Hfull'; read -r x; printf '\\033[?1049l'; echo END1\r",
    );
    await tmux.waitFor(/^full/m);
    await tmux.resize(80, 12);
    await waitUntil(async () => (await ttySize(shell)).join("x") === "12x80", "resized");
    await tmux.sendText("\r");
    const screen = await tmux.waitFor(/^END1\n\$ ?$/m);
    // As a terminal keeps its main screen: the rows above the cursor, up to the prompt
    // (Debian's server, with no alternate screen, shows what the program left).
    const rows = screen.split("\n").map((l) => l.trimEnd());
    const end = rows.indexOf("END1");
    assert.deepEqual(rows.slice(end - 4, end + 2), [
      "39",
      "40",
      "END0",
      rows[end - 1],
      "END1",
      "$",
    ]);
    assert.match(rows[end - 1]!, /^\$ printf/);
  } finally {
    await tmux.close();
    await started.stop();
  }
});

Deno.test("mode queries (DECRQM) are answered by our server, 2026 as known; Debian's server answers none", async () => {
  for (const server of ["ours", "real"] as const) {
    await withShell(server, "real", async (tmux) => {
      // The answers come back as the program's input; ESC shown as E. Debian's server answers
      // nothing, so the read ends at its timeout with nothing read.
      await tmux.sendText(
        "stty raw -echo; printf '\\033[?2026$p\\033[?25$p\\033[?9999$p';" +
          " timeout 2 dd bs=1 count=31 2>/dev/null | tr '\\033' E; stty sane; echo; echo answered\r",
      );
      const screen = await tmux.waitFor(/^answered$/m);
      const answers = "E[?2026;2$yE[?25;1$yE[?9999;0$y";
      assert.equal(screen.includes(answers), server === "ours", screen);
    });
  }
});

Deno.test("a title saved and restored (CSI 22/23 t, as vim does) comes back through our server; Debian's keeps the program's", async () => {
  for (const server of ["ours", "real"] as const) {
    await withShell(server, "real", async (tmux) => {
      const title = async () =>
        (await tmux.tmux("display-message", "-p", "-t", "0", "#{pane_title}")).trim();
      await tmux.sendText("printf '\\033]2;the-shell\\007'\r");
      await waitUntil(async () => (await title()).endsWith("the-shell"), "the shell's title");
      await tmux.sendText(
        "printf '\\033[22;0t\\033]2;the-editor\\007'; sleep 1; printf '\\033[23;0t';" +
          " echo restored-$((1+1))\r",
      );
      await waitUntil(async () => (await title()).endsWith("the-editor"), "the editor's title");
      await tmux.waitFor(/^restored-2$/m);
      const expected = server === "ours" ? "the-shell" : "the-editor";
      await waitUntil(async () => (await title()).endsWith(expected), `the title ${expected}`);
    });
  }
});

Deno.test("our server refuses a non-UTF-8 locale with mosh's message", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", SERVER, "new", "-p", "0"],
    env: { LANG: "C", LC_ALL: "", LC_CTYPE: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1);
  assert.match(stderr, /mosh-server needs a UTF-8 native locale to run\./);
  // mosh names the first of LC_ALL, LC_CTYPE, LANG that is set, even empty.
  assert.match(stderr, /local environment \(LC_ALL=\) specifies\nthe character set "US-ASCII"/);
  assert.equal(new TextDecoder().decode(out.stdout).includes("MOSH CONNECT"), false);
});

Deno.test("our server accepts a client-supplied UTF-8 locale with -l", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      SERVER,
      "new",
      "-p",
      "0",
      "-l",
      "LANG=C.UTF-8",
      "--",
      "/bin/true",
    ],
    env: { LANG: "C" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const pid = detachedPid(stderr);
  assert.ok(pid !== null, stderr);
  await stopMoshServer(pid); // not before its pty helper holds the pty (see stopMoshServer)
  assert.equal(processAlive(pid), false);
});

const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;

Deno.test("without HOME or SHELL the session starts where Debian's does: the passwd home and login shell", async () => {
  const seen: Record<string, string> = {};
  for (const which of ["real", "ours"] as const) {
    for (
      const [label, unset, env] of [
        ["no HOME, no SHELL", ["HOME", "SHELL", "USER"], {}],
        ["HOME unusable, SHELL empty", [], { HOME: "/nonexistent-mosh-test-home", SHELL: "" }],
      ] as const
    ) {
      // No command: the login shell, as a user's session has it.
      const server = await startServer(which, {
        command: [],
        unset: [...unset],
        // Deno's own cache stays where it is (it would make a missing HOME to keep it).
        env: { ...env, DENO_DIR },
        cwd: "/usr",
      });
      const tmux = await connectRealClient(server.port, server.key);
      try {
        await tmux.waitFor(/[$#] ?$/m);
        await tmux.sendText('echo "AT=$(/bin/pwd -P) SH=$0"\r');
        seen[`${which}: ${label}`] = (await tmux.waitFor(/^AT=\S+ SH=\S+$/m)).match(/^AT=.*$/m)![0];
      } finally {
        await tmux.close();
        await server.stop();
      }
    }
  }
  for (const label of ["no HOME, no SHELL", "HOME unusable, SHELL empty"]) {
    assert.equal(seen[`ours: ${label}`], seen[`real: ${label}`], label);
  }
  // The oracle went where mosh goes: the passwd entry, or where the server started.
  const home = (await Deno.readTextFile("/etc/passwd")).split("\n")
    .find((l) => l.split(":")[2] === String(Deno.uid()))!.split(":");
  assert.equal(seen["real: no HOME, no SHELL"], `AT=${home[5]} SH=-${home[6]!.split("/").pop()}`);
  assert.equal(seen["real: HOME unusable, SHELL empty"], "AT=/usr SH=-sh");
  assert.equal(
    await Deno.stat("/nonexistent-mosh-test-home").then(() => true, () => false),
    false,
    "nothing made the missing home",
  );
});

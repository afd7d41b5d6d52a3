/**
 * The scrollback and hyperlink extension end to end, in tmux (whose pane
 * history stands for the user's terminal's scrollback): our client with our
 * server puts every line that left the remote screen into the pane's
 * history, once, in order — also under loss and through a flood stopped by
 * Ctrl-C, and as tmux itself shows lines of every length and colour — and
 * full-screen programs add nothing; OSC 8 links reach the
 * local terminal. Against Debian's real mosh 1.4.0 at either end the
 * extension is inert: the session works exactly as before, and the wire
 * (read with the session key) shows a stock client never gets it.
 */
import assert from "node:assert/strict";
import { fromBinary } from "npm:@bufbuild/protobuf@2.17.0";
import { HostMessageSchema } from "../../proto/gen/hostinput_pb.ts";
import { UserMessageSchema } from "../../proto/gen/userinput_pb.ts";
import { type Implementation, startServer } from "../support/mosh_programs.ts";
import { clientCommandLine } from "../support/mosh_programs.ts";
import type { RealMoshServer } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";
import {
  commandLine,
  descendants,
  findDescendant,
  ttySize,
  waitUntil,
} from "../support/processes.ts";
import { UdpImpairmentProxy } from "../support/udp_proxy.ts";
import { WireTap } from "../support/wire_tap.ts";

const PROMPT = /^\$ ?$/m;
const MARKER = /^\[mosh: (\d+) lines? skipped\]$/;
/** A full-screen program: "full" on the alternate screen until Enter, then END1 on the main one. */
const FULL_SCREEN = "printf '\\033[?1049hfull'; read -r x; printf '\\033[?1049l'; echo END1";

interface Session {
  tmux: TmuxSession;
  proxy: UdpImpairmentProxy;
  tap: WireTap;
  server: RealMoshServer;
}

async function withSession(
  pair: {
    client: Implementation;
    server: Implementation;
    env?: Record<string, string>;
    /** What the server runs (default /bin/sh). */
    command?: string[];
  },
  scenario: (s: Session) => Promise<void>,
): Promise<void> {
  const command = pair.command === undefined ? {} : { command: pair.command };
  const server = await startServer(pair.server, { env: { PS1: "$ " }, ...command });
  const proxy = new UdpImpairmentProxy(server.port, 11);
  const tap = new WireTap(server.key);
  proxy.tap = tap.observe;
  const tmux = await TmuxSession.start({
    command: clientCommandLine(pair.client, proxy.port),
    env: { MOSH_KEY: server.key, PS1: "$ ", ...pair.env },
  });
  try {
    await tmux.waitFor(PROMPT, { timeoutMs: 60_000 });
    await scenario({ tmux, proxy, tap, server });
  } finally {
    await tmux.close();
    await proxy.close();
    await server.stop();
  }
}

/**
 * The pane's history and screen, trailing blank lines dropped, each wrapped
 * line joined as tmux marked it (as its copy mode and a reflow see it).
 */
async function historyAndScreen(tmux: TmuxSession): Promise<string[]> {
  const text = await tmux.tmux("capture-pane", "-p", "-J", "-t", "0", "-S", "-", "-E", "-");
  const lines = text.split("\n").map((l) => l.trimEnd());
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  while (lines.length > 0 && lines[0] === "") lines.shift();
  return lines;
}

async function paneFormat(tmux: TmuxSession, format: string): Promise<string> {
  return (await tmux.tmux("display-message", "-p", "-t", "0", format)).trim();
}

const numbers = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

/** Runs `command` (printing 1..1000) and checks the history holds each line once, in order. */
async function seqThousand(s: Session, command = "seq 1 1000"): Promise<void> {
  await s.tmux.sendText(`${command}; echo END\r`);
  await s.tmux.waitFor(/^END\n\$ ?$/m, { timeoutMs: 60_000 });
  const lines = await historyAndScreen(s.tmux);
  assert.deepEqual(lines, [`$ ${command}; echo END`, ...numbers(1, 1000), "END", "$"]);
  assert.equal(await paneFormat(s.tmux, "#{alternate_on}"), "0", "main screen");
}

Deno.test("ours with ours: after seq 1 1000 the tmux history holds 1..1000 once each, in order", async () => {
  await withSession({ client: "ours", server: "ours" }, seqThousand);
});

Deno.test("a paste of 3000 lines (207 KB) into cat: its echo lands in the history, every line once, none skipped", async () => {
  // Through `mosh --local` the echo left the screen faster than frames went,
  // and more than a diff carries (1024 lines) came between two of them:
  // skipped; and written to the pty at once, the kernel dropped echo it could
  // not pass on (lines cut in the middle). Through this test's proxy the
  // paste goes slower, and the server before its input pacer passed too:
  // this guards the pacer's path (input_pacer_test.ts tells them apart).
  const line = (n: number) => `${n} ${"pasted text, ".repeat(4)}üñíçødé`;
  const expected = Array.from({ length: 3000 }, (_, i) => line(i + 1));
  const paste = await Deno.makeTempFile();
  await Deno.writeTextFile(paste, expected.join("\n") + "\n");
  try {
    await withSession({ client: "ours", server: "ours" }, async (s) => {
      await s.tmux.sendText("cat > /dev/null\r");
      await s.tmux.waitFor(/^\$ cat > \/dev\/null$/m);
      await s.tmux.tmux("load-buffer", paste);
      await s.tmux.tmux("paste-buffer", "-t", "0");
      await s.tmux.waitFor(/^3000 pasted/m, { timeoutMs: 30_000 });
      await s.tmux.sendKeys("C-d");
      await s.tmux.waitFor(/^3000 pasted.*\n\$ ?$/m);
      const lines = await historyAndScreen(s.tmux);
      assert.deepEqual(lines.filter((l) => MARKER.test(l)), [], "no line skipped");
      // tmux keeps 2000 lines of history: the last ones.
      assert.deepEqual(lines.slice(-1900), [...expected.slice(-1899), "$"]);
    });
  } finally {
    await Deno.remove(paste);
  }
});

Deno.test("the same with 20% loss each way", async () => {
  // Paced, 20 lines every 30 ms, so that the history comes in some fifty
  // frames and the loss hits the transfer itself: `seq` alone is over in a
  // few datagrams, which a 20 % loss can miss altogether.
  const script = await Deno.makeTempFile({ suffix: ".sh" });
  await Deno.writeTextFile(
    script,
    "i=1; while [ $i -le 1000 ]; do echo $i; [ $((i % 20)) = 0 ] && sleep 0.03; i=$((i + 1)); done\n",
  );
  try {
    await withSession({ client: "ours", server: "ours" }, async (s) => {
      s.proxy.up = { loss: 0.2 };
      s.proxy.down = { loss: 0.2 };
      await seqThousand(s, `sh ${script}`);
      assert.ok(s.proxy.dropped > 0);
    });
  } finally {
    await Deno.remove(script);
  }
});

/**
 * Lines of every length from 0 to 170 characters (the longer ones wrap on an
 * 80-column screen), wide characters wrapping at every offset, colours, backgrounds erased to the end of the line,
 * trailing spaces and tabs, a line rewritten in place: what a shell session
 * prints.
 */
const MIXED_LINES = [
  `awk 'BEGIN { for (n = 0; n <= 170; n++) { s = ""; for (i = 0; i < n; i++) ` +
  `s = s sprintf("%c", 33 + (i + n) % 90); print s } }'`,
  `printf '\\033[31mred\\033[0m plain \\033[1;44mbold on blue\\033[0m\\n'`,
  `printf '\\033[42mgreen to the end\\033[K\\033[0m\\n'`,
  `printf 'trailing   \\n\\ta\\tb\\n\\n\\n'`,
  `printf '%s\\n' ${Array.from({ length: 40 }, (_, i) => `line-${i}`).join(" ")}`,
  // Wide characters after 0–3 narrow ones: on the odd rows one does not fit in the last
  // column and goes on to the next row, the line still one (tmux joins it).
  `for p in '' a ab abc; do printf '%s' "$p"; i=0; while [ $i -lt 45 ]; do printf '日'; ` +
  `i=$((i + 1)); done; printf '\\033[33m語\\033[0m\\n'; done`,
  // A row drawn on the local screen, then shortened on the server before it
  // scrolls off: the line goes into the history over what the row showed.
  `printf 'a long line, soon replaced by a short one'`,
  "sleep 0.5",
  `printf '\\r\\033[Kshort\\n'`,
  "seq 1 30",
].join("; ");

Deno.test("lines of every length and colour land in the history as tmux itself shows them", async () => {
  // The oracle: the same commands in a shell straight in tmux (no mosh), its
  // history and screen with the renditions (`capture-pane -e`), then as text
  // with the rows of each long line joined as tmux marked them (`-J`: what a
  // copy from the history gives).
  const capture = async (tmux: TmuxSession) => {
    const read = async (option: string) => {
      const text = await tmux.tmux("capture-pane", "-p", option, "-t", "0", "-S", "-", "-E", "-");
      const lines = text.split("\n").map((l) => l.trimEnd());
      while (lines.length > 0 && lines.at(-1) === "") lines.pop();
      // The client started on an empty pane: the cursor row it found goes into the history first.
      while (lines[0] === "") lines.shift();
      return lines;
    };
    return [...await read("-e"), "-- joined --", ...await read("-J")];
  };
  const command = `${MIXED_LINES}; echo END\r`;
  const direct = await TmuxSession.start({ command: "sh", env: { PS1: "$ " } });
  let expected: string[];
  try {
    await direct.waitFor(PROMPT);
    await direct.sendText(command);
    await direct.waitFor(/^END\n\$ ?$/m, { timeoutMs: 30_000 });
    expected = await capture(direct);
  } finally {
    await direct.close();
  }
  assert.ok(expected.length > 280, `the oracle's history: ${expected.length} lines`);
  assert.ok(expected.some((l) => l.length > 160), "a long line, joined");
  assert.ok(expected.includes("short"), "the rewritten line");
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await s.tmux.sendText(command);
    await s.tmux.waitFor(/^END\n\$ ?$/m, { timeoutMs: 60_000 });
    assert.deepEqual(await capture(s.tmux), expected);
  });
});

/**
 * The user's own shell with some output on its screen, the client started
 * from it (after `before`, typed on the same line), `seq 1 50`, then the
 * escape key's quit: the pane's history and screen, and its screen when the
 * session's prompt came.
 */
async function sessionInLocalShell(
  before: string,
  inSession?: (tmux: TmuxSession, shell: number) => Promise<void>,
): Promise<{ lines: string[]; firstScreen: string[] }> {
  const server = await startServer("ours", { env: { PS1: "$ " } });
  const tmux = await TmuxSession.start({ command: "sh", env: { PS1: "% ", MOSH_KEY: server.key } });
  try {
    await tmux.waitFor(/^% ?$/m);
    await tmux.sendText("echo local-1; echo local-2\r");
    await tmux.waitFor(/^local-2\n% ?$/m);
    await tmux.sendText(`${before}${clientCommandLine("ours", server.port)}\r`);
    await tmux.waitFor(PROMPT, { timeoutMs: 60_000 });
    const firstScreen = (await tmux.capture()).split("\n").map((l) => l.trimEnd());
    await inSession?.(tmux, findDescendant(server.pid, ["/bin/sh"])!);
    await tmux.sendText("seq 1 50\r");
    await tmux.waitFor(/^50\n\$ ?$/m);
    await tmux.sendKeys("C-^");
    await tmux.sendText(".");
    await tmux.waitFor(/^\[mosh is exiting\.\]\n% ?$/m, { timeoutMs: 20_000 });
    return { lines: await historyAndScreen(tmux), firstScreen };
  } finally {
    await tmux.close();
    await server.stop();
  }
}

Deno.test("the session starts below what the terminal showed, as ssh would, which goes into its history; the exit message gets its own row", async () => {
  const { lines, firstScreen } = await sessionInLocalShell("");
  // On the screen: the user's lines and command line, then at once the session's prompt.
  const prompt = firstScreen.indexOf("$");
  assert.deepEqual(firstScreen.slice(0, 3), ["% echo local-1; echo local-2", "local-1", "local-2"]);
  assert.match(firstScreen.slice(3, prompt).join(""), /^% .*mosh_client\.ts.*\d$/);
  const session = lines.indexOf("$ seq 1 50");
  assert.deepEqual(lines.slice(0, 3), ["% echo local-1; echo local-2", "local-1", "local-2"]);
  assert.match(lines.slice(3, session).join(""), /^% .*mosh_client\.ts.*$/, "the command line");
  assert.match(lines[session - 1] ?? "", /\d$/, "the command line's end, then at once the session");
  assert.deepEqual(lines.slice(session), [
    "$ seq 1 50",
    ...numbers(1, 50),
    "$",
    "[mosh is exiting.]",
    "%",
  ]);
});

Deno.test("the user's lines above the session, then a change of width under a full-screen program: every later line reaches the history", async () => {
  const { lines } = await sessionInLocalShell("", async (tmux, shell) => {
    await tmux.sendText(`${FULL_SCREEN}\r`);
    await tmux.waitFor(/^full/m);
    await resizeTo(tmux, shell, [100, 24]);
    await tmux.sendText("\r");
    await tmux.waitFor(/^END1\n\$ ?$/m);
  });
  // The lines above the program's cursor count as printed, not the user's rows above them
  // too: for a few hours on 2026-12-08 as many lines after the program as those rows never
  // reached the history.
  const session = lines.indexOf("$ seq 1 50");
  assert.equal(lines[session - 1], "END1", lines.join("\n"));
  assert.deepEqual(lines.slice(session, session + 51), ["$ seq 1 50", ...numbers(1, 50)]);
});

Deno.test("text left on the cursor's row before the session stays, on its own row", async () => {
  const { lines, firstScreen } = await sessionInLocalShell("printf partial; ");
  assert.equal(firstScreen[firstScreen.indexOf("$") - 1], "partial", "the row above the prompt");
  const session = lines.indexOf("$ seq 1 50");
  assert.deepEqual(lines.slice(0, 3), ["% echo local-1; echo local-2", "local-1", "local-2"]);
  assert.match(lines.slice(3, session - 1).join(""), /^% printf partial; .*mosh_client\.ts.*$/);
  assert.equal(lines[session - 1], "partial");
  assert.deepEqual(lines.slice(session, session + 2), ["$ seq 1 50", "1"]);
});

Deno.test("a local resize in scrollback mode: the session goes on at the new size", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await s.tmux.sendText("seq 1 50\r");
    await s.tmux.waitFor(/^50\n\$ ?$/m);
    await s.tmux.resize(100, 30);
    await s.tmux.sendText("stty size; seq 51 60\r");
    // The server's pty took the new size, and its screen is drawn whole on the pane.
    await s.tmux.waitFor(/^\$ stty size; seq 51 60\n30 100\n51\n(.*\n){8}60\n\$ ?$/m);
    await s.tmux.sendText("printf '%099d|\\n' 7\r");
    await s.tmux.waitFor(/^0{98}7\|$/m);
  });
});

const FLOOD = "seq 1 200; sleep 0.5; seq 201 100000000";

Deno.test("a flood stopped by Ctrl-C: every line is in the history or counted by a marker", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    // 200 lines reach the client before the flood (with the flood alone, how much of its
    // start is kept depends on how fast the server is against the frame rate).
    await s.tmux.sendText(`${FLOOD}\r`);
    await s.tmux.waitFor(/^\d{6,}$/m, { timeoutMs: 60_000 });
    await s.tmux.sendKeys("C-c");
    // The tty flushes pending output on SIGINT: when that drops the "\n" of a "\r\n", the
    // echoed ^C overwrites the start of the last line ("^C2613"), as on any terminal.
    await s.tmux.waitFor(/(?:\^C|^\^C\d*)\n\$ ?$/m, { timeoutMs: 20_000 });
    // Lines after the gap are still on the screen: push them into the history.
    await s.tmux.sendText("yes '' | head -n 30; echo END\r");
    await s.tmux.waitFor(/^END\n\$ ?$/m, { timeoutMs: 20_000 });
    const lines = await historyAndScreen(s.tmux);
    // tmux keeps `history-limit` lines (2000), dropping the oldest tenth when full.
    const size = Number(await paneFormat(s.tmux, "#{history_size}"));
    const full = size >= 0.85 * Number(await paneFormat(s.tmux, "#{history_limit}"));
    // A line's number in the history is its place in the session: the command line is
    // line 0 and seq's n is line n (a marker's count would include a skipped command line).
    let expected = full ? Number(lines.find((l) => /^\d+$/.test(l))) : 0, markers = 0, seen = 0;
    for (const line of lines) {
      const marker = line.match(MARKER);
      if (marker) {
        markers++;
        expected += Number(marker[1]);
      } else if (line === `$ ${FLOOD}` && !full) {
        assert.equal(expected, 0, "the command line comes first");
        expected++;
      } else if (/^\d+$/.test(line)) {
        assert.equal(line, String(expected), `line after ${seen} numbers`);
        expected++;
        seen++;
      } else if (/^\d*\^C$|^\^C\d*$/.test(line)) {
        // The interrupted last line (cut short, or its start overwritten by the echoed ^C);
        // it may also have been skipped.
      } else {
        assert.ok(
          [`$ ${FLOOD}`, "$ yes '' | head -n 30; echo END", "END", "$", ""].includes(line),
          `unexpected line ${JSON.stringify(line)}`,
        );
      }
    }
    assert.ok(markers >= 1, `the flood was skipped and counted:\n${lines.join("\n")}`);
    assert.ok(seen > 100, `${seen} lines in the history`);
  });
});

Deno.test("a flood that ends the output: its marker reaches the history without another line after it", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await s.tmux.sendText("seq 1 100000\r");
    await s.tmux.waitFor(/^100000\n\$ ?$/m, { timeoutMs: 60_000 });
    // Nothing more is typed: the lines after the gap stay on the screen.
    await waitUntil(
      async () => (await historyAndScreen(s.tmux)).some((l) => MARKER.test(l)),
      "the marker in the history",
    );
    // Each line where it was in the session: the command line 0, seq's n line n.
    let expected = 0;
    for (const line of await historyAndScreen(s.tmux)) {
      const marker = line.match(MARKER);
      if (line === "$ seq 1 100000") expected++;
      else if (marker) expected += Number(marker[1]);
      else if (line !== "$") assert.equal(line, String(expected++));
    }
    assert.equal(expected, 100_001);
  });
});

Deno.test("a marker that waits under a full-screen program leaves the client idle, and goes in after it", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    const pane = await s.tmux.panePid();
    const client = [pane, ...descendants(pane)].find((pid) =>
      (commandLine(pid) ?? []).some((a) => a.endsWith("cli/mosh_client.ts"))
    );
    assert.ok(client, "the client's process");
    const wakeups = () => {
      const status = Deno.readTextFileSync(`/proc/${client}/status`);
      return Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)![1]);
    };
    // The flood ends on the alternate screen: its marker cannot go in while the program shows.
    await s.tmux.sendText(
      "seq 1 100000; printf '\\033[?1049hFULL'; read x; printf '\\033[?1049l'\r",
    );
    await s.tmux.waitFor(/^FULL/m, { timeoutMs: 60_000 });
    await waitUntil(async () => (await paneFormat(s.tmux, "#{alternate_on}")) === "1", "alt");
    const before = wakeups();
    // Two seconds, well past the marker's wait: a loop that wakes every 1 ms for the
    // marker it cannot push would switch about 2000 times.
    await new Promise((r) => setTimeout(r, 2000));
    const woke = wakeups() - before;
    assert.ok(woke < 200, `the client woke ${woke} times while nothing changed`);
    await s.tmux.sendText("\r");
    await waitUntil(
      async () => (await historyAndScreen(s.tmux)).some((l) => MARKER.test(l)),
      "the marker in the history after the program",
    );
  });
});

Deno.test("the window made wider, then narrower, after long lines: each line once, whole, as in tmux alone", async () => {
  // 100 characters: two rows at 80 columns, one at 120, two at 60.
  const command = "for i in $(seq 1 60); do printf 'line %d %0100d\\n' $i 0; done; echo END";
  const line = (n: number) => `line ${n} ${"0".repeat(100)}`;
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await s.tmux.sendText(`${command}\r`);
    await s.tmux.waitFor(/^END\n\$ ?$/m);
    for (const columns of [120, 60]) {
      await s.tmux.resize(columns, 24);
      await s.tmux.sendText(`echo AT-${columns}\r`);
      await s.tmux.waitFor(new RegExp(`^AT-${columns}\n\\$ ?$`, "m"));
    }
    // The terminal rewrapped what it showed; the server cut or padded its rows. Joined as a
    // copy joins them, the history has each line once and whole, in order, as tmux alone has.
    const text = await s.tmux.tmux("capture-pane", "-p", "-J", "-t", "0", "-S", "-", "-E", "-");
    const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => /^line |^0+$/.test(l));
    assert.deepEqual(lines, numbers(1, 60).map(Number).map(line));
  });
});

Deno.test("clear (terminfo's E3) erases the terminal's history too, as over ssh; what scrolls later lands again", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await s.tmux.sendText("seq 1 100; echo END\r");
    await s.tmux.waitFor(/^END\n\$ ?$/m);
    await waitUntil(
      async () => Number(await paneFormat(s.tmux, "#{history_size}")) > 50,
      "history",
    );
    await s.tmux.sendText("clear\r");
    await waitUntil(
      async () => (await paneFormat(s.tmux, "#{history_size}")) === "0",
      "tmux's history erased",
    );
    await s.tmux.sendText("seq 201 240; echo AGAIN\r");
    await s.tmux.waitFor(/^AGAIN\n\$ ?$/m);
    const lines = await historyAndScreen(s.tmux);
    assert.deepEqual(lines, ["$ seq 201 240; echo AGAIN", ...numbers(201, 240), "AGAIN", "$"]);
  });
});

/** The pane's history and screen after `commands` typed into bash in tmux alone (the oracle). */
async function tmuxAlone(commands: string[]): Promise<string[]> {
  const tmux = await TmuxSession.start({
    command: "env -i PATH=/usr/bin:/bin TERM=xterm-256color PS1='$ ' bash --norc --noprofile",
  });
  try {
    await tmux.waitFor(PROMPT);
    await typeEach(tmux, commands);
    return await historyAndScreen(tmux);
  } finally {
    await tmux.close();
  }
}

/** Types each command (ending `echo END<i>`) and waits for its end and the prompt. */
async function typeEach(tmux: TmuxSession, commands: string[]): Promise<void> {
  for (const [i, command] of commands.entries()) {
    await tmux.sendText(`${command}\r`);
    await tmux.waitFor(new RegExp(`^END${i}\\n\\$ ?$`, "m"));
  }
}

const CLEAR_THEN_OUTPUT = ["seq 1 30; echo END0", "clear; seq 101 160; echo END1"];

Deno.test("clear and output in one command: the history holds what tmux alone holds (the lines after the clear)", async () => {
  const expected = await tmuxAlone(CLEAR_THEN_OUTPUT);
  assert.ok(expected.includes("101") && !expected.includes("30"), expected.join("\n"));
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await typeEach(s.tmux, CLEAR_THEN_OUTPUT);
    assert.deepEqual(await historyAndScreen(s.tmux), expected);
  });
});

const ERASE_THEN_OUTPUT = [
  "seq 1 40; echo END0",
  "printf '\\033[H\\033[2J'; seq 41 45; echo END1", // Ctrl-L's erase, without `clear`'s ED 3
  "seq 46 50; echo END2",
];

Deno.test("an erased screen (ED 2, as Ctrl-L) lands in the history first, as tmux alone keeps it", async () => {
  const expected = await tmuxAlone(ERASE_THEN_OUTPUT);
  assert.ok(expected.includes("40") && expected.includes("41"), expected.join("\n"));
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await typeEach(s.tmux, ERASE_THEN_OUTPUT);
    assert.deepEqual(await historyAndScreen(s.tmux), expected);
  });
});

const RESET_THEN_OUTPUT = [
  "seq 1 40; echo END0",
  "printf '\\033c'; seq 41 45; echo END1", // RIS, as `reset` and `tput reset` send
  "seq 46 50; echo END2",
];

Deno.test("a screen cleared by a full reset (RIS) lands in the history first, as tmux alone keeps it", async () => {
  const expected = await tmuxAlone(RESET_THEN_OUTPUT);
  assert.ok(expected.includes("40") && expected.includes("41"), expected.join("\n"));
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await typeEach(s.tmux, RESET_THEN_OUTPUT);
    assert.deepEqual(await historyAndScreen(s.tmux), expected);
  });
});

Deno.test("after a full reset (RIS, as `reset` sends) the lines that scroll off still land in the history", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await s.tmux.sendText("printf '\\033c'; seq 101 160; echo END\r");
    await s.tmux.waitFor(/^END\n\$ ?$/m);
    await s.tmux.sendText("seq 201 260; echo END\r");
    await s.tmux.waitFor(/^260\nEND\n\$ ?$/m);
    const lines = await historyAndScreen(s.tmux);
    const from = lines.indexOf("101");
    assert.deepEqual(
      lines.slice(from),
      [...numbers(101, 160), "END", "$ seq 201 260; echo END", ...numbers(201, 260), "END", "$"],
    );
  });
});

Deno.test("a local resize after a clear and a bell: the history stays, nothing rings or erases again", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    await s.tmux.sendText("printf 'ring\\a\\n'; clear; seq 101 160; echo END\r");
    await s.tmux.waitFor(/^END\n\$ ?$/m);
    const before = await historyAndScreen(s.tmux);
    assert.ok(before.includes("101"), before.join("\n"));
    const raw = await Deno.makeTempFile({ prefix: "mosh-pane-" });
    try {
      await s.tmux.tmux("pipe-pane", "-o", "-t", "0", `cat > ${raw}`);
      await s.tmux.resize(90, 24);
      await waitUntil(
        async () => (await Deno.readTextFile(raw)).includes("160"),
        "the screen redrawn at the new size",
      );
      await s.tmux.tmux("pipe-pane", "-t", "0");
      const written = await Deno.readTextFile(raw);
      assert.equal(written.includes("\x07"), false, "no bell again");
      assert.equal(written.includes("\x1b[3J"), false, "no history erase again");
      assert.deepEqual(await historyAndScreen(s.tmux), before);
    } finally {
      await Deno.remove(raw);
    }
  });
});

/** A window size: rows (80 columns wide), or columns and rows. */
type WindowSize = number | [columns: number, rows: number];

/** Resizes the pane and waits until the shell's terminal (pid `shell`) has the size. */
async function resizeTo(tmux: TmuxSession, shell: number, size: WindowSize): Promise<number[]> {
  const [columns, rows] = typeof size === "number" ? [80, size] : size;
  await tmux.resize(columns, rows);
  await waitUntil(async () => (await ttySize(shell)).join("x") === `${rows}x${columns}`, "resized");
  return [columns, rows];
}

/**
 * Resizes the pane to each size in turn; once the shell's terminal (pid
 * `shell`) has the size, types `stty size` and waits for it.
 */
async function resizeEach(tmux: TmuxSession, shell: number, sizes: WindowSize[]): Promise<void> {
  for (const [i, size] of sizes.entries()) {
    const [columns, rows] = await resizeTo(tmux, shell, size);
    await tmux.sendText(`stty size; echo R${i}\r`);
    await tmux.waitFor(new RegExp(`^${rows} ${columns}\\nR${i}\\n\\$ ?$`, "m"));
  }
}

/**
 * Types `command`, then resizes through `sizes`, in tmux alone (the oracle)
 * and in a session: the history and screen must match, and with `screen`,
 * the screen alone too.
 */
async function resizedLikeTmuxAlone(
  command: string,
  sizes: WindowSize[],
  screen = false,
): Promise<void> {
  await sameAsTmuxAlone(async (tmux, shell) => {
    await typeEach(tmux, [command]);
    await resizeEach(tmux, shell, sizes);
    const lines = await historyAndScreen(tmux);
    return screen ? [...lines, "--- screen", await tmux.capture()] : lines;
  }, (expected) => assert.ok(expected.includes(`R${sizes.length - 1}`), expected.join("\n")));
}

/**
 * Runs `steps` (given the pane and its shell's pid) in tmux alone, the
 * oracle, then in a session of ours: what they return must be equal.
 * `check` looks at tmux alone's first (that the steps did what they should).
 * The session runs /bin/sh, or bash as tmux alone does (`bash`: for what is
 * typed at its prompt, which bash draws again as the window changes).
 */
async function sameAsTmuxAlone(
  steps: (tmux: TmuxSession, shell: number) => Promise<string[]>,
  check: (expected: string[]) => void,
  bash = false,
): Promise<void> {
  const alone = await TmuxSession.start({
    command: "env -i PATH=/usr/bin:/bin TERM=xterm-256color PS1='$ ' bash --norc --noprofile",
  });
  let expected: string[];
  try {
    await alone.waitFor(PROMPT);
    expected = await steps(alone, await alone.panePid());
  } finally {
    await alone.close();
  }
  check(expected);
  const command = bash ? ["/bin/bash", "--norc", "--noprofile"] : ["/bin/sh"];
  await withSession({ client: "ours", server: "ours", command }, async (s) => {
    assert.deepEqual(await steps(s.tmux, findDescendant(s.server.pid, command)!), expected);
  });
}

Deno.test("the window shrunk and grown under a session: history and screen as tmux alone keeps them", () =>
  // The screen too: the lines the terminal pulled back as it grew stay on it (until
  // 2026-12-07 night the client pushed them back, leaving blank rows at the bottom).
  resizedLikeTmuxAlone("seq 1 40; echo END0", [12, 24, 30, 10, 24], true));

/**
 * `seq 1 30`, then a full-screen program (`screen`: what it prints on the alternate screen)
 * while the window takes each of `heights` (by default shrunk to 12 rows), grown back to 24
 * after: the history and screen of a session against tmux alone's. `oneWrite`: the lines
 * and the program's start in one write, so in one frame of the server's.
 */
async function shrunkUnderProgram(
  screen: string,
  heights: WindowSize[] = [12],
  oneWrite = false,
): Promise<void> {
  const output = oneWrite ? `$(seq 1 30; echo END0)\\n` : "";
  const program =
    `printf "${output}\\033[?1049h${screen}"; read -r x; printf '\\033[?1049l'; echo END1`;
  const run = async (tmux: TmuxSession, shell: number): Promise<string[]> => {
    if (!oneWrite) await typeEach(tmux, ["seq 1 30; echo END0"]);
    await tmux.sendText(`${program}\r`);
    await tmux.waitFor(/^full/m);
    // The terminal follows the program onto its alternate screen.
    assert.equal(await paneFormat(tmux, "#{alternate_on}"), "1");
    for (const size of heights) await resizeTo(tmux, shell, size);
    await tmux.sendText("\r"); // the program ends
    await tmux.waitFor(/^END1\n\$ ?$/m, { timeoutMs: 10_000 });
    await resizeEach(tmux, shell, [24]);
    return [...await historyAndScreen(tmux), "--- screen", await tmux.capture()];
  };
  await sameAsTmuxAlone(
    run,
    (expected) =>
      assert.ok(expected.includes("30") && !expected.includes("full"), expected.join("\n")),
  );
}

Deno.test("shrunk under a full-screen program: the main screen's top rows reach the history, as in tmux alone", () =>
  shrunkUnderProgram("\\033[Hfull"));

Deno.test("shrunk under a full-screen program with its cursor low: none of its rows reach the history", () =>
  // The program's rows above the cursor do not fit: on the terminal's main screen, the
  // terminal pushed them into its history; on its alternate screen (as tmux alone) it does not.
  shrunkUnderProgram("\\033[Hfull\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10\\033[20;1Hlow"));

Deno.test("output and a full-screen program in one frame, then shrunk under it: the main screen's top rows reach the history, as in tmux alone", () =>
  // Until 2026-12-08 the lines the program's start hid were lost: the server's diff went
  // straight to the program's screen, so the terminal kept aside the main screen it had
  // shown before, and the shrink pushed that one's rows.
  shrunkUnderProgram("\\033[Hfull", [12], true));

Deno.test("shrunk and grown again under a full-screen program: the rows the terminal pulled back onto its main screen stay in the history", () =>
  // tmux pulls history back onto the main screen it keeps aside; leaving the program, the
  // client pushes them back before it redraws (it drew over them: 2026-12-07, found side by side).
  shrunkUnderProgram("\\033[Hfull", [12, 30]));

Deno.test("narrowed, shrunk and grown under a full-screen program, short lines: the pulled-back rows stay, as in tmux alone", () =>
  // No row of the main screen rewraps at those widths (the longest, the command line, has
  // 76 characters), so the terminal's main screen is known as with heights alone (until
  // 2026-12-08 any change of width made it unknown: the client pushed everything into the
  // history and redrew from the top, blank rows below).
  shrunkUnderProgram("\\033[Hfull", [[76, 12], [100, 30]]));

Deno.test("grown when the terminal has fewer lines to pull back than rows gained: asked, not guessed", () =>
  // tmux pulls back only the 4 rows the shrink pushed: the client reads how many from the
  // cursor's new row (CSI 6 n), or it would push 16 back and repeat screen rows in the history.
  resizedLikeTmuxAlone("seq 1 10; echo END0", [8, 24], true));

/** 100-character lines: two rows at 80 columns, one at 120, two at 60, three at 40. */
const LONG_LINES = "for i in $(seq 1 30); do printf 'line %d %0100d\\n' $i 0; done; echo END0";

Deno.test("a change of width leaves the lines the terminal rewrapped on its screen, as tmux alone does", () =>
  // Until 2026-12-07 night the client pushed them all into the history: the screen went
  // blank but for the prompt, on its top row.
  resizedLikeTmuxAlone(LONG_LINES, [[60, 24], [120, 24], [40, 24]], true));

Deno.test("lines of wide characters, the window made wider: history and screen as tmux alone", () =>
  // 漢 (UTF-8 in octal: the session's sh has no \u). A wide character that does not fit in
  // a row's last column goes on to the next row; until 2026-12-08 the diff went there with
  // CR LF and the client did not count such rows as rewrapping: each line on the screen
  // reached the history in two pieces.
  resizedLikeTmuxAlone(
    `for i in $(seq 1 20); do printf "%d " $i; printf "\\346\\274\\242%.0s" $(seq 1 50); echo; done; echo END0`,
    [[90, 24]],
    true,
  ));

Deno.test("rewrapped lines on the screen, then the window shrunk and grown: history and screen as tmux alone", () =>
  resizedLikeTmuxAlone(LONG_LINES, [[60, 24], [60, 12], [60, 24], [70, 24]], true));

Deno.test("long lines, the window shrunk through one of them, grown, shrunk again: each line whole in the history, as tmux alone", () =>
  // At 11 rows the terminal pushes the first row of a long line into its history and keeps
  // the rest on its top row, marking the pushed row wrapped. Until 2026-12-08 the client
  // erased that top row (CSI 2K) before drawing it again, which unmarks it (tmux): the
  // line reached the history in two pieces.
  resizedLikeTmuxAlone(LONG_LINES, [11, 30, 13], true));

Deno.test("back from a full-screen program after a change of width: screen and history as tmux alone", async () => {
  const run = async (tmux: TmuxSession, shell: number): Promise<string[]> => {
    await typeEach(tmux, [LONG_LINES]);
    await resizeEach(tmux, shell, [[60, 24]]);
    await tmux.sendText(`${FULL_SCREEN}\r`);
    await tmux.waitFor(/^full/m);
    await tmux.sendText("\r");
    await tmux.waitFor(/^END1\n\$ ?$/m);
    return [...await historyAndScreen(tmux), "--- screen", await tmux.capture()];
  };
  // Until 2026-12-07 night the frame back on the main screen drew the server's cut rows
  // again, under the rewrapped ones.
  await sameAsTmuxAlone(
    run,
    (expected) => assert.ok(expected.at(-1)!.startsWith("line "), "rewrapped lines on the screen"),
  );
});

Deno.test("after a change of width, output and a full-screen program in one frame: screen and history as tmux alone", async () => {
  const run = async (tmux: TmuxSession, shell: number): Promise<string[]> => {
    await typeEach(tmux, [LONG_LINES]);
    await resizeEach(tmux, shell, [[60, 24]]);
    await tmux.sendText(
      `printf "$(seq 1 40)\\n\\033[?1049hfull"; read -r x; printf '\\033[?1049l'; echo END1\r`,
    );
    await tmux.waitFor(/^full/m);
    await tmux.sendText("\r");
    await tmux.waitFor(/^END1\n\$ ?$/m);
    return [...await historyAndScreen(tmux), "--- screen", await tmux.capture()];
  };
  // Until 2026-12-08 the rewrapped lines on the screen never reached the history (9 lost
  // here), and old rows and 19 blank ones did: the frame that started the program pushed the
  // output through rows it did not know.
  await sameAsTmuxAlone(run, (expected) => assert.ok(expected.includes("40"), "the output"));
});

Deno.test("long lines, then the width changed under a full-screen program: screen and history as tmux alone", async () => {
  const run = async (tmux: TmuxSession, shell: number): Promise<string[]> => {
    await typeEach(tmux, [LONG_LINES]);
    await tmux.sendText(`${FULL_SCREEN}\r`);
    await tmux.waitFor(/^full/m);
    for (const size of [[60, 16], [100, 30]] as WindowSize[]) await resizeTo(tmux, shell, size);
    await tmux.sendText("\r");
    await tmux.waitFor(/^END1\n\$ ?$/m);
    return [...await historyAndScreen(tmux), "--- screen", await tmux.capture()];
  };
  // The terminal rewrapped the main screen it kept aside; until 2026-12-08 the client
  // pushed it into the history as the server's rows, cut at the old width: each long line
  // on it in two pieces, and the screen drawn again from the top.
  await sameAsTmuxAlone(
    run,
    (expected) =>
      assert.ok(
        expected.at(-1)!.split("\n").some((l) => l.startsWith("line ") && l.length === 100),
        "rows rewrapped at 100 columns",
      ),
  );
});

Deno.test("long lines, shrunk through one under a full-screen program: each line whole in the history, as tmux alone", async () => {
  const run = async (tmux: TmuxSession, shell: number): Promise<string[]> => {
    // 8 lines of 90 characters from the top of the screen: at 12 rows the terminal
    // pushes the command line, 3 lines and the first row of the fourth.
    await typeEach(tmux, [
      "for i in $(seq 1 8); do printf 'line %d %083d\\n' $i 0; done; echo END0",
    ]);
    await tmux.sendText(`${FULL_SCREEN}\r`);
    await tmux.waitFor(/^full/m);
    await resizeTo(tmux, shell, 12);
    await tmux.sendText("\r");
    await tmux.waitFor(/^END1\n\$ ?$/m);
    return [...await historyAndScreen(tmux), "--- screen", await tmux.capture()];
  };
  // Until 2026-12-08 the client, back from the program, erased the rest of that line on the
  // top row before drawing it again, which unmarks the pushed row as wrapped (tmux): the
  // line in two pieces.
  await sameAsTmuxAlone(run, (expected) => {
    assert.ok(expected.includes(`line 4 ${"0".repeat(83)}`), expected.join("\n"));
  });
});

Deno.test("a long command line typed at bash's prompt, then a change of width: whole in the history, as tmux alone", async () => {
  const line = `true;#${"0".repeat(100)}`;
  const run = async (tmux: TmuxSession, shell: number): Promise<string[]> => {
    await typeEach(tmux, ["seq 1 30; echo END0"]);
    await tmux.sendText(line);
    await tmux.waitFor(/^0+$/m); // echoed, on two rows
    await resizeTo(tmux, shell, [60, 24]);
    await tmux.sendText("\recho END1\r");
    await tmux.waitFor(/^END1\n\$ ?$/m);
    return [...await historyAndScreen(tmux), "--- screen", await tmux.capture()];
  };
  // The terminal rewrapped the line: its first row stays above the session's rows, the rest
  // is on the cursor's row. Until 2026-12-08 the client erased that row before drawing it
  // again, which unmarks the row above as wrapped (tmux): the line in two pieces.
  await sameAsTmuxAlone(run, (expected) => assert.ok(expected.includes(`$ ${line}`)), true);
});

Deno.test("less and vi (alternate screen) add nothing to the history", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    const before = await paneFormat(s.tmux, "#{history_size}");
    await s.tmux.sendText("seq 1 100 | less\r");
    await s.tmux.waitFor(/^1\n2\n3$/m);
    await s.tmux.sendText("G");
    await s.tmux.waitFor(/^100$/m);
    await s.tmux.sendText("q");
    await s.tmux.waitFor(/less\n\$ ?$/m);
    await s.tmux.sendText("vi -u NONE\r");
    await s.tmux.waitFor(/^~/m);
    await s.tmux.sendText("ione\rtwo\x1b");
    await s.tmux.waitFor(/^two/m);
    await s.tmux.sendText(":q!\r");
    await s.tmux.waitFor(/vi -u NONE\n\$ ?$/m);
    assert.equal(await paneFormat(s.tmux, "#{history_size}"), before);
    assert.deepEqual(await historyAndScreen(s.tmux), [
      "$ seq 1 100 | less",
      "$ vi -u NONE",
      "$",
    ]);
  });
});

Deno.test("ls --hyperlink=always: our client writes one OSC 8 link per name to the terminal", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mosh-links-" });
  const output = `${dir}.out`;
  try {
    for (const name of ["alpha", "beta", "gamma"]) await Deno.writeTextFile(`${dir}/${name}`, "");
    await withSession({ client: "ours", server: "ours" }, async (s) => {
      await s.tmux.tmux("pipe-pane", "-t", "0", "-o", `cat >> '${output}'`);
      await s.tmux.sendText(`ls --hyperlink=always ${dir}; echo END\r`);
      await s.tmux.waitFor(/^END$/m);
      await s.tmux.waitFor(/alpha +beta +gamma/);
      await s.tmux.tmux("pipe-pane", "-t", "0");
    });
    // An independent reader: the raw bytes our client wrote to its terminal.
    const raw = await Deno.readTextFile(output);
    for (const name of ["alpha", "beta", "gamma"]) {
      const open = new RegExp(`\\x1b\\]8;;file://[^\\x1b\\x07]*${dir}/${name}\\x1b\\\\`, "g");
      const runs = [...raw.matchAll(open)];
      assert.equal(runs.length, 1, `${name}: one OSC 8 open`);
      const after = raw.slice(runs[0]!.index! + runs[0]![0].length);
      assert.ok(
        after.startsWith(`${name}\x1b]8;;\x1b\\`),
        `${name}: text, then the link closed: ${JSON.stringify(after.slice(0, 40))}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(output).catch(() => {});
  }
});

Deno.test("MOSH_SCROLLBACK=0: the client stays on the alternate screen and fills no history", async () => {
  await withSession(
    { client: "ours", server: "ours", env: { MOSH_SCROLLBACK: "0" } },
    async (s) => {
      await s.tmux.sendText("seq 1 100; echo END\r");
      await s.tmux.waitFor(/^END$/m);
      assert.equal(await paneFormat(s.tmux, "#{alternate_on}"), "1");
      assert.equal(s.tap.hostDiffs.some((d) => hostHasScrollback(d)), false);
    },
  );
});

function hostHasScrollback(diff: Uint8Array): boolean {
  return fromBinary(HostMessageSchema, diff).instruction.some((i) => i.scrollback !== undefined);
}

Deno.test("real mosh-server ignores our announcement: the session works as today", async () => {
  await withSession({ client: "ours", server: "real" }, async (s) => {
    await s.tmux.sendText("seq 1 100; echo END\r");
    await s.tmux.waitFor(/^99\n100\nEND\n\$ ?$/m);
    // As today: the alternate screen, an empty history, and no extension from the server.
    assert.equal(await paneFormat(s.tmux, "#{alternate_on}"), "1");
    assert.equal(await paneFormat(s.tmux, "#{history_size}"), "0");
    const announced = s.tap.userDiffs.some((d) =>
      fromBinary(UserMessageSchema, d).instruction.some((i) => i.capabilities?.features === 31)
    );
    assert.ok(
      announced,
      "our client announced scrollback, hyperlinks, OSC 7, notifications and shrink lines",
    );
    assert.equal(s.tap.hostDiffs.some(hostHasScrollback), false);
    assert.equal(s.tap.failures, 0);
  });
});

Deno.test("real mosh-client gets no extension from our server, and shows linked text as text", async () => {
  await withSession({ client: "real", server: "ours" }, async (s) => {
    await s.tmux.sendText(
      "seq 1 100; printf '\\033]8;;http://example.org/\\033\\\\click\\033]8;;\\033\\\\ here\\n';" +
        " printf '\\033]7;file://h/tmp\\007\\033]9;note\\007'\r",
    );
    await s.tmux.waitFor(/^100\nclick here\n\$ ?$/m);
    assert.ok(s.tap.hostDiffs.length > 0);
    assert.equal(s.tap.hostDiffs.some(hostHasScrollback), false, "no scrollback instruction");
    const hostBytes = s.tap.hostDiffs.flatMap((d) =>
      fromBinary(HostMessageSchema, d).instruction.map((i) => i.hostbytes?.hoststring)
    ).filter((b) => b !== undefined);
    const text = new TextDecoder().decode(
      new Uint8Array(hostBytes.flatMap((b) => Array.from(b))),
    );
    assert.ok(text.includes("click"));
    assert.equal(text.includes("\x1b]8"), false, "no OSC 8 in the display diffs");
    assert.equal(text.includes("\x1b]7"), false, "no OSC 7");
    assert.equal(text.includes("\x1b]9"), false, "no OSC 9");
    assert.equal(s.tap.failures, 0);
  });
});

Deno.test("resized while output flows through a slow link: each line lands in the history once, in order", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    // The server learns of each resize 120 ms late, its output scrolling on meanwhile: the
    // rows the terminal pushed as it shrank leave the server's screen before the resize
    // reaches it, or are dropped by it.
    s.proxy.up = { delayMs: 120 };
    s.proxy.down = { delayMs: 120 };
    const last = 300;
    await s.tmux.sendText(
      `for i in $(seq 1 ${last}); do echo line $i; sleep 0.01; done; echo END\r`,
    );
    const newest = async () => {
      const numbers = (await s.tmux.capture()).split("\n").map((l) => /^line (\d+)$/.exec(l)?.[1]);
      return Math.max(0, ...numbers.map(Number).filter((n) => n > 0));
    };
    let shown = 40;
    await waitUntil(async () => await newest() >= shown, `line ${shown}`, 20_000);
    // Each resize after 30 more lines (over 0.3 s: tmux tells the program of a resize
    // at most every 0.25 s, and draws meanwhile at the size the client does not know).
    for (const rows of [18, 24, 14, 30, 20]) {
      await s.tmux.resize(80, rows);
      shown += 30;
      await waitUntil(async () => await newest() >= shown, `line ${shown}`, 20_000);
    }
    await s.tmux.waitFor(/^END\n\$ ?$/m, { timeoutMs: 30_000 });
    const lines = (await historyAndScreen(s.tmux)).filter((l) => l.startsWith("line "));
    assert.deepEqual(lines, numbers(1, last).map((n) => `line ${n}`));
  });
});

Deno.test("a window dragged while output flows: each line lands in the history once, in order", async () => {
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    // tmux resizes its screen at once but tells the program at most every 0.25 s: through
    // a drag the client is mostly told a size the screen no longer has. The drag keeps
    // the loop's pace (its progress file), not the client's frames.
    const last = 1500;
    const progress = await Deno.makeTempFile({ prefix: "mosh-drag-" });
    const written = async () => Number((await Deno.readTextFile(progress)).trim()) || 0;
    try {
      await s.tmux.sendText(
        `for i in $(seq 1 ${last}); do echo line $i; echo $i > ${progress}; sleep 0.002; done; echo END\r`,
      );
      let at = 60;
      for (let drag = 0; drag < 2; drag++) {
        for (const rows of [18, 30, 24, 14, 30, 20, 24]) {
          await waitUntil(async () => await written() >= at, `line ${at} written`, 20_000);
          await s.tmux.resize(80, rows);
          at += 8;
        }
        at += 200; // a pause between drags
      }
      await s.tmux.waitFor(/^END\n\$ ?$/m, { timeoutMs: 30_000 });
    } finally {
      await Deno.remove(progress);
    }
    const lines = (await historyAndScreen(s.tmux)).filter((l) => l.startsWith("line "));
    assert.deepEqual(lines, numbers(1, last).map((n) => `line ${n}`));
  });
});

Deno.test("long lines while the window narrows: each line whole in the history", async () => {
  // 72-character lines: one row at 80 columns, two at 60. After the resize the client waits
  // for the window to settle, then draws the lines of several server states at once; until
  // 2026-12-08 a line whose two rows came in two states was pushed in two pieces, and the
  // lines on the server's screen when it narrowed, not yet drawn, reached the history cut
  // at 60 columns, as mosh's screen cuts its rows. (Widening is left to the unit tests: a
  // frame for the old width can meet the resize in flight, a race any terminal has, which
  // there leaves a line in pieces once in a dozen runs.)
  await withSession({ client: "ours", server: "ours" }, async (s) => {
    const shell = findDescendant(s.server.pid, ["/bin/sh"])!;
    const last = 600;
    const x = "x".repeat(62);
    const progress = await Deno.makeTempFile({ prefix: "mosh-narrow-" });
    try {
      await s.tmux.sendText(
        `for i in $(seq 1 ${last}); do echo line $i ${x}; echo $i > ${progress}; sleep 0.002; done; echo END\r`,
      );
      await waitUntil(
        async () => Number((await Deno.readTextFile(progress)).trim()) >= 150,
        "line 150 written",
        20_000,
      );
      await resizeTo(s.tmux, shell, [60, 24]);
      await s.tmux.waitFor(/^END\n\$ ?$/m, { timeoutMs: 30_000 });
    } finally {
      await Deno.remove(progress);
    }
    const lines = await historyAndScreen(s.tmux);
    const first = lines.findIndex((l) => l.startsWith("line 1 "));
    assert.deepEqual(
      lines.slice(first, lines.indexOf("END")),
      numbers(1, last).map((n) => `line ${n} ${x}`),
    );
  });
});

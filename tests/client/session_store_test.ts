/**
 * The resume store and the client journal: permissions, atomic records,
 * pruning, liveness, screens on record, and how often the journal writes.
 */
import assert from "node:assert/strict";
import { listSessions } from "../../lib/client/resume.ts";
import {
  loadScreen,
  resumeFromRecord,
  saveScreen,
  SessionJournal,
} from "../../lib/client/session_journal.ts";
import {
  MAX_AGE_MS,
  ownerOf,
  type SavedScreen,
  SessionStore,
  SessionStoreError,
} from "../../lib/client/session_store.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { ReceivedHistory } from "../../lib/statesync/received_history.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { sessionRecord } from "../support/session_record.ts";

const encoder = new TextEncoder();

function envFor(dir: string) {
  const vars: Record<string, string> = { XDG_STATE_HOME: dir };
  return { get: (name: string) => vars[name] };
}

const record = sessionRecord;

function withDir(fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync();
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("the store directory is 0700 and each record 0600, read back as written", () => {
  withDir((dir) => {
    const store = SessionStore.open(envFor(dir));
    assert.equal(store.dir, `${dir}/mosh-deno`);
    assert.equal(Deno.statSync(store.dir).mode! & 0o777, 0o700);
    store.write(record("abc"), true);
    assert.equal(Deno.statSync(store.path("abc")).mode! & 0o777, 0o600);
    assert.deepEqual(
      store.read("abc"),
      record("abc", {
        created: store.read("abc").created,
        lastContact: store.read("abc").lastContact,
      }),
    );
    assert.deepEqual(
      [...Deno.readDirSync(store.dir)].map((e) => e.name),
      ["abc.json"],
      "no temporary file is left behind",
    );
  });
});

Deno.test("a record others can read, or a store directory open to others, is refused with the fix", () => {
  withDir((dir) => {
    const store = SessionStore.open(envFor(dir));
    store.write(record("abc"), false);
    Deno.chmodSync(store.path("abc"), 0o644);
    assert.throws(
      () => store.read("abc"),
      (e: unknown) =>
        e instanceof SessionStoreError && /its mode is 0644/.test(e.message) &&
        e.message.includes(`chmod 0600 ${store.path("abc")}`),
    );
    Deno.chmodSync(store.dir, 0o755);
    assert.throws(
      () => SessionStore.open(envFor(dir)),
      (e: unknown) => e instanceof SessionStoreError && /chmod 0700/.test(e.message),
    );
  });
});

Deno.test("a record of another user is refused", { ignore: Deno.uid() !== 0 }, () => {
  withDir((dir) => {
    const store = SessionStore.open(envFor(dir));
    store.write(record("abc"), false);
    Deno.chownSync(store.path("abc"), 4242, 4242);
    assert.throws(
      () => store.read("abc"),
      (e: unknown) => e instanceof SessionStoreError && /belongs to uid 4242/.test(e.message),
    );
  });
});

Deno.test("list prunes records past 30 days or the server's network timeout, and tells live owners", () => {
  withDir((dir) => {
    const store = SessionStore.open(envFor(dir));
    const now = Date.now();
    store.write(record("old", { lastContact: now - MAX_AGE_MS - 1000 }), false);
    store.write(record("timedout", { lastContact: now - 120_000, networkTimeout: 60 }), false);
    store.write(record("fresh", { lastContact: now - 5000 }), false);
    store.write(record("mine", { owner: ownerOf(Deno.pid), lastContact: now - 1000 }), false);
    const mine = store.lock("mine")!; // a live client holds its session's lock
    Deno.writeTextFileSync(`${store.dir}/zz.json.tmp999999999`, "half");
    Deno.writeTextFileSync(`${store.dir}/orphan.lock`, "");
    const held = store.lock("creating")!; // a client between taking its lock and its first write
    const { sessions } = store.list(now);
    assert.deepEqual(sessions.map((s) => [s.record.id, s.alive]), [
      ["mine", true],
      ["fresh", false],
    ]);
    assert.deepEqual(
      [...Deno.readDirSync(store.dir)].map((e) => e.name).sort(),
      ["creating.lock", "fresh.json", "mine.json", "mine.lock"],
    );
    held.close();
    const text = listSessions(envFor(dir), now);
    assert.match(text, /^fresh\s+example\s+60001\s+5s detached/m);
    assert.match(text, /^mine\s+example\s+60001\s+1s in use/m);
    mine.close();
  });
});

Deno.test("a screen on record rebuilds the same framebuffer (colours, wide text, title, cursor)", () => {
  const state = new TerminalState(40, 10);
  state.write(encoder.encode(
    "\x1b]0;my title\x07\x1b[1;31mred\x1b[0m plain 漢字\r\n\x1b[7mreverse\x1b[m\x1b[5;7H\x1b[?25l",
  ));
  const saved = saveScreen({ num: 17n, state: new CompleteTerminal(state, 5n) });
  const back = loadScreen(JSON.parse(JSON.stringify(saved)));
  assert.equal(back.num, 17n);
  assert.equal(back.state.echoAck, 5n);
  assert.ok(back.state.screen.equals(state), "identical framebuffer");
});

Deno.test("a screen on record keeps its links and working directory, not its notifications", () => {
  const state = new TerminalState(40, 10);
  state.write(encoder.encode(
    "\x1b]7;file://h/srv\x07\x1b]9;done\x07\x1b]8;;http://example.com/\x1b\\link\x1b]8;;\x1b\\ x",
  ));
  const saved = saveScreen({ num: 1n, state: new CompleteTerminal(state, 1n) });
  const back = loadScreen(JSON.parse(JSON.stringify(saved))).state.screen.fb;
  assert.equal(back.workingDirectory, "file://h/srv");
  assert.equal(back.row(0).linkAt(0), ";http://example.com/");
  assert.equal(back.row(0).linkAt(5), "");
  // Shown once already: a resumed client counts from 0 and the server's next diffs.
  assert.equal(back.notificationCount, 0);
});

Deno.test("a screen on record keeps where the server's history stood; an older record has none", () => {
  const state = new CompleteTerminal(new TerminalState(20, 4), 1n);
  state.history = ReceivedHistory.NONE.append(0, [encoder.encode("a"), encoder.encode("b")]);
  const saved = JSON.parse(JSON.stringify(saveScreen({ num: 3n, state })));
  const back = loadScreen(saved).state.history;
  assert.deepEqual([back.active, back.end, back.chunks.length], [true, 2, 0]);
  // The server's next diff carries line 2 on: nothing is taken twice.
  assert.deepEqual(back.append(1, [encoder.encode("b"), encoder.encode("c")]).chunks, [
    { first: 2, lines: [encoder.encode("c")], wrapped: new Set() },
  ]);
  for (const historyEnd of [undefined, -1, 1.5, "2"]) {
    const old = loadScreen({ ...saved, historyEnd }).state.history;
    assert.equal(old, ReceivedHistory.NONE, `historyEnd ${historyEnd}`);
  }
  const none = saveScreen({ num: 4n, state: new CompleteTerminal(new TerminalState(20, 4), 1n) });
  assert.equal("historyEnd" in none, false, "no history: nothing on record");
  // Whether the server records a shrink's rows (Feature.ShrinkLines) is kept, as the server said.
  assert.equal(back.shrinkLines, false);
  state.history = state.history.append(2, [], 0, [], true);
  const shrinks = JSON.parse(JSON.stringify(saveScreen({ num: 5n, state })));
  assert.equal(loadScreen(shrinks).state.history.shrinkLines, true);
});

Deno.test("a damaged session file is refused with a message, listed as damaged, and never crashes the client", async () => {
  const good = saveScreen({ num: 2n, state: new CompleteTerminal(new TerminalState(20, 4), 1n) });
  for (
    const bad of [
      { screen: "not base64!" },
      { num: "12x" },
      { echoAck: 5 },
      { width: 0 },
      { width: 100_000, height: 100_000 },
      { height: 2.5 },
    ]
  ) {
    assert.throws(
      () => loadScreen({ ...good, ...bad } as SavedScreen),
      (e: unknown) => e instanceof SessionStoreError && /damaged/.test(e.message),
      JSON.stringify(bad),
    );
  }
  assert.throws(
    () => resumeFromRecord(record("ev", { events: "%%%" })),
    (e: unknown) => e instanceof SessionStoreError && /keystrokes/.test(e.message),
  );
  assert.throws(
    () => resumeFromRecord(record("nm", { numEnd: "-1" })),
    (e: unknown) => e instanceof SessionStoreError && /state number/.test(e.message),
  );
  const dir = Deno.makeTempDirSync();
  try {
    const store = SessionStore.open(envFor(dir));
    store.write(record("bad", { remote: [{ ...good, screen: "@@" }] }), false);
    assert.match(listSessions(envFor(dir)), /^bad\s.*\(damaged: cannot be resumed\)$/m);
    // The user's path: `mosh-client --resume` says so and exits 1, no stack trace.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-net",
        new URL("../../cli/mosh_client.ts", import.meta.url).pathname,
        "--resume",
      ],
      env: { XDG_STATE_HOME: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.match(stderr, /^mosh: The session file is damaged \(a screen is not base64\)/);
    assert.doesNotMatch(stderr, /at |Error:/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the journal writes new events before they leave, and the acknowledged number at most once a second", () => {
  withDir((dir) => {
    const store = SessionStore.open(envFor(dir));
    let now = 0;
    const journal = new SessionJournal(store, record("jj"), { clock: () => now });
    const start = journal.writes;
    const stream = new UserStream();
    stream.pushKeys(encoder.encode("ls"));
    assert.equal(journal.beforeSend(stream, 0n), 0n);
    assert.equal(journal.writes, start + 1, "new events: written");
    assert.equal(journal.beforeSend(stream, 0n), 0n);
    assert.equal(journal.writes, start + 1, "nothing new: not written");
    now = 500;
    assert.equal(journal.beforeSend(stream, 3n), 0n, "the throwaway stays at what is on record");
    assert.equal(journal.writes, start + 1);
    now = 1200;
    assert.equal(journal.beforeSend(stream, 3n), 3n);
    assert.equal(journal.writes, start + 2);
    const onDisk = store.read("jj");
    assert.equal(onDisk.ackedNum, "3");
    const resumed = resumeFromRecord(onDisk);
    assert.ok(resumed.current.equals(stream));
    assert.equal(journal.reserveSeq(10), 10 + 1024);
    assert.equal(store.read("jj").seqEnd, 1034, "a sequence block is on disk before use");
    const writes = journal.writes;
    assert.equal(journal.reserveSeq(11), 1034, "inside the block on disk: nothing to write");
    assert.equal(journal.writes, writes);
    // Each write records when the server was last heard from.
    now = 5000;
    journal.contactSource = () => 2000; // heard 3 s ago on the journal's clock
    journal.reserveNum(1n);
    const age = Date.now() - store.read("jj").lastContact;
    assert.ok(age >= 2900 && age < 4000, `last contact ${age} ms ago`);
    journal.close(true);
    assert.throws(() => store.read("jj"), SessionStoreError);
  });
});

Deno.test("--resume --list: a row fits the terminal's width, its screen line cut by columns", () => {
  withDir((dir) => {
    const screen = new TerminalState(80, 4);
    screen.write(encoder.encode("\r\n$ echo 日本語日本語日本語 and more words past the edge"));
    const store = SessionStore.open(envFor(dir));
    store.write(
      record("wide", {
        remote: [saveScreen({ num: 1n, state: new CompleteTerminal(screen, 1n) })],
      }),
      false,
    );
    const row = (columns?: number) =>
      listSessions(envFor(dir), Date.now(), columns).split("\n")[1]!;
    // 52 columns of ID, host, port, age and state, then the screen's first line.
    assert.equal(row(80).slice(52), "$ echo 日本語日本語日本語 a…");
    assert.equal(row(79).slice(52), "$ echo 日本語日本語日本語 …");
    assert.equal(
      row(78).slice(52),
      "$ echo 日本語日本語日本語…",
      "no wide character past the edge",
    );
    assert.match(row(80), /^wide {4} example/);
    // Piped (no width): the whole line.
    assert.equal(row().slice(52), "$ echo 日本語日本語日本語 and more words past the edge");
  });
});

Deno.test("the lines a client printed into its terminal's history are on record; a resume starts after them", () => {
  withDir((dir) => {
    const store = SessionStore.open(envFor(dir));
    const saved = saveScreen({
      num: 1n,
      state: Object.assign(new CompleteTerminal(new TerminalState(20, 4), 1n), {
        history: ReceivedHistory.NONE.append(0, [encoder.encode("a")]),
      }),
    });
    const journal = new SessionJournal(store, record("pl", { remote: [saved] }));
    assert.equal(journal.printedOnRecord(), 0, "none yet");
    journal.linesPrinted(40);
    journal.linesPrinted(57);
    assert.equal(journal.printedOnRecord(), 57);
    assert.equal(Deno.readTextFileSync(store.printedPath("pl")).length, 20, "written in place");
    const resumed = resumeFromRecord(store.read("pl"), journal.printedOnRecord());
    assert.equal(resumed.remoteStates[0]!.state.history.end, 57, "past the saved screen's 1");
    assert.equal(resumeFromRecord(store.read("pl")).remoteStates[0]!.state.history.end, 1);
    Deno.writeTextFileSync(store.printedPath("pl"), "garbage");
    assert.equal(journal.printedOnRecord(), 0, "unreadable: as if none");
    journal.close(true);
    assert.throws(() => Deno.statSync(store.printedPath("pl")), Deno.errors.NotFound);
  });
});

Deno.test("a session's lock admits one holder, and is free again once the holder lets go", () => {
  withDir((dir) => {
    const store = SessionStore.open(envFor(dir));
    const first = store.lock("abc");
    assert.ok(first, "the first claim succeeds");
    assert.equal(store.lock("abc"), null, "a second claim is refused while it is held");
    first.close();
    const again = store.lock("abc");
    assert.ok(again, "free once the holder is gone");
    again.close();
    assert.equal(Deno.statSync(`${store.dir}/abc.lock`).mode! & 0o777, 0o600);
    store.remove("abc");
    assert.deepEqual([...Deno.readDirSync(store.dir)], []);
  });
});

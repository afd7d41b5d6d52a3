/**
 * The journal's screen slots: saves alternate between two files, a torn
 * save leaves the previous one readable, and a record read from the store
 * carries the newest whole save.
 */
import assert from "node:assert/strict";
import { readScreenSlots, screenSlotPaths } from "../../lib/client/screen_slots.ts";
import { resumeFromRecord, SessionJournal } from "../../lib/client/session_journal.ts";
import { SessionStore } from "../../lib/client/session_store.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { sessionRecord } from "../support/session_record.ts";

const encoder = new TextEncoder();

function screen(num: bigint, text: string) {
  const state = new TerminalState(80, 24);
  state.write(encoder.encode(text));
  return { num, state: new CompleteTerminal(state) };
}

/** A record heard from long ago (lastContact 0). */
const record = (id: string) => sessionRecord(id, { lastContact: 0 });

function withStore(fn: (store: SessionStore) => void): void {
  const dir = Deno.makeTempDirSync();
  try {
    fn(SessionStore.open({ get: (name: string) => name === "XDG_STATE_HOME" ? dir : undefined }));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const noCheck = () => {};

Deno.test("the journal saves screens into two slots in turn, 0600, and the store reads the newest", () => {
  withStore((store) => {
    const journal = new SessionJournal(store, record("sl"));
    journal.contactSource = () => performance.now(); // heard just now
    const renamesBefore = journal.writes;
    journal.saveRemote([screen(0n, ""), screen(4n, "four")]);
    journal.saveRemote([screen(4n, "four"), screen(9n, "nine")]);
    assert.equal(journal.writes, renamesBefore + 2);
    for (const path of screenSlotPaths(store.dir, "sl")) {
      assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
    }
    const read = store.read("sl");
    assert.deepEqual(read.remote.map((s) => s.num), ["4", "9"]);
    assert.equal(read.remoteGen, 2);
    assert.ok(read.lastContact > 0, "the save carries the last contact");
    journal.close(true);
    assert.deepEqual([...Deno.readDirSync(store.dir)], [], "removed with the record");
  });
});

Deno.test("a torn screen save leaves the previous save, and a record newer than both wins", () => {
  withStore((store) => {
    const journal = new SessionJournal(store, record("tt"));
    journal.saveRemote([screen(0n, ""), screen(4n, "four")]); // gen 1: slot 1
    journal.saveRemote([screen(4n, "four"), screen(9n, "nine")]); // gen 2: slot 0
    const [slot0] = screenSlotPaths(store.dir, "tt");
    // A kill in the middle of the write: the first part new, the rest gone.
    const whole = Deno.readFileSync(slot0);
    Deno.writeFileSync(slot0, whole.subarray(0, whole.length - 100));
    assert.equal(readScreenSlots(store.dir, "tt", noCheck)?.gen, 1);
    assert.deepEqual(store.read("tt").remote.map((s) => s.num), ["0", "4"]);
    // Half new, half old bytes of the same length: the checksum refuses it.
    const mixed = whole.slice();
    mixed[mixed.length - 10] = mixed[mixed.length - 10]! ^ 1;
    Deno.writeFileSync(slot0, mixed);
    assert.equal(readScreenSlots(store.dir, "tt", noCheck)?.gen, 1);
    // The record itself written after the saves (e.g. a reservation) holds the same screens.
    journal.reserveSeq(0);
    Deno.writeFileSync(slot0, whole);
    assert.deepEqual(store.read("tt").remote.map((s) => s.num), ["4", "9"]);
    journal.close(true);
  });
});

Deno.test("keystrokes go into the slots, not by replacing the record; a torn save falls back to the previous keystrokes", () => {
  withStore((store) => {
    const journal = new SessionJournal(store, record("ks"));
    journal.saveRemote([screen(0n, ""), screen(4n, "four")]); // gen 1
    const recordPath = `${store.dir}/ks.json`;
    const recordBefore = Deno.readTextFileSync(recordPath);
    const inodeBefore = Deno.statSync(recordPath).ino;
    const stream = new UserStream();
    stream.pushKeys(encoder.encode("ls"));
    journal.beforeSend(stream, 0n); // gen 2: "ls" is on record before it leaves
    stream.pushKeys(encoder.encode(" -l"));
    journal.beforeSend(stream, 0n); // gen 3
    // The record file was not replaced (a rename cost ≈ 0.6 ms per keystroke).
    assert.equal(Deno.statSync(recordPath).ino, inodeBefore);
    assert.equal(Deno.readTextFileSync(recordPath), recordBefore);
    const read = store.read("ks");
    assert.equal(read.remoteGen, 3);
    assert.ok(
      resumeFromRecord(read).current.equals(stream),
      "the store reads the newest keystrokes",
    );
    assert.deepEqual(read.remote.map((s) => s.num), ["0", "4"], "and the screens with them");
    // Killed while writing gen 3 (before it left): gen 2's keystrokes are what was sent.
    const slot1 = screenSlotPaths(store.dir, "ks")[1];
    const whole = Deno.readFileSync(slot1);
    Deno.writeFileSync(slot1, whole.subarray(0, whole.length - 20));
    const sentBefore = new UserStream();
    sentBefore.pushKeys(encoder.encode("ls"));
    assert.ok(resumeFromRecord(store.read("ks")).current.equals(sentBefore));
    // A reservation replaces the record with everything in memory: it wins over both slots.
    journal.reserveSeq(0);
    assert.ok(resumeFromRecord(store.read("ks")).current.equals(stream));
    journal.close(true);
  });
});

Deno.test("a screen slot open to others is refused like the record", () => {
  withStore((store) => {
    const journal = new SessionJournal(store, record("pp"));
    journal.saveRemote([screen(0n, ""), screen(4n, "four")]);
    Deno.chmodSync(screenSlotPaths(store.dir, "pp")[1], 0o644);
    assert.throws(() => store.read("pp"), /Refusing .*pp\.screens1.*chmod 0600/);
    journal.close(true);
  });
});

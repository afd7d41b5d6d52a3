/**
 * What resume costs the client: one journal write (an atomic, flushed file
 * replacement) before new keystrokes leave, and before a new screen is
 * acknowledged (up to three 80×24 screens of text and colours on record).
 *
 * Run: `deno bench -A bench/session_journal_bench.ts`
 *
 * @module
 */
import { saveScreen, SessionJournal } from "../lib/client/session_journal.ts";
import { SessionStore } from "../lib/client/session_store.ts";
import { CompleteTerminal } from "../lib/statesync/complete_terminal.ts";
import { UserStream } from "../lib/statesync/user_stream.ts";
import { TerminalState } from "../lib/terminal/terminal_state.ts";

const dir = Deno.makeTempDirSync();
const store = SessionStore.open({ get: (n) => (n === "XDG_STATE_HOME" ? dir : undefined) });
const blank = new CompleteTerminal(new TerminalState(80, 24));
const journal = new SessionJournal(store, {
  format: 1,
  id: "bench",
  host: "bench",
  ip: "127.0.0.1",
  port: 60001,
  key: "AAECAwQFBgcICQoLDA0ODw",
  owner: { pid: Deno.pid, start: "bench" },
  created: Date.now(),
  lastContact: Date.now(),
  networkTimeout: 0,
  seqEnd: 0,
  numEnd: "0",
  ackedNum: "0",
  events: "",
  remote: [saveScreen({ num: 0n, state: blank })],
});

function busyScreen(seed: number): CompleteTerminal<TerminalState> {
  const s = new TerminalState(80, 24);
  let text = "";
  for (let y = 0; y < 24; y++) {
    text += `\x1b[3${(y + seed) % 8}m${"drwxr-xr-x 2 user user 4096 Nov 25 17:00 ".repeat(2)}\r\n`;
  }
  s.writeOutput(new TextEncoder().encode(text));
  return new CompleteTerminal(s, BigInt(seed));
}

const stream = new UserStream();
let num = 1n;
Deno.bench("journal: new keystroke recorded before it leaves (in place, slot file)", () => {
  stream.pushKeys(new Uint8Array([0x61]));
  journal.beforeSend(stream, 0n);
});

const screens = [busyScreen(1), busyScreen(2), busyScreen(3)];
Deno.bench("journal: a new 80x24 screen recorded before it is acknowledged", () => {
  const a = num++, b = num++;
  journal.saveRemote([
    { num: a, state: screens[Number(a % 3n)]! },
    { num: b, state: screens[Number(b % 3n)]! },
  ]);
});

Deno.bench("journal: a new 80x24 screen, three on record (two acknowledgements pending)", () => {
  // As a resumable client saves: the confirmed and first pending screens are
  // already serialized, only the newest is new.
  const n = num++;
  journal.saveRemote([n - 2n, n - 1n, n].map((k) => ({ num: k, state: screens[Number(k % 3n)]! })));
});

Deno.bench("journal: new keystroke, with three busy 80x24 screens on record", () => {
  stream.pushKeys(new Uint8Array([0x62]));
  journal.beforeSend(stream, 0n);
});

globalThis.addEventListener("unload", () => {
  console.log(`record size: ${Deno.statSync(store.path("bench")).size} bytes`);
  Deno.removeSync(dir, { recursive: true });
});

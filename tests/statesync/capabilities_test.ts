/**
 * The extension in the synchronized state: the announcement in the user
 * stream, and scrolled-off lines in the complete terminal's diffs — only
 * for a client that announced them, never twice, bounded.
 */
import assert from "node:assert/strict";
import { Feature } from "../../lib/statesync/capabilities.ts";
import {
  CompleteTerminal,
  MAX_HISTORY_BYTES,
  MAX_HISTORY_LINES,
} from "../../lib/statesync/complete_terminal.ts";
import { decodeHostMessage } from "../../lib/statesync/host_message.ts";
import { decodeUserMessage, encodeUserMessage } from "../../lib/statesync/user_message.ts";
import { UserStream } from "../../lib/statesync/user_stream.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { toHex as hex } from "../support/hex.ts";
import { LocalScrollback } from "../../lib/client/local_scrollback.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ALL = Feature.Scrollback | Feature.Hyperlinks;

function seq(from: number, to: number): string {
  let s = "";
  for (let i = from; i <= to; i++) s += `${i}\r\n`;
  return s;
}

const numbers = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

function server(): CompleteTerminal<TerminalState> {
  return new CompleteTerminal(new TerminalState(80, 24));
}

/** The lines a client state holds, as text, with their numbers. */
function received(state: CompleteTerminal<TerminalState>): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of state.history.chunks) {
    c.lines.forEach((l, i) => out.set(c.first + i, dec.decode(l)));
  }
  return out;
}

/** A server state recording history for a client that has it activated, and the acked copy. */
function scrollbackPair() {
  const s = server();
  s.peerAnnounced(Feature.Scrollback);
  const client = new CompleteTerminal(new TerminalState(80, 24));
  client.apply(s.diffFrom(s.clone())); // activation
  return { s, client, acked: s.clone() };
}

Deno.test("the announcement: field 1700 in the user stream, one unit, decoded by ours", () => {
  const bytes = encodeUserMessage([{ kind: "capabilities", features: ALL }]);
  assert.equal(hex(bytes), "0a05a26a020803");
  assert.deepEqual(decodeUserMessage(bytes), [{ kind: "capabilities", features: 3 }]);
  const sent = new UserStream();
  sent.pushCapabilities(ALL);
  sent.pushResize(80, 24);
  sent.pushKeys(enc.encode("ls\r"));
  const got = new UserStream();
  got.apply(sent.diffFrom(new UserStream()));
  assert.ok(got.equals(sent));
  assert.deepEqual(got.eventsSince(0)[0], { kind: "capabilities", features: 3 });
});

Deno.test("no announcement (a stock mosh-client): diffs carry no history, as mosh 1.4.0", () => {
  const s = server();
  const blank = s.clone();
  s.screen.write(enc.encode(seq(1, 200) + "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"));
  s.screen.write(enc.encode("\x1b]7;file://h/tmp\x07\x1b]9;done\x07"));
  const diff = s.diffFrom(blank);
  assert.deepEqual(decodeHostMessage(diff).map((i) => i.kind), ["hostbytes"]);
  assert.equal(dec.decode(diff).includes("\x1b]8"), false, "no OSC 8 either");
  assert.equal(dec.decode(diff).includes("\x1b]7;"), false, "nor OSC 7");
  assert.equal(dec.decode(diff).includes("\x1b]9;"), false, "nor OSC 9");
  s.screen.write(enc.encode("\x1b[3J"));
  assert.equal(dec.decode(s.diffFrom(blank)).includes("\x1b[3J"), false, "nor ED 3");
  assert.equal(s.screen.historyActive, false);
});

Deno.test("announced: the working directory and notifications each reach the client as announced", () => {
  for (const features of [Feature.WorkingDirectory, Feature.Notifications]) {
    const s = server();
    const blank = s.clone();
    s.peerAnnounced(features);
    s.screen.write(enc.encode("\x1b]7;file://h/tmp\x07\x1b]9;done\x07"));
    const text = dec.decode(s.diffFrom(blank));
    assert.equal(text.includes("\x1b]7;file://h/tmp\x07"), features === Feature.WorkingDirectory);
    assert.equal(text.includes("\x1b]9;done\x07"), features === Feature.Notifications);
    const client = new CompleteTerminal(new TerminalState(80, 24));
    client.apply(s.diffFrom(blank));
    assert.equal(
      client.screen.fb.workingDirectory,
      features === Feature.WorkingDirectory ? "file://h/tmp" : "",
    );
  }
});

Deno.test("announced scrollback: a history erase (ED 3) reaches the client once", () => {
  const s = server();
  s.peerAnnounced(Feature.Scrollback);
  const acked = s.clone();
  s.screen.write(enc.encode("\x1b[H\x1b[2J\x1b[3J"));
  const client = new CompleteTerminal(new TerminalState(80, 24));
  client.apply(s.diffFrom(acked));
  assert.equal(client.screen.fb.historyClears, 1);
  assert.equal(s.diffFrom(s.clone()).length, 0);
});

Deno.test("a history erase between lines in one diff: only the lines after it, marked `cleared`", () => {
  const { s, client, acked } = scrollbackPair();
  // seq 1 50 (lines 1..27 leave the screen), then `clear` (its ED 2 records the screen's
  // rows 28..50, its ED 3 erases all 50), then seq 51 100.
  s.screen.write(enc.encode(seq(1, 50) + "\x1b[H\x1b[2J\x1b[3J" + seq(51, 100)));
  const diff = s.diffFrom(acked);
  const carried = decodeHostMessage(diff).find((i) => i.kind === "scrollback");
  assert.ok(carried && carried.kind === "scrollback");
  assert.equal(carried.cleared, 50);
  assert.equal(carried.first, 50);
  assert.deepEqual(carried.lines.map((l) => dec.decode(l)), numbers(51, 77));
  client.apply(diff);
  assert.equal(client.history.clearedAt, 50);
  assert.equal(client.screen.fb.historyClears, 1);
  // The printer drops the erased lines without a marker and prints the rest.
  assert.deepEqual(new LocalScrollback().take(client.history, 80), numbers(51, 77));
  // Lines after an erase the client already had: no `cleared` again.
  const later = s.clone();
  s.screen.write(enc.encode(seq(101, 110)));
  const next = decodeHostMessage(s.diffFrom(later)).find((i) => i.kind === "scrollback");
  assert.ok(next && next.kind === "scrollback");
  assert.equal(next.cleared, undefined);
});

Deno.test("announced: the lines a client lacks, once each, and the screen", () => {
  const s = server();
  let acked = s.clone(); // what the client held before it announced
  s.peerAnnounced(ALL);
  const client = new CompleteTerminal(new TerminalState(80, 24));
  client.apply(s.diffFrom(acked)); // activation: no lines yet
  assert.equal(client.history.active, true);
  assert.equal(client.history.end, 0);
  acked = s.clone();
  for (let round = 0; round < 5; round++) {
    s.screen.write(enc.encode(seq(round * 100 + 1, round * 100 + 100)));
    const diff = s.diffFrom(acked);
    const carried = decodeHostMessage(diff).find((i) => i.kind === "scrollback");
    assert.ok(carried && carried.kind === "scrollback");
    // Never a line the client already acknowledged.
    assert.equal(carried.first, client.history.end);
    client.apply(diff);
    acked = s.clone();
    assert.ok(client.equals(acked));
    assert.equal(s.diffFrom(acked).length, 0, "nothing left to send");
  }
  const lines = received(client);
  assert.equal(client.history.end, 477);
  for (let n = 0; n < 477; n++) assert.equal(lines.get(n), String(n + 1));
  assert.equal(client.screen.fb.rowText(0).trimEnd(), "478");
});

Deno.test("a diff from an older state (after loss) carries all lines since it, within bounds", () => {
  const s = server();
  s.peerAnnounced(ALL);
  const old = s.clone();
  s.screen.write(enc.encode(seq(1, 300)));
  const sent = s.clone(); // lost
  s.screen.write(enc.encode(seq(301, 600)));
  const client = new CompleteTerminal(new TerminalState(80, 24));
  client.apply(s.diffFrom(old));
  assert.equal(client.history.end, 577);
  assert.equal(received(client).size, 577);
  assert.equal(s.diffFrom(sent).length > 0, true);
});

Deno.test("a flood (more lines than one diff may carry) is counted, not sent", () => {
  const s = server();
  s.peerAnnounced(ALL);
  const base = s.clone();
  s.screen.write(enc.encode(seq(1, MAX_HISTORY_LINES + 100)));
  const diff = s.diffFrom(base);
  assert.ok(diff.length < 4000, `${diff.length} bytes`);
  const client = new CompleteTerminal(new TerminalState(80, 24));
  client.apply(diff);
  assert.equal(client.history.end, MAX_HISTORY_LINES + 100 - 23);
  assert.equal(received(client).size, 0);
});

Deno.test("a diff from an older state carries the same newest lines (prospective resend)", () => {
  const s = server();
  s.peerAnnounced(ALL);
  const front = s.clone(); // acknowledged
  s.screen.write(enc.encode("x\r\n".repeat(5000))); // a flood
  const assumed = s.clone(); // sent, not yet acknowledged
  s.screen.write(enc.encode("y\r\n".repeat(40))); // the flood is over
  const lines = (base: CompleteTerminal<TerminalState>) => {
    const i = decodeHostMessage(s.diffFrom(base)).find((i) => i.kind === "scrollback");
    return i?.kind === "scrollback" ? i.lines.map((l) => dec.decode(l)) : [];
  };
  assert.equal(lines(assumed).length, 40);
  assert.deepEqual(lines(front), lines(assumed));
});

Deno.test("long lines: at most MAX_HISTORY_BYTES a diff, the newest kept", () => {
  const s = server();
  s.peerAnnounced(ALL);
  const base = s.clone();
  let input = "";
  for (let i = 0; i < 600; i++) {
    for (let x = 0; x < 70; x++) input += `\x1b[3${x % 8}mx`;
    input += `${i}\x1b[m\r\n`;
  }
  s.screen.write(enc.encode(input));
  const client = new CompleteTerminal(new TerminalState(80, 24));
  const diff = s.diffFrom(base);
  client.apply(diff);
  const lines = received(client);
  assert.ok(lines.size > 0 && lines.size < 577, `${lines.size} lines`);
  let bytes = 0;
  for (const l of lines.values()) bytes += enc.encode(l).length;
  assert.ok(bytes <= MAX_HISTORY_BYTES);
  assert.ok(lines.get(576)!.endsWith("x576\x1b[0m"));
  assert.equal(lines.has(0), false, "the oldest were skipped");
  assert.equal(client.history.end, 577);
});

Deno.test("a flood of identical screens still changes the state (yes)", () => {
  const s = server();
  s.peerAnnounced(Feature.Scrollback);
  s.screen.write(enc.encode("y\r\n".repeat(30)));
  const before = s.clone();
  s.screen.write(enc.encode("y\r\n".repeat(30)));
  assert.ok(before.screen.equals(s.screen));
  assert.equal(before.equals(s), false);
  const line = decodeHostMessage(s.diffFrom(before)).find((i) => i.kind === "scrollback");
  assert.ok(line?.kind === "scrollback" && line.lines.length === 30);
});

Deno.test("a long line that wrapped leaves the screen marked so; the printer gets it as one row that wraps", () => {
  const { s, client, acked } = scrollbackPair();
  // 100 characters (wraps after 80), a short line, then enough to push them off.
  s.screen.write(enc.encode("x".repeat(99) + "y\r\nshort\r\n" + seq(1, 22)));
  const diff = s.diffFrom(acked);
  const carried = decodeHostMessage(diff).find((i) => i.kind === "scrollback");
  assert.ok(carried && carried.kind === "scrollback");
  assert.deepEqual(carried.lines.map((l) => dec.decode(l)), ["x".repeat(80), "x".repeat(19) + "y"]);
  assert.deepEqual(carried.wrapped, [0]);
  client.apply(diff);
  const text = (l: string | { contents: string[] }) =>
    typeof l === "string" ? l : l.contents.join("");
  const rows = new LocalScrollback().take(client.history, 80);
  assert.equal(rows.length, 2);
  const [first, second] = rows;
  assert.ok(typeof first !== "string" && first!.wrap, "the first row wraps");
  assert.equal(text(second!), "x".repeat(19) + "y");
  // On a wider window (a resize since) the line is laid out again at its width: one row.
  const wider = new LocalScrollback().take(client.history, 100);
  assert.equal(wider.length, 1);
  assert.ok(typeof wider[0] !== "string" && !wider[0]!.wrap);
  assert.equal(text(wider[0]!), "x".repeat(99) + "y");
  // On a narrower one, over three rows, the first two wrapped.
  const narrower = new LocalScrollback().take(client.history, 40);
  assert.deepEqual(narrower.map(text), ["x".repeat(40), "x".repeat(40), "x".repeat(19) + "y"]);
  assert.deepEqual(narrower.map((l) => typeof l !== "string" && l.wrap), [true, true, false]);
});

Deno.test("wrap marks that are not lines of the message (hostile or damaged) are dropped", () => {
  const line = enc.encode("x");
  // Scrollback{first=0, line×2, wrapped=5, wrapped=1, wrapped=0, wrapped=2^32-1}
  const scrollback = [0x08, 0x00, 0x12, 0x01, ...line, 0x12, 0x01, ...line, 0x20, 0x05, 0x20, 0x01];
  scrollback.push(0x20, 0x00, 0x20, 0xff, 0xff, 0xff, 0xff, 0x0f);
  const instruction = [0xaa, 0x6a, scrollback.length, ...scrollback]; // field 1701
  const bytes = new Uint8Array([0x0a, instruction.length, ...instruction]);
  const [i] = decodeHostMessage(bytes);
  assert.ok(i?.kind === "scrollback");
  assert.deepEqual(i.wrapped, [1], "in range and increasing only");
});

Deno.test("shrink lines: announced, a shrink's dropped rows are lines the client gets, flagged; not announced, none", () => {
  for (const announced of [true, false]) {
    const s = server();
    s.peerAnnounced(Feature.Scrollback | (announced ? Feature.ShrinkLines : 0));
    const client = new CompleteTerminal(new TerminalState(80, 24));
    client.apply(s.diffFrom(s.clone())); // activation
    const acked = s.clone();
    s.screen.write(enc.encode(seq(1, 30))); // lines 1..7 leave; 8..30 on rows 0..22, cursor on 23
    s.screen.resize(80, 20); // the cursor's row kept: rows 0..3 (8..11) dropped
    client.apply(s.diffFrom(acked));
    assert.equal(client.history.shrinkLines, announced);
    const lines = [...received(client).values()];
    assert.deepEqual(lines, numbers(1, announced ? 11 : 7));
    assert.equal(s.screen.fb.row(0).contents[0], "1"); // line 12 tops the screen either way
    assert.equal(s.screen.fb.row(0).contents[1], "2");
  }
});

Deno.test("shrink lines: the flag is field 5 of the scrollback instruction, and stays once said", () => {
  const s = server();
  s.peerAnnounced(Feature.Scrollback | Feature.ShrinkLines);
  const diff = s.diffFrom(server());
  assert.match(hex(diff), /aa6a..08002801/); // field 1701: first = 0, shrink_lines = 1
  const client = new CompleteTerminal(new TerminalState(80, 24));
  client.apply(diff);
  assert.equal(client.history.shrinkLines, true);
  assert.equal(client.history.append(0, [], 0, [], false).shrinkLines, true);
});

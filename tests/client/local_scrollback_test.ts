/**
 * Scrollback printing without a network: server state → diff → client
 * state → rows pushed through the top of a local terminal (our emulator,
 * its scrolled-off rows standing for the terminal's history) → frame.
 */
import assert from "node:assert/strict";
import { LocalScrollback, skipMarker } from "../../lib/client/local_scrollback.ts";
import { Feature } from "../../lib/statesync/capabilities.ts";
import { CompleteTerminal } from "../../lib/statesync/complete_terminal.ts";
import { ReceivedHistory } from "../../lib/statesync/received_history.ts";
import {
  type Capabilities,
  type HistoryLine,
  newFrame,
  pushLines,
  SERVER_CAPABILITIES,
} from "../../lib/terminal/display.ts";
import { Emulator } from "../../lib/terminal/emulator.ts";
import { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import type { Row } from "../../lib/terminal/row.ts";
import { TerminalState } from "../../lib/terminal/terminal_state.ts";
import { seededRandom } from "../support/sim_network.ts";

const enc = new TextEncoder();
const lineText = (line: HistoryLine) => typeof line === "string" ? line : line.text().trimEnd();
const KEEP: Capabilities = { ...SERVER_CAPABILITIES, hyperlinks: true, keepHistory: true };

/** A local terminal whose history is the rows that scrolled off its top. */
class LocalTerminal {
  readonly term: Emulator;
  readonly history: string[] = [];
  constructor(width: number, height: number) {
    this.term = new Emulator(width, height);
    this.term.fb.scrollOff = (row) => {
      this.history.push(row.text().trimEnd());
      return null;
    };
  }
  write(s: string): void {
    this.term.write(enc.encode(s));
  }
  /** History then screen, trailing blank rows dropped. */
  all(): string[] {
    const rows = [...this.history, ...this.term.fb.screenText().split("\n")];
    while (rows.length > 0 && rows.at(-1) === "") rows.pop();
    return rows;
  }
}

/** The pipeline: server writes, frames sent from the acked state (some lost), drawn locally. */
function session(width = 80, height = 24) {
  const server = new CompleteTerminal(new TerminalState(width, height));
  let acked = server.clone();
  server.peerAnnounced(Feature.Scrollback | Feature.Hyperlinks);
  let client = new CompleteTerminal(new TerminalState(width, height));
  const local = new LocalTerminal(width, height);
  const printer = new LocalScrollback();
  let model = new Framebuffer(width, height);
  local.write(newFrame(false, model, model, SERVER_CAPABILITIES));
  const frame = (lost = false) => {
    const next = client.clone();
    next.apply(server.diffFrom(acked));
    if (lost) return; // the datagram never arrived: the next diff is from `acked` again
    client = next;
    acked = server.clone();
    const rows = printer.take(client.history, model.width);
    let out = rows.length > 0 ? pushLines(model, rows, KEEP) : "";
    const target = client.screen.fb.clone();
    out += newFrame(true, model, target, KEEP);
    model = target;
    local.write(out);
  };
  return { server, local, frame, printer };
}

const seq = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\r\n`).join("");
const numbers = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

Deno.test("seq 1 1000 in one frame: history + screen hold 1..1000 once each, in order", () => {
  const { server, local, frame } = session();
  frame();
  server.screen.write(enc.encode("$ seq 1 1000\r\n" + seq(1, 1000) + "$ "));
  frame();
  assert.deepEqual(local.all(), ["$ seq 1 1000", ...numbers(1, 1000), "$"]);
});

Deno.test("in many frames, some lost: still each line once, no fragments of frames", () => {
  const random = seededRandom(13);
  const { server, local, frame } = session(40, 10);
  frame();
  for (let n = 1; n <= 3000;) {
    const k = 1 + Math.floor(random() * 60);
    server.screen.write(enc.encode(seq(n, Math.min(3000, n + k - 1))));
    n += k;
    frame(random() < 0.3);
  }
  frame();
  assert.deepEqual(local.all(), numbers(1, 3000));
});

Deno.test("a flood: older lines skipped, one marker, then the lines after it", () => {
  const { server, local, frame } = session(40, 10);
  frame();
  server.screen.write(enc.encode(seq(1, 20)));
  frame();
  for (let i = 0; i < 5; i++) {
    server.screen.write(enc.encode(seq(21 + i * 2000, 20 + (i + 1) * 2000)));
    frame();
  }
  server.screen.write(enc.encode(seq(10021, 10045)));
  frame();
  const all = local.all();
  const marker = all.findIndex((l) => l.startsWith("[mosh:"));
  assert.deepEqual(all.slice(0, 11), numbers(1, 11));
  assert.equal(all.filter((l) => l.startsWith("[mosh:")).length, 1, "one marker");
  const after = all.slice(marker + 1).map(Number);
  // Every line is in the history or counted by the marker.
  assert.equal(all[marker], skipMarker(after[0]! - 12));
  assert.deepEqual(after, Array.from({ length: after.length }, (_, i) => after[0]! + i));
  assert.equal(after.at(-1), 10045);
});

Deno.test("full-screen programs (alternate screen) add nothing to the history; a cleared main screen goes there first", () => {
  const { server, local, frame } = session(40, 10);
  frame();
  server.screen.write(enc.encode("before\r\n"));
  frame();
  server.screen.write(enc.encode("\x1b[?1049h\x1b[H\x1b[2J" + seq(1, 50)));
  frame();
  server.screen.write(enc.encode("\x1b[5;1H\x1b[M\x1b[L" + seq(51, 70)));
  frame();
  server.screen.write(enc.encode("\x1b[?1049l"));
  frame();
  assert.deepEqual(local.history, []);
  server.screen.write(enc.encode("\x1b[2J\x1b[Hafter")); // as tmux and VTE keep a cleared screen
  frame();
  assert.deepEqual(local.history, ["before"]);
  assert.deepEqual(local.all(), ["before", "after"]);
});

Deno.test("colours and links reach the local history", () => {
  const { server, local, frame } = session(40, 3);
  frame();
  server.screen.write(
    enc.encode("\x1b[31mred\x1b[m \x1b]8;;http://x\x1b\\ln\x1b]8;;\x1b\\\r\n\n\n"),
  );
  frame();
  assert.deepEqual(local.history, ["red ln"]);
  // The row that left the local terminal had the colour and the link.
  const t = new Emulator(40, 3);
  const rows: string[] = [];
  t.fb.scrollOff = (row) => {
    rows.push(`${row.fg[0]}:${row.linkAt(4)}`);
    return null;
  };
  const model = new Framebuffer(40, 3);
  const printer = new LocalScrollback();
  const history = ReceivedHistory.NONE.append(0, [
    enc.encode("\x1b[0;31mred\x1b[0m \x1b]8;;http://x\x1b\\ln\x1b]8;;\x1b\\"),
  ]);
  t.write(enc.encode(pushLines(model, printer.take(history, 40), KEEP)));
  assert.deepEqual(rows, ["31:;http://x"]);
});

Deno.test("hostile lines cannot move the cursor or clear the local screen", () => {
  const model = new Framebuffer(20, 4);
  const printer = new LocalScrollback();
  const history = ReceivedHistory.NONE.append(0, [
    enc.encode("a\x1b[2J\x1b[10;10Hb\r\n\nc\x1b]0;title\x07\x1b[?1049h"),
    enc.encode("\x1b]8;;http://unterminated"),
    enc.encode("ok"),
  ]);
  const rows = printer.take(history, 20).map(lineText);
  assert.deepEqual(rows.length, 3);
  assert.equal(rows[2], "ok");
  const out = pushLines(model, printer.take(history, 20), KEEP);
  assert.equal(out, "", "nothing twice");
});

Deno.test("a screenful at a time leaves the same history and screen as all the rows at once", () => {
  const random = seededRandom(29);
  const lines = Array.from({ length: 300 }, (_, i) =>
    enc.encode(
      `\x1b[1;3${i % 8}m${i}\x1b[0m ${
        random() < 0.2 ? "\x1b]8;;http://x\x1b\\ln\x1b]8;;\x1b\\" : ""
      }` +
        `\x1b[48;5;${i % 256}m${"x".repeat(Math.floor(random() * 30))}`,
    ));
  // Lines 0–49 skipped, then 50–199, a gap, then 250–349.
  const history = ReceivedHistory.NONE.append(50, lines.slice(0, 150))
    .append(250, lines.slice(150, 250));
  const draw = (max: number) => {
    const model = new Framebuffer(40, 7);
    const local = new Emulator(40, 7);
    const seen: string[] = [];
    local.fb.scrollOff = (row) => {
      seen.push(`${row.text().trimEnd()}|${row.fg.join()}|${row.bg.join()}|${row.linkAt(4)}`);
      return null;
    };
    const printer = new LocalScrollback();
    let rows;
    while ((rows = printer.take(history, 40, max)).length > 0) {
      assert.ok(rows.length <= max + 1, "at most one marker beyond max");
      local.write(enc.encode(pushLines(model, rows, KEEP)));
    }
    return { seen, screen: local.fb.screenText(), pending: printer.pendingSkipped };
  };
  const whole = draw(Infinity);
  assert.equal(whole.seen.filter((l) => l.startsWith(skipMarker(50))).length, 2, "two markers");
  assert.equal(whole.seen.length, 2 + 250, "every line and marker pushed through");
  assert.deepEqual(draw(7), whole);
  assert.deepEqual(draw(1), whole);
});

Deno.test("plain ASCII lines come out as the emulator makes them, whatever came before", () => {
  const width = 12;
  const random = seededRandom(41);
  const ascii = () =>
    Array.from(
      { length: Math.floor(random() * 30) },
      () => String.fromCharCode(0x20 + Math.floor(random() * 95)),
    ).join("");
  const others = [
    "\x1b[1;31mred\x1b[4",
    "\x1b]8;;http://unterminated",
    "\x1b[4h\x1b[?6hins",
    "wide 漢字\xe2\x82",
    "\x1b[44mblue",
  ];
  const texts: string[] = ["", " ", "x".repeat(width), "y".repeat(width + 1), "abc   "];
  for (let i = 0; i < 60; i++) texts.push(random() < 0.3 ? others[i % others.length]! : ascii());
  const lines = texts.map((t) => enc.encode(t));
  const describe = (r: Row) =>
    [r.contents.join("|"), r.fg.join(), r.bg.join(), r.attrs.join(), r.flags.join(), r.wrap]
      .join(" ");
  /** The rows a fresh emulator makes of each line on its own: those it wrapped, then the last. */
  const reference = (line: Uint8Array) => {
    const e = new Emulator(width, 1);
    const rows: string[] = [];
    e.fb.scrollOff = (row) => {
      rows.push(describe(row));
      return null;
    };
    e.write(enc.encode("\x1b[H\x1b[0m\x1b]8;;\x1b\\\x1b[2K"));
    e.write(line);
    return [...rows, describe(e.fb.rows[0]!)];
  };
  const printer = new LocalScrollback();
  const taken = printer.take(ReceivedHistory.NONE.append(0, lines), width);
  // Plain lines that fit come out as text, the rest as rows (a line wider than the window
  // over as many as it fills, wrapped, none cut); text is judged by the row it draws.
  assert.deepEqual(
    taken.map((l) => typeof l === "string"),
    texts.flatMap((t) =>
      /^[\x20-\x7e]*$/.test(t) && t.length <= width
        ? [true]
        : reference(enc.encode(t)).map(() => false)
    ),
  );
  const got = taken.flatMap((l) =>
    typeof l === "string" ? reference(enc.encode(l)) : [describe(l)]
  );
  assert.deepEqual(got, lines.flatMap(reference));
  assert.ok(got.length > lines.length, "some lines went on over more rows");
});

Deno.test("plain text pushed as text leaves the terminal as the same line pushed as a row", () => {
  const random = seededRandom(47);
  const width = 12, height = 4;
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const ascii = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(0x20 + Math.floor(random() * 95))).join("");
  const texts = Array.from({ length: 240 }, () =>
    pick([
      "",
      " ",
      "x".repeat(width),
      ascii(width + 1 + Math.floor(random() * 20)),
      ascii(Math.floor(random() * width)),
      "abc   ",
      "abc",
    ]));
  /** The row the emulator makes of a line (what LocalScrollback hands over for non-plain bytes). */
  const asRow = (text: string) => {
    const e = new Emulator(width, 1);
    e.write(enc.encode("\x1b[?7l" + text));
    return e.fb.rows[0]!;
  };
  // What was on the terminal's rows before each group: colours, links, wide
  // characters, wrapped rows, the very text pushed over it, or nothing.
  const olds = texts.map((text) => ({
    bytes: pick(["", text, "abc", "\x1b[41mred    \x1b[m", "漢字", "\x1b]8;;u\x1b\\ln", ""]),
    wrap: random() < 0.1,
  }));
  const oldRow = ({ bytes, wrap }: { bytes: string; wrap: boolean }) => {
    const e = new Emulator(width, 1);
    e.write(enc.encode("\x1b[?7l" + bytes));
    const row = e.fb.rows[0]!;
    row.wrap = wrap;
    return row;
  };
  const run = (asText: boolean) => {
    const local = new Emulator(width, height);
    const history: string[] = [];
    local.fb.scrollOff = (row) => {
      // A blank cell is blank whether erased or written as a space.
      history.push(
        [row.text(), row.fg.join(), row.bg.join(), row.attrs.join(), row.links].join(" "),
      );
      return null;
    };
    for (let start = 0; start < texts.length; start += height) {
      const group = texts.slice(start, start + height);
      const model = new Framebuffer(width, height);
      for (let y = 0; y < height; y++) model.rows[y] = oldRow(olds[start + y]!);
      local.write(enc.encode(newFrame(false, model, model, KEEP)));
      local.write(enc.encode(pushLines(model, group.map((t) => asText ? t : asRow(t)), KEEP)));
    }
    return { history, screen: local.fb.screenText() };
  };
  const asText = run(true);
  assert.equal(asText.history.length, texts.length);
  assert.deepEqual(asText, run(false));
});

Deno.test("pushing lines over the blank rows a push leaves draws what it draws over fresh blank rows", () => {
  const random = seededRandom(43);
  const width = 16, height = 4;
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const piece = () =>
    pick([
      "plain",
      " ",
      "\x1b[31mred\x1b[m",
      "\x1b[44m  \x1b[m",
      "\x1b[44m",
      "\x1b]8;;http://x\x1b\\ln\x1b]8;;\x1b\\",
      "漢",
      "e\u0301",
      "\x1b[7m ",
      "\x1b[44m\x1b[K\x1b[m",
      "\x1b[41m\x1b[2X\x1b[m",
    ]);
  const rows = Array.from({ length: 200 }, () => {
    const e = new Emulator(width, 1);
    e.write(enc.encode("\x1b[?7l"));
    for (let n = Math.floor(random() * 6); n > 0; n--) e.write(enc.encode(piece()));
    const row = e.fb.rows[0]!;
    if (random() < 0.1) row.wrap = true;
    return row;
  });
  // A push leaves its screen's rows blank (one shared row); a new screen has fresh ones.
  const pushed = new Framebuffer(width, height);
  pushLines(pushed, rows.slice(0, height), KEEP);
  for (let start = 0; start < rows.length; start += height) {
    const group = rows.slice(start, start + height);
    const fresh = new Framebuffer(width, height);
    fresh.ds = pushed.ds.copy();
    // After a group whose last line wraps, the top row holds the blank that
    // wrapped the cursor: unknown, drawn in full, on both.
    const wrapped = start > 0 && rows[start - 1]!.wrap;
    assert.equal(pushed.rows[0] !== pushed.rows[1], wrapped);
    if (wrapped) fresh.rows[0] = pushed.rows[0]!;
    assert.equal(pushLines(pushed, group, KEEP), pushLines(fresh, group, KEEP));
  }
});

Deno.test("a waiting marker can be taken before the line after the gap: once, and then none waits", () => {
  const local = new LocalScrollback();
  const line = (s: string) => enc.encode(s);
  assert.deepEqual(local.take(ReceivedHistory.NONE.append(0, [line("a")]), 80), ["a"]);
  assert.equal(local.takeMarker(), null, "nothing skipped");
  const gap = ReceivedHistory.NONE.append(0, [line("a")]).append(5, []); // lines 1..4 skipped
  assert.deepEqual(local.take(gap, 80), []);
  assert.equal(local.pendingSkipped, 4);
  assert.equal(local.takeMarker(), skipMarker(4));
  assert.equal(local.takeMarker(), null);
  assert.deepEqual(local.take(gap.append(5, [line("f")]), 80), ["f"], "no marker again");
});

Deno.test("a long line whose rows came in two states (two chunks) goes out as one wrapped line", () => {
  // Until 2026-12-08 a chain was only followed within a chunk: when the client drew
  // several states' lines at once (after a resize, or a pause), each line split
  // between two states reached the terminal's history in two pieces.
  const first = "x".repeat(60);
  const history = ReceivedHistory.NONE
    .append(0, [enc.encode("before"), enc.encode(first)], 0, [1])
    .append(2, [enc.encode("yy"), enc.encode("after")]);
  const shown = (line: HistoryLine) =>
    typeof line === "string" ? line : `${line.text().trimEnd()}${line.wrap ? "+" : ""}`;
  assert.deepEqual(new LocalScrollback().take(history, 60).map(shown), [
    "before",
    `${first}+`,
    "yy",
    "after",
  ]);
  // A gap between the chunks: the wrapped line's continuation never came.
  const gap = ReceivedHistory.NONE
    .append(0, [enc.encode(first)], 0, [0])
    .append(5, [enc.encode("later")]);
  assert.deepEqual(new LocalScrollback().take(gap, 60).map(shown), [
    first,
    skipMarker(4),
    "later",
  ]);
});

/**
 * Our emulator against an independent one: each corpus case is played into
 * a tmux pane (raw mode, so the bytes reach tmux unchanged) and into our
 * emulator; the screens are compared cell by cell — text, colours,
 * attributes, wide cells — and the cursor. tmux's screen is read raw with
 * `capture-pane -e -p -N` by a small reader of tmux's own SGR output
 * (tests/support/tmux_cells.ts), never through our emulator, so an attribute
 * we do not model shows up as a difference.
 *
 * Where mosh 1.4.0 deliberately differs from tmux, the case is listed in
 * KNOWN_DIFFERENCES with the reason, and the exact difference is asserted.
 */
import assert from "node:assert/strict";
import { Emulator } from "../../lib/terminal/emulator.ts";
import type { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { seededRandom } from "../support/sim_network.ts";
import {
  cellDifferences,
  parseTmuxCapture,
  type ShownCell,
  shownCells,
  shownText,
} from "../support/tmux_cells.ts";

const encoder = new TextEncoder();
const W = 40, H = 10;

async function tmux(socket: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-L", socket, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

interface TmuxScreen {
  /** capture-pane -e -p -N, one string per row. */
  lines: string[];
  cursor: [number, number];
  alternate: boolean;
}

/** Plays `bytes` into a fresh tmux pane and reads the screen back. */
async function playInTmux(bytes: Uint8Array): Promise<TmuxScreen> {
  const dir = await Deno.makeTempDir({ prefix: "tmux-oracle-" });
  const socket = `oracle-${crypto.randomUUID().slice(0, 8)}`;
  const file = `${dir}/case.bin`;
  await Deno.writeFile(file, bytes);
  try {
    await tmux(
      socket,
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      String(W),
      "-y",
      String(H),
      `stty raw -echo; cat ${file}; tmux -L ${socket} wait-for -S played; exec sleep 600`,
    );
    await tmux(socket, "wait-for", "played");
    // tmux may still be parsing what cat wrote: wait for two equal captures.
    let last = "";
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 30));
      const now = await tmux(socket, "capture-pane", "-p", "-e", "-N", "-t", "0");
      if (now === last) break;
      last = now;
    }
    const [x, y, alt] = (await tmux(
      socket,
      "display-message",
      "-p",
      "-t",
      "0",
      "#{cursor_x} #{cursor_y} #{alternate_on}",
    )).trim().split(" ").map(Number);
    return { lines: last.split("\n").slice(0, H), cursor: [y!, x!], alternate: alt === 1 };
  } finally {
    await tmux(socket, "kill-server").catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

const esc = "\x1b";
const random = seededRandom(1234);
function randomMix(): string {
  let s = "";
  for (let i = 0; i < 60; i++) {
    const r = random();
    if (r < 0.3) s += `${esc}[${1 + Math.floor(random() * H)};${1 + Math.floor(random() * W)}H`;
    else if (r < 0.5) s += `${esc}[${[0, 1, 4, 7, 31, 42, 93, 105][Math.floor(random() * 8)]}m`;
    else if (r < 0.55) s += `${esc}[38;5;${Math.floor(random() * 256)}m`;
    else if (r < 0.6) s += "\r\n";
    else s += "abcdefghij".slice(0, 1 + Math.floor(random() * 10));
  }
  return s;
}

const CASES: Record<string, string> = {
  "plain text and CR LF": "hello\r\nworld\r\n  indented",
  "deferred wrap at the last column": "x".repeat(W) + "y",
  "last column without wrap stays": "x".repeat(W),
  "autowrap off overwrites the last column": `${esc}[?7l${"a".repeat(W + 5)}b`,
  "backspace and tab stops": "ab\bc\tT\tU\r\n\t\tV",
  "set and clear tab stops": `${esc}[3g   ${esc}H\r\tX\r\n\tY`,
  "cursor movement": `${esc}[5;10HA${esc}[2AB${esc}[3BC${esc}[4CD${esc}[6DE${esc}[20GF${esc}[2dG`,
  "SGR attributes":
    `${esc}[1mbold${esc}[0m ${esc}[4munder${esc}[0m ${esc}[7minv${esc}[0m ${esc}[3mit${esc}[0m ` +
    `${esc}[5mblink${esc}[0m ${esc}[8mhid${esc}[0m ${esc}[1;4;7mall${esc}[22;24mrev${esc}[27m`,
  "SGR 2 (dim)": `plain ${esc}[2mdim${esc}[22m plain ${esc}[1;2mbold-dim${esc}[0m`,
  "16 colours": [...Array(8).keys()].map((i) => `${esc}[3${i}m${i}${esc}[4${7 - i}m${i}`).join("") +
    `${esc}[0m\r\n` +
    [...Array(8).keys()].map((i) => `${esc}[9${i}m${i}${esc}[10${i}m${i}`).join(""),
  "256 colours": [0, 7, 8, 15, 16, 100, 196, 231, 232, 255].map((n) =>
    `${esc}[38;5;${n};48;5;${255 - n}m#`
  )
    .join(""),
  "true colour": `${esc}[38;2;10;200;30mrgb${esc}[48;2;250;0;100mbg${esc}[0m`,
  "background colour erase (ED, EL, ECH)":
    `text${esc}[44m${esc}[K\r\n${esc}[42m${esc}[5X\r\n${esc}[41m${esc}[J`,
  "erase in display 1 and line 1": "x".repeat(W * 3) + `${esc}[2;20H${esc}[1J${esc}[3;10H${esc}[1K`,
  "erase in display 2": `abc\r\ndef${esc}[2J`,
  "scroll region: LF at the bottom margin": `${esc}[3;6r${esc}[6;1H` +
    [...Array(5).keys()].map((i) => `line${i}\r\n`).join("") + `${esc}[r`,
  "scroll region: RI at the top margin": "a\r\nb\r\nc\r\nd\r\ne" +
    `${esc}[2;4r${esc}[2;1H${esc}M${esc}MX${esc}[r`,
  "insert and delete lines in a region": "1\r\n2\r\n3\r\n4\r\n5\r\n6" +
    `${esc}[2;5r${esc}[3;1H${esc}[2L${esc}[5;1H${esc}[M${esc}[r`,
  "insert and delete characters": `abcdefghij${esc}[1;3H${esc}[2@XY${esc}[1;8H${esc}[3P`,
  "origin mode": `${esc}[3;7r${esc}[?6h${esc}[1;1Horigin${esc}[10;1Hclamped${esc}[?6l${esc}[r`,
  "save and restore cursor": `${esc}[3;3H${esc}[1msaved${esc}7${esc}[10;10H${esc}[0mx${esc}8after`,
  "wide CJK characters": "中文字符 ab 한국어\r\n" + "x".repeat(W - 1) + "中",
  "combining character after a base": "e\u0301 a\u0308\u0304 n\u0303",
  "emoji": "\u{1f600}\u{1f680} ok",
  "alternate screen entered and left": `primary${esc}[?1049hALT SCREEN${esc}[?1049l`,
  "alternate screen left on": `primary${esc}[?1049h${esc}[2;2Halt text`,
  "invalid UTF-8 becomes U+FFFD": "a\xff\xfeb",
  "a listing that scrolls": [...Array(25).keys()].map((i) =>
    `${esc}[01;34mdir${i}${esc}[0m  ${esc}[01;32mexec${i}${esc}[0m  file${i}.txt\r\n`
  ).join(""),
  "random mix 1": randomMix(),
  "random mix 2": randomMix(),
  "random mix 3": randomMix(),
  "combining character in column 0": "\u0301x",
  "ISO-2022 line drawing": `${esc}(0lqk${esc}(B`,
};

/**
 * Cases where tmux and mosh 1.4.0 (which ours follows) part ways, or where
 * tmux's capture cannot show what we would compare. Each states the reason
 * and asserts the exact difference, so anything else changing still fails.
 */
const KNOWN_DIFFERENCES: Record<
  string,
  { reason: string; check: (ours: ShownCell[][], theirs: ShownCell[][], fb: Framebuffer) => void }
> = {
  "ISO-2022 line drawing": {
    reason: "mosh never switches character sets (no ISO-2022 traps); tmux draws DEC line graphics",
    check(ours, theirs) {
      assert.equal(shownText(ours, 0), "lqk");
      assert.equal(shownText(theirs, 0), "lqk");
      assert.deepEqual(
        theirs[0]!.slice(0, 3).map((c) => c.style),
        Array(3).fill("fg=default bg=default acs"),
        "tmux shifts to its line-drawing set",
      );
    },
  },
  "SGR 2 (dim)": {
    reason:
      "mosh 1.4.0 ignores SGR 2 (its faint attribute is never set, terminal.md §4.2); tmux dims",
    check(ours, theirs) {
      const dimmed = theirs.flat().filter((c) => c.style.includes("dim")).map((c) => c.text);
      assert.equal(dimmed.join(""), "dimbold-dim", "tmux dims exactly these");
      assert.equal(ours.flat().filter((c) => c.style.includes("dim")).length, 0);
      // Apart from dim, the two agree cell by cell.
      const undimmed = theirs.map((row) =>
        row.map((c) => ({ ...c, style: c.style.replace(/,dim\b|\bdim,| dim$/, "") }))
      );
      assert.deepEqual(cellDifferences(ours, undimmed), []);
    },
  },
  "invalid UTF-8 becomes U+FFFD": {
    reason: "mosh shows each invalid byte as U+FFFD (terminal.md §1); tmux drops them",
    check(ours, theirs) {
      assert.equal(shownText(ours, 0), "a\ufffd\ufffdb");
      assert.equal(shownText(theirs, 0), "ab");
    },
  },
  "combining character in column 0": {
    reason:
      "mosh keeps a lone combining mark in a cell of its own (shown on U+00A0); tmux drops it",
    check(ours, theirs) {
      assert.equal(shownText(ours, 0), "\u00a0\u0301x");
      assert.equal(shownText(theirs, 0), "x");
    },
  },
  "background colour erase (ED, EL, ECH)": {
    reason: "tmux 3.3's capture-pane does not report the background of erased cells",
    check(ours, theirs, fb) {
      for (let y = 0; y < H; y++) {
        assert.equal(shownText(ours, y), shownText(theirs, y), `row ${y}`);
      }
      // What tmux cannot show, checked on ours: erased cells take the current background.
      assert.equal(fb.rows[0]!.bg[W - 1], 44);
      assert.equal(fb.rows[1]!.bg[4], 42);
      assert.equal(fb.rows[1]!.bg[5], 0);
      assert.equal(fb.rows[H - 1]!.bg[0], 41);
    },
  },
};

for (const [name, text] of Object.entries(CASES)) {
  Deno.test(`tmux agrees: ${name}`, async () => {
    const bytes = name.startsWith("invalid UTF-8")
      ? Uint8Array.from([...text].map((c) => c.charCodeAt(0)))
      : encoder.encode(text);
    const emulator = new Emulator(W, H);
    emulator.write(bytes);
    const screen = await playInTmux(bytes);
    const ours = shownCells(emulator.fb);
    const theirs = parseTmuxCapture(screen.lines.join("\n"), H);
    const known = KNOWN_DIFFERENCES[name];
    if (known) {
      known.check(ours, theirs, emulator.fb);
      return;
    }
    const diff = cellDifferences(ours, theirs);
    assert.deepEqual(
      diff,
      [],
      `${name}: ${diff.length} cells differ, first: ${
        diff.slice(0, 6).join("; ")
      }\nours:\n${emulator.fb.screenText()}\ntmux:\n${screen.lines.join("\n")}`,
    );
    assert.deepEqual(
      [emulator.fb.ds.cursorRow, emulator.fb.ds.cursorCol],
      // tmux puts a cursor with a wrap pending past the last column; mosh keeps it on it.
      [screen.cursor[0], Math.min(screen.cursor[1], W - 1)],
      `${name}: cursor`,
    );
  });
}

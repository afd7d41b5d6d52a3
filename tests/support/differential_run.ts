/**
 * A differential run against Debian's mosh: random terminal output through
 * Debian's mosh-server and through ours, each drawn by Debian's
 * mosh-client in tmux, screens (with SGR) and cursors compared; or, with
 * `--clients`, through Debian's server to Debian's client and to ours; or,
 * with `--pairs`, Debian's pair against ours (our client then draws in
 * scrollback mode, as with our server: the screen must still match). The
 * output uses what both emulators mean to treat alike (no wide characters
 * unless `--wide`, none of the sequences README's "Where we differ" lists).
 * Each stream starts with RIS in one long session per side; `--minimize`
 * cuts a differing stream down to its shortest form in fresh sessions.
 * With `--resize`, each drawn stream is compared once more after both panes
 * are resized to the same random size (and back before the next stream);
 * `--minimize=SEED --resize` cuts down a stream that differs after its
 * resize, `--after-resize` one that differs after the stream before it was
 * resized and back. `--mid-resize` resizes halfway through each stream
 * instead (and compares at its end).
 *
 * Run: `deno run -A --unstable-net tests/support/differential_run.ts
 * [--streams=200] [--first=0] [--size=40x12] [--wide] [--clients|--pairs] [--resize|--mid-resize]
 * [--minimize=SEED [--after-resize]]`
 *
 * @module
 */
import type { Implementation } from "./mosh_programs.ts";
import { drawnAfterSteps, DrawnSession, type PaneSize, type Step } from "./drawn_by_real_client.ts";

const flag = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const STREAMS = Number(flag("streams") ?? 200);
const FIRST = Number(flag("first") ?? 0);
const [W, H] = (flag("size") ?? "40x12").split("x").map(Number) as [number, number];
const SIZE: PaneSize = { width: W, height: H };
const WIDE = Deno.args.includes("--wide");
const CLIENTS = Deno.args.includes("--clients");
const PAIRS = Deno.args.includes("--pairs");
const MINIMIZE = flag("minimize");
const RESIZE = Deno.args.includes("--resize");
const MID_RESIZE = Deno.args.includes("--mid-resize");
/** The side compared with Debian's pair: our server, our client, or both. */
const OURS: { server: Implementation; client: Implementation } = {
  server: CLIENTS ? "real" : "ours",
  client: CLIENTS || PAIRS ? "ours" : "real",
};

/** xorshift32: the same streams for the same seed. */
function random(seed: number): (n: number) => number {
  let s = (seed + 1) * 2654435761 >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

const CSI = "\x1b[";
const SGR = ["0", "1", "4", "5", "7", "22", "24", "25", "27", "39", "49", ""];

/** One piece of output: text, a control, or a sequence both emulators implement alike. */
function piece(r: (n: number) => number): string {
  const n = () => r(4) === 0 ? "" : String(r(8));
  const row = () => String(r(H + 3)), col = () => String(r(W + 5));
  const one = <T>(xs: readonly T[]) => xs[r(xs.length)]!;
  switch (r(32)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return Array.from({ length: 1 + r(14) }, () => String.fromCharCode(33 + r(94))).join("");
    case 4:
      return WIDE ? one(["中", "文字", "한", "ｱ", "😀", "🎉x"]) : "ab";
    case 5:
      return one(["e\u0301", "\u0301", "a\u0308\u0323", "\u200b", "\u00e9", "x\u20dd"]);
    case 6:
      return one(["\r", "\n", "\b", "\t", "\r\n", "\x0b", "\x0c"]);
    case 7:
      return `${CSI}${row()};${col()}${one(["H", "f"])}`;
    case 8:
      return `${CSI}${n()}${one(["A", "B", "C", "D"])}`;
    case 9:
      return `${CSI}${one(["", "0", "1", "2"])}${one(["K", "J"])}`;
    case 10:
      return `${CSI}${n()}${one(["@", "P", "X", "L", "M", "S", "T"])}`;
    case 11:
      return r(3) === 0 ? `${CSI}r` : `${CSI}${row()};${row()}r`;
    case 12:
    case 13: {
      const colour = one([
        String(30 + r(8)),
        String(40 + r(8)),
        String(90 + r(8)),
        String(100 + r(8)),
        `38;5;${r(256)}`,
        `48;5;${r(256)}`,
        `38;2;${r(256)};${r(256)};${r(256)}`,
      ]);
      return `${CSI}${r(2) ? one(SGR) : colour}m`;
    }
    case 14:
      return `${CSI}${one(["4", "?7", "?6", "?25"])}${one(["h", "l"])}`;
    case 15:
      return one(["\x1b7", "\x1b8", "\x1bD", "\x1bM", "\x1bE", "\x1bH", `${CSI}g`, `${CSI}3g`]);
    case 16:
      return `${CSI}${col()}${one(["G", "`"])}`;
    case 17:
      return `${CSI}${row()}d`;
    case 18:
      return `${CSI}${n()}${one(["Z", "I"])}`;
    case 19:
      return r(6) === 0 ? "\x1b#8" : "x";
    case 20:
      return " ".repeat(r(W + 3));
    case 21:
      return "é".repeat(1 + r(5));
    case 22:
      return `\x1b]${one(["0", "1", "2"])};title${r(9)}${one(["\x07", "\x1b\\"])}`;
    case 23: // modes a client passes on to its terminal (and some it does not)
      return r(5) === 0
        ? one(["\x1b=", "\x1b>"])
        : `${CSI}?${
          one(["1000", "1002", "1003", "1004", "1005", "1006", "1015", "2004", "5", "1"])
        }${one(["h", "l"])}`;
    case 24:
      return one([`${CSI}!p`, `${CSI}?3h`, `${CSI}?3l`, `${CSI}20h`, `${CSI}20l`, "\x07"]);
    case 25: // queries: the answer goes to the pty, whose line discipline echoes it
      return r(3) === 0 ? one([`${CSI}6n`, `${CSI}5n`, `${CSI}c`, `${CSI}>c`, `${CSI}0c`]) : "";
    default: // mostly sequences neither implements
      return `${CSI}${n()}${one([..."aehjklpqvwxyz"])}`;
  }
}

/** The pieces of stream `seed`. */
export function streamPieces(seed: number): string[] {
  const r = random(seed);
  return Array.from({ length: 20 + r(120) }, () => piece(r));
}

/** A stream's pieces cut in two, for `--mid-resize`. */
function halves(pieces: string[]): [string[], string[]] {
  const half = pieces.length >> 1;
  return [pieces.slice(0, half), pieces.slice(half)];
}

/** The size `--resize` gives the panes after stream `seed` (`--mid-resize`: halfway). */
function resizeAfter(seed: number): PaneSize {
  const r = random(seed + 7919);
  return { width: 2 + r(W * 2), height: 2 + r(H * 2) };
}

/**
 * What a scan did up to stream `seed`, as steps built from the streams'
 * pieces: the stream alone; with `--resize`, the stream and its resize; with
 * `--after-resize`, the stream before, its resize and the resize back, then
 * this stream.
 */
function scenario(seed: number): { lists: string[][]; steps: (lists: string[][]) => Step[] } {
  const text = (pieces: string[]) => "\x1bc" + pieces.join("");
  if (Deno.args.includes("--after-resize")) {
    return {
      lists: [streamPieces(seed - 1), streamPieces(seed)],
      steps: ([a, b]) => [text(a!), resizeAfter(seed - 1), SIZE, text(b!)],
    };
  }
  if (MID_RESIZE) {
    return {
      lists: halves(streamPieces(seed)),
      steps: ([a, b]) => [text(a!), resizeAfter(seed), b!.join("")],
    };
  }
  if (RESIZE) {
    return { lists: [streamPieces(seed)], steps: ([a]) => [text(a!), resizeAfter(seed)] };
  }
  return { lists: [streamPieces(seed)], steps: ([a]) => [text(a!)] };
}

/** Cuts the pieces of a differing scenario down (each list in turn, the last first). */
async function minimize(seed: number): Promise<void> {
  const { lists, steps } = scenario(seed);
  const differs = async (candidate: string[][]) => {
    const [real, ours] = await Promise.all([
      drawnAfterSteps("real", steps(candidate), SIZE),
      drawnAfterSteps(OURS.server, steps(candidate), SIZE, OURS.client),
    ]);
    return real === ours ? null : { real, ours };
  };
  if (await differs(lists) === null) return console.log(`stream ${seed}: no difference`);
  for (let which = lists.length - 1; which >= 0; which--) {
    for (let chunk = Math.ceil(lists[which]!.length / 2); chunk >= 1;) {
      let cut = false;
      for (let i = 0; i < lists[which]!.length;) {
        const pieces = lists[which]!;
        const rest = [...pieces.slice(0, i), ...pieces.slice(i + chunk)];
        const candidate = lists.map((list, j) => j === which ? rest : list);
        if (await differs(candidate) !== null) {
          lists[which] = rest;
          cut = true;
        } else {
          i += chunk;
        }
      }
      if (!cut) chunk = Math.floor(chunk / 2);
    }
  }
  const found = await differs(lists);
  console.log(JSON.stringify(steps(lists)));
  if (found) console.log(`Debian's:\n${found.real}\nours:\n${found.ours}`);
}

/**
 * Whether two pane states differ only as README's "Display diff on the last
 * row" says they may: after the bottom-right cell is drawn, mosh-server's
 * diff moves the cursor left by backspaces counted from past the last
 * column, so Debian's cursor is a column left of ours, on the bottom row.
 */
function backspacedCursor(real: string, ours: string, size: PaneSize): boolean {
  const cursor = /\n(\d+),(\d+)\n/;
  const [r, o] = [real.match(cursor), ours.match(cursor)];
  if (!r || !o || real.replace(cursor, "") !== ours.replace(cursor, "")) return false;
  const [rx, ry, ox, oy] = [r[1], r[2], o[1], o[2]].map(Number) as number[];
  return ry === size.height - 1 && oy === ry && rx === ox! - 1;
}

async function scan(): Promise<void> {
  const sides = [
    await DrawnSession.start("real", "real", SIZE),
    await DrawnSession.start(OURS.server, OURS.client, SIZE),
  ];
  /** Both sides take `step`: their settled panes, Debian's first. */
  const both = (step: Step) => Promise.all(sides.map((side) => side.step(step)));
  try {
    const differing: number[] = [], backspaced: number[] = [];
    const compare = ([real, ours]: string[], seed: number, size: PaneSize, after: string) => {
      if (real === ours) return true;
      if (backspacedCursor(real!, ours!, size)) {
        backspaced.push(seed);
        console.log(`stream ${seed}${after}: mosh-server's backspace on the bottom row`);
      } else {
        differing.push(seed);
        console.log(`stream ${seed} differs${after}:\nDebian's:\n${real}\nours:\n${ours}`);
      }
      return false;
    };
    for (let seed = FIRST; seed < FIRST + STREAMS; seed++) {
      const size = resizeAfter(seed);
      const resized = ` ${MID_RESIZE ? "with" : "after"} a resize to ${size.width}x${size.height}`;
      if (MID_RESIZE) {
        const [first, second] = halves(streamPieces(seed));
        await both("\x1bc" + first.join(""));
        await both(size);
        compare(await both(second.join("")), seed, size, `${resized} halfway`);
        await both(SIZE);
      } else if (compare(await both("\x1bc" + streamPieces(seed).join("")), seed, SIZE, "")) {
        if (!RESIZE) continue;
        compare(await both(size), seed, size, resized);
        // Back, and settled: the server must have the size before the next stream.
        await both(SIZE);
      }
    }
    console.log(
      `${differing.length} of ${STREAMS} differ${differing.length ? `: ${differing}` : ""}; ` +
        `${backspaced.length} more only by mosh-server's backspace on the bottom row` +
        (backspaced.length ? `: ${backspaced}` : ""),
    );
  } finally {
    for (const side of sides) await side.close();
  }
}

if (import.meta.main) {
  if (MINIMIZE !== undefined) await minimize(Number(MINIMIZE));
  else await scan();
}

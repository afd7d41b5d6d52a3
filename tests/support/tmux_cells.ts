/**
 * Reads tmux's own screen dump — `capture-pane -p -e -N`, the text with the
 * SGR sequences tmux writes between cells — into cells, without our
 * emulator: a small independent reader, so an attribute our emulator drops
 * cannot also vanish from the side it is compared with. Our framebuffer is
 * put in the same form for the comparison.
 *
 * @module
 */
import type { Framebuffer } from "../../lib/terminal/framebuffer.ts";
import { TRUE_COLOR } from "../../lib/terminal/renditions.ts";
import { type Row, WIDE } from "../../lib/terminal/row.ts";
import { run } from "./tmux.ts";

/** One cell as shown: its text and a style string such as `fg=p1 bg=rgb(1,2,3) bold,dim`. */
export interface ShownCell {
  text: string;
  style: string;
}

/** The VT100 (DEC special graphics) box-drawing characters, by their ASCII letter. */
const VT100_LINES: Record<string, string> = Object.fromEntries(
  [..."jklmnqtuvwx"].map((c, i) => [c, "┘┐┌└┼─├┤┴┬│"[i]!]),
);

/** Characters drawn with no width of their own: marks and format characters (e.g. U+200F). */
const ZERO_WIDTH = /[\p{M}\p{Cf}]/u;

const ATTRIBUTE_NAMES: Record<number, string> = {
  1: "bold",
  2: "dim",
  3: "italic",
  4: "underline",
  5: "blink",
  7: "inverse",
  8: "hidden",
  9: "strike",
};

/** Attribute bits of our renditions (lib/terminal/renditions.ts `Attr`), by name. */
const OUR_ATTRIBUTES: [number, string][] = [
  [1, "bold"],
  [2, "dim"],
  [4, "italic"],
  [8, "underline"],
  [16, "blink"],
  [32, "inverse"],
  [64, "hidden"],
  [128, "strike"],
];

function style(fg: string, bg: string, attrs: Set<string>, lineDrawing: boolean): string {
  const names = [...attrs].sort();
  if (lineDrawing) names.push("acs");
  return `fg=${fg} bg=${bg}${names.length > 0 ? " " + names.join(",") : ""}`;
}

/** Applies one SGR parameter list the way tmux's output uses it. */
function applySgr(
  texts: string[],
  state: { fg: string; bg: string; attrs: Set<string> },
): void {
  if (texts.length === 0) texts = ["0"];
  const params = texts.map(Number);
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const styled = /^4:([0-5])$/.exec(texts[i]!);
    if (styled) {
      // An underline style (double, curly…): ours keeps one underline, so any style is "underline".
      if (styled[1] === "0") state.attrs.delete("underline");
      else state.attrs.add("underline");
    } else if (p === 58) {
      i += params[i + 1] === 5 ? 2 : 4; // the underline colour: not in our model
    } else if (p === 0) {
      state.fg = state.bg = "default";
      state.attrs.clear();
    } else if (ATTRIBUTE_NAMES[p]) state.attrs.add(ATTRIBUTE_NAMES[p]);
    else if (p === 22) state.attrs.delete("bold"), state.attrs.delete("dim");
    else if (p >= 23 && p <= 29 && ATTRIBUTE_NAMES[p - 20]) {
      state.attrs.delete(ATTRIBUTE_NAMES[p - 20]!);
    } else if (p >= 30 && p <= 37) state.fg = `p${p - 30}`;
    else if (p >= 40 && p <= 47) state.bg = `p${p - 40}`;
    else if (p >= 90 && p <= 97) state.fg = `p${p - 90 + 8}`;
    else if (p >= 100 && p <= 107) state.bg = `p${p - 100 + 8}`;
    else if (p === 39) state.fg = "default";
    else if (p === 49) state.bg = "default";
    else if (p === 38 || p === 48) {
      let colour: string;
      if (params[i + 1] === 5) colour = `p${params[i + 2]}`, i += 2;
      else colour = `rgb(${params.slice(i + 2, i + 5).join(",")})`, i += 4;
      if (p === 38) state.fg = colour;
      else state.bg = colour;
    } else throw new Error(`Unexpected SGR parameter ${p} in tmux's capture`);
  }
}

/**
 * Parses `capture-pane -p -e -N` output into rows of cells. A wide character
 * is one cell here (tmux writes no padding after it); a combining mark or a
 * zero-width format character joins the cell before it.
 */
export function parseTmuxCapture(capture: string, height: number): ShownCell[][] {
  const state = { fg: "default", bg: "default", attrs: new Set<string>() };
  let lineDrawing = false;
  const rows: ShownCell[][] = [];
  for (const line of capture.split("\n").slice(0, height)) {
    const row: ShownCell[] = [];
    const chars = [...line];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === "\x1b") {
        let j = i + 2; // ESC [
        while (j < chars.length && !/[@-~]/.test(chars[j]!)) j++;
        const body = chars.slice(i + 2, j).join("");
        if (chars[i + 1] !== "[" || chars[j] !== "m") {
          throw new Error(`Unexpected escape in tmux's capture: ${JSON.stringify(body)}`);
        }
        applySgr(body === "" ? [] : body.split(";"), state);
        i = j;
      } else if (c === "\x0e") lineDrawing = true;
      else if (c === "\x0f") lineDrawing = false;
      else if (ZERO_WIDTH.test(c) && row.length > 0) row[row.length - 1]!.text += c;
      else if (lineDrawing && VT100_LINES[c]) {
        // tmux keeps the set's letter and marks the cell; a terminal draws the VT100 line.
        row.push({ text: VT100_LINES[c]!, style: style(state.fg, state.bg, state.attrs, false) });
      } else row.push({ text: c, style: style(state.fg, state.bg, state.attrs, lineDrawing) });
    }
    rows.push(row);
  }
  return rows;
}

function ourColour(code: number, base: number): string {
  if (code === 0) return "default";
  if (code & TRUE_COLOR) return `rgb(${(code >> 16) & 255},${(code >> 8) & 255},${code & 255})`;
  return `p${code - base}`;
}

/** Which of our attributes a terminal draws (all by default). */
export interface DrawnAttributes {
  faint?: boolean;
  strikethrough?: boolean;
}

/** Our framebuffer in the same form: one cell per character, wide shadows skipped. */
export function shownCells(fb: Framebuffer, drawn: DrawnAttributes = {}): ShownCell[][] {
  return fb.rows.map((row) => shownRow(row, drawn));
}

/** One of our rows in the same form. */
export function shownRow(r: Row, drawn: DrawnAttributes = {}): ShownCell[] {
  const hidden = (drawn.faint === false ? 2 : 0) | (drawn.strikethrough === false ? 128 : 0);
  const row: ShownCell[] = [];
  for (let x = 0; x < r.width; x++) {
    if (x > 0 && (r.flags[x - 1]! & WIDE)) continue;
    const bits = r.attrs[x]! & ~hidden;
    const attrs = new Set(OUR_ATTRIBUTES.filter(([bit]) => bits & bit).map(([, n]) => n));
    // A fallback cell (flag 2) is drawn as U+00A0 carrying its combining marks.
    const text = (r.flags[x]! & 2 ? "\u00a0" : "") + (r.contents[x] || " ");
    row.push({
      text,
      style: style(ourColour(r.fg[x]!, 30), ourColour(r.bg[x]!, 40), attrs, false),
    });
  }
  return row;
}

const BLANK = style("default", "default", new Set(), false);

/**
 * A row without its trailing plain blanks (tmux's capture stops at the last
 * cell written); with `anyBackground`, blanks of any background colour too.
 */
function trimmed(row: ShownCell[], anyBackground: boolean): ShownCell[] {
  const blank = (c: ShownCell) =>
    c.text === " " && (anyBackground ? /^fg=default bg=\S+$/.test(c.style) : c.style === BLANK);
  let end = row.length;
  while (end > 0 && blank(row[end - 1]!)) end--;
  return row.slice(0, end);
}

/**
 * The differing cells of two screens, as `(row,cell) ours ≠ theirs` strings.
 * Trailing plain blanks are not compared; with `erasedBackground: false`,
 * nor are trailing blanks of a colour (tmux 3.3's capture omits the
 * background of erased cells at the end of a line).
 */
export function cellDifferences(
  ours: ShownCell[][],
  theirs: ShownCell[][],
  options: { erasedBackground?: boolean } = {},
): string[] {
  const anyBackground = options.erasedBackground === false;
  const found: string[] = [];
  for (let y = 0; y < Math.max(ours.length, theirs.length); y++) {
    const a = trimmed(ours[y] ?? [], anyBackground), b = trimmed(theirs[y] ?? [], anyBackground);
    for (let x = 0; x < Math.max(a.length, b.length); x++) {
      const ca = a[x], cb = b[x];
      const show = (c: ShownCell | undefined) =>
        c ? `${JSON.stringify(c.text)} ${c.style}` : "none";
      if (show(ca) !== show(cb)) found.push(`(${y},${x}) ${show(ca)} ≠ ${show(cb)}`);
    }
  }
  return found;
}

/**
 * Our screen's text as `capture-pane -J` gives a terminal's: a row whose wrap
 * flag is set runs on into the next. The bottom row's flag is left out: no
 * terminal can show it without scrolling (mosh has the same limit).
 */
export function joinedText(fb: Framebuffer): string[] {
  const out: string[] = [];
  let line = "";
  for (let y = 0; y < fb.height; y++) {
    const row = fb.rows[y]!;
    line += row.text();
    if (row.wrap && y < fb.height - 1) continue;
    out.push(line.trimEnd());
    line = "";
  }
  while (out.at(-1) === "") out.pop();
  return out;
}

/** Row `y` as plain text (trailing blanks trimmed). */
export function shownText(rows: ShownCell[][], y: number): string {
  return (rows[y] ?? []).map((c) => c.text).join("").trimEnd();
}

function tmux(socket: string, ...args: string[]): Promise<string> {
  return run(["-L", socket, ...args]);
}

/** A tmux pane's screen, read raw. */
export interface TmuxScreen {
  /** capture-pane -e -p -N, one string per row (the history's, then the screen's). */
  lines: string[];
  cursor: [number, number];
  alternate: boolean;
  /**
   * The screen's text (with `history`, the history's first) with wrapped rows
   * joined (`capture-pane -p -J`), trailing blanks trimmed.
   */
  joined: string[];
}

/**
 * Plays `bytes` into a fresh `width` × `height` tmux pane (raw mode) and
 * reads the screen back; with `history`, the pane's history first.
 */
export async function playInTmux(
  bytes: Uint8Array,
  width: number,
  height: number,
  options: { history?: boolean } = {},
): Promise<TmuxScreen> {
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
      String(width),
      "-y",
      String(height),
      `stty raw -echo; cat ${file}; tmux -L ${socket} wait-for -S played; exec sleep 600`,
    );
    await tmux(socket, "wait-for", "played");
    // tmux may still be parsing what cat wrote: wait for two equal captures.
    let last = "";
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 30));
      const now = await tmux(
        socket,
        "capture-pane",
        "-p",
        "-e",
        "-N",
        "-t",
        "0",
        ...(options.history ? ["-S", "-"] : []),
      );
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
    const lines = last.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const joined = (await tmux(
      socket,
      "capture-pane",
      "-p",
      "-J",
      "-t",
      "0",
      ...(options.history ? ["-S", "-"] : []),
    )).split("\n").map((l) => l.trimEnd());
    while (joined.at(-1) === "") joined.pop();
    return {
      lines: options.history ? lines : lines.slice(0, height),
      cursor: [y!, x!],
      alternate: alt === 1,
      joined,
    };
  } finally {
    await tmux(socket, "kill-server").catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

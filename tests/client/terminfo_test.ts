/**
 * The terminfo reader against ncurses itself: every entry installed on the
 * machine is compared with `tput colors` and `infocmp -1 -x`, entries that
 * `tic` compiles are found through each search path, and crafted bytes
 * exercise both formats, the extended section and every truncation.
 */
import assert from "node:assert/strict";
import {
  loadTerminfo,
  locateTerminfo,
  parseTerminfo,
  type Terminfo,
  terminfoDirectories,
  TerminfoError,
} from "../../lib/client/terminfo.ts";
import { BOOLEAN_NAMES, NUMBER_NAMES, STRING_NAMES } from "../../lib/client/terminfo_names.ts";

const SYSTEM_DIRS = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"];

/** Names of every entry in the system directories (files and alias links). */
function installedNames(): string[] {
  const names = new Set<string>();
  for (const dir of SYSTEM_DIRS) {
    let leaves;
    try {
      leaves = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    for (const leaf of leaves) {
      if (!leaf.isDirectory) continue;
      for (const e of Deno.readDirSync(`${dir}/${leaf.name}`)) names.add(e.name);
    }
  }
  return [...names].sort();
}

/** Runs a shell loop over `names` in one process; returns its stdout. */
async function shellLoop(body: string, names: string[], env: Record<string, string>) {
  const out = await new Deno.Command("sh", {
    args: ["-c", `for t; do ${body}; done`, "sh", ...names],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder("latin1").decode(out.stdout);
}

/** Undoes infocmp's escaping of a string capability (terminfo(5) "String capabilities"). */
function unescape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "^" && i + 1 < s.length && s[i - 1] !== "%") { // %^ is the XOR operator
      const n = s[++i]!;
      out += n === "?" ? "\x7f" : String.fromCharCode(n.charCodeAt(0) & 0x1f);
    } else if (c === "\\" && i + 1 < s.length) {
      const n = s[++i]!;
      if (/[0-7]/.test(n)) {
        const oct = /^[0-7]{1,3}/.exec(s.slice(i))![0];
        i += oct.length - 1;
        const v = parseInt(oct, 8);
        out += String.fromCharCode(v === 0 ? 0x80 : v); // a stored NUL is written as \200
      } else {
        const map: Record<string, string> = {
          E: "\x1b",
          e: "\x1b",
          n: "\n",
          l: "\n",
          r: "\r",
          t: "\t",
          b: "\b",
          f: "\f",
          s: " ",
          a: "\x07",
        };
        out += map[n] ?? n; // \\ \^ \, \:
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** infocmp prints `acsc`'s character pairs sorted; compare them in that order. */
function canonicalAcsc([name, value]: [string, string]): [string, string] {
  if (name !== "acsc") return [name, value];
  return [name, (value.match(/[^]{1,2}/g) ?? []).sort().join("")];
}

/** One entry as infocmp prints it. */
interface Printed {
  path: string;
  names: string;
  info: Terminfo;
}

function parseInfocmp(text: string): Map<string, Printed> {
  const out = new Map<string, Printed>();
  for (const block of text.split(/^=== /m).slice(1)) {
    const lines = block.split("\n");
    const term = lines[0]!;
    const from = lines.find((l) => l.startsWith("#\tReconstructed via infocmp from file: "));
    if (from === undefined) continue;
    const entry = lines.slice(1).filter((l) => l !== "" && !l.startsWith("#"));
    const body = entry.slice(1);
    const info: Terminfo = {
      names: [],
      booleans: new Set(),
      numbers: new Map(),
      strings: new Map(),
    };
    for (const raw of body) {
      const cap = raw.trim().replace(/,$/, "");
      const eq = cap.indexOf("=");
      const hash = cap.indexOf("#");
      if (eq > 0 && (hash < 0 || eq < hash)) {
        info.strings.set(cap.slice(0, eq), unescape(cap.slice(eq + 1)));
      } else if (hash > 0) info.numbers.set(cap.slice(0, hash), Number(cap.slice(hash + 1)));
      else if (!cap.endsWith("@")) info.booleans.add(cap);
    }
    out.set(term, {
      path: from.slice(from.indexOf(": ") + 2),
      names: (entry[0] ?? "").replace(/,$/, ""),
      info,
    });
  }
  return out;
}

Deno.test("every installed entry reads as tput and infocmp read it", async () => {
  const names = installedNames();
  assert.ok(names.length > 100, `only ${names.length} terminfo entries installed`);
  // No ~/.terminfo or $TERMINFO: both sides search the system directories only.
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/nonexistent" };
  const [colorsOut, infocmpOut] = await Promise.all([
    // tput ends its number with a newline; a refused entry prints nothing, so echo ends the line.
    shellLoop('printf "%s " "$t"; tput -T "$t" colors || echo', names, env),
    shellLoop('echo "=== $t"; infocmp -1 -x "$t"', names, env),
  ]);
  const printed = parseInfocmp(infocmpOut);
  let compared = 0, generic = 0, capsCompared = 0;
  for (const line of colorsOut.trimEnd().split("\n")) {
    const sp = line.indexOf(" ");
    const term = line.slice(0, sp), tput = line.slice(sp + 1);
    const ours = loadTerminfo(term, env);
    assert.ok(ours !== null, `${term}: no entry found`);
    if (tput === "") {
      // setupterm refuses generic entries ("I need something more specific").
      assert.ok(ours.booleans.has("gn"), `${term}: tput failed on a non-generic entry`);
      generic++;
    } else {
      assert.equal(ours.numbers.get("colors") ?? -1, Number(tput), `${term}: colors`);
    }
    const p = printed.get(term);
    assert.ok(p !== undefined, `${term}: infocmp printed nothing`);
    assert.equal(locateTerminfo(term, env), p.path, `${term}: located file`);
    assert.equal(ours.names.join("|"), p.names, `${term}: names`);
    const pairs: [string, unknown[], unknown[]][] = [
      ["booleans", [...ours.booleans].sort(), [...p.info.booleans].sort()],
      ["numbers", [...ours.numbers].sort(), [...p.info.numbers].sort()],
      [
        "strings",
        [...ours.strings].sort().map(canonicalAcsc),
        [...p.info.strings].sort().map(canonicalAcsc),
      ],
    ];
    // Compared as text first (fast); deepEqual only to describe a difference.
    for (const [what, a, b] of pairs) {
      if (JSON.stringify(a) !== JSON.stringify(b)) assert.deepEqual(a, b, `${term}: ${what}`);
    }
    capsCompared += ours.booleans.size + ours.numbers.size + ours.strings.size;
    compared++;
  }
  assert.equal(compared, names.length);
  assert.ok(capsCompared > 100_000, `only ${capsCompared} capabilities compared`);
  assert.ok(generic < 10, `${generic} entries refused by tput`);
});

Deno.test("known terminals get their real colour counts", () => {
  const env = { HOME: "/nonexistent" };
  const colors = (t: string) => loadTerminfo(t, env)?.numbers.get("colors");
  assert.equal(colors("alacritty"), 256);
  assert.equal(colors("xterm-16color"), 16);
  assert.equal(colors("xterm-direct"), 16777216);
  assert.equal(colors("rxvt-unicode"), 88);
  assert.equal(colors("xterm"), 8);
  assert.equal(colors("dumb"), undefined);
});

// ---- entries compiled by tic into temporary directories ----

async function tic(dir: string, source: string): Promise<void> {
  const src = `${dir}/src.ti`;
  await Deno.writeTextFile(src, source);
  const out = await new Deno.Command("tic", {
    args: ["-x", "-o", dir, src],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  await Deno.remove(src);
}

async function tput(env: Record<string, string>, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("tput", {
    args,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

const CUSTOM = `moshtest|mosh test terminal,
	am, bce,
	colors#0x1000000, cols#132, pairs#0x10000,
	clear=\\E[H\\E[2J, ech=\\E[%p1%dX, smcup=\\E[?1049h,
	Tc, RGB#8, Ss=\\E[%p1%d q,
`;

Deno.test("tic's 32-bit entry with extended capabilities reads as tput reads it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await tic(dir, CUSTOM);
    const path = `${dir}/m/moshtest`;
    const bytes = await Deno.readFile(path);
    assert.equal(bytes[0]! | bytes[1]! << 8, 0o1036, "tic wrote the 32-bit format");
    const info = parseTerminfo(bytes);
    assert.deepEqual(info.names, ["moshtest", "mosh test terminal"]);
    assert.equal(info.numbers.get("colors"), 0x1000000);
    assert.equal(info.numbers.get("pairs"), 0x10000);
    assert.equal(info.numbers.get("RGB"), 8);
    assert.ok(info.booleans.has("Tc") && info.booleans.has("bce"));
    assert.equal(info.strings.get("Ss"), "\x1b[%p1%d q");
    assert.equal(info.strings.get("ech"), "\x1b[%p1%dX");
    const env = { TERMINFO: dir, HOME: "/nonexistent" };
    assert.equal(await tput(env, "-T", "moshtest", "colors"), "16777216\n");
    assert.equal(loadTerminfo("moshtest", env)?.numbers.get("colors"), 16777216);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tic's legacy entry (16-bit numbers) reads with its extended section", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await tic(
      dir,
      "moshold|small numbers,\n\tbce, colors#256, ech=\\E[%p1%dX, Tc, XT, Ms=\\E]52;%p1%s;%p2%s\\007,\n",
    );
    const bytes = await Deno.readFile(`${dir}/m/moshold`);
    assert.equal(bytes[0]! | bytes[1]! << 8, 0o432, "tic wrote the legacy format");
    const info = parseTerminfo(bytes);
    assert.equal(info.numbers.get("colors"), 256);
    assert.ok(info.booleans.has("Tc") && info.booleans.has("XT"));
    assert.equal(info.strings.get("Ms"), "\x1b]52;%p1%s;%p2%s\x07");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the search follows ncurses' order and both directory layouts", async () => {
  const root = await Deno.makeTempDir();
  const entry = (colors: number) => `moshsearch|search order,\n\tcolors#${colors},\n`;
  const dirs = ["terminfo", "home/.terminfo", "list1", "list2"].map((d) => `${root}/${d}`);
  try {
    for (const [i, d] of dirs.entries()) {
      await Deno.mkdir(d, { recursive: true });
      await tic(d, entry(10 + i));
    }
    const full = {
      TERMINFO: dirs[0],
      HOME: `${root}/home`,
      TERMINFO_DIRS: `${dirs[2]}::${dirs[3]}`,
    };
    assert.deepEqual(terminfoDirectories(full), [
      dirs[0],
      dirs[1],
      dirs[2],
      "/usr/share/terminfo",
      dirs[3],
      "/etc/terminfo",
      "/lib/terminfo",
    ]);
    const colors = (env: Record<string, string | undefined>) =>
      loadTerminfo("moshsearch", env)?.numbers.get("colors");
    // Each step drops the directory that won before; tput must agree each time.
    const steps: [Record<string, string | undefined>, number][] = [
      [full, 10],
      [{ ...full, TERMINFO: undefined }, 11],
      [{ ...full, TERMINFO: undefined, HOME: "/nonexistent" }, 12],
      [{ TERMINFO_DIRS: `:${dirs[3]}`, HOME: "/nonexistent" }, 13],
    ];
    for (const [env, want] of steps) {
      assert.equal(colors(env), want, JSON.stringify(env));
      const defined = Object.fromEntries(
        Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
      );
      assert.equal(await tput(defined, "-T", "moshsearch", "colors"), `${want}\n`);
    }
    // The hexadecimal layout (m = 6d), as on case-insensitive file systems.
    await Deno.rename(`${dirs[3]}/m`, `${dirs[3]}/6d`);
    assert.equal(colors({ TERMINFO: dirs[3], HOME: "/nonexistent" }), 13);
    // A malformed file is passed over for the next candidate.
    await Deno.writeFile(`${dirs[0]}/m/moshsearch`, new Uint8Array([0x1a, 0x01, 0xff]));
    assert.equal(colors(full), 11);
    assert.equal(await tput(full as Record<string, string>, "-T", "moshsearch", "colors"), "11\n");
    // Names ncurses will not look up.
    for (const bad of ["", ".", "..", "../x/xterm", "a:b"]) {
      assert.equal(locateTerminfo(bad, full), null, bad);
    }
    assert.equal(loadTerminfo("no-such-terminal", full), null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// ---- crafted bytes ----

/** A minimal terminfo compiler for crafted entries. */
function compile(
  o: {
    magic?: number;
    names?: string;
    booleans?: Record<string, boolean>;
    numbers?: Record<string, number>;
    strings?: Record<string, string>;
    ext?: {
      booleans: [string, boolean][];
      numbers: [string, number][];
      strings: [string, string][];
    };
  },
): Uint8Array {
  const magic = o.magic ?? 0o432;
  const size = magic === 0o1036 ? 4 : 2;
  const out: number[] = [];
  const u16 = (v: number) => out.push(v & 0xff, (v >> 8) & 0xff);
  const num = (v: number) =>
    size === 2 ? u16(v) : out.push(v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >>> 24);
  const bytes = (s: string) => out.push(...[...s].map((c) => c.charCodeAt(0)));
  const pad = () => out.length % 2 ? out.push(0) : 0;
  const lastIndex = (names: readonly string[], set: Record<string, unknown>) =>
    Math.max(-1, ...Object.keys(set).map((k) => names.indexOf(k))) + 1;
  const nb = lastIndex(BOOLEAN_NAMES, o.booleans ?? {});
  const nn = lastIndex(NUMBER_NAMES, o.numbers ?? {});
  const ns = lastIndex(STRING_NAMES, o.strings ?? {});
  let table = "";
  const offsets: number[] = [];
  for (let i = 0; i < ns; i++) {
    const v = o.strings?.[STRING_NAMES[i]!];
    offsets.push(v === undefined ? 0xffff : table.length);
    if (v !== undefined) table += v + "\0";
  }
  const names = (o.names ?? "crafted|crafted entry") + "\0";
  [magic, names.length, nb, nn, ns, table.length].forEach(u16);
  bytes(names);
  for (let i = 0; i < nb; i++) out.push(o.booleans?.[BOOLEAN_NAMES[i]!] ? 1 : 0);
  pad();
  for (let i = 0; i < nn; i++) num(o.numbers?.[NUMBER_NAMES[i]!] ?? -1);
  offsets.forEach(u16);
  bytes(table);
  if (o.ext) {
    pad();
    const e = o.ext;
    let values = "", labels = "";
    const valueOffsets: number[] = [], nameOffsets: number[] = [];
    for (const [, v] of e.strings) {
      valueOffsets.push(values.length);
      values += v + "\0";
    }
    for (const [n] of [...e.booleans, ...e.numbers, ...e.strings]) {
      nameOffsets.push(labels.length);
      labels += n + "\0";
    }
    const items = e.strings.length + nameOffsets.length;
    [e.booleans.length, e.numbers.length, e.strings.length, items, values.length + labels.length]
      .forEach(u16);
    e.booleans.forEach(([, v]) => out.push(v ? 1 : 0));
    pad();
    e.numbers.forEach(([, v]) => num(v));
    [...valueOffsets, ...nameOffsets].forEach(u16);
    bytes(values + labels);
  }
  return new Uint8Array(out);
}

const SAMPLE = {
  names: "crafted|a crafted entry",
  booleans: { am: true, bce: true, xenl: false },
  numbers: { cols: 80, colors: 256, lines: 24 },
  strings: { smcup: "\x1b[?1049h", rmcup: "\x1b[?1049l", ech: "\x1b[%p1%dX", bel: "\x07" },
  ext: {
    booleans: [["Tc", true], ["XF", false]] as [string, boolean][],
    numbers: [["RGB", 8]] as [string, number][],
    strings: [["Ss", "\x1b[%p1%d q"], ["Se", "\x1b[2 q"]] as [string, string][],
  },
};

function expectSample(info: Terminfo, colors: number): void {
  assert.deepEqual(info.names, ["crafted", "a crafted entry"]);
  assert.deepEqual([...info.booleans].sort(), ["Tc", "am", "bce"]);
  assert.deepEqual(
    Object.fromEntries(info.numbers),
    { cols: 80, colors, lines: 24, RGB: 8 },
  );
  assert.deepEqual(Object.fromEntries(info.strings), {
    ...SAMPLE.strings,
    ...Object.fromEntries(SAMPLE.ext.strings),
  });
}

Deno.test("crafted legacy and 32-bit entries with extended sections parse", () => {
  expectSample(parseTerminfo(compile(SAMPLE)), 256);
  const wide = { ...SAMPLE, magic: 0o1036, numbers: { ...SAMPLE.numbers, colors: 0x1000000 } };
  expectSample(parseTerminfo(compile(wide)), 0x1000000);
  const plain = parseTerminfo(compile({ ...SAMPLE, ext: undefined as never }));
  assert.equal(plain.strings.has("Ss"), false);
  assert.equal(plain.numbers.get("colors"), 256);
});

Deno.test("absent, cancelled and out-of-range values are left out", () => {
  const bytes = compile({
    numbers: { cols: 80, lines: 24, colors: 8 },
    strings: { bel: "\x07", cr: "\r" },
  });
  const view = new DataView(bytes.buffer);
  const nameSize = view.getUint16(2, true), nb = view.getUint16(4, true);
  const numbers = 12 + nameSize + nb + ((nameSize + nb) % 2);
  view.setUint16(numbers, 0xfffe, true); // cols cancelled
  view.setUint16(numbers + 2 * NUMBER_NAMES.indexOf("lines"), 0x8000, true); // negative
  const strings = numbers + 2 * view.getUint16(6, true);
  view.setUint16(strings + 2 * STRING_NAMES.indexOf("cr"), 0x7000, true); // outside the table
  const info = parseTerminfo(bytes);
  assert.deepEqual(Object.fromEntries(info.numbers), { colors: 8 });
  assert.deepEqual(Object.fromEntries(info.strings), { bel: "\x07" });
});

Deno.test("every truncation of an entry is a TerminfoError or a clean prefix parse", () => {
  for (const magic of [0o432, 0o1036]) {
    const full = compile({ ...SAMPLE, magic });
    const complete = parseTerminfo(full);
    for (let n = 0; n < full.length; n++) {
      try {
        const info = parseTerminfo(full.subarray(0, n));
        // Only a cut inside the extended section's header leaves a valid entry.
        assert.deepEqual(
          [...info.strings.keys()].sort(),
          [...complete.strings.keys()].filter((k) => k !== "Ss" && k !== "Se").sort(),
          `cut at ${n}`,
        );
      } catch (error) {
        assert.ok(error instanceof TerminfoError, `cut at ${n}: ${error}`);
      }
    }
  }
  assert.throws(() => parseTerminfo(new Uint8Array()), /Truncated terminfo entry: header/);
  assert.throws(
    () => parseTerminfo(new Uint8Array([0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
    /magic number 0105437, expected 0432 or 01036/,
  );
});

Deno.test("random and mutated bytes never crash the parser", () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const base = compile({ ...SAMPLE, magic: 0o1036 });
  let parsed = 0;
  for (let i = 0; i < 5000; i++) {
    const bytes = base.slice();
    for (let k = 0; k < 1 + rand() * 6; k++) {
      bytes[Math.floor(rand() * bytes.length)] = rand() * 256;
    }
    try {
      parseTerminfo(bytes);
      parsed++;
    } catch (error) {
      assert.ok(error instanceof TerminfoError, String(error));
    }
  }
  assert.ok(parsed > 100, `only ${parsed} of 5000 mutations parsed`);
});

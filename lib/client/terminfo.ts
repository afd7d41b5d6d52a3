/**
 * Compiled terminfo entries (term(5)), found and read as ncurses finds and
 * reads them, so `mosh-client -c` and the client's drawing follow the user's
 * real terminal description rather than a guess from its name.
 *
 * Both binary formats are read: the legacy one (magic 0432, 16-bit numbers)
 * and ncurses 6's (magic 01036, 32-bit numbers), each with the optional
 * extended-capability section that follows the standard data.
 *
 * @module
 */
import { BOOLEAN_NAMES, NUMBER_NAMES, STRING_NAMES } from "./terminfo_names.ts";

const MAGIC_16BIT = 0o432;
const MAGIC_32BIT = 0o1036;
/** ncurses reads no more than this from an entry file. */
const MAX_ENTRY_SIZE = 32768;
/** Searched after `$TERMINFO`, `~/.terminfo` and `$TERMINFO_DIRS` (Debian's ncurses). */
const SYSTEM_DIRS = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"];
/** What an empty `$TERMINFO_DIRS` element stands for. */
const DEFAULT_DIR = "/usr/share/terminfo";

/** A compiled entry that cannot be read: truncated, wrong magic, or inconsistent sizes. */
export class TerminfoError extends Error {
  /** An error saying what is wrong with the entry. */
  constructor(message: string) {
    super(message);
    this.name = "TerminfoError";
  }
}

/** The capabilities of one terminal description; absent and cancelled ones are left out. */
export interface Terminfo {
  /** The names from the entry's first line, primary name first, description last. */
  names: string[];
  /** Boolean capabilities that are true (standard and extended). */
  booleans: Set<string>;
  /** Numeric capabilities (standard and extended). */
  numbers: Map<string, number>;
  /** String capabilities, one character per byte (standard and extended). */
  strings: Map<string, string>;
}

/** Where ncurses looks for entries; missing variables are skipped. */
export interface TerminfoEnvironment {
  /** `$TERMINFO`: searched first. */
  TERMINFO?: string | undefined;
  /** `$HOME`: its `.terminfo` is searched next. */
  HOME?: string | undefined;
  /** `$TERMINFO_DIRS`: colon-separated; an empty element means /usr/share/terminfo. */
  TERMINFO_DIRS?: string | undefined;
}

/** A bounds-checked little-endian reader over the entry's bytes. */
class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.#bytes.length - this.offset;
  }

  /** The next `n` bytes; throws when the entry ends first. */
  take(n: number, what: string): Uint8Array {
    if (n > this.remaining) {
      throw new TerminfoError(
        `Truncated terminfo entry: ${what} needs ${n} bytes at offset ${this.offset}, ` +
          `only ${this.remaining} left`,
      );
    }
    const out = this.#bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** `count` little-endian integers of `size` bytes (2 unsigned, or 4 signed). */
  ints(count: number, size: 2 | 4, what: string): number[] {
    const start = this.offset;
    this.take(count * size, what);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      out[i] = size === 2
        ? this.#view.getUint16(start + 2 * i, true)
        : this.#view.getInt32(start + 4 * i, true);
    }
    return out;
  }

  /** Skips the pad byte that keeps numbers on an even offset. */
  align(): void {
    if (this.offset % 2 !== 0) this.take(1, "padding");
  }
}

/** One byte per character, so every byte value survives (terminfo strings are bytes). */
function bytesToString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}

/** A 16-bit number: -1 absent, -2 cancelled, other negatives invalid (ncurses ignores them). */
function signed16(n: number): number {
  return n >= 0x8000 ? n - 0x10000 : n;
}

/**
 * The NUL-terminated strings at `offsets` in `table` (`null` where absent,
 * cancelled, outside the table, or unterminated — ncurses drops those too).
 */
function tableStrings(offsets: number[], table: Uint8Array): (string | null)[] {
  return offsets.map((raw) => {
    const offset = signed16(raw);
    if (offset < 0 || offset >= table.length) return null;
    const end = table.indexOf(0, offset);
    return end < 0 ? null : bytesToString(table.subarray(offset, end));
  });
}

/**
 * Parses a compiled terminfo entry.
 *
 * @param bytes The entry file's contents.
 * @returns Its names and the capabilities it sets.
 * @throws {TerminfoError} when the bytes are not a well-formed entry.
 *
 * @example
 * ```ts
 * import { locateTerminfo, parseTerminfo } from "./terminfo.ts";
 * const bytes = Deno.readFileSync(locateTerminfo("xterm-256color", {})!);
 * parseTerminfo(bytes).numbers.get("colors"); // 256
 * ```
 */
export function parseTerminfo(bytes: Uint8Array): Terminfo {
  const r = new Reader(bytes);
  const [magic, nameSize, boolCount, numCount, strCount, tableSize] = r.ints(6, 2, "header") as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (magic !== MAGIC_16BIT && magic !== MAGIC_32BIT) {
    throw new TerminfoError(
      `Not a compiled terminfo entry: magic number 0${magic.toString(8)}, ` +
        `expected 0432 or 01036`,
    );
  }
  const numSize = magic === MAGIC_32BIT ? 4 : 2;
  const nameBytes = r.take(nameSize, "the names");
  const nul = nameBytes.indexOf(0);
  const names = bytesToString(nul < 0 ? nameBytes : nameBytes.subarray(0, nul)).split("|");
  const info: Terminfo = { names, booleans: new Set(), numbers: new Map(), strings: new Map() };

  const bools = r.take(boolCount, "the booleans");
  r.align();
  const nums = r.ints(numCount, numSize, "the numbers");
  const offsets = r.ints(strCount, 2, "the string offsets");
  const strs = tableStrings(offsets, r.take(tableSize, "the string table"));
  bools.forEach((v, i) => {
    const name = BOOLEAN_NAMES[i];
    if (name !== undefined && v === 1) info.booleans.add(name);
  });
  nums.forEach((v, i) => {
    const name = NUMBER_NAMES[i];
    const n = numSize === 2 ? signed16(v) : v;
    if (name !== undefined && n >= 0) info.numbers.set(name, n);
  });
  strs.forEach((v, i) => {
    const name = STRING_NAMES[i];
    if (name !== undefined && v !== null) info.strings.set(name, v);
  });

  // ncurses reads the extended section only when its whole header is there
  // (after a pad byte to an even offset, which an entry without one may omit).
  if (r.remaining >= 10 + (r.offset % 2)) {
    r.align();
    parseExtended(r, numSize, info);
  }
  return info;
}

/** The extended (user-defined) capabilities: values first, then their names. */
function parseExtended(r: Reader, numSize: 2 | 4, info: Terminfo): void {
  const [boolCount, numCount, strCount, _items, tableSize] = r.ints(5, 2, "extended header") as [
    number,
    number,
    number,
    number,
    number,
  ];
  const bools = r.take(boolCount, "the extended booleans");
  r.align();
  const nums = r.ints(numCount, numSize, "the extended numbers");
  const nameCount = boolCount + numCount + strCount;
  const offsets = r.ints(strCount + nameCount, 2, "the extended string offsets");
  const table = r.take(tableSize, "the extended string table");
  const values = tableStrings(offsets.slice(0, strCount), table);
  // Name offsets count from the end of the values, which ncurses finds by
  // adding up the lengths of the values that are present.
  const base = values.reduce((sum, v) => sum + (v === null ? 0 : v.length + 1), 0);
  const names = tableStrings(offsets.slice(strCount), table.subarray(Math.min(base, table.length)));
  const name = (i: number): string | null => names[i] ?? null;
  bools.forEach((v, i) => {
    const n = name(i);
    if (n !== null && v === 1 && !info.booleans.has(n)) info.booleans.add(n);
  });
  nums.forEach((v, i) => {
    const n = name(boolCount + i);
    const value = numSize === 2 ? signed16(v) : v;
    if (n !== null && value >= 0 && !info.numbers.has(n)) info.numbers.set(n, value);
  });
  values.forEach((v, i) => {
    const n = name(boolCount + numCount + i);
    if (n !== null && v !== null && !info.strings.has(n)) info.strings.set(n, v);
  });
}

/** The directories searched, in order, without repeats. */
export function terminfoDirectories(env: TerminfoEnvironment): string[] {
  const dirs: string[] = [];
  if (env.TERMINFO) dirs.push(env.TERMINFO);
  if (env.HOME) dirs.push(`${env.HOME}/.terminfo`);
  if (env.TERMINFO_DIRS !== undefined) {
    for (const d of env.TERMINFO_DIRS.split(":")) dirs.push(d === "" ? DEFAULT_DIR : d);
  }
  dirs.push(...SYSTEM_DIRS);
  return [...new Set(dirs)];
}

/** Whether ncurses would look `term` up at all (no paths, no `:`). */
function validName(term: string): boolean {
  return term !== "" && term !== "." && term !== ".." && !/[/:]/.test(term);
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Paths where an entry for `term` exists, in search order: in each directory
 * the first-letter layout (`x/xterm`), then the hexadecimal one (`78/xterm`)
 * that case-insensitive file systems use.
 */
export function* terminfoCandidates(term: string, env: TerminfoEnvironment): Generator<string> {
  if (!validName(term)) return;
  const first = new TextEncoder().encode(term)[0]!;
  const leaves = [term[0]!, first.toString(16).padStart(2, "0")];
  for (const dir of terminfoDirectories(env)) {
    for (const leaf of leaves) {
      const path = `${dir}/${leaf}/${term}`;
      if (isFile(path)) yield path;
    }
  }
}

/**
 * The file ncurses would use for `term`: the first candidate, or `null`.
 *
 * @example
 * ```ts
 * import { locateTerminfo } from "./terminfo.ts";
 * locateTerminfo("xterm", {}); // "/lib/terminfo/x/xterm" on Debian
 * ```
 */
export function locateTerminfo(term: string, env: TerminfoEnvironment): string | null {
  for (const path of terminfoCandidates(term, env)) return path;
  return null;
}

function readHead(path: string): Uint8Array {
  using file = Deno.openSync(path);
  const buf = new Uint8Array(MAX_ENTRY_SIZE);
  let n = 0;
  while (n < buf.length) {
    const got = file.readSync(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/**
 * The entry for `term`, as `setupterm` would load it: the first candidate
 * that can be read and parsed (an unreadable or malformed file is passed
 * over, as ncurses does), or `null` when there is none.
 *
 * @example
 * ```ts
 * import { loadTerminfo } from "./terminfo.ts";
 * loadTerminfo("alacritty", { HOME: Deno.env.get("HOME") })?.numbers.get("colors"); // 256
 * ```
 */
export function loadTerminfo(term: string, env: TerminfoEnvironment): Terminfo | null {
  for (const path of terminfoCandidates(term, env)) {
    let bytes;
    try {
      bytes = readHead(path);
    } catch {
      continue; // unreadable (permissions, vanished): ncurses tries the next one too
    }
    try {
      return parseTerminfo(bytes);
    } catch (error) {
      if (!(error instanceof TerminfoError)) throw error;
    }
  }
  return null;
}

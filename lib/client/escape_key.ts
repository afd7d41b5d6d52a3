/**
 * The escape key (Ctrl-^ by default, `MOSH_ESCAPE_KEY` to change): Ctrl-^ .
 * quits, Ctrl-^ Ctrl-Z suspends, Ctrl-^ ^ sends a literal Ctrl-^.
 *
 * @module
 */

/** The escape key configuration. */
export interface EscapeKeyConfig {
  /** The escape character, or null when disabled (`MOSH_ESCAPE_KEY=""`). */
  key: number | null;
  /** Typed after the escape key, sends the escape character itself. */
  pass: number;
  altPass: number;
  /** A printable escape key works only at the start of a line. */
  needsNewline: boolean;
  /** `Ctrl-^` or `"~"`. */
  keyName: string;
  /** `"^"`. */
  passName: string;
}

const FORBIDDEN = new Set([0x03, 0x04, 0x0a, 0x0c, 0x0d]);

/**
 * Reads `MOSH_ESCAPE_KEY` as mosh does.
 *
 * @example
 * ```ts
 * import { parseEscapeKey } from "./escape_key.ts";
 * parseEscapeKey(undefined).keyName; // "Ctrl-^"
 * parseEscapeKey("~").needsNewline; // true
 * ```
 */
export function parseEscapeKey(value: string | undefined): EscapeKeyConfig {
  let key = 0x1e;
  if (value === "") {
    return { key: null, pass: 0, altPass: 0, needsNewline: false, keyName: "", passName: "" };
  }
  if (value !== undefined && value.length === 1) {
    const k = value.charCodeAt(0);
    if (k > 0 && k < 128 && !FORBIDDEN.has(k)) key = k;
  }
  const pass = key < 32 ? key + 0x40 : key;
  const passChar = String.fromCharCode(pass);
  const altPass = pass >= 0x41 && pass <= 0x5a ? pass + 0x20 : pass;
  return {
    key,
    pass,
    altPass,
    needsNewline: key >= 32,
    keyName: key < 32 ? `Ctrl-${passChar}` : `"${String.fromCharCode(key)}"`,
    passName: `"${passChar}"`,
  };
}

/** What the escape-key filter decided for one byte. */
export type EscapeAction = "quit" | "suspend" | "help" | "clear-help" | null;

/**
 * Filters keystrokes for escape sequences.
 *
 * @example
 * ```ts
 * import { EscapeKeyFilter, parseEscapeKey } from "./escape_key.ts";
 * const f = new EscapeKeyFilter(parseEscapeKey(undefined));
 * f.feed(0x1e).action; // "help"
 * f.feed(0x2e).action; // "quit"
 * ```
 */
export class EscapeKeyFilter {
  readonly config: EscapeKeyConfig;
  #started = false;
  #lfEntered = false;

  constructor(config: EscapeKeyConfig) {
    this.config = config;
  }

  /** The help text shown after the escape key. */
  get helpText(): string {
    const c = this.config;
    return `Commands: Ctrl-Z suspends, "." quits, ${c.passName} gives literal ${c.keyName}`;
  }

  /** Processes one byte: the bytes to send and what else to do. */
  feed(byte: number): { send: number[]; action: EscapeAction } {
    const c = this.config;
    if (this.#started) {
      this.#started = false;
      if (byte === 0x2e) return { send: [], action: "quit" };
      if (byte === 0x1a) return { send: [], action: "suspend" };
      if (byte === c.pass || byte === c.altPass) return { send: [c.key!], action: "clear-help" };
      return { send: [c.key!, byte], action: "clear-help" };
    }
    if (c.key !== null && byte === c.key && (this.#lfEntered || !c.needsNewline)) {
      this.#started = true;
      this.#lfEntered = false;
      return { send: [], action: "help" };
    }
    this.#lfEntered = byte === 0x0a || byte === 0x0d;
    return { send: [byte], action: null };
  }
}

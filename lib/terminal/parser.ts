/**
 * The vt500 escape-sequence parser (Paul Williams' DEC-compatible state
 * machine) over Unicode code points, as mosh runs it: fourteen states,
 * "anywhere" transitions first, DCS/SOS/PM/APC strings swallowed.
 *
 * @module
 */

/** What the parser reports. */
export interface ParserHandler {
  /** A printable character (Ground state). */
  print(codePoint: number): void;
  /** A C0 or C1 control to execute. */
  execute(codePoint: number): void;
  /** An escape sequence: collected intermediates and the final character. */
  escDispatch(intermediates: string, final: number): void;
  /** A control sequence: raw parameter text (`0-9;`), collected private markers/intermediates, final. */
  csiDispatch(params: string, intermediates: string, final: number): void;
  /**
   * The same with the parameters already read as numbers (`;`-separated; an
   * empty one or one over 65535 is −1): when the handler has it, the parser
   * calls it instead of {@linkcode ParserHandler.csiDispatch} and builds no text.
   * `params` is the parser's own: valid during the call only.
   */
  csiDispatchParsed?(params: number[], intermediates: string, final: number): void;
  /**
   * Beyond mosh 1.4.0 (which ignores every sequence with a colon): an SGR
   * (`CSI … m`, no private marker) whose parameters have colon
   * sub-parameters, as raw text (`0-9;:`), e.g. `4:3` or `38:2::255:0:0`.
   * Any other control sequence with a colon is ignored, as before.
   */
  sgrSubparams?(params: string): void;
  /** A complete operating system command string. */
  oscDispatch(text: string): void;
}

const enum S {
  Ground,
  Escape,
  EscapeIntermediate,
  CsiEntry,
  CsiParam,
  CsiIntermediate,
  CsiIgnore,
  DcsEntry,
  DcsParam,
  DcsIntermediate,
  DcsPassthrough,
  DcsIgnore,
  OscString,
  SosPmApcString,
}

/** Parameter characters kept, as in mosh: 16 five-digit parameters and their separators. */
const MAX_PARAM_CHARS = 100;
const MAX_INTERMEDIATES = 8;
const MAX_OSC = 16384;

/** C0 except CAN, SUB, ESC. */
function isC0(c: number): boolean {
  return c <= 0x17 || c === 0x19 || (c >= 0x1c && c <= 0x1f);
}

/**
 * Feeds code points through the state machine, calling a handler.
 *
 * @example
 * ```ts
 * import { Parser } from "./parser.ts";
 * const seen: string[] = [];
 * const parser = new Parser({
 *   print: (c) => seen.push(String.fromCodePoint(c)),
 *   execute: () => {}, escDispatch: () => {}, oscDispatch: () => {},
 *   csiDispatch: (p, i, f) => seen.push(`CSI ${p} ${i}${String.fromCharCode(f)}`),
 * });
 * for (const c of "a\x1b[1;2H") parser.input(c.codePointAt(0)!); // seen: ["a", "CSI 1;2 H"]
 * ```
 */
export class Parser {
  #state = S.Ground;
  /** Parameter characters (`0-9;`) of the sequence being read, and how many. */
  readonly #params = new Uint8Array(MAX_PARAM_CHARS);
  #paramCount = 0;
  /** Reused arrays for {@linkcode ParserHandler.csiDispatchParsed}, by length. */
  readonly #parsed: number[][] = [];
  #intermediates = "";
  /** Whether the sequence being read has a colon among its parameters. */
  #colons = false;
  #osc: number[] = [];
  readonly #h: ParserHandler;

  /** A Parser that reports what it parses to `handler`. */
  constructor(handler: ParserHandler) {
    this.#h = handler;
  }

  /** Whether the parser is in the Ground state (printable ASCII prints directly). */
  get inGround(): boolean {
    return this.#state === S.Ground;
  }

  #clear(): void {
    this.#paramCount = 0;
    this.#intermediates = "";
    this.#colons = false;
  }

  #collect(c: number): void {
    if (c <= 0xff && this.#intermediates.length < MAX_INTERMEDIATES) {
      this.#intermediates += String.fromCharCode(c);
    }
  }

  #param(c: number): void {
    // Kept as bytes: a string grown a character at a time cost an allocation per
    // digit and a flattening per sequence (a tenth of the server's CPU on
    // SGR-heavy output, 2026-11-25 profile).
    if (this.#paramCount < MAX_PARAM_CHARS) this.#params[this.#paramCount++] = c;
  }

  /** Switches state, running the exit action of the old and the entry action of the new. */
  #transition(next: S): void {
    if (this.#state === S.OscString) {
      const text = String.fromCodePoint(...this.#osc);
      this.#osc = [];
      this.#state = next; // switch first so a re-entrant handler sees a sane state
      this.#h.oscDispatch(text);
    }
    this.#state = next;
    if (next === S.Escape || next === S.CsiEntry || next === S.DcsEntry) this.#clear();
    if (next === S.OscString) this.#osc = [];
  }

  /** Processes one code point. */
  input(c: number): void {
    // Table A: anywhere.
    if (
      c === 0x18 || c === 0x1a || (c >= 0x80 && c <= 0x8f) || (c >= 0x91 && c <= 0x97) ||
      c === 0x99 || c === 0x9a
    ) {
      this.#transition(S.Ground);
      this.#h.execute(c);
      return;
    }
    switch (c) {
      case 0x9c:
        return this.#transition(S.Ground);
      case 0x1b:
        return this.#transition(S.Escape);
      case 0x98:
      case 0x9e:
      case 0x9f:
        return this.#transition(S.SosPmApcString);
      case 0x90:
        return this.#transition(S.DcsEntry);
      case 0x9d:
        return this.#transition(S.OscString);
      case 0x9b:
        return this.#transition(S.CsiEntry);
    }
    const k = c >= 0xa0 ? 0x41 : c; // class of c
    switch (this.#state) {
      case S.Ground:
        if (isC0(k)) this.#h.execute(c);
        else if (k >= 0x20 && k <= 0x7f) this.#h.print(c);
        return;
      case S.Escape:
        if (isC0(k)) this.#h.execute(c);
        else if (k >= 0x20 && k <= 0x2f) {
          this.#collect(c);
          this.#transition(S.EscapeIntermediate);
        } else if (k === 0x5b) this.#transition(S.CsiEntry);
        else if (k === 0x5d) this.#transition(S.OscString);
        else if (k === 0x50) this.#transition(S.DcsEntry);
        else if (k === 0x58 || k === 0x5e || k === 0x5f) this.#transition(S.SosPmApcString);
        else if (k >= 0x30 && k <= 0x7e) {
          const intermediates = this.#intermediates;
          this.#transition(S.Ground);
          this.#h.escDispatch(intermediates, c);
        }
        return;
      case S.EscapeIntermediate:
        if (isC0(k)) this.#h.execute(c);
        else if (k >= 0x20 && k <= 0x2f) this.#collect(c);
        else if (k >= 0x30 && k <= 0x7e) {
          const intermediates = this.#intermediates;
          this.#transition(S.Ground);
          this.#h.escDispatch(intermediates, c);
        }
        return;
      case S.CsiEntry:
      case S.CsiParam:
      case S.CsiIntermediate:
        return this.#csi(c, k);
      case S.CsiIgnore:
        if (isC0(k)) this.#h.execute(c);
        else if (k >= 0x40 && k <= 0x7e) this.#transition(S.Ground);
        return;
      case S.DcsEntry:
      case S.DcsParam:
      case S.DcsIntermediate:
        return this.#dcs(c, k);
      case S.DcsPassthrough:
      case S.DcsIgnore:
      case S.SosPmApcString:
        return; // swallowed until ST (an anywhere transition)
      case S.OscString:
        if (k >= 0x20 && k <= 0x7f) {
          if (this.#osc.length < MAX_OSC) this.#osc.push(c);
        } else if (k === 0x07) this.#transition(S.Ground);
        return;
    }
  }

  #csi(c: number, k: number): void {
    const state = this.#state;
    if (isC0(k)) return this.#h.execute(c);
    if (k >= 0x40 && k <= 0x7e) {
      const intermediates = this.#intermediates, h = this.#h;
      if (this.#colons) {
        const sgr = c === 0x6d && intermediates === "" && h.sgrSubparams !== undefined;
        const params = sgr ? this.#paramText() : "";
        this.#transition(S.Ground);
        if (sgr) h.sgrSubparams!(params);
      } else if (h.csiDispatchParsed) {
        const params = this.#parsedParams();
        this.#transition(S.Ground);
        h.csiDispatchParsed(params, intermediates, c);
      } else {
        const params = this.#paramText();
        this.#transition(S.Ground);
        h.csiDispatch(params, intermediates, c);
      }
      return;
    }
    if (state === S.CsiIntermediate) {
      if (k >= 0x20 && k <= 0x2f) this.#collect(c);
      else if (k >= 0x30 && k <= 0x3f) this.#transition(S.CsiIgnore);
      return;
    }
    if ((k >= 0x30 && k <= 0x39) || k === 0x3b) {
      this.#param(c);
      if (state === S.CsiEntry) this.#transition(S.CsiParam);
    } else if (k >= 0x3c && k <= 0x3f) {
      if (state === S.CsiEntry) {
        this.#collect(c);
        this.#transition(S.CsiParam);
      } else this.#transition(S.CsiIgnore);
    } else if (k === 0x3a) {
      // A sub-parameter separator: kept for SGR (see ParserHandler.sgrSubparams).
      this.#param(c);
      this.#colons = true;
      if (state === S.CsiEntry) this.#transition(S.CsiParam);
    } else if (k >= 0x20 && k <= 0x2f) {
      this.#collect(c);
      this.#transition(S.CsiIntermediate);
    }
  }

  /** The parameter characters as read (`0-9;`, and `:` in an SGR). */
  #paramText(): string {
    return String.fromCharCode(...this.#params.subarray(0, this.#paramCount));
  }

  /** The parameters as numbers: `;`-separated, an empty one or one over 65535 is −1. */
  #parsedParams(): number[] {
    const chars = this.#params, count = this.#paramCount;
    let n = 1;
    for (let i = 0; i < count; i++) if (chars[i] === 0x3b) n++;
    // One array per count, reused: allocating one per sequence went through
    // V8's runtime (5-7 % of the emulator's time on SGR-heavy output).
    const out = this.#parsed[n] ??= new Array<number>(n).fill(0);
    let v = -1, at = 0; // v: no digit yet
    for (let i = 0; i < count; i++) {
      const c = chars[i]!;
      if (c === 0x3b) {
        out[at++] = v > 65535 ? -1 : v;
        v = -1;
      } else v = v < 0 ? c - 0x30 : v > 65535 ? v : v * 10 + c - 0x30;
    }
    out[at] = v > 65535 ? -1 : v;
    return out;
  }

  #dcs(c: number, k: number): void {
    const state = this.#state;
    if (k >= 0x40 && k <= 0x7e) return this.#transition(S.DcsPassthrough);
    if (state === S.DcsIntermediate) {
      if (k >= 0x20 && k <= 0x2f) this.#collect(c);
      else if (k >= 0x30 && k <= 0x3f) this.#transition(S.DcsIgnore);
      return;
    }
    if ((k >= 0x30 && k <= 0x39) || k === 0x3b) {
      this.#param(c);
      if (state === S.DcsEntry) this.#transition(S.DcsParam);
    } else if (k >= 0x3c && k <= 0x3f) {
      if (state === S.DcsEntry) {
        this.#collect(c);
        this.#transition(S.DcsParam);
      } else this.#transition(S.DcsIgnore);
    } else if (k === 0x3a) {
      this.#transition(S.DcsIgnore);
    } else if (k >= 0x20 && k <= 0x2f) {
      this.#collect(c);
      this.#transition(S.DcsIntermediate);
    }
  }
}

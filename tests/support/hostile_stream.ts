/**
 * Structured-random hostile host output for the emulator fuzz tests: huge
 * and malformed CSI/OSC/DCS, broken UTF-8, C1 bytes, wide and combining
 * characters, mode switches and resizes.
 *
 * @module
 */
import { seededRandom } from "./sim_network.ts";

const encoder = new TextEncoder();

/** Host output bytes, or a window resize. */
export type Operation = { bytes: Uint8Array } | { resize: [number, number] };

/** Builds structured-random host output from a seeded generator. */
export class HostileStream {
  readonly #random: () => number;
  /** A stream drawn from the generator seeded with `seed`. */
  constructor(seed: number) {
    this.#random = seededRandom(seed);
  }

  #int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  #pick<T>(items: readonly T[]): T {
    return items[this.#int(items.length)]!;
  }

  #param(): string {
    return this.#pick(["", "0", "1", "2", "7", "38", "48", "5", "255", "65535", "99999999999"]) +
      (this.#random() < 0.05 ? ":" + this.#int(300) : "");
  }

  #csi(): string {
    const prefix = this.#random() < 0.3 ? this.#pick(["?", ">", "<", "="]) : "";
    const count = this.#random() < 0.05 ? 40 + this.#int(60) : this.#int(6);
    const params = Array.from({ length: count }, () => this.#param()).join(";");
    const intermediate = this.#random() < 0.1 ? this.#pick([" ", "!", '"', "$", "'"]) : "";
    return `\x1b[${prefix}${params}${intermediate}${String.fromCharCode(0x40 + this.#int(63))}`;
  }

  #string(maxLength: number): string {
    let s = "";
    const length = this.#int(maxLength);
    for (let i = 0; i < length; i++) s += String.fromCharCode(0x20 + this.#int(0x5f));
    return s;
  }

  #terminator(): string {
    return this.#pick(["\x07", "\x1b\\", "\x9c", "", "\x18", "\x1b[m"]);
  }

  #utf8Char(): string {
    const ranges: [number, number][] = [
      [0x20, 0x7e],
      [0xa0, 0x2ff],
      [0x300, 0x36f], // combining
      [0x1100, 0x115f], // wide Hangul jamo
      [0x4e00, 0x9fff], // CJK
      [0xfe00, 0xfe0f], // variation selectors
      [0x1f300, 0x1f6ff], // emoji
      [0xe000, 0xf8ff], // private use
      [0x200b, 0x200f], // zero width
    ];
    const [lo, hi] = this.#pick(ranges);
    return String.fromCodePoint(lo + this.#int(hi - lo + 1));
  }

  /** One piece of host output, as bytes. */
  piece(): Uint8Array {
    switch (this.#int(14)) {
      case 0:
        return Uint8Array.from({ length: 1 + this.#int(64) }, () => this.#int(256));
      case 1: // broken UTF-8: lone continuations, truncated and overlong sequences, surrogates
        return Uint8Array.from(this.#pick([
          [0x80],
          [0xc0, 0xaf],
          [0xe2, 0x82],
          [0xed, 0xa0, 0x80],
          [
            0xf4,
            0x90,
            0x80,
            0x80,
          ],
          [0xff],
          [0xf0, 0x9f],
        ]));
      case 2: // raw C1 controls
        return Uint8Array.of(0x80 + this.#int(32));
      case 3:
        return encoder.encode(this.#csi());
      case 4:
        return encoder.encode(
          `\x1b]${this.#pick(["0", "1", "2", "52", "4", "10", "", "999999"])};${
            this.#string(this.#random() < 0.02 ? 20_000 : 80)
          }${this.#terminator()}`,
        );
      case 5:
        return encoder.encode(
          `\x1b${this.#pick(["P", "X", "^", "_"])}${this.#string(200)}${this.#terminator()}`,
        );
      case 6:
        return encoder.encode(
          `\x1b${this.#pick(["(", ")", "*", "+", "#", " ", "%", ""])}${
            String.fromCharCode(0x20 + this.#int(0x5f))
          }`,
        );
      case 7:
        return Uint8Array.of(this.#int(32));
      case 8:
        return encoder.encode(
          Array.from({ length: 1 + this.#int(20) }, () => this.#utf8Char()).join(""),
        );
      case 9:
        return encoder.encode(
          this.#pick([
            "\x1b[?1049h",
            "\x1b[?1049l",
            "\x1b[?47h",
            "\x1b[?1047l",
            "\x1b[?6h",
            "\x1b[?7l",
          ]),
        );
      case 10:
        return encoder.encode(`\x1b[${this.#int(30)};${this.#int(90)}r`);
      default:
        return encoder.encode(this.#string(120) + (this.#random() < 0.3 ? "\r\n" : ""));
    }
  }

  /** About `bytes` bytes of operations, with a resize now and then. */
  operations(bytes: number): Operation[] {
    const ops: Operation[] = [];
    let total = 0;
    while (total < bytes) {
      if (this.#random() < 0.002) {
        ops.push({ resize: [1 + this.#int(160), 1 + this.#int(60)] });
        continue;
      }
      const parts: Uint8Array[] = [];
      let size = 0;
      while (size < 2048) {
        const p = this.piece();
        parts.push(p);
        size += p.length;
      }
      const chunk = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        chunk.set(p, at);
        at += p.length;
      }
      ops.push({ bytes: chunk });
      total += size;
    }
    return ops;
  }
}

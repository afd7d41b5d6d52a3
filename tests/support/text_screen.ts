/**
 * A stand-in terminal screen for transport tests: its text is the whole
 * state, and a diff is the full new text.
 *
 * @module
 */
import type { TerminalScreen } from "../../lib/statesync/terminal_screen.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A screen whose whole state is one string (and a size). */
export class TextScreen implements TerminalScreen<TextScreen> {
  width = 80;
  height = 24;
  text = "";
  /** How many diffs were applied. */
  writes = 0;
  diffFrom(base: TextScreen): Uint8Array {
    return base.text === this.text ? new Uint8Array(0) : encoder.encode(this.text);
  }
  write(bytes: Uint8Array): void {
    this.text = decoder.decode(bytes);
    this.writes++;
  }
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
  }
  equals(other: TextScreen): boolean {
    return this.text === other.text && this.width === other.width &&
      this.height === other.height;
  }
  clone(): TextScreen {
    const c = new TextScreen();
    c.text = this.text;
    c.width = this.width;
    c.height = this.height;
    return c;
  }
}

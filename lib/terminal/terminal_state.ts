/**
 * The terminal screen as the complete-terminal state object sees it: an
 * emulator whose diff is the display string (implements `TerminalScreen`).
 *
 * @module
 */
import type { TerminalScreen } from "../statesync/terminal_screen.ts";
import { Feature } from "../statesync/capabilities.ts";
import { type Capabilities, newFrame, SERVER_CAPABILITIES } from "./display.ts";
import { Emulator } from "./emulator.ts";
import type { Framebuffer } from "./framebuffer.ts";
import { ScrollbackStore } from "./scrollback_store.ts";

const encoder = new TextEncoder();

/** The server's diff capabilities for each set of announced features (built once). */
const byFeatures = new Map<number, Capabilities>();

/** What the server's diff may use for a client that announced `features`. */
function serverCapabilities(features: number): Capabilities {
  let caps = byFeatures.get(features);
  if (caps === undefined) {
    caps = {
      ...SERVER_CAPABILITIES,
      hyperlinks: (features & Feature.Hyperlinks) !== 0,
      workingDirectory: (features & Feature.WorkingDirectory) !== 0,
      notifications: (features & Feature.Notifications) !== 0,
      clearHistory: (features & Feature.Scrollback) !== 0,
      alternateScreen: (features & Feature.Scrollback) !== 0,
    };
    byFeatures.set(features, caps);
  }
  return caps;
}

/**
 * Emulator + display diff.
 *
 * @example
 * ```ts
 * import { TerminalState } from "./terminal_state.ts";
 * const server = new TerminalState(80, 24);
 * server.write(new TextEncoder().encode("hello"));
 * const client = new TerminalState(80, 24);
 * client.write(server.diffFrom(new TerminalState(80, 24)));
 * client.equals(server); // true
 * ```
 */
export class TerminalState implements TerminalScreen<TerminalState> {
  /** The emulator holding the screen. */
  readonly emulator: Emulator;
  /** Lines that left the screen, shared with all copies (null until recording starts). */
  #store: ScrollbackStore | null = null;
  /** How many of the store's lines this copy has (the live state reads the store). */
  #end = 0;
  /** The store's `clearedAt` when this copy was taken. */
  #clearedAt = 0;
  #live = false;
  /** Rows a shrink drops from the top go to the history (Feature.ShrinkLines). */
  #recordShrinks = false;

  /** A blank TerminalState of `width` columns by `height` rows. */
  constructor(width: number, height: number, emulator?: Emulator) {
    this.emulator = emulator ?? new Emulator(width, height);
  }

  /** The current framebuffer. */
  get fb(): Framebuffer {
    return this.emulator.fb;
  }

  get width(): number {
    return this.emulator.fb.width;
  }

  get height(): number {
    return this.emulator.fb.height;
  }

  diffFrom(base: TerminalState, features = 0): Uint8Array {
    if (base.fb === this.fb) return new Uint8Array(0);
    return encoder.encode(newFrame(true, base.fb, this.fb, serverCapabilities(features)));
  }

  get historyActive(): boolean {
    return this.#store !== null;
  }

  get historyEnd(): number {
    return this.#live ? this.#store!.end : this.#end;
  }

  get historyClearedAt(): number {
    return this.#live ? this.#store!.clearedAt : this.#clearedAt;
  }

  historyLine(n: number, hyperlinks: boolean): Uint8Array | null {
    return n < this.historyEnd ? this.#store?.line(n, hyperlinks) ?? null : null;
  }

  historyWraps(n: number): boolean {
    return n < this.historyEnd && (this.#store?.wraps(n) ?? false);
  }

  recordHistory(shrinks = false): void {
    if (shrinks) this.#recordShrinks = true;
    if (this.#store !== null) return;
    const store = new ScrollbackStore();
    this.#store = store;
    this.#live = true;
    this.emulator.fb.scrollOff = (row) => store.push(row);
    this.emulator.fb.historyCleared = () => store.clear();
  }

  write(hostBytes: Uint8Array): void {
    this.emulator.write(hostBytes);
  }

  /**
   * Feeds a program's output through the emulator; returns what the terminal
   * answers (e.g. to a cursor-position query), "" for nothing.
   */
  writeOutput(output: Uint8Array): string {
    return this.emulator.write(output);
  }

  /** Whether the program switched the arrow keys to application mode (DECCKM). */
  get applicationCursorKeys(): boolean {
    return this.emulator.fb.ds.applicationCursorKeys;
  }

  resize(width: number, height: number): void {
    // Recording history means the client's terminal holds it (a scrollback
    // client) and shrinks around its cursor: so does this screen.
    this.emulator.resize(width, height, this.#store !== null, this.#recordShrinks);
  }

  equals(other: TerminalState): boolean {
    return this.fb.equals(other.fb);
  }

  clone(): TerminalState {
    const copy = new TerminalState(this.width, this.height, this.emulator.clone());
    if (this.#live) this.#store!.copied();
    copy.#store = this.#store;
    copy.#end = this.historyEnd;
    copy.#clearedAt = this.historyClearedAt;
    return copy;
  }
}

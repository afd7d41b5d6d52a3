/**
 * The user stream, client → server: every keystroke byte and window resize,
 * in order. Diffs carry the events after a prefix the receiver holds.
 *
 * @module
 */
import type { SyncState } from "../network/sync_state.ts";
import { decodeUserMessage, encodeUserMessage, type UserEvent } from "./user_message.ts";

/** A window resize event. */
interface Resize {
  width: number;
  height: number;
}

/** Our extension's announcement (capabilities.ts). */
interface Announce {
  features: number;
}

/** One unit of the stream: a keystroke byte, a resize, or an announcement. */
type Unit = number | Resize | Announce;

/**
 * Keystrokes and resizes, one unit per byte (as mosh) so that prefixes of
 * differently-batched diffs still line up.
 *
 * @example
 * ```ts
 * import { UserStream } from "./user_stream.ts";
 * const sent = new UserStream();
 * sent.pushResize(80, 24);
 * sent.pushKeys(new TextEncoder().encode("ls\r"));
 * const received = new UserStream();
 * received.apply(sent.diffFrom(new UserStream()));
 * received.equals(sent); // true
 * ```
 */
export class UserStream implements SyncState<UserStream> {
  #units: Unit[] = [];
  /** Units removed from the front by {@linkcode subtract}, so `end` stays absolute. */
  #dropped = 0;

  /** Number of units held. */
  get size(): number {
    return this.#units.length;
  }

  /** Units ever appended to this stream's lineage (held + subtracted): a position that only grows. */
  get end(): number {
    return this.#dropped + this.#units.length;
  }

  /** Appends keystroke bytes. */
  pushKeys(bytes: Uint8Array): void {
    for (const b of bytes) this.#units.push(b);
  }

  /** Appends a resize. */
  pushResize(width: number, height: number): void {
    this.#units.push({ width, height });
  }

  /**
   * Appends the announcement of our extensions (capabilities.ts). A stock
   * mosh-server skips it; the units after it still line up, because each
   * side only ever diffs its own copies.
   */
  pushCapabilities(features: number): void {
    this.#units.push({ features });
  }

  /** The events after the first `from` units, keystrokes merged into runs. */
  eventsSince(from: number): UserEvent[] {
    const events: UserEvent[] = [];
    let keys: number[] = [];
    const flush = () => {
      if (keys.length > 0) events.push({ kind: "keys", keys: Uint8Array.from(keys) });
      keys = [];
    };
    for (let i = from; i < this.#units.length; i++) {
      const u = this.#units[i]!;
      if (typeof u === "number") {
        keys.push(u);
      } else if ("features" in u) {
        flush();
        events.push({ kind: "capabilities", features: u.features });
      } else {
        flush();
        events.push({ kind: "resize", width: u.width, height: u.height });
      }
    }
    flush();
    return events;
  }

  diffFrom(base: UserStream): Uint8Array {
    return encodeUserMessage(this.eventsSince(base.size));
  }

  apply(diff: Uint8Array): void {
    for (const event of decodeUserMessage(diff)) {
      if (event.kind === "keys") this.pushKeys(event.keys);
      else if (event.kind === "resize") this.pushResize(event.width, event.height);
      else this.pushCapabilities(event.features);
    }
  }

  subtract(prefix: UserStream): void {
    const n = Math.min(prefix.size, this.#units.length);
    this.#units.splice(0, n);
    this.#dropped += n;
  }

  equals(other: UserStream): boolean {
    const a = this.#units, b = other.#units;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!, y = b[i]!;
      if (x === y) continue;
      if (typeof x === "number" || typeof y === "number") return false;
      if ("features" in x || "features" in y) {
        if (!("features" in x && "features" in y) || x.features !== y.features) return false;
      } else if (x.width !== y.width || x.height !== y.height) return false;
    }
    return true;
  }

  clone(): UserStream {
    const copy = new UserStream();
    copy.#units = this.#units.slice();
    copy.#dropped = this.#dropped;
    return copy;
  }
}

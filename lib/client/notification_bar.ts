/**
 * The notification bar: "Last contact …" when the server goes quiet,
 * messages such as "Exiting...", drawn over the top row.
 *
 * @module
 */
import type { Framebuffer } from "../terminal/framebuffer.ts";
import { charWidth } from "../terminal/char_width.ts";
import { Attr } from "../terminal/renditions.ts";
import { FALLBACK, WIDE } from "../terminal/row.ts";

/** The server is "late" after this silence. */
export const SERVER_LATE = 6500;
/** Our input is unacknowledged "late" after this. */
export const REPLY_LATE = 10_000;

/** Formats elapsed seconds as mosh does. */
export function humanReadableDuration(seconds: number, unit: string): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} ${unit}`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/**
 * Messages, their lifetimes, and the late-link count-up.
 *
 * @example
 * ```ts
 * import { NotificationBar } from "./notification_bar.ts";
 * const bar = new NotificationBar(" [To quit: Ctrl-^ .]", 0);
 * bar.text(10_000); // "mosh: Last contact 10 seconds ago. [To quit: Ctrl-^ .]"
 * ```
 */
export class NotificationBar {
  /** Last heard. */
  lastHeard: number;
  /** Last acked. */
  lastAcked: number;
  #message = "";
  #expires = -1; // -1 = permanent
  #showQuit = true;
  #isNetworkError = false;
  readonly #quitHint: string;

  /** A bar that shows `quitHint` with its messages; `now` starts the silence clock. */
  constructor(quitHint: string, now: number) {
    this.#quitHint = quitHint;
    this.lastHeard = now;
    this.lastAcked = now;
  }

  /** The current message ("" when none). */
  get message(): string {
    return this.#message;
  }

  /** Shows `message`; permanent ones stay until replaced or cleared. */
  set(
    message: string,
    now: number,
    options: { permanent?: boolean; lifetime?: number; showQuit?: boolean } = {},
  ): void {
    this.#message = message;
    this.#expires = options.permanent ? -1 : now + (options.lifetime ?? 1000);
    this.#showQuit = options.showQuit ?? true;
    this.#isNetworkError = false;
  }

  /** Shows a network error (3.1 s, shortened after a good send). */
  setNetworkError(text: string, now: number): void {
    this.set(text, now, { lifetime: 3100 });
    this.#isNetworkError = true;
  }

  /** After a successful send: a shown network error expires within 1 s. */
  clearNetworkError(now: number): void {
    if (this.#isNetworkError && this.#expires > now + 1000) this.#expires = now + 1000;
  }

  /** Removes the message; what shows next has the quit hint again (mosh sets an empty one). */
  clear(): void {
    this.#message = "";
    this.#expires = -1;
    this.#showQuit = true;
    this.#isNetworkError = false;
  }

  #expire(now: number): void {
    // An expired message goes, its quit-hint setting stays (as mosh's).
    if (this.#message !== "" && this.#expires >= 0 && now >= this.#expires) {
      this.#message = "";
      this.#expires = -1;
      this.#isNetworkError = false;
    }
  }

  /** The bar text at `now`, or "" for no bar. */
  text(now: number): string {
    this.#expire(now);
    const serverLate = now - this.lastHeard > SERVER_LATE;
    const replyLate = now - this.lastAcked > REPLY_LATE;
    const countUp = serverLate || replyLate;
    const useReply = replyLate && !serverLate;
    const word = useReply ? "reply" : "contact";
    const since = (useReply ? now - this.lastAcked : now - this.lastHeard) / 1000;
    const quit = this.#showQuit ? this.#quitHint : "";
    if (this.#message === "") {
      if (!countUp) return "";
      return `mosh: Last ${word} ${humanReadableDuration(since, "seconds")} ago.${quit}`;
    }
    if (!countUp) return `mosh: ${this.#message}${quit}`;
    return `mosh: ${this.#message} (${humanReadableDuration(since, "s")} without ${word}.)${quit}`;
  }

  /** Milliseconds until the bar needs redrawing. */
  waitTime(now: number): number {
    let wait = Infinity;
    if (this.#message !== "" && this.#expires >= 0) wait = Math.max(0, this.#expires - now);
    if (now - this.lastHeard > SERVER_LATE || now - this.lastAcked > REPLY_LATE) {
      wait = Math.min(wait, now - this.lastHeard > 60_000 ? 3000 : 1000);
    } else {
      wait = Math.min(wait, Math.max(0, this.lastHeard + SERVER_LATE + 1 - now));
    }
    return wait;
  }

  /** Draws the bar into row 0 of `fb` (display.md §8.4). */
  apply(fb: Framebuffer, now: number): void {
    const text = this.text(now);
    if (text === "") return;
    if (fb.ds.cursorRow === 0) fb.ds.cursorVisible = false;
    const row = fb.mutableRow(0);
    row.resetCells(0, fb.width, 44);
    row.contents.fill(" ");
    row.fg.fill(37);
    let x = 0;
    let last = -1;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const w = charWidth(cp);
      if (w < 0) continue;
      if (w === 0) {
        if (last >= 0) row.contents[last] += ch;
        continue;
      }
      if (x + w > fb.width) break;
      row.contents[x] = ch;
      row.fg[x] = 37;
      row.bg[x] = 44;
      row.attrs[x] = Attr.Bold;
      row.flags[x] = w === 2 ? WIDE : 0;
      if (w === 2) {
        row.resetCell(x + 1, 44);
        row.flags[x + 1] = 0;
      }
      last = x;
      x += w;
    }
    row.flags[0]! &= ~FALLBACK;
  }
}

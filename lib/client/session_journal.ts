/**
 * The client's transport journal: keeps a session's record in the
 * {@linkcode SessionStore} current enough that a new process can take the
 * session over, and turns a record back into a transport snapshot.
 *
 * What is written, and when (each write is one atomic file replacement):
 * - a block of 1024 sequence numbers before the first of them is used (with
 *   the directory flushed), so no nonce is ever sealed twice under the key;
 * - a block of 1024 state numbers, likewise;
 * - the user-stream events after the acknowledged state, before an
 *   instruction carrying new events leaves (at most once per frame, ≥ 20 ms);
 * - the server screens, before they are acknowledged (at most 10 per second);
 * - the acknowledged state number, at most once a second otherwise.
 *
 * The last three are the hot part: each write of them goes, with all three,
 * into the record's two slot files in turn (screen_slots.ts: in place, no
 * rename; a keystroke's write took 0.6 ms by rename, 2026-12-06). The record
 * itself is replaced only for the reservations, and then carries them too.
 *
 * @module
 */
import type { NumberedState } from "../network/durable_acks.ts";
import type { TransportJournal, TransportResume } from "../network/transport.ts";
import { CompleteTerminal, validSize } from "../statesync/complete_terminal.ts";
import { ReceivedHistory } from "../statesync/received_history.ts";
import { UserStream } from "../statesync/user_stream.ts";
import { type Capabilities, newFrame, SERVER_CAPABILITIES } from "../terminal/display.ts";
import { TerminalState } from "../terminal/terminal_state.ts";
import type { ScreenSlots } from "./screen_slots.ts";
import {
  type SavedScreen,
  type SessionRecord,
  type SessionStore,
  SessionStoreError,
} from "./session_store.ts";

const encoder = new TextEncoder();
/** Sequence numbers reserved per write. */
export const SEQ_BLOCK = 1024;
/** State numbers reserved per write. */
export const NUM_BLOCK = 1024n;
/** The acknowledged-state number alone is rewritten at most this often (ms). */
const FRONT_INTERVAL = 1000;

type Remote = CompleteTerminal<TerminalState>;

// V8's own base64: `node:buffer` pulled part of Deno's Node layer into every client.
function encodeBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/** A field of a session file that must hold what we wrote: anything else is a damaged file. */
function damaged(what: string): SessionStoreError {
  return new SessionStoreError(`The session file is damaged (${what}): it cannot be resumed`);
}

function decodeBase64(text: unknown, what: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(String(text));
  } catch {
    throw damaged(`${what} is not base64`);
  }
}

function decimal(text: unknown, what: string): bigint {
  if (typeof text !== "string" || !/^\d{1,20}$/.test(text)) {
    throw damaged(`${what} is not a number`);
  }
  return BigInt(text);
}

/**
 * The blank screen saves are drawn from, kept for the next save of that
 * size (a diff only reads it): a new one per save was an emulator and a
 * screenful of rows, a tenth of the client's garbage under steady output.
 */
let blankScreen: TerminalState | null = null;

/**
 * What a saved screen keeps beyond mosh 1.4.0's diff: its links, working
 * directory and alternate screen (the server's next diffs assume the client
 * has them), but no notifications (already shown; a count starts again at 0
 * in the new client) and no history erases.
 */
const SAVED_CAPABILITIES: Capabilities = {
  ...SERVER_CAPABILITIES,
  hyperlinks: true,
  workingDirectory: true,
  // A program's alternate screen stays one: a client resumed in vim follows it onto the
  // terminal's own alternate screen, and vim's exit brings the main screen back whole.
  alternateScreen: true,
};

/** A screen as the record keeps it: the display string that draws it on a blank screen. */
export function saveScreen(entry: NumberedState<Remote>): SavedScreen {
  const { screen, echoAck, history } = entry.state;
  if (blankScreen?.width !== screen.width || blankScreen.height !== screen.height) {
    blankScreen = new TerminalState(screen.width, screen.height);
  }
  const blank = blankScreen;
  return {
    num: String(entry.num),
    width: screen.width,
    height: screen.height,
    echoAck: String(echoAck),
    screen: encodeBase64(encoder.encode(newFrame(true, blank.fb, screen.fb, SAVED_CAPABILITIES))),
    ...(history.active ? { historyEnd: history.end } : {}),
    ...(history.shrinkLines ? { shrinkLines: true } : {}),
  };
}

/**
 * Rebuilds a saved screen.
 *
 * @throws {SessionStoreError} when it does not hold what {@linkcode saveScreen} writes.
 */
export function loadScreen(saved: SavedScreen, printed = 0): NumberedState<Remote> {
  const { width, height } = saved;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || !validSize(width, height)) {
    throw damaged("a screen's size");
  }
  const num = decimal(saved.num, "a screen's number");
  const echoAck = decimal(saved.echoAck, "a screen's echo acknowledgement");
  const screen = new TerminalState(width, height);
  screen.write(decodeBase64(saved.screen, "a screen"));
  const state = new CompleteTerminal(screen, echoAck);
  // The lines before the end were drawn by the client that saved it: the
  // server's next diffs carry only the later ones, and the new client's
  // scrollback starts there (no "skipped" marker, no line twice).
  const end = saved.historyEnd;
  if (typeof end === "number" && Number.isSafeInteger(end) && end >= 0) {
    // The dead client may have printed lines past its newest saved screen
    // (a screen is saved before its acknowledgement, lines are printed when
    // it arrives): those are not taken again either.
    state.history = ReceivedHistory.restored(Math.max(end, printed), saved.shrinkLines === true);
  }
  return { num, state };
}

/**
 * The transport snapshot a record describes: numbers past everything the old process used.
 *
 * @throws {SessionStoreError} when a field does not hold what a journal writes.
 */
export function resumeFromRecord(
  record: SessionRecord,
  printed = 0,
): TransportResume<UserStream, Remote> {
  const current = new UserStream();
  if (record.events !== "") {
    const events = decodeBase64(record.events, "the keystrokes");
    try {
      current.apply(events);
    } catch {
      throw damaged("the keystrokes");
    }
  }
  if (!Number.isSafeInteger(record.seqEnd) || record.seqEnd < 0) {
    throw damaged("the sequence number");
  }
  return {
    firstSeq: record.seqEnd,
    ackedNum: decimal(record.ackedNum, "the acknowledged state"),
    current,
    nextNum: decimal(record.numEnd, "the state number"),
    remoteStates: record.remote.map((saved) => loadScreen(saved, printed)),
  };
}

/** The first line with text of the newest saved screen (for `--list`). */
export function firstLine(record: SessionRecord): string {
  const newest = record.remote[record.remote.length - 1];
  if (!newest) return "";
  const fb = loadScreen(newest).state.screen.fb;
  for (let y = 0; y < fb.height; y++) {
    const text = fb.rowText(y).trim();
    if (text !== "") return text;
  }
  return "";
}

/**
 * Keeps one session's record up to date for the transport.
 *
 * @example
 * ```ts ignore
 * const journal = new SessionJournal(store, record);
 * new Transport({ ...options, journal });
 * ```
 */
export class SessionJournal implements TransportJournal<UserStream, Remote> {
  /** The record as last written. */
  readonly record: SessionRecord;
  readonly #store: SessionStore;
  readonly #clock: () => number;
  #savedEnd: number;
  #savedAcked: bigint;
  #lastWrite = Number.NEGATIVE_INFINITY;
  #screens = new Map<string, SavedScreen>();
  /** Opened at the first screen save. */
  #slots: ScreenSlots | null = null;
  /** `<id>.printed`, opened at the first frame that prints history lines. */
  #printed: Deno.FsFile | null = null;
  #printedEnd = -1;
  #closed = false;
  readonly #lock: Deno.FsFile | null;
  /** Writes so far (for tests and the README's figures). */
  writes = 0;

  /**
   * @param record The record to keep (written at once: the new process now holds it).
   * @param options.lock The session's lock ({@linkcode SessionStore.lock}), released by `close`.
   * @param current With a resumed record, the user stream restored from it.
   */
  constructor(
    store: SessionStore,
    record: SessionRecord,
    options: { clock?: () => number; current?: UserStream; lock?: Deno.FsFile } = {},
  ) {
    this.#store = store;
    this.#lock = options.lock ?? null;
    this.record = record;
    this.#clock = options.clock ?? (() => performance.now());
    this.#savedEnd = options.current?.end ?? 0;
    this.#savedAcked = BigInt(record.ackedNum);
    for (const s of record.remote) this.#screens.set(s.num, s);
    this.#write(true);
  }

  /**
   * Where the time the server was last heard from comes from (the
   * transport's `lastHeard`, on the journal's clock); each write records it.
   */
  contactSource: (() => number) | null = null;

  reserveSeq(seq: number): number {
    // Already on disk (a new record is written with its first block reserved).
    if (seq < this.record.seqEnd) return this.record.seqEnd;
    this.record.seqEnd = seq + SEQ_BLOCK;
    this.#write(true);
    return this.record.seqEnd;
  }

  reserveNum(num: bigint): bigint {
    if (num < BigInt(this.record.numEnd)) return BigInt(this.record.numEnd);
    const end = num + NUM_BLOCK;
    this.record.numEnd = String(end);
    this.#write(true);
    return end;
  }

  beforeSend(current: UserStream, ackedNum: bigint): bigint {
    const fresh = current.end > this.#savedEnd;
    const moved = ackedNum !== this.#savedAcked &&
      this.#clock() - this.#lastWrite >= FRONT_INTERVAL;
    if (fresh || moved) {
      this.record.ackedNum = String(ackedNum);
      this.record.events = encodeBase64(current.diffFrom(new UserStream()));
      this.#writeHot();
      this.#savedEnd = current.end;
      this.#savedAcked = ackedNum;
    }
    return this.#savedAcked;
  }

  saveRemote(states: readonly NumberedState<Remote>[]): void {
    const screens = new Map<string, SavedScreen>();
    for (const s of states) {
      const key = String(s.num);
      screens.set(key, this.#screens.get(key) ?? saveScreen(s));
    }
    this.#screens = screens;
    this.record.remote = [...screens.values()];
    this.#writeHot();
  }

  /**
   * Records that the local terminal's history holds the session's lines
   * before `end` (scrollback mode; after the frame that printed them is
   * written): a client resumed from this record does not print them again.
   * 20 bytes written in place, once per frame that printed lines.
   */
  linesPrinted(end: number): void {
    if (end === this.#printedEnd || this.#closed) return;
    this.#printedEnd = end;
    try {
      this.#printed ??= Deno.openSync(this.#store.printedPath(this.record.id), {
        read: true,
        write: true,
        create: true,
        mode: 0o600,
      });
      this.#printed.seekSync(0, Deno.SeekMode.Start);
      this.#printed.writeSync(encoder.encode(String(end).padEnd(20)));
    } catch {
      // Unwritable: a resume may print a few lines twice, as before this file existed.
    }
  }

  /** What {@linkcode linesPrinted} last recorded for this session (0 when nothing or unreadable). */
  printedOnRecord(): number {
    try {
      const n = Number(Deno.readTextFileSync(this.#store.printedPath(this.record.id)).trim());
      return Number.isSafeInteger(n) && n > 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  /** Stops writing; with `remove`, deletes the record (the session ended). */
  close(remove: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#slots?.close();
    this.#printed?.close();
    if (remove) this.#store.remove(this.record.id);
    this.#lock?.close();
  }

  #noteContact(): void {
    const heard = this.contactSource?.() ?? Number.NEGATIVE_INFINITY;
    if (Number.isFinite(heard)) {
      this.record.lastContact = Math.round(Date.now() - (this.#clock() - heard));
    }
  }

  /** The hot part (screens, keystrokes, acknowledgement), numbered, into the next slot file. */
  #writeHot(): void {
    this.record.remoteGen = (this.record.remoteGen ?? 0) + 1;
    if (this.#closed) return;
    this.#slots ??= this.#store.screenSlots(this.record.id);
    this.#noteContact();
    this.#slots.write({
      gen: this.record.remoteGen,
      lastContact: this.record.lastContact,
      remote: this.record.remote,
      events: this.record.events,
      ackedNum: this.record.ackedNum,
    });
    this.#lastWrite = this.#clock();
    this.writes++;
  }

  #write(durable: boolean): void {
    if (this.#closed) return;
    this.#noteContact();
    this.#store.write(this.record, durable);
    this.#lastWrite = this.#clock();
    this.writes++;
  }
}

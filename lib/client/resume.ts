/**
 * `--resume`: choosing a session from the store, taking it over, and what
 * becomes of its record when the client ends; `--resume --list`.
 *
 * @module
 */
import { formatKey } from "../crypto/session_key.ts";
import { Transport, type TransportOptions } from "../network/transport.ts";
import { CompleteTerminal } from "../statesync/complete_terminal.ts";
import type { UserStream } from "../statesync/user_stream.ts";
import { charWidth } from "../terminal/char_width.ts";
import { TerminalState } from "../terminal/terminal_state.ts";
import { wrapperDestination } from "./client_args.ts";
import type { ClientResult, ClientTransport } from "./client_core.ts";
import {
  firstLine,
  NUM_BLOCK,
  resumeFromRecord,
  saveScreen,
  SEQ_BLOCK,
  SessionJournal,
} from "./session_journal.ts";
import {
  newSessionId,
  ownerOf,
  type SessionRecord,
  SessionStore,
  SessionStoreError,
  type StoreEnvironment,
} from "./session_store.ts";

/** A session the client records (new) or took over (resumed). */
export interface Persistence {
  /** The record's journal (the transport writes through it). */
  journal: SessionJournal;
  /** Whether this process resumed an existing session. */
  resumed: boolean;
  /** Builds the client's transport over the journal (and the snapshot when resumed). */
  transport: (
    options: TransportOptions<UserStream, CompleteTerminal<TerminalState>>,
  ) => ClientTransport;
}

/** `--resume` cannot go ahead; the message is for stderr. */
export class ResumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResumeError";
  }
}

function persistence(journal: SessionJournal, resumed: boolean): Persistence {
  const snapshot = resumed ? resumeFromRecord(journal.record, journal.printedOnRecord()) : null;
  return {
    journal,
    resumed,
    transport(options) {
      const t = new Transport({ ...options, journal, ...(snapshot ? { resume: snapshot } : {}) });
      journal.contactSource = () => t.lastHeard;
      return t;
    },
  };
}

/** Settings a new record takes from the environment. */
function networkTimeout(env: StoreEnvironment): number {
  const n = Number(env.get("MOSH_SERVER_NETWORK_TMOUT") ?? "0");
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * Starts recording a new session, or returns `null` with a warning on
 * stderr when the store cannot be used (the session runs, just not resumable).
 */
export function recordNewSession(
  env: StoreEnvironment,
  session: {
    host: string;
    ip: string;
    port: number;
    key: Uint8Array;
    columns: number;
    rows: number;
  },
  warn: (message: string) => void,
): Persistence | null {
  if (env.get("MOSH_NO_RESUME") !== undefined) return null;
  const owner = ownerOf(Deno.pid);
  try {
    const store = SessionStore.open(env);
    const now = Date.now();
    const id = newSessionId();
    const lock = store.lock(id);
    if (lock === null) throw new SessionStoreError(`session id ${id} is taken`);
    const record: SessionRecord = {
      format: 1,
      id,
      host: session.host,
      ip: session.ip,
      port: session.port,
      key: formatKey(session.key),
      owner,
      created: now,
      lastContact: now,
      networkTimeout: networkTimeout(env),
      // The first blocks go out with the record's first (flushed) write.
      seqEnd: SEQ_BLOCK,
      numEnd: String(NUM_BLOCK),
      ackedNum: "0",
      events: "",
      remote: [saveScreen({
        num: 0n,
        state: new CompleteTerminal(new TerminalState(session.columns, session.rows)),
      })],
    };
    return persistence(new SessionJournal(store, record, { lock }), false);
  } catch (error) {
    warn(`mosh: this session cannot be resumed: ${(error as Error).message}`);
    return null;
  }
}

/** The first line of a record's newest screen, or what is wrong with it. */
function screenLine(record: SessionRecord): string {
  try {
    return firstLine(record);
  } catch (error) {
    if (error instanceof SessionStoreError) return "(damaged: cannot be resumed)";
    throw error;
  }
}

/**
 * Takes over session `id`, or the most recent one whose client is gone.
 *
 * @throws {ResumeError} when there is no such session, or its client still runs.
 * @throws {SessionStoreError} when the store or the file is unsafe.
 */
export function takeOverSession(env: StoreEnvironment, id?: string): Persistence {
  const store = SessionStore.open(env);
  let chosen: string;
  if (id !== undefined) {
    chosen = store.read(id).id;
  } else {
    const { sessions } = store.list();
    const gone = sessions.find((s) => !s.alive);
    if (!gone) {
      throw new ResumeError(
        sessions.length === 0
          ? "mosh: no session to resume"
          : "mosh: no session to resume: every recorded session still has a running client",
      );
    }
    chosen = gone.record.id;
  }
  const lock = store.lock(chosen);
  if (lock === null) {
    throw new ResumeError(`mosh: session ${chosen} is still held by a running client`);
  }
  let record: SessionRecord;
  try {
    // Read again under the lock: the last holder's final numbers are on disk now.
    record = store.read(chosen);
    record.owner = ownerOf(Deno.pid);
  } catch (error) {
    lock.close();
    throw error;
  }
  // The journal writes the record at once: from here on this process holds it.
  return persistence(
    new SessionJournal(store, record, { current: resumeFromRecord(record).current, lock }),
    true,
  );
}

/**
 * What becomes of the record when the client ends; returns a message for
 * stderr, if any. A session that ended is removed; one that may live on
 * (the shutdown went unanswered, the link was down) stays resumable.
 */
export function settleSession(
  p: Persistence,
  result: ClientResult,
  endedByServer: boolean,
): string | null {
  const r = p.journal.record;
  if (result.status === 0) {
    p.journal.close(true);
    return p.resumed && endedByServer
      ? `mosh: session ${r.id} has ended (the server shut it down); its record is removed.`
      : null;
  }
  if (!p.resumed && !result.connected) {
    p.journal.close(true); // never reached: nothing to come back to
    return null;
  }
  if (p.resumed && !result.connected) {
    p.journal.close(true);
    return `mosh: session ${r.id} has ended: no answer from ${r.ip}:${r.port} ` +
      "(the server exited or timed out); its record is removed.";
  }
  p.journal.close(false);
  return `mosh: session ${r.id} may still run on the server; \`mosh --resume ${r.id}\` tries again.`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** `text` cut to `columns` columns (wide characters take two), ending in "…" when cut. */
function clipToColumns(text: string, columns: number): string {
  const chars = [...text];
  const widths = chars.map((c) => Math.max(0, charWidth(c.codePointAt(0)!)));
  if (widths.reduce((a, b) => a + b, 0) <= columns) return text;
  let used = 0, n = 0;
  while (n < chars.length && used + widths[n]! <= columns - 1) used += widths[n++]!;
  return chars.slice(0, n).join("") + "…";
}

/** Where the table's SCREEN column starts: the widths of the columns before it. */
const SCREEN_COLUMN = 52;

/**
 * The `--resume --list` table; each row's screen line is cut to fit
 * `columns` (the terminal's width), so that no row wraps.
 */
export function listSessions(
  env: StoreEnvironment,
  now = Date.now(),
  columns = Number.POSITIVE_INFINITY,
): string {
  let store;
  try {
    store = SessionStore.open(env);
  } catch (error) {
    if (error instanceof SessionStoreError) return `mosh: ${error.message}\n`;
    throw error;
  }
  const { sessions, problems } = store.list(now);
  const lines: string[] = [];
  if (sessions.length === 0) lines.push("No resumable mosh sessions.");
  else lines.push("ID       HOST                 PORT   AGE  STATE     SCREEN");
  for (const { record: r, alive } of sessions) {
    lines.push(
      [
        r.id.padEnd(8),
        (wrapperDestination(r.host) ?? r.ip).slice(0, 20).padEnd(20),
        String(r.port).padEnd(6),
        age(now - r.lastContact).padStart(4),
        (alive ? `in use` : "detached").padEnd(9),
        clipToColumns(screenLine(r), Math.max(8, columns - SCREEN_COLUMN)),
      ].join(" "),
    );
  }
  for (const p of problems) lines.push(`mosh: ${p}`);
  return lines.join("\n") + "\n";
}

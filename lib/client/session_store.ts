/**
 * The resume store: one file per session under `$XDG_STATE_HOME/mosh-deno/`
 * (default `~/.local/state/mosh-deno/`), holding what a new client process
 * needs to take over a session whose client died — the server's address,
 * the key, the transport numbers and the acknowledged screen.
 *
 * The directory is 0700 and each file 0600; a file of another user or with
 * looser permissions is refused. Writes go to a temporary file that is
 * flushed to disk and renamed over the old one, so a reader sees either the
 * old record or the new one, never half of either. The screens, saved many
 * times a second, go to two slot files beside it instead (screen_slots.ts).
 *
 * @module
 */
import {
  checkPrivate,
  currentUid,
  lockHeld,
  privateDirectory,
  PrivateStateError,
  type ProcessStamp,
  processStamp,
  stateDirectory,
  type StateEnvironment,
  tryLockFile,
} from "../local_state.ts";
import { readScreenSlots, screenSlotPaths, ScreenSlots } from "./screen_slots.ts";

/** File format version. */
const FORMAT = 1;
/** Files untouched this long are pruned. */
export const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** A remote (server) screen on record. */
export interface SavedScreen {
  /** Its state number, as the server numbered it (decimal). */
  num: string;
  width: number;
  height: number;
  /** Echo acknowledgement (decimal). */
  echoAck: string;
  /** The display string that draws it on a blank screen (base64 of UTF-8). */
  screen: string;
  /**
   * How many history lines there had been, when the server sent history (the
   * scrollback extension; absent in records written before 2026-12-06).
   */
  historyEnd?: number;
  /** The server records the rows a shrink drops (Feature.ShrinkLines; absent: no, or not known). */
  shrinkLines?: boolean;
}

/** Which process holds a session: pid plus its start time, so a reused pid is not mistaken for it. */
export type SessionOwner = ProcessStamp;

/** Everything on record for one session. */
export interface SessionRecord {
  format: number;
  /** Short id the user types after `--resume`. */
  id: string;
  /** What the user connected to (host name for display). */
  host: string;
  /** Server IP and UDP port. */
  ip: string;
  port: number;
  /** The 22-character session key. */
  key: string;
  /** The client process that holds the session. */
  owner: SessionOwner;
  /** Created and last heard from the server (ms since the epoch). */
  created: number;
  lastContact: number;
  /** Seconds the server waits for a silent client before exiting, if known (0 = never). */
  networkTimeout: number;
  /** Every datagram sequence number used so far is below this. */
  seqEnd: number;
  /** Every state number of ours used so far is below this (decimal). */
  numEnd: string;
  /** Our state the server acknowledged (decimal). */
  ackedNum: string;
  /** Our user-stream events after it (base64 UserMessage). */
  events: string;
  /** The server screens on record (one to three, oldest first). */
  remote: SavedScreen[];
  /**
   * Save number of `remote` (screen_slots.ts): a newer save in the slot
   * files beside the record replaces it when the record is read.
   */
  remoteGen?: number;
}

/** A store file or directory that is unsafe, unreadable or not a session. */
export class SessionStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SessionStoreError";
  }
}

/** Environment the store reads. */
export type StoreEnvironment = StateEnvironment;

/** The store directory: `$XDG_STATE_HOME/mosh-deno`, else `~/.local/state/mosh-deno`. */
export function storeDirectory(env: StoreEnvironment): string {
  try {
    return stateDirectory(env);
  } catch (error) {
    throw new SessionStoreError((error as Error).message);
  }
}

function checkStoreFile(path: string, info: Deno.FileInfo, wantMode: number, dir: string): void {
  try {
    checkPrivate(path, info, wantMode, currentUid(dir));
  } catch (error) {
    if (error instanceof PrivateStateError) throw new SessionStoreError(error.message);
    throw error;
  }
}

/** A process's owner stamp (pid; start time where /proc is readable). */
export const ownerOf = processStamp;

/** A fresh short session id. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  let id = "";
  for (const b of bytes) id += alphabet[b & 31];
  return id;
}

const ID_PATTERN = /^[a-z0-9]{1,32}$/;

function isRecord(x: unknown): x is SessionRecord {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  return r.format === FORMAT && typeof r.id === "string" && ID_PATTERN.test(r.id) &&
    typeof r.ip === "string" && typeof r.port === "number" && typeof r.key === "string" &&
    typeof r.seqEnd === "number" && typeof r.numEnd === "string" &&
    typeof r.ackedNum === "string" && typeof r.events === "string" && Array.isArray(r.remote) &&
    r.remote.length > 0 && typeof r.owner === "object" && r.owner !== null;
}

/**
 * The session files of one user.
 *
 * @example
 * ```ts ignore
 * const store = SessionStore.open(Deno.env);
 * for (const s of store.list()) console.log(s.record.id, s.alive);
 * ```
 */
export class SessionStore {
  /** The directory (created 0700 if missing). */
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Opens (creating if needed) the store directory.
   *
   * @throws {SessionStoreError} if the directory belongs to someone else or is open to others.
   */
  static open(env: StoreEnvironment): SessionStore {
    const dir = storeDirectory(env);
    try {
      privateDirectory(dir);
    } catch (error) {
      if (error instanceof PrivateStateError) throw new SessionStoreError(error.message);
      throw error;
    }
    return new SessionStore(dir);
  }

  /** Path of a session's file. */
  path(id: string): string {
    return `${this.dir}/${id}.json`;
  }

  /**
   * Writes `record` atomically: a temporary file renamed over the old one,
   * which a killed process cannot tear (the kernel keeps what was written).
   * With `durable`, the file and the directory are flushed too, so the record
   * survives a crash of the machine (sequence-number reservations need that;
   * screens and keystrokes, written many times a second, do not: a record
   * torn by a crash is refused on resume, which cannot reuse a nonce).
   */
  write(record: SessionRecord, durable: boolean): void {
    const path = this.path(record.id);
    const tmp = `${path}.tmp${Deno.pid}`;
    const bytes = new TextEncoder().encode(JSON.stringify(record));
    const file = Deno.openSync(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
    try {
      let at = 0;
      while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
      if (durable) file.syncDataSync();
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, path);
    if (durable) {
      const dir = Deno.openSync(this.dir, { read: true });
      try {
        dir.syncSync();
      } finally {
        dir.close();
      }
    }
  }

  /**
   * Reads one session's record.
   *
   * @throws {SessionStoreError} if the file is missing, not ours, open to others, or not a session.
   */
  read(id: string): SessionRecord {
    if (!ID_PATTERN.test(id)) throw new SessionStoreError(`No session ${JSON.stringify(id)}`);
    const path = this.path(id);
    let info;
    try {
      info = Deno.lstatSync(path);
    } catch {
      throw new SessionStoreError(`No session ${id} (no file ${path})`);
    }
    if (!info.isFile) throw new SessionStoreError(`Refusing ${path}: not a regular file`);
    checkStoreFile(path, info, 0o600, this.dir);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Deno.readTextFileSync(path));
    } catch (error) {
      throw new SessionStoreError(`Cannot read ${path}: ${(error as Error).message}`);
    }
    if (!isRecord(parsed) || parsed.id !== id) {
      throw new SessionStoreError(`Cannot read ${path}: not a mosh-deno session file`);
    }
    const slots = readScreenSlots(
      this.dir,
      id,
      (slot, slotInfo) => checkStoreFile(slot, slotInfo, 0o600, this.dir),
    );
    if (slots !== null && slots.gen > (parsed.remoteGen ?? 0)) {
      // Written after the record: its hot part is the newer one.
      parsed.remote = slots.remote;
      parsed.remoteGen = slots.gen;
      parsed.lastContact = Math.max(parsed.lastContact, slots.lastContact);
      if (slots.events !== undefined) parsed.events = slots.events;
      if (slots.ackedNum !== undefined) parsed.ackedNum = slots.ackedNum;
    }
    return parsed;
  }

  /** Opens the slot files a journal writes session `id`'s screens into. */
  screenSlots(id: string): ScreenSlots {
    return new ScreenSlots(this.dir, id);
  }

  /**
   * Claims session `id` for this process: an exclusive lock on its lock
   * file, held until the returned file is closed or the process dies (the
   * kernel drops it even on SIGKILL). Returns `null` when another live
   * process holds it — two clients never run one session, so they never
   * share sequence numbers.
   */
  lock(id: string): Deno.FsFile | null {
    return tryLockFile(this.#lockPath(id));
  }

  #lockPath(id: string): string {
    return `${this.dir}/${id}.lock`;
  }

  /** Whether a live client holds session `id`. */
  held(id: string): boolean {
    return lockHeld(this.#lockPath(id));
  }

  /**
   * The file that counts the session's lines its client has put into the
   * local terminal's history (scrollback mode), written in place.
   */
  printedPath(id: string): string {
    return `${this.dir}/${id}.printed`;
  }

  /** Removes a session's files and its lock file (no error if already gone). */
  remove(id: string): void {
    const paths = [
      this.path(id),
      ...screenSlotPaths(this.dir, id),
      this.printedPath(id),
      `${this.dir}/${id}.lock`,
    ];
    for (const path of paths) {
      try {
        Deno.removeSync(path);
      } catch { /* already gone */ }
    }
  }

  /**
   * Every session on record, newest contact first. Files past their age
   * (30 days, or the server's network timeout since the last contact) are
   * removed on the way; unreadable or unsafe ones are returned as problems.
   */
  list(now = Date.now()): { sessions: StoredSession[]; problems: string[] } {
    const sessions: StoredSession[] = [];
    const problems: string[] = [];
    for (const entry of Deno.readDirSync(this.dir)) {
      const lockOnly = entry.name.match(/^([a-z0-9]+)\.lock$/);
      if (lockOnly) {
        this.#removeOrphanLock(lockOnly[1]!);
        continue;
      }
      const m = entry.name.match(/^([a-z0-9]+)\.json$/);
      if (!m) {
        // A temporary file left by a killed writer.
        if (/\.json\.tmp\d+$/.test(entry.name)) this.#removeStaleTemp(entry.name);
        continue;
      }
      let record;
      try {
        record = this.read(m[1]!);
      } catch (error) {
        problems.push((error as Error).message);
        continue;
      }
      const alive = this.held(record.id);
      if (!alive && expired(record, now)) {
        this.remove(record.id);
        continue;
      }
      sessions.push({ record, alive });
    }
    sessions.sort((a, b) => b.record.lastContact - a.record.lastContact);
    return { sessions, problems };
  }

  /** A lock file whose record is gone and that nobody holds (a writer died before its first write). */
  #removeOrphanLock(id: string): void {
    try {
      Deno.lstatSync(this.path(id));
      return; // the record exists: its lock is not an orphan
    } catch { /* no record */ }
    const lock = this.lock(id);
    if (lock === null) return; // being created right now
    try {
      Deno.removeSync(`${this.dir}/${id}.lock`);
    } catch { /* raced */ }
    lock.close();
  }

  #removeStaleTemp(name: string): void {
    // Written only while its session's lock is held: unheld, it is debris of a killed writer.
    if (this.held(name.slice(0, name.indexOf(".")))) return;
    try {
      Deno.removeSync(`${this.dir}/${name}`);
    } catch { /* raced */ }
  }
}

/** A record and whether its client process still runs. */
export interface StoredSession {
  record: SessionRecord;
  alive: boolean;
}

/** Whether the server has certainly given up on this session (or it is simply too old). */
export function expired(record: SessionRecord, now: number): boolean {
  if (now - record.lastContact > MAX_AGE_MS) return true;
  return record.networkTimeout > 0 && now - record.lastContact > record.networkTimeout * 1000;
}

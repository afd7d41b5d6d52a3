/**
 * The per-user registry of running server sessions, for the detached-session
 * notice: each of our servers keeps one small file in
 * `$XDG_STATE_HOME/mosh-deno/servers/` (0700; no root, no utmp) saying
 * whether a client is attached, and a new session lists the others that
 * have none — as mosh 1.4.0 does from utmp ("mosh [PID]" entries).
 *
 * @module
 */
import {
  currentUid,
  lockHeld,
  privateDirectory,
  type ProcessStamp,
  processStamp,
  stateDirectory,
  type StateEnvironment,
  tryLockFile,
} from "../local_state.ts";

/** One server's entry. */
export interface RegistryEntry {
  server: ProcessStamp;
  /** UDP port it listens on. */
  port: number;
  /** Whether a client has been heard from within the last 30 s. */
  attached: boolean;
  /** When `attached` last changed (ms since the epoch). */
  since: number;
}

function isEntry(x: unknown): x is RegistryEntry {
  if (typeof x !== "object" || x === null) return false;
  const e = x as Record<string, unknown>;
  const s = e.server as Record<string, unknown> | null;
  return typeof e.port === "number" && typeof e.attached === "boolean" &&
    typeof e.since === "number" && typeof s === "object" && s !== null &&
    typeof s.pid === "number" && typeof s.start === "string";
}

/**
 * This server's entry in the registry.
 *
 * @example
 * ```ts ignore
 * const registry = SessionRegistry.open(Deno.env, port);
 * const notice = detachedNotice(registry?.detachedOthers() ?? []);
 * registry?.setAttached(true);
 * registry?.close();
 * ```
 */
export class SessionRegistry {
  readonly #dir: string;
  readonly #entry: RegistryEntry;
  /** Held while this server runs: others tell live entries by it (no /proc needed). */
  readonly #lock: Deno.FsFile;
  #closed = false;

  private constructor(dir: string, entry: RegistryEntry, lock: Deno.FsFile) {
    this.#dir = dir;
    this.#entry = entry;
    this.#lock = lock;
    this.#write();
  }

  /** Registers this process (not yet attached); `null` if the registry cannot be used. */
  static open(env: StateEnvironment, port: number): SessionRegistry | null {
    const server = processStamp(Deno.pid);
    try {
      const dir = privateDirectory(`${stateDirectory(env)}/servers`);
      const lock = tryLockFile(`${dir}/${server.pid}.lock`);
      if (lock === null) return null;
      return new SessionRegistry(dir, { server, port, attached: false, since: Date.now() }, lock);
    } catch {
      return null; // the notice is a courtesy: never stop a session for it
    }
  }

  get #path(): string {
    return `${this.#dir}/${this.#entry.server.pid}.json`;
  }

  #write(): void {
    if (this.#closed) return;
    const tmp = `${this.#path}.tmp`;
    try {
      Deno.writeTextFileSync(tmp, JSON.stringify(this.#entry), { mode: 0o600 });
      Deno.renameSync(tmp, this.#path);
    } catch { /* best effort */ }
  }

  /** Records a change of attachment (no write when nothing changed). */
  setAttached(attached: boolean): void {
    if (attached === this.#entry.attached) return;
    this.#entry.attached = attached;
    this.#entry.since = Date.now();
    this.#write();
  }

  /** Other live sessions of this user with no client; entries of dead servers are removed. */
  detachedOthers(): RegistryEntry[] {
    const out: RegistryEntry[] = [];
    let names: string[];
    try {
      names = [...Deno.readDirSync(this.#dir)].map((e) => e.name);
    } catch {
      return out;
    }
    for (const name of names) {
      if (!/^\d+\.json$/.test(name) || name === `${this.#entry.server.pid}.json`) continue;
      let entry: unknown;
      try {
        const info = Deno.lstatSync(`${this.#dir}/${name}`);
        const uid = currentUid(this.#dir);
        if (!info.isFile || (info.uid !== null && uid !== null && info.uid !== uid)) continue;
        entry = JSON.parse(Deno.readTextFileSync(`${this.#dir}/${name}`));
      } catch {
        continue;
      }
      if (!isEntry(entry)) continue;
      const lockPath = `${this.#dir}/${entry.server.pid}.lock`;
      if (!lockHeld(lockPath)) {
        for (const path of [`${this.#dir}/${name}`, lockPath]) {
          try {
            Deno.removeSync(path);
          } catch { /* raced with its owner */ }
        }
        continue;
      }
      if (!entry.attached) out.push(entry);
    }
    return out.sort((a, b) => a.server.pid - b.server.pid);
  }

  /** Removes this server's entry (the session is over). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const path of [this.#path, `${this.#dir}/${this.#entry.server.pid}.lock`]) {
      try {
        Deno.removeSync(path);
      } catch { /* already gone */ }
    }
    this.#lock.close();
  }
}

/**
 * mosh 1.4.0's notice (same words, colours and list format), plus how to get
 * such a session back; empty when there is none. Lines end in CR LF: it is
 * written straight to the session's terminal.
 *
 * @example
 * ```ts
 * import { detachedNotice } from "./session_registry.ts";
 * detachedNotice([]); // ""
 * ```
 */
export function detachedNotice(detached: readonly RegistryEntry[]): string {
  if (detached.length === 0) return "";
  const name = (e: RegistryEntry) => `mosh [${e.server.pid}]`;
  const head = detached.length === 1
    ? `\x1b[37;44mMosh: You have a detached Mosh session on this server (${
      name(detached[0]!)
    }).\x1b[m\r\n`
    : `\x1b[37;44mMosh: You have ${detached.length} detached Mosh sessions on this server, with PIDs:\r\n` +
      detached.map((e) => `        - ${name(e)}\r\n`).join("") + "\x1b[m";
  return head +
    "If its client was killed, `mosh --resume` on the machine it ran on takes it over\r\n" +
    "(`mosh --resume --list` there shows what can be resumed).\r\n\r\n";
}

/**
 * Per-user state on this machine, shared by the client's resume store and
 * the server's session registry: the state directory, private files, and
 * telling whether a recorded process still runs (by a lock it holds: the
 * kernel drops it when the process dies, and no /proc access is needed,
 * which Deno grants only with `-A`).
 *
 * @module
 */

/** Environment the state directory is found from. */
export interface StateEnvironment {
  get(name: string): string | undefined;
}

/** A path that is not safe to use: another user's, or open to others. */
export class PrivateStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrivateStateError";
  }
}

/**
 * `$XDG_STATE_HOME/mosh-deno`, else `~/.local/state/mosh-deno`.
 *
 * @example
 * ```ts
 * import { stateDirectory } from "./local_state.ts";
 * stateDirectory({ get: (n) => n === "HOME" ? "/home/me" : undefined }); // "/home/me/.local/state/mosh-deno"
 * ```
 */
export function stateDirectory(env: StateEnvironment): string {
  const xdg = env.get("XDG_STATE_HOME");
  if (xdg && xdg.startsWith("/")) return `${xdg}/mosh-deno`;
  const home = env.get("HOME");
  if (!home) throw new PrivateStateError("Cannot find the state directory: HOME is not set");
  return `${home}/.local/state/mosh-deno`;
}

function modeText(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}

let knownUid: number | null | undefined;

/**
 * Our uid: `Deno.uid()` where sys access is granted, else the owner of a file
 * we create in `dir` (an installed program has write access there but not
 * sys access, and must not prompt for it). `null` if neither works.
 */
export function currentUid(dir: string): number | null {
  if (knownUid !== undefined) return knownUid;
  if (Deno.permissions.querySync({ name: "sys", kind: "uid" }).state === "granted") {
    return knownUid = Deno.uid();
  }
  try {
    const probe = Deno.makeTempFileSync({ dir, prefix: ".uid" });
    try {
      return knownUid = Deno.lstatSync(probe).uid;
    } finally {
      Deno.removeSync(probe);
    }
  } catch {
    return null;
  }
}

/**
 * Refuses a path that is not ours or that others can read or write.
 *
 * @throws {PrivateStateError} saying what is wrong and the command that fixes it.
 */
export function checkPrivate(
  path: string,
  info: Deno.FileInfo,
  wantMode: number,
  uid: number | null,
): void {
  if (uid !== null && info.uid !== null && info.uid !== uid) {
    throw new PrivateStateError(
      `Refusing ${path}: it belongs to uid ${info.uid}, not to you (uid ${uid})`,
    );
  }
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    throw new PrivateStateError(
      `Refusing ${path}: its mode is ${modeText(info.mode)}, so others can read it ` +
        `(it holds session secrets); run: chmod ${modeText(wantMode)} ${path}`,
    );
  }
}

/** Creates `dir` (and parents) 0700 if missing, and checks it is private. */
export function privateDirectory(dir: string): string {
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = Deno.lstatSync(dir);
  // Check the mode before probing: never create even a probe file in a directory open to others.
  checkPrivate(dir, info, 0o700, null);
  checkPrivate(dir, info, 0o700, currentUid(dir));
  return dir;
}

/** A process as recorded (for display: liveness is told by locks, which need no /proc). */
export interface ProcessStamp {
  pid: number;
  /** When it took the record (ISO 8601). */
  start: string;
}

/** A stamp for process `pid`, taken now. */
export function processStamp(pid: number): ProcessStamp {
  return { pid, start: new Date().toISOString() };
}

/**
 * Takes an exclusive lock on `path` (created 0600), held until the file is
 * closed or the process dies — the kernel drops it even on SIGKILL, so a
 * lock that can be taken means its last holder is gone. Returns `null`
 * when a live process holds it.
 */
export function tryLockFile(path: string): Deno.FsFile | null {
  const file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
  if (file.tryLockSync(true)) return file;
  file.close();
  return null;
}

/** Whether a live process holds the lock on `path` (a missing file: no). */
export function lockHeld(path: string): boolean {
  try {
    Deno.lstatSync(path);
  } catch {
    return false;
  }
  const file = tryLockFile(path);
  if (file === null) return true;
  file.close();
  return false;
}

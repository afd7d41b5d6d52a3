/**
 * Per-user state on this machine, shared by the client's resume store and
 * the server's session registry: the state directory, private files, and
 * telling whether a recorded process still runs.
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

/**
 * Refuses a path that is not ours or that others can read or write.
 *
 * @throws {PrivateStateError} saying what is wrong and the command that fixes it.
 */
export function checkPrivate(path: string, info: Deno.FileInfo, wantMode: number): void {
  const uid = Deno.uid();
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
  checkPrivate(dir, Deno.lstatSync(dir), 0o700);
  return dir;
}

/** A process as recorded: pid plus boot id and start time, so a reused pid is not mistaken for it. */
export interface ProcessStamp {
  pid: number;
  /** Boot id and start time of the process (from /proc). */
  start: string;
}

/** The stamp of process `pid`, or `null` if it is not running (or there is no /proc). */
export function processStamp(pid: number): ProcessStamp | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Field 22 (start time in clock ticks since boot) counts from after the ")" of the name.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return null; // a zombie has exited
    const boot = Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim();
    return { pid, start: `${boot}:${fields[19]}` };
  } catch {
    return null;
  }
}

/** Whether the process recorded as `stamp` is still running (and is the same process). */
export function processAlive(stamp: ProcessStamp): boolean {
  return processStamp(stamp.pid)?.start === stamp.start;
}

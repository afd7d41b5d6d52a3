/**
 * Gives back the pages of our executable that start-up touched and a
 * session no longer runs.
 *
 * Of an idle session's ≈ 58 MB resident, ≈ 40 MB are pages of the `deno`
 * executable itself (its code, read-only data and V8's start-up snapshot),
 * mostly touched once while the runtime started and loaded our modules.
 * They are clean copies of the file: `madvise(MADV_DONTNEED)` unmaps them
 * from this process, the page cache keeps them, and a page that is needed
 * again comes back on its next access as a minor fault (no disk read, no
 * copy). Only mappings that are read-only and hold no private (written)
 * page are touched, so nothing can be lost. Linux only: elsewhere, and
 * without FFI permission, it does nothing.
 *
 * @module
 */
import { libcCalls } from "./libc.ts";
import { after } from "./network/wakeup_timer.ts";

const MADV_DONTNEED = 4;

/** A read-only mapping of a file, as `/proc/self/smaps` lists it. */
export interface FileMapping {
  start: bigint;
  end: bigint;
  /** Resident kilobytes. */
  rss: number;
  /** Kilobytes of private (copied-on-write or anonymous) pages: 0 for clean file pages. */
  anonymous: number;
}

/**
 * The read-only, unwritten mappings of `path` in an smaps listing: the ones
 * whose resident pages are all clean copies of the file.
 */
export function cleanMappingsOf(smaps: string, path: string): FileMapping[] {
  const found: FileMapping[] = [];
  let current: FileMapping | null = null;
  for (const line of smaps.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (header !== null) {
      current = null;
      const [, start, end, perms, name] = header;
      if (name === path && !perms!.includes("w")) {
        current = {
          start: BigInt(`0x${start}`),
          end: BigInt(`0x${end}`),
          rss: 0,
          anonymous: 0,
        };
        found.push(current);
      }
      continue;
    }
    if (current === null) continue;
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field !== null) current[field[1] === "Rss" ? "rss" : "anonymous"] = Number(field[2]);
  }
  return found.filter((m) => m.anonymous === 0 && m.rss > 0);
}

/**
 * Unmaps the resident clean pages of our executable; returns the kilobytes
 * given back (0 where it cannot: not Linux, no FFI or /proc access).
 *
 * @example
 * ```ts ignore
 * import { releaseIdleCode } from "./resident_code.ts";
 * // once the session is up: start-up's code pages go back to the page cache
 * releaseIdleCode();
 * ```
 */
export function releaseIdleCode(): number {
  if (Deno.build.os !== "linux") return 0;
  try {
    const executable = Deno.realPathSync(Deno.execPath());
    const mappings = cleanMappingsOf(Deno.readTextFileSync("/proc/self/smaps"), executable);
    const { madvise } = libcCalls("madvise");
    let released = 0;
    for (const m of mappings) {
      const at = Deno.UnsafePointer.create(m.start);
      if (madvise(at, m.end - m.start, MADV_DONTNEED) === 0) released += m.rss;
    }
    return released;
  } catch {
    return 0; // no permission or no /proc: keep the pages
  }
}

/** When start-up's pages are given back, in ms after the session started. */
const RELEASE_TIMES = [
  // Once the modules are loaded (a session's peak RSS was start-up's own).
  0,
  // Once the first frames are out (runtime, module loading and first frames done).
  1500,
];

/**
 * Schedules {@linkcode releaseIdleCode} for a session that has just
 * started: from then on, what the session runs is what comes back. The
 * timers do not keep the process alive.
 */
export function releaseStartupCode(): void {
  for (const ms of RELEASE_TIMES) after(ms, releaseIdleCode);
}

/**
 * The few libc calls our programs need that Deno has no API for (the
 * server's pty, terminal attributes, sessions and exec; giving start-up
 * pages back), through FFI, with the platform-specific numbers kept in one
 * table.
 *
 * @module
 */

/** Numbers that differ between platforms. */
export interface PlatformConstants {
  libc: string;
  /** `ioctl` requests. */
  TIOCSWINSZ: number;
  TIOCGWINSZ: number;
  TIOCSCTTY: number;
  /** Bytes waiting to be read. */
  FIONREAD: number;
  /** `c_iflag` bit that tells the line discipline input is UTF-8. */
  IUTF8: number;
  /** Size of `struct termios` and the byte offset/size of `c_iflag`. */
  termiosSize: number;
  iflagSize: 4 | 8;
  O_RDWR: number;
  EINTR: number;
  /** `posix_spawnattr_setflags` bits. */
  POSIX_SPAWN_SETSIGDEF: number;
  POSIX_SPAWN_SETSIGMASK: number;
  POSIX_SPAWN_SETSID: number;
  /** `waitpid` option: do not block. */
  WNOHANG: number;
  /** `setlocale` category for every category, and `nl_langinfo`'s item for the character set. */
  LC_ALL: number;
  CODESET: number;
  /** errno of a `setlocale` whose locale is not installed. */
  ENOENT: number;
  /** `prctl` option that names the calling thread (null: no `prctl`). */
  PR_SET_NAME: number | null;
}

const LINUX: PlatformConstants = {
  libc: "libc.so.6",
  TIOCSWINSZ: 0x5414,
  TIOCGWINSZ: 0x5413,
  TIOCSCTTY: 0x540e,
  FIONREAD: 0x541b,
  IUTF8: 0o40000,
  termiosSize: 60,
  iflagSize: 4,
  O_RDWR: 2,
  EINTR: 4,
  POSIX_SPAWN_SETSIGDEF: 0x04,
  POSIX_SPAWN_SETSIGMASK: 0x08,
  POSIX_SPAWN_SETSID: 0x80,
  WNOHANG: 1,
  LC_ALL: 6,
  CODESET: 14,
  ENOENT: 2,
  PR_SET_NAME: 15,
};

const DARWIN: PlatformConstants = {
  libc: "libSystem.B.dylib",
  TIOCSWINSZ: 0x80087467,
  TIOCGWINSZ: 0x40087468,
  TIOCSCTTY: 0x20007461,
  FIONREAD: 0x4004667f,
  IUTF8: 0x4000,
  termiosSize: 72,
  iflagSize: 8,
  O_RDWR: 2,
  EINTR: 4,
  POSIX_SPAWN_SETSIGDEF: 0x04,
  POSIX_SPAWN_SETSIGMASK: 0x08,
  POSIX_SPAWN_SETSID: 0x400,
  WNOHANG: 1,
  LC_ALL: 0,
  CODESET: 0,
  ENOENT: 2,
  PR_SET_NAME: null,
};

/** The running platform's constants. */
export const PLATFORM: PlatformConstants = Deno.build.os === "darwin" ? DARWIN : LINUX;

/** This platform has no pty support through FFI. */
export class UnsupportedPlatformError extends Error {
  constructor() {
    super(`mosh needs Linux or macOS (for ptys), not ${Deno.build.os}`);
    this.name = "UnsupportedPlatformError";
  }
}

const SYMBOLS = {
  openpty: { parameters: ["buffer", "buffer", "pointer", "pointer", "buffer"], result: "i32" },
  ptsname: { parameters: ["i32"], result: "pointer" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  ioctl_int: { name: "ioctl", parameters: ["i32", "u64", "i64"], result: "i32" },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  read_async: {
    name: "read",
    parameters: ["i32", "buffer", "usize"],
    result: "isize",
    nonblocking: true,
  },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write_async: {
    name: "write",
    parameters: ["i32", "buffer", "usize"],
    result: "isize",
    nonblocking: true,
  },
  close: { parameters: ["i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  madvise: { parameters: ["pointer", "usize", "i32"], result: "i32" },
  dup2: { parameters: ["i32", "i32"], result: "i32" },
  setsid: { parameters: [], result: "i32" },
  prctl: { parameters: ["i32", "buffer"], result: "i32", optional: true },
  execvp: { parameters: ["buffer", "buffer"], result: "i32" },
  signal: { parameters: ["i32", "pointer"], result: "pointer" },
  sigprocmask: { parameters: ["i32", "buffer", "pointer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer", optional: true },
  __error: { parameters: [], result: "pointer", optional: true },
  strerror: { parameters: ["i32"], result: "pointer" },
  setlocale: { parameters: ["i32", "buffer"], result: "pointer" },
  nl_langinfo: { parameters: ["i32"], result: "pointer" },
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addchdir_np: {
    parameters: ["buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  sigfillset: { parameters: ["buffer"], result: "i32" },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  waitpid_async: {
    name: "waitpid",
    parameters: ["i32", "buffer", "i32"],
    result: "i32",
    nonblocking: true,
  },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
let lib: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;

/** The opened C library (opened once, kept for the process). */
export function libc(): Libc {
  checkPlatform();
  lib ??= Deno.dlopen(PLATFORM.libc, SYMBOLS);
  return lib.symbols;
}

function checkPlatform(): void {
  if (Deno.build.os !== "linux" && Deno.build.os !== "darwin") {
    throw new UnsupportedPlatformError();
  }
}

type SymbolName = keyof typeof SYMBOLS;
const subsets = new Map<string, Partial<Libc>>();

/**
 * Just the named calls, for start-up paths (the daemon's `setsid`, the
 * wrapper's exec): binding the whole table costs 13–15 ms (a trampoline per
 * symbol), a few symbols about 1 ms (measured 2026-11-25). Once the whole
 * library is open its symbols serve.
 *
 * @example
 * ```ts ignore
 * import { libcCalls } from "./libc.ts";
 * libcCalls("setsid").setsid();
 * ```
 */
export function libcCalls<K extends SymbolName>(...names: K[]): Pick<Libc, K> {
  if (lib !== null) return lib.symbols;
  checkPlatform();
  const key = names.join(",");
  let calls = subsets.get(key);
  if (calls === undefined) {
    // With errno's accessors: reading errno after a failed call must not need a
    // dlopen, which can itself overwrite errno.
    const wanted = Object.fromEntries(
      [...names, ...ERRNO_SYMBOLS].map((n) => [n, SYMBOLS[n]]),
    ) as Pick<typeof SYMBOLS, K>;
    calls = Deno.dlopen(PLATFORM.libc, wanted).symbols as Partial<Libc>;
    subsets.set(key, calls);
  }
  return calls as Pick<Libc, K>;
}

const ERRNO_SYMBOLS = ["__errno_location", "__error"] as const;

/** The calling thread's `errno`. */
export function errno(): number {
  const c = lib?.symbols ?? subsets.values().next().value ?? libcCalls(...ERRNO_SYMBOLS);
  const p = c.__errno_location?.() ?? c.__error?.() ?? null;
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/**
 * Names this process as `ps`, `top`, `pgrep` and `killall` show it (the
 * main thread's name, at most 15 bytes on Linux): run from source or by
 * `deno install`, our programs are otherwise all `deno`. Where there is no
 * `prctl`, nothing.
 *
 * @example
 * ```ts ignore
 * import { libcCalls, nameProcess } from "./libc.ts";
 * nameProcess("mosh-server", libcCalls("setsid", "prctl"));
 * ```
 */
export function nameProcess(name: string, calls: Pick<Libc, "prctl"> = libcCalls("prctl")): void {
  if (PLATFORM.PR_SET_NAME === null || calls.prctl === null) return;
  calls.prctl(PLATFORM.PR_SET_NAME, cString(name));
}

/** NUL-terminated bytes of a string. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s + "\0") as Uint8Array<ArrayBuffer>;
}

/** The system's message for an errno value ("No such file or directory"). */
export function strerror(code: number): string {
  const p = libcCalls("strerror").strerror(code);
  return p === null ? `errno ${code}` : new Deno.UnsafePointerView(p).getCString();
}

/** Builds a NULL-terminated `char *[]` whose strings stay alive with the returned holder. */
export function cStringArray(
  items: string[],
): { array: Uint8Array<ArrayBuffer>; keep: Uint8Array[] } {
  const keep = items.map(cString);
  const array = new BigUint64Array(items.length + 1);
  keep.forEach((s, i) => array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s))));
  return { array: new Uint8Array(array.buffer), keep };
}

/** Resets every signal to its default action and unblocks all, as a freshly exec'd program
 * expects (Deno ignores SIGPIPE and exec keeps ignored signals and the mask). */
export function resetSignals(): void {
  const c = libcCalls("signal", "sigprocmask");
  for (let sig = 1; sig < 32; sig++) c.signal(sig, null); // SIG_DFL (KILL/STOP just fail)
  c.sigprocmask(2, /* SIG_SETMASK */ new Uint8Array(128), null);
}

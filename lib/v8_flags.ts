/**
 * The V8 flags our programs run with (`deno run --v8-flags=…`, baked into
 * `deno compile`d binaries by compile.sh). Measured on the 2M-line drain and
 * an idle session (bench/compare_real_mosh.ts): a 1 MB young generation
 * instead of up to 16 MB halves peak RSS at the same CPU; GC on the main
 * thread only avoids helper threads competing with the session on small
 * machines; a 2 MB initial old-generation limit makes V8's first
 * mark-compacts come before a flood has filled the old generation with
 * garbage (2M-line drain, 4 runs each, 2026-11-25: peak RSS of the client
 * 69.6–70.6 → 64.5–68.8 MB, of the server 72.2–74.2 → 70.9–74.1 MB, same
 * CPU; it only sets where the heap starts, never a maximum); without the
 * memory reducer an idle process is not woken for a
 * full mark-compact about 30 s after activity stops.
 *
 * @module
 */

/** V8 flags, comma-separated as `--v8-flags=` takes them. */
export const V8_FLAGS =
  "--max-semi-space-size=1,--initial-old-space-size=2,--single-threaded-gc,--no-memory-reducer";

/** The `deno run` argument that applies {@linkcode V8_FLAGS}. */
export const V8_FLAGS_ARG = `--v8-flags=${V8_FLAGS}`;

/**
 * Added for mosh-client (and the wrapper): no TurboFan, Maglev is its top
 * tier. Under steady output the client's JavaScript is mostly warm-up (a
 * frame every 0.2 s or so), and TurboFan's compiles of it cost V8's worker
 * threads 0.07–0.10 s per 20 s; with Maglev only they cost 0.02–0.04 s, the
 * main thread no more (bench/steady_client.ts, 2026-12-06; 0.22–0.24
 * against 0.26–0.35 s per 20 s in all, 2026-12-07). Not for the server: its
 * drains run hot loops, where Maglev's code cost 35–60 % more CPU (2M-line
 * and mixed-SGR drains, 2 alternating runs, 2026-12-07).
 *
 * The wrapper takes the client's flags because V8 refuses a code cache made
 * under other flags: Deno keeps one cache per module, so two programs that
 * load the same modules under different flags each find the other's cache
 * refused, compile afresh and write their own (an SQLite write with an
 * fsync). The wrapper and the client run on the same machine and share
 * modules; the server usually runs on another one.
 */
const CLIENT_EXTRA_V8_FLAGS = "--max-opt=2";

/** V8 flags of mosh-client and the wrapper: {@linkcode V8_FLAGS} and Maglev as their top tier. */
export const CLIENT_V8_FLAGS = `${V8_FLAGS},${CLIENT_EXTRA_V8_FLAGS}`;

/** One of our programs. */
export type ProgramName = "mosh" | "mosh-client" | "mosh-server";

/**
 * The V8 flags `program` runs with.
 *
 * @example
 * ```ts
 * import { v8FlagsOf } from "./v8_flags.ts";
 * v8FlagsOf("mosh-client"); // "--max-semi-space-size=1,…,--max-opt=2"
 * ```
 */
export function v8FlagsOf(program: ProgramName): string {
  return program === "mosh-server" ? V8_FLAGS : CLIENT_V8_FLAGS;
}

/** The `deno run` argument that applies {@linkcode v8FlagsOf} `program`. */
export function v8FlagsArg(program: ProgramName): string {
  return `--v8-flags=${v8FlagsOf(program)}`;
}

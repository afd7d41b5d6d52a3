/**
 * Mosh, the mobile shell, in TypeScript for Deno: wire-compatible with
 * mosh 1.4.0 (protocol version 2).
 *
 * @example
 * ```ts
 * import { VERSION } from "./mod.ts";
 * console.log(VERSION);
 * ```
 *
 * @module
 */
export { MOSH_COMPAT_VERSION, PROTOCOL_VERSION, VERSION, versionText } from "./lib/version.ts";
export type { SyncState } from "./lib/network/sync_state.ts";

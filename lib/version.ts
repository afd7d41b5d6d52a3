/**
 * Version numbers this implementation reports.
 *
 * @module
 */

/** Version of this TypeScript implementation. */
export const VERSION = "0.1.0";

/** The mosh release whose wire protocol and behaviour we follow. */
export const MOSH_COMPAT_VERSION = "1.4.0";

/** SSP protocol version carried in every instruction (mosh 1.4.0 speaks 2). */
export const PROTOCOL_VERSION = 2;

/**
 * The version line printed by `--version` of all three programs.
 *
 * @example
 * ```ts
 * import { versionText } from "./version.ts";
 * console.log(versionText("mosh-client"));
 * ```
 */
export function versionText(program: string): string {
  return `${program} (mosh-deno ${VERSION}) [compatible with mosh ${MOSH_COMPAT_VERSION}, protocol version ${PROTOCOL_VERSION}]\n` +
    "Copyright 2026 the mosh-deno authors; based on the design of mosh by Keith Winstein.\n" +
    "License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>.\n" +
    "This is free software: you are free to change and redistribute it.\n" +
    "There is NO WARRANTY, to the extent permitted by law.";
}

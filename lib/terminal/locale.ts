/**
 * The UTF-8 locale check both mosh programs make before starting: the
 * emulator, the widths and the pty's IUTF8 all assume UTF-8.
 *
 * @module
 */

/** Every locale variable, in mosh's order: forwarded by the wrapper with `-l`,
 * cleared by the server before it applies the client's. */
export const LOCALE_VARS = [
  "LANG",
  "LANGUAGE",
  "LC_CTYPE",
  "LC_NUMERIC",
  "LC_TIME",
  "LC_COLLATE",
  "LC_MONETARY",
  "LC_MESSAGES",
  "LC_PAPER",
  "LC_NAME",
  "LC_ADDRESS",
  "LC_TELEPHONE",
  "LC_MEASUREMENT",
  "LC_IDENTIFICATION",
  "LC_ALL",
];

/** Names and values of the variable that decides the character set, as mosh reports it. */
export interface LocaleDescription {
  /** `LC_ALL=…`, `LC_CTYPE=…`, `LANG=…` or `[no charset variables]`. */
  variable: string;
  /** The character set name (`US-ASCII` for the C locale). */
  charset: string;
  utf8: boolean;
}

/**
 * Describes the locale an environment selects: the first set variable
 * among `LC_ALL`, `LC_CTYPE`, `LANG`, and its codeset.
 *
 * @example
 * ```ts
 * import { describeLocale } from "./locale.ts";
 * describeLocale({ LANG: "en_US.UTF-8" }).utf8; // true
 * describeLocale({}).charset; // "US-ASCII"
 * ```
 */
export function describeLocale(env: Record<string, string | undefined>): LocaleDescription {
  for (const name of ["LC_ALL", "LC_CTYPE", "LANG"]) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const codeset = value.match(/\.([^@]*)/)?.[1] ?? "";
    const utf8 = /^utf-?8$/i.test(codeset);
    const charset = utf8 ? "UTF-8" : codeset === "" ? "US-ASCII" : codeset;
    return { variable: `${name}=${value}`, charset, utf8 };
  }
  return { variable: "[no charset variables]", charset: "US-ASCII", utf8: false };
}

/** The environment as a plain object. */
export function currentEnv(): Record<string, string> {
  return Deno.env.toObject();
}

/**
 * The UTF-8 locale check both mosh programs make before starting (the
 * emulator, the widths and the pty's IUTF8 all assume UTF-8), and the list
 * of locale variables the wrapper forwards. Process environment, not
 * terminal logic: it sits beside `version.ts`, below every layer.
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
 * Describes the locale an environment selects. The character set comes
 * from the first non-empty of `LC_ALL`, `LC_CTYPE`, `LANG` (as setlocale
 * resolves it); the variable named is the first of them that is set at
 * all, even empty, as mosh reports it ("LC_ALL=").
 *
 * @example
 * ```ts
 * import { describeLocale } from "./locale.ts";
 * describeLocale({ LANG: "en_US.UTF-8" }).utf8; // true
 * describeLocale({ LC_ALL: "" }).variable; // "LC_ALL="
 * describeLocale({}).charset; // "US-ASCII"
 * ```
 */
export function describeLocale(env: Record<string, string | undefined>): LocaleDescription {
  const names = ["LC_ALL", "LC_CTYPE", "LANG"];
  const named = names.find((name) => env[name] !== undefined);
  const variable = named === undefined ? "[no charset variables]" : `${named}=${env[named]}`;
  const value = names.map((name) => env[name]).find((v) => v !== undefined && v !== "");
  const codeset = value?.match(/\.([^@]*)/)?.[1] ?? "";
  const utf8 = /^utf-?8$/i.test(codeset);
  const charset = utf8 ? "UTF-8" : codeset === "" ? "US-ASCII" : codeset;
  return { variable, charset, utf8 };
}

/**
 * Shows the `locale` command's report on the terminal, as both mosh
 * programs do after a refusal (through the shell, as `system("locale")`
 * runs it, so its messages name it `locale`).
 *
 * @example
 * ```ts ignore
 * import { showLocale } from "./locale.ts";
 * await showLocale();
 * ```
 */
export async function showLocale(): Promise<void> {
  await new Deno.Command("/bin/sh", {
    args: ["-c", "locale"],
    stdout: "inherit",
    stderr: "inherit",
  }).output().catch(() => {});
}

/**
 * The locale as the C library adopts it, for the server's UTF-8 check. A
 * locale's name is not enough: `LANG=de_DE.UTF-8` on a machine where that
 * locale is not installed leaves the shell and every program the server
 * starts in the C locale (US-ASCII), so mosh-server asks the C library
 * (`setlocale(LC_ALL, "")`, then `nl_langinfo(CODESET)`) and so do we. The
 * process's own locale is put back afterwards: only the environment, which
 * the session's child inherits, is meant to change.
 *
 * @module
 */
import { cString, errno, libcCalls, PLATFORM, strerror } from "../libc.ts";
import { describeLocale } from "../locale.ts";

/** What adopting the environment's locale gave. */
export interface AdoptedLocale {
  /** The variable that decides the character set, as mosh names it (`LC_ALL=…`). */
  variable: string;
  /** The character set as mosh names it (`US-ASCII` for glibc's `ANSI_X3.4-1968`). */
  charset: string;
  utf8: boolean;
  /** What mosh prints when the C library refused the locale, else "". */
  warning: string;
}

/** Adopts the locale the process environment names now. */
export type LocaleAdopter = () => AdoptedLocale;

/**
 * Runs `check` with an adopter backed by the C library and restores the
 * process's locale after it; without FFI (no `--allow-ffi`, or no libc)
 * the adopter judges by the variables' names, as mosh-client's check is
 * described for implementations without a C library.
 *
 * @example
 * ```ts ignore
 * import { withNativeLocale } from "./native_locale.ts";
 * const utf8 = withNativeLocale((adopt) => adopt().utf8);
 * ```
 */
export function withNativeLocale<T>(check: (adopt: LocaleAdopter) => T): T {
  let calls;
  try {
    calls = libcCalls("setlocale", "nl_langinfo", "strerror");
  } catch {
    return check(adoptByName);
  }
  const current = calls.setlocale(PLATFORM.LC_ALL, null);
  const saved = current === null ? "C" : new Deno.UnsafePointerView(current).getCString();
  const adopt = (): AdoptedLocale => {
    const { variable } = describeLocale(Deno.env.toObject());
    let warning = "";
    if (calls.setlocale(PLATFORM.LC_ALL, cString("")) === null) {
      const code = errno();
      warning = code === PLATFORM.ENOENT
        ? missingLocaleWarning(variable)
        : `setlocale: ${strerror(code)}\n`;
    }
    const p = calls.nl_langinfo(PLATFORM.CODESET);
    const codeset = p === null ? "" : new Deno.UnsafePointerView(p).getCString();
    return { variable, charset: moshCharsetName(codeset), utf8: /^utf-8$/i.test(codeset), warning };
  };
  try {
    return check(adopt);
  } finally {
    calls.setlocale(PLATFORM.LC_ALL, cString(saved));
  }
}

/** mosh's name for a C library character set. */
function moshCharsetName(codeset: string): string {
  return codeset === "ANSI_X3.4-1968" || codeset === "" ? "US-ASCII" : codeset;
}

/** mosh's warning for a locale the environment names (in `variable`) but the machine lacks. */
function missingLocaleWarning(variable: string): string {
  // Whenever a variable is named, even set empty (mosh prints "locale-gen '").
  const hint = variable.includes("=")
    ? `Running \`locale-gen ${variable.slice(variable.indexOf("=") + 1)}' may be necessary.\n\n`
    : "";
  return `The locale requested by ${variable} isn't available here.\n${hint}`;
}

function adoptByName(): AdoptedLocale {
  return { ...describeLocale(Deno.env.toObject()), warning: "" };
}

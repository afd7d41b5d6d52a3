/**
 * This user's line of the password database, for what mosh-server takes
 * from `getpwuid(getuid())` when the environment does not say: the login
 * shell when `SHELL` is unset, the home directory when `HOME` is unset.
 * Read from `/etc/passwd` by user id (no FFI: users known only to a
 * directory service are not found, and the defaults apply).
 *
 * @module
 */

/** The fields of a passwd entry the server uses. */
export interface PasswdEntry {
  /** The home directory (`pw_dir`). */
  dir: string;
  /** The login shell (`pw_shell`; may be empty, meaning /bin/sh). */
  shell: string;
}

/**
 * The entry of user `uid` in `passwd` (the text of /etc/passwd), or null.
 *
 * @example
 * ```ts
 * import { parsePasswdEntry } from "./passwd_entry.ts";
 * parsePasswdEntry("root:x:0:0:root:/root:/bin/bash\n", 0); // { dir: "/root", shell: "/bin/bash" }
 * ```
 */
export function parsePasswdEntry(passwd: string, uid: number): PasswdEntry | null {
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f.length >= 7 && f[2] === String(uid)) return { dir: f[5]!, shell: f[6]! };
  }
  return null;
}

/** This process's user's entry in /etc/passwd, or null when there is none. */
export function passwdEntry(): PasswdEntry | null {
  const uid = Deno.uid();
  if (uid === null) return null;
  try {
    return parsePasswdEntry(Deno.readTextFileSync("/etc/passwd"), uid);
  } catch {
    return null;
  }
}

/**
 * The message of the day, as mosh-server shows it above a login shell:
 * `/run/motd.dynamic` (or, without it, `/var/run/motd.dynamic`), then
 * `/etc/motd`, each as the terminal would draw it.
 *
 * @module
 */
import { concatBytes } from "../network/concat_bytes.ts";

/** The files mosh 1.4.0 reads, in order: the first of each group that exists. */
const MOTD_FILES: readonly (readonly string[])[] = [
  ["/run/motd.dynamic", "/var/run/motd.dynamic"], // Ubuntu's pam_motd output
  ["/etc/motd"],
];

/**
 * The message of the day as the pty hands it to the emulator: mosh's child
 * writes the files to its terminal, whose output processing (ONLCR, on in a
 * new pty) turns each line feed into a carriage return and line feed.
 * Missing or unreadable files are skipped, as mosh skips them.
 *
 * @example
 * ```ts
 * import { readMotd } from "./motd.ts";
 * const files: Record<string, string> = { "/etc/motd": "Welcome\n" };
 * const read = (path: string) => {
 *   if (!(path in files)) throw new Deno.errors.NotFound(path);
 *   return new TextEncoder().encode(files[path]);
 * };
 * new TextDecoder().decode(readMotd(read)); // "Welcome\r\n"
 * ```
 */
export function readMotd(
  read: (path: string) => Uint8Array = Deno.readFileSync,
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const group of MOTD_FILES) {
    for (const path of group) {
      let bytes: Uint8Array;
      try {
        bytes = read(path);
      } catch {
        continue;
      }
      parts.push(onlcr(bytes));
      break;
    }
  }
  return concatBytes(parts);
}

/**
 * What a login shell's terminal shows before the shell starts: the message
 * of the day, then `notice` (the detached-session notice, already in the
 * terminal's line endings).
 *
 * @example
 * ```ts
 * import { loginGreeting } from "./motd.ts";
 * const none = () => {
 *   throw new Deno.errors.NotFound("no motd");
 * };
 * new TextDecoder().decode(loginGreeting("hello\r\n", none)); // "hello\r\n"
 * ```
 */
export function loginGreeting(
  notice: string,
  read: (path: string) => Uint8Array = Deno.readFileSync,
): Uint8Array {
  return concatBytes([readMotd(read), new TextEncoder().encode(notice)]);
}

/** Line feeds as a terminal with ONLCR writes them. */
function onlcr(bytes: Uint8Array): Uint8Array {
  let feeds = 0;
  for (const b of bytes) if (b === 0x0a) feeds++;
  const out = new Uint8Array(bytes.length + feeds);
  let at = 0;
  for (const b of bytes) {
    if (b === 0x0a) out[at++] = 0x0d;
    out[at++] = b;
  }
  return out;
}

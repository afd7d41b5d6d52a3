/**
 * A shell script on a fresh pty, and reading its output: the set-up of the
 * pty and pty-host tests.
 *
 * @module
 */
import type { Pty } from "../../lib/server/pty.ts";
import { spawnInPty } from "../../lib/server/pty_spawn.ts";

/** Starts `script` under sh as the session leader of `pty`; resolves with its raw wait status. */
export function spawnShell(pty: Pty, script: string): Promise<number> {
  const child = spawnInPty({
    tty: pty.slavePath,
    program: "sh",
    argv: ["sh", "-c", script],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    cwd: "/",
  });
  return child.exited.then((status) => {
    pty.closeSlave();
    return status;
  });
}

/** Reads `source` (a pty or a host) until `marker` has arrived; returns everything read. */
export async function readUntil(
  source: { read(): Promise<Uint8Array | null> },
  marker: string,
): Promise<string> {
  let text = "";
  while (!text.includes(marker)) {
    const chunk = await source.read();
    if (chunk === null) throw new Error(`the pty closed before ${marker}: ${text}`);
    text += new TextDecoder().decode(chunk);
  }
  return text;
}

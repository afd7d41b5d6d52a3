/**
 * Looks at processes through /proc, so end-to-end tests wait for a real
 * condition (a child started, a pty mode changed) instead of sleeping.
 *
 * @module
 */
import "./state_home.ts"; // never the user's real resume store

/** Polls `condition` every 25 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every descendant of `pid` (children first), read from /proc's children lists. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let children: number[] = [];
    try {
      for (const task of Deno.readDirSync(`/proc/${parent}/task`)) {
        const text = Deno.readTextFileSync(`/proc/${parent}/task/${task.name}/children`);
        children = children.concat(text.split(" ").filter((s) => s !== "").map(Number));
      }
    } catch { /* exited meanwhile */ }
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** A process's argv, or null once it is gone. */
export function commandLine(pid: number): string[] | null {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").slice(0, -1);
  } catch {
    return null;
  }
}

/** The descendant of `pid` whose argv is exactly `argv`, or null. */
export function findDescendant(pid: number, argv: string[]): number | null {
  for (const child of descendants(pid)) {
    const line = commandLine(child);
    if (line && line.join("\0") === argv.join("\0")) return child;
  }
  return null;
}

/** The settings of the terminal on `pid`'s standard input, as `stty -a` prints them. */
export async function sttyOf(pid: number): Promise<string> {
  const tty = Deno.readLinkSync(`/proc/${pid}/fd/0`);
  const out = await new Deno.Command("stty", { args: ["-F", tty, "-a"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout);
}

/** Whether the terminal on `pid`'s standard input echoes what is typed. */
export async function ttyEchoes(pid: number): Promise<boolean> {
  return !/(^|\s)-echo(\s|$)/.test(await sttyOf(pid));
}

/** The size of the terminal on `pid`'s standard input, as [rows, columns]. */
export async function ttySize(pid: number): Promise<[number, number]> {
  const stty = await sttyOf(pid);
  return [Number(stty.match(/rows (\d+)/)?.[1]), Number(stty.match(/columns (\d+)/)?.[1])];
}

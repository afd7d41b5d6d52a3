/**
 * Realistic typing traces for the prediction study: shell commands with the
 * odd typo fixed by backspace, a vi edit (insert mode, normal-mode motions,
 * `:wq`), and a password typed with echo off.
 *
 * @module
 */
import { seededRandom } from "../tests/support/sim_network.ts";

/** Where a keystroke is typed: decides what the screen should do. */
export type TraceContext = "shell" | "vi-insert" | "vi-normal" | "password";

/** One keystroke of a trace. */
export interface Keystroke {
  /** Bytes the key sends. */
  key: string;
  context: TraceContext;
  /** What to wait for after this key before the next one (besides settling). */
  waitFor?: "prompt" | "vi";
}

const COMMANDS = [
  "echo hello world",
  "ls /",
  "pwd",
  "cd ~",
  "echo $HOME",
  "date +%Y",
  "uname -s",
  "printf 'a b c\\n'",
  "wc -l /etc/passwd",
  "expr 6 \\* 7",
  "echo the quick brown fox",
  "true",
];

const SENTENCES = [
  "mosh keeps the session alive",
  "predictions are underlined on a slow link",
  "state synchronization",
  "roaming between networks",
];

const BACKSPACE = "\x7f";
const ESCAPE = "\x1b";

function typed(text: string, context: TraceContext, random: () => number): Keystroke[] {
  const keys: Keystroke[] = [];
  for (const ch of text) {
    if (random() < 0.06) {
      // A typo, noticed at once and fixed.
      keys.push({ key: String.fromCharCode(97 + Math.floor(random() * 26)), context });
      keys.push({ key: BACKSPACE, context });
    }
    keys.push({ key: ch, context });
  }
  return keys;
}

/**
 * A trace of `commands` shell commands, `viEdits` vi sessions and
 * `passwords` password prompts, shuffled deterministically from `seed`.
 */
export function typingTrace(
  seed: number,
  counts: { commands: number; viEdits: number; passwords: number },
): Keystroke[] {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const blocks: Keystroke[][] = [];
  for (let i = 0; i < counts.commands; i++) {
    blocks.push([...typed(pick(COMMANDS), "shell", random), {
      key: "\r",
      context: "shell",
      waitFor: "prompt",
    }]);
  }
  for (let i = 0; i < counts.viEdits; i++) {
    blocks.push([
      ...typed(`vi trace-${seed}-${i}.txt`, "shell", random),
      { key: "\r", context: "shell", waitFor: "vi" },
      { key: "i", context: "vi-normal" },
      ...typed(pick(SENTENCES), "vi-insert", random),
      { key: ESCAPE, context: "vi-insert" },
      { key: "o", context: "vi-normal" },
      ...typed(pick(SENTENCES), "vi-insert", random),
      { key: ESCAPE, context: "vi-insert" },
      ...[..."kk0ww"].map((key): Keystroke => ({ key, context: "vi-normal" })),
      ...[...":wq"].map((key): Keystroke => ({ key, context: "vi-normal" })),
      { key: "\r", context: "vi-normal", waitFor: "prompt" },
    ]);
  }
  for (let i = 0; i < counts.passwords; i++) {
    // dash has no `read -s`: turn echo off by hand, as a password prompt does.
    blocks.push([
      ...typed("stty -echo; read pw; stty echo", "shell", random),
      { key: "\r", context: "shell" },
      ...[..."hunter2secret"].map((key): Keystroke => ({ key, context: "password" })),
      { key: "\r", context: "password", waitFor: "prompt" },
    ]);
  }
  // Fisher–Yates over whole blocks, so each block stays in order.
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  return blocks.flat();
}

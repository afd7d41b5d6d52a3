/**
 * Drives programs in a private tmux server, the way a person at a terminal
 * would: type with send-keys, read the screen with capture-pane.
 *
 * @module
 */
import { TEST_STATE_HOME } from "./state_home.ts";

/** Runs `tmux args…`; its standard output, or an error with its standard error. */
export async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`tmux ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Options for {@linkcode TmuxSession.start}. */
export interface TmuxStartOptions {
  /** Shell command line run in the pane. */
  command: string;
  width?: number;
  height?: number;
  /** Extra environment for the pane's command. */
  env?: Record<string, string>;
}

/** One tmux server with one window, on its own socket. */
export class TmuxSession {
  readonly socket: string;
  private constructor(socket: string) {
    this.socket = socket;
  }

  /** Starts a detached session running `command`. */
  static async start(options: TmuxStartOptions): Promise<TmuxSession> {
    const socket = `mosh-test-${crypto.randomUUID().slice(0, 8)}`;
    const env = {
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TERM: "xterm-256color",
      XDG_STATE_HOME: TEST_STATE_HOME,
      ...options.env,
    };
    const exports = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(" ");
    await run([
      "-L",
      socket,
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      String(options.width ?? 80),
      "-y",
      String(options.height ?? 24),
      `env ${exports} ${options.command}`,
    ]);
    const session = new TmuxSession(socket);
    await session.tmux("set-option", "-g", "escape-time", "0");
    await session.tmux("set-option", "-g", "remain-on-exit", "on");
    return session;
  }

  /** Runs a tmux subcommand against this server. */
  tmux(...args: string[]): Promise<string> {
    return run(["-L", this.socket, ...args]);
  }

  /** Types literal text. */
  async sendText(text: string): Promise<void> {
    await this.tmux("send-keys", "-t", "0", "-l", text);
  }

  /** Sends key names (e.g. `Enter`, `C-c`). */
  async sendKeys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "0", ...keys);
  }

  /**
   * The visible screen; with `escapes`, including SGR sequences; with
   * `trailingSpaces`, keeping the spaces at the end of each line (`-N`).
   */
  capture(options: { escapes?: boolean; trailingSpaces?: boolean } = {}): Promise<string> {
    return this.tmux(
      "capture-pane",
      "-p",
      "-t",
      "0",
      ...(options.escapes ? ["-e"] : []),
      ...(options.trailingSpaces ? ["-N"] : []),
    );
  }

  /** Polls the screen until `pattern` shows; throws with the last screen on timeout. */
  async waitFor(
    pattern: string | RegExp,
    options: { timeoutMs?: number; escapes?: boolean } = {},
  ): Promise<string> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let screen = "";
    while (Date.now() < deadline) {
      screen = await this.capture({ escapes: options.escapes ?? false });
      if (typeof pattern === "string" ? screen.includes(pattern) : pattern.test(screen)) {
        return screen;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Timed out waiting for ${pattern}; screen was:\n${screen}`);
  }

  /** Whether the pane's program has exited (remain-on-exit keeps the pane). */
  async paneDead(): Promise<boolean> {
    return (await this.tmux("display-message", "-p", "-t", "0", "#{pane_dead}")).trim() === "1";
  }

  /** The pane program's pid. */
  async panePid(): Promise<number> {
    return Number((await this.tmux("display-message", "-p", "-t", "0", "#{pane_pid}")).trim());
  }

  /** Resizes the window. */
  async resize(width: number, height: number): Promise<void> {
    await this.tmux("resize-window", "-t", "0", "-x", String(width), "-y", String(height));
  }

  /** Kills the tmux server and everything in it. */
  async close(): Promise<void> {
    try {
      await this.tmux("kill-server");
    } catch { /* already gone */ }
  }
}

/** Single-quotes a string for sh. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

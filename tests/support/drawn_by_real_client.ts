/**
 * Output drawn through a server by Debian's mosh-client in tmux: what a user
 * of the real client sees, Debian's pair being the oracle for ours.
 *
 * @module
 */
import { clientCommandLine, type Implementation, startServer } from "./mosh_programs.ts";
import { TmuxSession } from "./tmux.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A terminal size. */
export interface PaneSize {
  width: number;
  height: number;
}

/**
 * The pane's modes a client passes on to its terminal: cursor shown, the
 * mouse modes, the keypad modes, the title, and whether it rang the bell.
 */
const MODES = "#{cursor_flag} mouse #{mouse_standard_flag}#{mouse_button_flag}#{mouse_all_flag}" +
  "#{mouse_any_flag}#{mouse_utf8_flag}#{mouse_sgr_flag} keypad #{keypad_cursor_flag}" +
  "#{keypad_flag} title #{pane_title} bell #{window_bell_flag}";

/** The pane's rows with SGR, then its cursor as `x,y`, then its modes. */
export async function paneState(tmux: TmuxSession): Promise<string> {
  const cursor = await tmux.tmux(
    "display-message",
    "-p",
    "-t",
    "0",
    `#{cursor_x},#{cursor_y}\n${MODES}`,
  );
  return (await tmux.capture({ escapes: true })) + cursor;
}

/** The pane's state once it has not changed for 5 looks 50 ms apart (10 s at most). */
export async function settledState(tmux: TmuxSession): Promise<string> {
  let last = "", same = 0;
  for (let i = 0; i < 200 && same < 5; i++) {
    const now = await paneState(tmux);
    same = now === last ? same + 1 : 0;
    last = now;
    await sleep(50);
  }
  return last;
}

/**
 * Waits until the client in `tmux` has drawn the server's first frame: mosh's
 * release row puts the cursor at 0,1 (10 s at most; `label` names the side in
 * the error).
 */
export async function untilFirstFrame(tmux: TmuxSession, label: string): Promise<void> {
  for (let i = 0; !(await paneState(tmux)).includes("\n0,1\n"); i++) {
    if (i === 400) throw new Error(`${label}: no first frame:\n${await paneState(tmux)}`);
    await sleep(25);
  }
}

/** A step of a drawn session: output the program writes raw, or a new pane size. */
export type Step = string | PaneSize;

/**
 * A client drawing a server's session in tmux, where a program writes
 * output on request (raw: no LF → CR LF). `start` returns once the client
 * has drawn the server's first frame: mosh's release row puts the cursor at
 * 0,1; our pair continues the terminal instead (no release row), so there
 * the program first prints `ready` and a session should begin with RIS.
 */
export class DrawnSession {
  readonly tmux: TmuxSession;
  readonly #dir: string;
  readonly #stop: () => Promise<void>;
  #written = 0;

  private constructor(tmux: TmuxSession, dir: string, stop: () => Promise<void>) {
    this.tmux = tmux;
    this.#dir = dir;
    this.#stop = stop;
  }

  /** `server`'s session drawn by `client` (with `env` added to its environment) in a pane of `size`. */
  static async start(
    server: Implementation,
    client: Implementation,
    size: PaneSize,
    env: Record<string, string> = {},
  ): Promise<DrawnSession> {
    const ready = server === "ours" && client === "ours";
    const dir = await Deno.makeTempDir({ prefix: "mosh-drawn-" });
    await Deno.writeTextFile(
      `${dir}/program`,
      `#!/bin/sh\nstty -opost\n${ready ? "printf 'ready\\r\\n'\n" : ""}n=0\nwhile :; do\n` +
        `  while [ ! -e ${dir}/go.$n ]; do sleep 0.02; done\n  cat ${dir}/out.$n\n  n=$((n+1))\n` +
        `done\n`,
    );
    await Deno.chmod(`${dir}/program`, 0o755);
    const started = await startServer(server, { command: [`${dir}/program`] });
    const tmux = await TmuxSession.start({
      command: clientCommandLine(client, started.port),
      env: { MOSH_KEY: started.key, ...env },
      ...size,
    });
    const session = new DrawnSession(tmux, dir, () => started.stop());
    try {
      if (ready) await tmux.waitFor("ready");
      else await untilFirstFrame(tmux, server);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Takes `step` and returns the pane once it has settled. */
  async step(step: Step): Promise<string> {
    if (typeof step === "string") {
      await Deno.writeTextFile(`${this.#dir}/out.${this.#written}`, step);
      await Deno.writeTextFile(`${this.#dir}/go.${this.#written++}`, "");
    } else {
      await this.tmux.resize(step.width, step.height);
    }
    return await settledState(this.tmux);
  }

  /** Ends the client, the server and the program. */
  async close(): Promise<void> {
    await this.tmux.close();
    await this.#stop();
    await Deno.remove(this.#dir, { recursive: true });
  }
}

/**
 * The screen (with SGR) and cursor Debian's mosh-client shows once `server`
 * has run a program that writes `output` raw (no LF → CR LF), in a fresh
 * session (see {@linkcode DrawnSession}).
 */
export function drawnByRealClient(
  server: Implementation,
  output: string,
  size: PaneSize = { width: 40, height: 12 },
): Promise<string> {
  return drawnAfterSteps(server, [output], size);
}

/**
 * As {@linkcode drawnByRealClient}, for steps taken in order, each once the
 * pane has settled after the one before. `client` draws (Debian's unless
 * "ours"), with `env` added to its environment.
 */
export async function drawnAfterSteps(
  server: Implementation,
  steps: readonly Step[],
  size: PaneSize = { width: 40, height: 12 },
  client: Implementation = "real",
  env: Record<string, string> = {},
): Promise<string> {
  const session = await DrawnSession.start(server, client, size, env);
  try {
    let state = await settledState(session.tmux);
    for (const step of steps) state = await session.step(step);
    return state;
  } finally {
    await session.close();
  }
}

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

/**
 * The screen (with SGR) and cursor Debian's mosh-client shows once `server`
 * has run a program that writes `output` raw (no LF → CR LF), in a fresh
 * session: the program waits until the client has drawn the first frame
 * (mosh's release row puts the cursor at 0,1).
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
 * pane has settled after the one before: a string is written raw by the
 * program, a size resizes the pane. `client` draws (Debian's unless "ours").
 * Steps should start with RIS when both are ours: the program first prints
 * `ready` (our client draws no release row to wait for).
 */
export async function drawnAfterSteps(
  server: Implementation,
  steps: readonly (string | PaneSize)[],
  size: PaneSize = { width: 40, height: 12 },
  client: Implementation = "real",
): Promise<string> {
  const ourPair = server === "ours" && client === "ours";
  const dir = await Deno.makeTempDir({ prefix: "mosh-drawn-" });
  const outputs = steps.filter((step) => typeof step === "string");
  for (const [i, output] of outputs.entries()) await Deno.writeTextFile(`${dir}/out.${i}`, output);
  await Deno.writeTextFile(
    `${dir}/program`,
    `#!/bin/sh\nstty -opost\n${ourPair ? "printf 'ready\\r\\n'\n" : ""}` +
      `n=0\nwhile [ $n -lt ${outputs.length} ]; do\n` +
      `  while [ ! -e ${dir}/go.$n ]; do sleep 0.02; done\n  cat ${dir}/out.$n\n  n=$((n+1))\n` +
      `done\nsleep 60\n`,
  );
  await Deno.chmod(`${dir}/program`, 0o755);
  const started = await startServer(server, { command: [`${dir}/program`] });
  const tmux = await TmuxSession.start({
    command: clientCommandLine(client, started.port),
    env: { MOSH_KEY: started.key },
    ...size,
  });
  try {
    // Our pair continues the terminal (no release row): the program says when it runs.
    if (ourPair) await tmux.waitFor("ready");
    else await untilFirstFrame(tmux, server);
    let written = 0;
    for (const step of steps) {
      if (typeof step === "string") await Deno.writeTextFile(`${dir}/go.${written++}`, "");
      else await tmux.resize(step.width, step.height);
      await settledState(tmux);
    }
    return await settledState(tmux);
  } finally {
    await tmux.close();
    await started.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

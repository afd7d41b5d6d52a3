/**
 * The remote TERM follows the local terminal's terminfo colours as in mosh:
 * the client's `-c` count goes to `mosh-server new -c`, which gives the
 * shell xterm-256color for 256 colours and xterm otherwise. Both servers,
 * reached by Debian's mosh-client in tmux.
 */
import assert from "node:assert/strict";
import { clientProgram, type Implementation, startServer } from "../support/mosh_programs.ts";
import { TmuxSession } from "../support/tmux.ts";

/** What our `mosh-client -c` prints under `TERM=term` (as the wrapper runs it). */
async function ourColors(term: string): Promise<string> {
  const [program, ...args] = clientProgram("ours");
  const out = await new Deno.Command(program!, {
    args: [...args, "-c"],
    env: { TERM: term },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success);
  return new TextDecoder().decode(out.stdout).trim();
}

async function remoteTerm(which: Implementation, colors: string): Promise<string> {
  const server = await startServer(which, {
    args: ["-c", colors],
    command: ["/bin/sh", "-c", 'echo "REMOTE-TERM=$TERM."; exec sleep 60'],
  });
  const tmux = await TmuxSession.start({
    command: `mosh-client 127.0.0.1 ${server.port}`,
    env: { MOSH_KEY: server.key },
  });
  try {
    const screen = await tmux.waitFor(/REMOTE-TERM=\S*\./);
    return screen.match(/REMOTE-TERM=(\S*)\./)![1]!;
  } finally {
    await tmux.close();
    await server.stop();
  }
}

Deno.test("alacritty gets xterm-256color remotely, xterm-direct and rxvt-unicode get xterm", async () => {
  const cases: [string, string, string][] = [
    ["alacritty", "256", "xterm-256color"],
    ["xterm-direct", "16777216", "xterm"],
    ["rxvt-unicode", "88", "xterm"],
  ];
  for (const [local, colors, remote] of cases) {
    assert.equal(await ourColors(local), colors, local);
    for (const which of ["ours", "real"] as const) {
      assert.equal(await remoteTerm(which, colors), remote, `${local} on ${which} mosh-server`);
    }
  }
});

/**
 * `mosh --local` end to end in tmux, started the way the README says
 * (`deno task mosh --local`), from an interactive bash with job control:
 * a command after `--`, and Ctrl-^ Ctrl-Z suspending to the user's shell
 * (its "Stopped" and prompt), `fg` resuming with a repaint.
 */
import assert from "node:assert/strict";
import { commandLine, descendants } from "../support/processes.ts";
import { shellQuote, TmuxSession } from "../support/tmux.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** An interactive bash (job control on) in the repository, with a recognisable prompt. */
async function localShell(): Promise<TmuxSession> {
  const tmux = await TmuxSession.start({
    command: `sh -c ${shellQuote(`cd ${ROOT} && exec bash --norc --noprofile -i`)}`,
    env: { PS1: "LOCAL$ ", SHELL: "/bin/sh", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
  });
  try {
    await tmux.waitFor(/LOCAL\$ ?$/m);
  } catch (error) {
    await tmux.close();
    throw error;
  }
  return tmux;
}

/** Command lines of every process under `root`. */
function descendantCommands(root: number): string[] {
  return descendants(root).map((pid) => (commandLine(pid) ?? []).join(" "));
}

Deno.test("mosh --local -- command: the host defaults to 127.0.0.1 and the command runs", async () => {
  const tmux = await localShell();
  try {
    await tmux.sendText(
      `deno task -q mosh --local -- /bin/sh -c 'echo FROM-COMMAND-$((6*7)); read x'; ` +
        `echo WRAPPER-EXIT=$?\r`,
    );
    await tmux.waitFor("FROM-COMMAND-42", { timeoutMs: 30_000 });
    await tmux.sendText("\r");
    const screen = await tmux.waitFor(/WRAPPER-EXIT=\d+/, { timeoutMs: 20_000 });
    assert.match(screen, /WRAPPER-EXIT=0/, screen);
    assert.doesNotMatch(screen, /did not make a successful connection/);
  } finally {
    await tmux.close();
  }
});

/** Suspends and resumes a session started by `mosh` (a command line typed into bash). */
async function suspendAndResume(mosh: string, execs: boolean): Promise<void> {
  const tmux = await localShell();
  try {
    // A remote shell with its own prompt.
    await tmux.sendText(`PS1='REMOTE$ ' ${mosh} --local 127.0.0.1 -- /bin/sh -c 'exec sh'\r`);
    await tmux.waitFor(/REMOTE\$ ?$/m, { timeoutMs: 30_000 });
    await tmux.sendText("echo IN-$((6*7))\r");
    await tmux.waitFor(/^IN-42$/m);
    const processes = descendantCommands(await tmux.panePid());
    assert.ok(processes.some((p) => /cli\/mosh_client\.ts/.test(p)), processes.join("\n"));
    // With FFI no wrapper process stays between the shell and the client.
    assert.equal(processes.some((p) => /cli\/mosh\.ts/.test(p)), !execs, processes.join("\n"));

    await tmux.sendKeys("C-^");
    await tmux.sendKeys("C-z");
    let screen = await tmux.waitFor(/Stopped[^\n]*\n(?:.*\n)*LOCAL\$ ?$/m, { timeoutMs: 10_000 });
    assert.match(screen, /\[mosh is suspended\.\]/);
    // The local shell has the terminal: it runs what we type.
    await tmux.sendText("echo LOCAL-$((2*3))\r");
    await tmux.waitFor(/^LOCAL-6$/m);
    // Resized while stopped: the SIGWINCH goes to the local shell, not to the client.
    await tmux.resize(70, 20);

    await tmux.sendText("fg\r");
    // Repainted: the remote screen (with the earlier output) is back and the local
    // shell's lines are gone. IN-42 may still be on the local screen from before the
    // suspend (the scrollback mode keeps the main screen), so wait for both at once.
    const repainted = /(?<![\s\S])(?![\s\S]*LOCAL-6)[\s\S]*^IN-42$/m;
    screen = await tmux.waitFor(repainted, { timeoutMs: 10_000 });
    assert.doesNotMatch(screen, /LOCAL-6/, "the client repainted the remote screen");
    await tmux.sendText("echo AFTER-$((7*7))\r");
    screen = await tmux.waitFor(/^AFTER-49$/m);
    await tmux.sendText("stty size\r");
    await tmux.waitFor(/^20 70$/m); // the remote pty has the window's size
    // The local shell's lines were not blanked: they went into the terminal's
    // history (scrollback mode), between the session's screen as it was left
    // and as it was repainted.
    const history = await tmux.tmux("capture-pane", "-p", "-t", "0", "-S", "-");
    assert.match(
      history,
      /^IN-42$[\s\S]*\[mosh is suspended\.\][\s\S]*^LOCAL-6$[\s\S]*^IN-42$[\s\S]*^AFTER-49$/m,
      history,
    );
    // The escape key's help went with the suspend, as mosh-client's does.
    assert.doesNotMatch(screen, /Commands: Ctrl-Z suspends/);
    await tmux.sendText("exit\r");
    await tmux.waitFor(/\[mosh is exiting\.\]\n(?:.*\n)*LOCAL\$ ?$/m, { timeoutMs: 20_000 });
    await tmux.sendText("echo STATUS-$?\r");
    await tmux.waitFor(/^STATUS-0$/m);
  } finally {
    await tmux.close();
  }
}

Deno.test("Ctrl-^ Ctrl-Z through deno task and the wrapper: the shell's Stopped, fg resumes", () =>
  // `-q`: no "Task …" line. deno task stays the shell's job; the client stops its whole group.
  suspendAndResume("deno task -q mosh", true));

Deno.test("Ctrl-^ Ctrl-Z without FFI: the wrapper spawns the client and stops with it", () =>
  // Our programs inherit the wrapper's permissions: the server (pty) is given its own.
  suspendAndResume(
    "deno run -q -A --deny-ffi --unstable-net cli/mosh.ts " +
      `--server='deno run -q -A --unstable-net ${ROOT}cli/mosh_server.ts'`,
    false,
  ));

Deno.test("a command that cannot run: the system's message, as real mosh-server shows it", async () => {
  const screens: string[] = [];
  for (const mosh of ["mosh", "deno run -q -A --unstable-net cli/mosh.ts"]) {
    const tmux = await localShell();
    try {
      // --no-init: no alternate screen, so the message stays after the session ends.
      await tmux.sendText(
        `${mosh} --local --no-init 127.0.0.1 -- /nonexistent/program; echo EXIT-$?\r`,
      );
      const screen = await tmux.waitFor(/^EXIT-\d+$/m, { timeoutMs: 30_000 });
      screens.push(screen.split("\n").filter((l) => /execvp/.test(l)).join("\n"));
    } finally {
      await tmux.close();
    }
  }
  assert.equal(screens[1], screens[0]);
  assert.equal(screens[0], "mosh-server: execvp: /nonexistent/program: No such file or directory");
});

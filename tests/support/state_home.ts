/**
 * The suite never touches the user's real `~/.local/state/mosh-deno`: on
 * import, this process (and so every client, server, tmux server and
 * wrapper it starts, which inherit its environment) gets a private
 * `XDG_STATE_HOME`, removed when the process exits. Every support module
 * that starts our programs imports it; a test needing its own store (e.g.
 * to inspect it) still passes its own `XDG_STATE_HOME`.
 *
 * @module
 */

/** The private state directory of this test process. */
export const TEST_STATE_HOME: string = Deno.makeTempDirSync({ prefix: "mosh-test-state-" });

Deno.env.set("XDG_STATE_HOME", TEST_STATE_HOME);
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(TEST_STATE_HOME, { recursive: true });
  } catch { /* a detached server may still be writing: the OS temp dir is cleaned anyway */ }
});

/**
 * The client's view of the user's terminal: from terminfo where an entry
 * exists (as mosh's Display asks ncurses), from `TERM` guesses otherwise.
 */
import assert from "node:assert/strict";
import { describeTerminal } from "../../lib/client/terminal_description.ts";

const env = { HOME: "/nonexistent" };

Deno.test("ECH, BCE and the alternate screen come from the terminfo entry", () => {
  const xterm = describeTerminal("xterm-256color", env);
  assert.deepEqual(xterm, {
    colors: 256,
    caps: {
      ech: true,
      bce: true,
      title: true,
      hyperlinks: true,
      cursorStyle: true,
      workingDirectory: true,
      notifications: true,
      synchronizedOutput: true,
    },
    smcup: "\x1b[?1049h\x1b[22;0;0t",
    rmcup: "\x1b[?1049l\x1b[23;0;0t",
    fromTerminfo: true,
  });
  // screen has neither ech nor bce, nor Ss; its titles still pass (mosh's prefix list).
  assert.deepEqual(describeTerminal("screen", env).caps, {
    ech: false,
    bce: false,
    title: true,
    hyperlinks: true,
    cursorStyle: false,
    workingDirectory: true,
    notifications: true,
    synchronizedOutput: true,
  });
  // linux has ech and bce but no titles, no alternate screen and no OSC 8.
  const linux = describeTerminal("linux", env);
  assert.deepEqual(linux.caps, {
    ech: true,
    bce: true,
    title: false,
    hyperlinks: false,
    cursorStyle: false,
    // The Linux console would print an OSC it does not know.
    workingDirectory: false,
    notifications: false,
    synchronizedOutput: false,
  });
  assert.equal(linux.smcup, "");
  // rxvt-unicode's own strings, not xterm's.
  const rxvt = describeTerminal("rxvt-unicode", env);
  assert.equal(rxvt.colors, 88);
  assert.equal(rxvt.rmcup, "\x1b[r\x1b[?1049l");
  assert.equal(describeTerminal("alacritty", env).colors, 256);
});

Deno.test("a TERM without an entry falls back to the built-in guesses", () => {
  const guessed = describeTerminal("xterm-mosh-unlisted-256color", env);
  assert.equal(guessed.fromTerminfo, false);
  assert.equal(guessed.colors, 256);
  assert.equal(guessed.caps.title, true);
  assert.equal(guessed.caps.cursorStyle, true, "an xterm-like name: DECSCUSR guessed");
  assert.equal(guessed.smcup, "\x1b[?1049h\x1b[22;0;0t");
  const unknown = describeTerminal(undefined, env);
  assert.deepEqual(unknown, {
    colors: -1,
    caps: {
      ech: true,
      bce: true,
      title: false,
      hyperlinks: false,
      cursorStyle: false,
      workingDirectory: false,
      notifications: false,
      synchronizedOutput: false,
    },
    smcup: "",
    rmcup: "",
    fromTerminfo: false,
  });
});

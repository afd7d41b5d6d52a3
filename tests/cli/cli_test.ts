/**
 * Every error path of the three programs, run against Debian's real
 * binaries (/usr/bin/mosh, mosh-server, mosh-client) and ours for the same
 * command line: stdout, stderr and exit status must be equal.
 *
 * What is normalized, and only that:
 * - the first two lines of the version banner (program version and
 *   copyright: ours is mosh-deno's, the other three lines are mosh's text);
 * - the wrapper's name: Perl's `$0` is `/usr/bin/mosh`, ours prints `mosh`;
 * - a started server's port, key and pid (they differ on every run);
 * - in `--help` only, the lines for our extensions (`--resume`), checked verbatim;
 * - on a terminal, what was drawn on the alternate screen (gone when the
 *   program leaves it) and the remaining escape sequences.
 */
import assert from "node:assert/strict";
import { versionText } from "../../lib/version.ts";
import { programCommand } from "../../lib/wrapper/programs.ts";
import { waitUntil } from "../support/processes.ts";
import { detachedPid, stopMoshServer } from "../support/real_mosh.ts";
import { TEST_STATE_HOME } from "../support/state_home.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const KEY = "AAECAwQFBgcICQoLDA0ODw";

type Program = "mosh" | "mosh-server" | "mosh-client";

/** The argv of one program of either implementation. */
function argv(which: "real" | "ours", program: Program, args: string[]): string[] {
  // Through sh's exec by name, so argv[0] is the bare name as for ours (Perl's $0 is
  // the path regardless).
  if (which === "real") return ["/bin/sh", "-c", `exec ${program} "$@"`, "sh", ...args];
  const file = `${ROOT}cli/${program.replace("-", "_")}.ts`;
  return [Deno.execPath(), "run", "-q", "-A", "--unstable-net", "--no-lock", file, ...args];
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const REAL_BANNER = (name: string) =>
  `${name === "mosh" ? "mosh 1.4.0" : `${name} (mosh 1.4.0)`} [build mosh 1.4.0]\n` +
  "Copyright 2012 Keith Winstein <mosh-devel@mit.edu>\n";
const OUR_BANNER = (name: string) => versionText(name).split("\n").slice(0, 2).join("\n") + "\n";

function normalize(text: string): string {
  let out = text;
  for (const name of ["mosh", "mosh-client", "mosh-server"]) {
    out = out.replaceAll(REAL_BANNER(name), `<${name} version>\n`);
    out = out.replaceAll(OUR_BANNER(name), `<${name} version>\n`);
  }
  return out
    .replaceAll("/usr/bin/mosh:", "mosh:")
    .replaceAll("/usr/bin/mosh error:", "mosh error:")
    // Perl's bare `die` names its own line; ours says nothing more than the client did.
    .replace(/^Died at \/usr\/bin\/mosh line \d+\.\n/m, "")
    // The wrapper names itself in ssh's ProxyCommand: mosh's script, or deno and our file.
    .replace(/ProxyCommand=('[^']*' )+?'--family/g, "ProxyCommand=<self> '--family")
    .replaceAll("Usage: /usr/bin/mosh ", "Usage: mosh ")
    .replace(/MOSH CONNECT \d+ [A-Za-z0-9/+]{22}/g, "MOSH CONNECT <port> <key>")
    .replace(/\[mosh-server detached, pid = \d+\]/g, "[mosh-server detached, pid = <pid>]");
}

/** Kills the daemon a successful `mosh-server new` left behind (it waits for a client). */
async function stopDetached(stderr: string): Promise<void> {
  const pid = detachedPid(stderr);
  if (pid !== null) await stopMoshServer(pid, 3000);
}

/**
 * The whole environment of a program this file runs (`clearEnv`): PATH, and the
 * suite's private state directory, so no test writes the user's real one.
 */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    XDG_STATE_HOME: TEST_STATE_HOME,
    ...extra,
  };
}

async function run(command: string[], env: Record<string, string>): Promise<Result> {
  const out = await new Deno.Command(command[0]!, {
    args: command.slice(1),
    env: cleanEnv({ HOME: Deno.env.get("HOME") ?? "/", TERM: "xterm", ...env }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const result = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  await stopDetached(result.stderr);
  return { ...result, stdout: normalize(result.stdout), stderr: normalize(result.stderr) };
}

/** Runs both and asserts equal output and status; returns ours for further checks. */
async function same(
  program: Program,
  args: string[],
  env: Record<string, string> = { LANG: "C.UTF-8" },
): Promise<Result> {
  const real = await run(argv("real", program, args), env);
  const ours = await run(argv("ours", program, args), env);
  assert.deepEqual(ours, real, `${program} ${args.join(" ")}`);
  return ours;
}

/** On a terminal (script(1) with an 80x24 pty): what is left on the normal screen, and the status. */
async function onTerminal(command: string[], env: Record<string, string>) {
  const line = command.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", `stty rows 24 cols 80; ${line}`, "/dev/null"],
    env: cleanEnv({ TERM: "xterm", ...env }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  let text = new TextDecoder().decode(out.stdout);
  const leave = text.lastIndexOf("\x1b[?1049l");
  if (leave >= 0) text = text.slice(leave); // the alternate screen's contents are gone
  // deno-lint-ignore no-control-regex
  text = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  return { code: out.code, text: normalize(text) };
}

/** What `--help` adds to mosh's text for our extensions (usage errors print mosh's alone). */
const HELP_EXTENSIONS: Record<Program, string> = {
  "mosh": "        --resume [ID]        take over a session whose client died (the most\n" +
    "                             recent one, or ID); no ssh needed\n" +
    "        --resume --list      list resumable sessions\n\n" +
    "        --no-scrollback      keep lines that scroll off the remote screen out of\n" +
    "                             the local terminal's history (MOSH_SCROLLBACK=0)\n\n",
  "mosh-client": "       mosh-client --resume [ID] | --resume --list\n",
  "mosh-server": "",
};

Deno.test("--version and --help of each program: mosh's text, our version line", async () => {
  for (const program of ["mosh", "mosh-server", "mosh-client"] as const) {
    const version = await run(argv("ours", program, ["--version"]), { LANG: "C.UTF-8" });
    assert.equal(version.code, 0);
    assert.match(
      versionText(program),
      /^[a-z-]+ \(mosh-deno \d+\.\d+\.\d+\) \[compatible with mosh 1\.4\.0, protocol version 2\]/,
    );
    const env = { LANG: "C.UTF-8" };
    const real = await run(argv("real", program, ["--help"]), env);
    const ours = await run(argv("ours", program, ["--help"]), env);
    assert.ok(ours.stdout.includes(HELP_EXTENSIONS[program]), ours.stdout);
    assert.deepEqual({ ...ours, stdout: ours.stdout.replace(HELP_EXTENSIONS[program], "") }, real);
  }
  await same("mosh", ["--version"]);
});

Deno.test("mosh-server: getopt's messages, bad ports and colours, legacy arguments", async () => {
  // Not fatal in mosh: an unknown option or a missing value prints the usage and starts.
  await same("mosh-server", ["new", "-x", "-p", "0", "--", "/bin/true"]);
  await same("mosh-server", ["new", "-p", "0", "-i", "--", "/bin/true"]);
  await same("mosh-server", ["new", "-p", "0", "-l", "--", "/bin/true"]);
  const noPort = await same("mosh-server", ["new", "-p", "--", "/bin/true"]);
  assert.equal(noPort.code, 0);
  assert.match(noPort.stderr, /^new: option requires an argument -- 'p'\nUsage: mosh-server new/);
  await same("mosh-server", ["new", "-p", "0", "stray", "-s", "--", "/bin/true"]);
  for (const port of ["abc", "10:5", "70000", "-1", "0:5", "5:x", "5:70000", ":5", "1:2:3"]) {
    const r = await same("mosh-server", ["new", "-p", port, "--", "/bin/true"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Bad UDP port range/);
  }
  await same("mosh-server", ["new", "-x", "-p", "abc"]);
  for (const colors of ["lots", "8x", " "]) {
    await same("mosh-server", ["new", "-p", "0", "-c", colors, "--", "/bin/true"]);
  }
  await same("mosh-server", ["a", "b", "c"]);
});

Deno.test("mosh-server: an unresolvable -i fails at once, a port in use is three lines", async () => {
  const started = Date.now();
  const bogus = await same("mosh-server", ["new", "-p", "0", "-i", "bogus", "--", "/bin/true"]);
  assert.match(bogus.stderr, /^Error binding to IP bogus: Bad IP address \(bogus\)/);
  assert.ok(Date.now() - started < 30_000, "no DNS query per port");
  const held = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
  try {
    const port = String((held.addr as Deno.NetAddr).port);
    const inUse = await same("mosh-server", ["new", "-p", port, "--", "/bin/true"]);
    assert.equal(inUse.code, 1);
    assert.equal(inUse.stderr.split("\n").length, 4, inUse.stderr);
    await same("mosh-server", ["new", "-i", "127.0.0.1", "-p", port, "--", "/bin/true"]);
  } finally {
    held.close();
  }
});

Deno.test("mosh-server: the locale refusal names the variable that decides", async () => {
  await same("mosh-server", ["new", "-p", "0", "--", "/bin/true"], { LANG: "C" });
  await same("mosh-server", ["new", "-p", "0", "--", "/bin/true"], { LC_ALL: "" });
  await same("mosh-server", ["new", "-p", "0", "-l", "LANG=C", "--", "/bin/true"], {
    LC_CTYPE: "C",
  });
});

Deno.test("mosh-server: the timeout variables' warnings come from the foreground", async () => {
  const args = ["new", "-p", "0", "--", "/bin/true"];
  for (const name of ["MOSH_SERVER_NETWORK_TMOUT", "MOSH_SERVER_SIGNAL_TMOUT"]) {
    // As strtol(3) reads them: a sign and leading blanks are a number, trailing ones are not.
    for (const value of ["abc", "-5", "10x", "5 ", "0x10", "+5", " 7"]) {
      const ours = await same("mosh-server", args, { LANG: "C.UTF-8", [name]: value });
      const warned = /^\S+ (not a valid integer|is negative), ignoring\n/.test(ours.stderr);
      assert.equal(warned, !["+5", " 7"].includes(value), `${name}=${value}: ${ours.stderr}`);
    }
  }
});

/** Whether `pid` has a handler for SIGTERM (signal 15: bit 14 of /proc's SigCgt mask). */
function catchesSigterm(pid: number): boolean {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const mask = BigInt(`0x${status.match(/^SigCgt:\s*([0-9a-f]+)/m)![1]}`);
  return (mask & (1n << 14n)) !== 0n;
}

Deno.test("mosh-server -v: the daemon says it is exiting when it is stopped", async () => {
  const tails: string[] = [];
  for (const which of ["real", "ours"] as const) {
    // stdout and stderr in one pipe: mosh writes the line on stdout, our daemon on stderr.
    const command = argv(which, "mosh-server", ["new", "-v", "-p", "0", "--", "/bin/true"]);
    const child = new Deno.Command("/bin/sh", {
      args: ["-c", 'exec "$@" 2>&1', "sh", ...command],
      env: cleanEnv({ HOME: Deno.env.get("HOME") ?? "/", LANG: "C.UTF-8" }),
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const decoder = new TextDecoder();
    let text = "", pid: number | null = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (pid === null && (pid = detachedPid(text)) !== null) {
        // Stopped once it handles SIGTERM (mosh's daemon installs its handler after the fork).
        await waitUntil(() => catchesSigterm(pid!), "the daemon's SIGTERM handler");
        Deno.kill(pid, "SIGTERM");
      }
    }
    await child.status;
    assert.ok(pid !== null, text);
    assert.doesNotMatch(text, /Uncaught|error:/, text);
    tails.push(text.slice(text.lastIndexOf("[mosh-server detached")).replace(/\d+/, "<pid>"));
  }
  assert.equal(tails[1], tails[0]);
  assert.match(tails[0]!, /\n\[mosh-server is exiting\.\]\n$/);
});

Deno.test("mosh-server: a UTF-8 locale that is not installed is refused, as by the C library", async () => {
  // Named UTF-8 but missing here: the shell would run in the C locale.
  const missing = "xx_XX.UTF-8";
  const refused = await same("mosh-server", ["new", "-p", "0", "-l", `LC_ALL=${missing}`], {
    LANG: "C",
  });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^The locale requested by LC_ALL=xx_XX\.UTF-8 isn't available/);
  // The variable that names the character set set empty: mosh still hints.
  await same("mosh-server", ["new", "-p", "0"], { LANG: missing, LC_ALL: "" });
  // The server's own locale missing too: a warning for each.
  await same("mosh-server", ["new", "-p", "0", "-l", `LANG=${missing}`], { LC_ALL: missing });
  // The server's own locale missing, the client's installed: a warning, then the session.
  const session = ["new", "-p", "0", "-l", "LANG=C.UTF-8", "--", "/bin/true"];
  const started = await same("mosh-server", session, { LC_CTYPE: missing });
  assert.equal(started.code, 0);
  assert.match(started.stdout, /MOSH CONNECT/);
  assert.match(started.stderr, /^The locale requested by LC_CTYPE=xx_XX\.UTF-8 isn't available/);
});

Deno.test("mosh-client: usage with the version banner, environment and locale checks", async () => {
  await same("mosh-client", []);
  await same("mosh-client", ["127.0.0.1"]);
  await same("mosh-client", ["-z"]);
  await same("mosh-client", ["-#"]);
  await same("mosh-client", ["127.0.0.1", "6000x"]);
  await same("mosh-client", ["-c"], { LANG: "C.UTF-8", TERM: "xterm" });
  await same("mosh-client", ["127.0.0.1", "60001"], { LANG: "C.UTF-8" });
  const env = { MOSH_KEY: KEY, LANG: "C.UTF-8" };
  await same("mosh-client", ["127.0.0.1", "60001"], {
    ...env,
    MOSH_PREDICTION_DISPLAY: "sometimes",
  });
  await same("mosh-client", ["127.0.0.1", "60001"], { MOSH_KEY: KEY, LANG: "C" });
  await same("mosh-client", ["127.0.0.1", "60001"], { MOSH_KEY: KEY, LC_ALL: "" });
  await same("mosh-client", ["127.0.0.1", "60001"], { MOSH_KEY: KEY });
  // Not a terminal: refuses before drawing anything, key or no key.
  const pipe = await same("mosh-client", ["127.0.0.1", "60001"], env);
  assert.equal(pipe.stdout, "");
  await same("mosh-client", ["127.0.0.1", "60001"], { ...env, MOSH_KEY: "short" });
});

Deno.test("mosh-client: a bad MOSH_KEY on a terminal", async () => {
  for (const key of ["short", "AAECAwQFBgcICQoLDA0OD=", "AAECAwQFBgcICQoLDA0ODx"]) {
    const env = { MOSH_KEY: key, LANG: "C.UTF-8" };
    const real = await onTerminal(argv("real", "mosh-client", ["127.0.0.1", "60001"]), env);
    const ours = await onTerminal(argv("ours", "mosh-client", ["127.0.0.1", "60001"]), env);
    assert.deepEqual(ours, real, key);
    assert.match(ours.text, /^Crypto exception: .*\r\r\n\[mosh is exiting\.\]\r\n$/);
  }
});

Deno.test("mosh-client: an address that is not numeric is refused, as mosh-client's numeric-only lookup does", async () => {
  for (const ip of ["localhost", "256.1.1.1", "", "1.2.3.4.5", "::g"]) {
    const env = { MOSH_KEY: KEY, LANG: "C.UTF-8" };
    const real = await onTerminal(argv("real", "mosh-client", [ip, "60001"]), env);
    const ours = await onTerminal(argv("ours", "mosh-client", [ip, "60001"]), env);
    assert.deepEqual(ours, real, ip);
    assert.match(
      ours.text,
      /^Network exception: Bad IP address \(.*\): .*\r\r\n\[mosh is exiting\.\]\r\n$/,
    );
  }
});

Deno.test("mosh wrapper: option errors and usage", async () => {
  await same("mosh", []);
  await same("mosh", ["--pred=always", "host"]);
  await same("mosh", ["--no", "host"]);
  await same("mosh", ["--s=x", "host"]);
  await same("mosh", ["--bogus", "host"]);
  // Our extensions never take an abbreviation of mosh's options.
  await same("mosh", ["--l", "-p", "abc", "h"]);
  await same("mosh", ["--re", "h"]);
  await same("mosh", ["-p"]);
  for (const port of ["abc", "70000", "0:5", "9:5", "5:70000"]) {
    await same("mosh", ["-p", port, "h"]);
  }
  await same("mosh", ["--predict=sometimes", "h"]);
  await same("mosh", ["h"], { LANG: "C.UTF-8", MOSH_PREDICTION_DISPLAY: "sometimes" });
});

Deno.test("mosh wrapper: options after the host apply, as mosh's Getopt::Long permutes them", async () => {
  // `--ssh=echo` prints the ssh command line the wrapper built: its options and the remote command.
  const echo = "--ssh=echo";
  for (
    const args of [
      ["127.0.0.1", echo, "-a"],
      [echo, "user@127.0.0.1", "-6", "--predict=never", "--no-init"],
      ["127.0.0.1", echo, "-p", "60001", "--", "htop", "-d", "5"],
      [echo, "127.0.0.1", "ls", "--", "-l"],
      [echo, "127.0.0.1", "top"],
      [echo, "127.0.0.1", "--bogus"],
    ]
  ) {
    const r = await same("mosh", args);
    assert.doesNotMatch(r.stderr, /Could not connect/, "echo ran instead of ssh");
  }
  // Without permutation the first non-option ends the options, as Getopt::Long does then.
  await same("mosh", [echo, "127.0.0.1", "-a"], { LANG: "C.UTF-8", POSIXLY_CORRECT: "1" });
});

Deno.test("mosh wrapper: --experimental-remote-ip=local resolves the host here and sends ssh to that address", async () => {
  for (
    const args of [
      ["localhost"],
      ["user@localhost", "-4", "--", "ls"],
      ["-6", "localhost"], // no IPv6 address for it here: mosh's message
      ["nonexistent.invalid"],
    ]
  ) await same("mosh", ["--ssh=echo", "--experimental-remote-ip=local", ...args]);
  // A terminal the client cannot count colours for stops mosh before the lookup.
  await same("mosh", ["--ssh=echo", "--experimental-remote-ip=local", "nonexistent.invalid"], {
    LANG: "C.UTF-8",
    TERM: "",
  });
});

Deno.test("mosh wrapper: a terminal the client cannot count colours for stops mosh before ssh, as mosh's", async () => {
  for (const term of ["", "no-such-terminal"]) {
    const env = { LANG: "C.UTF-8", TERM: term };
    // Our own client answered in the wrapper's process, and a client program run for -c.
    const own = await same("mosh", ["--ssh=echo", "127.0.0.1"], env);
    await same("mosh", ["--client=mosh-client", "--ssh=echo", "127.0.0.1"], env);
    assert.equal(own.code, 1);
    assert.equal(own.stdout, "", "ssh never ran");
  }
});

Deno.test("mosh wrapper: malformed MOSH lines from the server's side: mosh's messages and status", async () => {
  // An "ssh" that prints what a broken remote would, whatever arguments it is given.
  for (
    const lines of [
      "MOSH CONNECT 1 short",
      "MOSH IP 192.0.2.1\nMOSH IP 192.0.2.2",
      "MOSH SSH_CONNECTION 1 2 3",
      "MOSH IP bad ip here",
      "hello\nMOSH CONNECT 60001 AAECAwQFBgcICQoLDA0ODw",
    ]
  ) {
    await same("mosh", [`--ssh=sh -c 'printf "${lines}\\n"' ssh`, "127.0.0.1"]);
  }
});

Deno.test("mosh wrapper: no sshd listening exits 10, 'Did not find remote IP address'", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const ssh = `--ssh=ssh -p ${port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null`;
  const r = await same("mosh", [ssh, "127.0.0.1"]);
  await same("mosh", [ssh, "nonexistent.invalid"]);
  assert.equal(r.code, 10);
  assert.match(
    r.stderr,
    /^mosh: Did not find remote IP address \(is SSH ProxyCommand disabled\?\)\.\n$/,
  );
});

Deno.test("mosh --local with stdin not a terminal refuses as mosh-client does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mosh-cli-" });
  try {
    for (const which of ["real", "ours"] as const) {
      // The server's stderr goes to a file so its pid is known and it can be stopped.
      await Deno.writeTextFile(
        `${dir}/${which}-server`,
        `#!/bin/sh\nexec ${
          which === "real" ? "mosh-server" : argv("ours", "mosh-server", []).join(" ")
        } "$@" 2>>${dir}/${which}.err\n`,
      );
      await Deno.chmod(`${dir}/${which}-server`, 0o755);
    }
    const results: Result[] = [];
    for (const which of ["real", "ours"] as const) {
      const args = ["--local", `--server=${dir}/${which}-server`, "127.0.0.1"];
      results.push(await run(argv(which, "mosh", args), { LANG: "C.UTF-8" }));
      await stopDetached(await Deno.readTextFile(`${dir}/${which}.err`));
    }
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[1], {
      code: 1,
      stdout: "",
      stderr: "tcgetattr: Inappropriate ioctl for device\n",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("from source: deno task -q mosh shows only mosh's output; our children run deno -q", async () => {
  const out = await new Deno.Command("script", {
    args: ["-qec", "deno task -q mosh --version", "/dev/null"],
    cwd: ROOT,
    env: cleanEnv({ HOME: Deno.env.get("HOME") ?? "/" }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  // On a terminal: no "Task mosh deno run …" line, no escape sequences at all.
  assert.equal(
    new TextDecoder().decode(out.stdout),
    `${versionText("mosh")}\n`.replaceAll("\n", "\r\n"),
  );
  // deno's progress bar (and its "\e[0G\e[2K\e[J") stays off in the programs we start.
  for (const program of ["mosh", "mosh-client", "mosh-server"] as const) {
    assert.deepEqual(programCommand(program).slice(1, 3), ["run", "-q"]);
  }
});

Deno.test("mosh with a client that cannot run stops before starting a server, as mosh does", async () => {
  const args = ["--local", "--client=/no/such/mosh-client", "127.0.0.1"];
  const real = await run(argv("real", "mosh", args), { LANG: "C.UTF-8" });
  const ours = await run(argv("ours", "mosh", args), { LANG: "C.UTF-8" });
  // Perl's own warning line ("Can't exec … at /usr/bin/mosh line 314.") is not reproduced.
  assert.equal(
    real.stderr.split("\n")[0],
    'Can\'t exec "/no/such/mosh-client": No such file or directory at /usr/bin/mosh line 314.',
  );
  assert.deepEqual(ours, { ...real, stderr: real.stderr.split("\n").slice(1).join("\n") });
  assert.deepEqual(ours, {
    code: 2,
    stdout: "",
    stderr: "Can't count colors: No such file or directory\n",
  });
});

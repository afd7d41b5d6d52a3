import assert from "node:assert/strict";
import {
  remoteCommand,
  serverArgs,
  shellSplit,
  sshArgv,
} from "../../lib/wrapper/remote_command.ts";
import { parseWrapperArgs, WrapperUsageError } from "../../lib/wrapper/wrapper_args.ts";

Deno.test("the ssh command line matches mosh 1.4.0's captured example with ports, --no-init and a command", () => {
  const args = ["-p", "60100:60200", "--no-init", "user@example.org", "--", "htop", "-d", "5"];
  const o = parseWrapperArgs(args, {});
  assert.equal(o.init, false);
  assert.deepEqual(o.positional, ["user@example.org", "htop", "-d", "5"]);
  const server = serverArgs(
    {
      colors: 256,
      bindServer: o.bindServer,
      local: false,
      port: o.port,
      host: "example.org",
      command: ["htop", "-d", "5"],
    },
    { LANG: "en_US.UTF-8", LC_CTYPE: "C.UTF-8" },
  );
  const argv = sshArgv(
    o,
    "user@example.org",
    remoteCommand("mosh-server", server, o.remoteIp),
    "'<path the wrapper was started as>' '--family=prefer-inet' --fake-proxy -- %h %p",
  );
  assert.deepEqual(argv, [
    "ssh",
    "-n",
    "-tt",
    "-S",
    "none",
    "-o",
    "ProxyCommand='<path the wrapper was started as>' '--family=prefer-inet' --fake-proxy -- %h %p",
    "user@example.org",
    "--",
    "mosh-server 'new' '-c' '256' '-s' '-p' '60100:60200' '-l' 'LANG=en_US.UTF-8' '-l' 'LC_CTYPE=C.UTF-8' '--' 'htop' '-d' '5'",
  ]);
});

Deno.test("the ssh command line matches the captured remote-IP example", () => {
  const o = parseWrapperArgs(
    [
      "--ssh=ssh -p 2222",
      "--experimental-remote-ip=remote",
      "-4",
      "--bind-server=any",
      "--no-ssh-pty",
      "user@h",
    ],
    {},
  );
  const server = serverArgs(
    { colors: 256, bindServer: o.bindServer, local: false, port: o.port, host: "h", command: [] },
    { LANG: "C.UTF-8" },
  );
  assert.deepEqual(sshArgv(o, "user@h", remoteCommand("mosh-server", server, o.remoteIp), ""), [
    "ssh",
    "-p",
    "2222",
    "-n",
    "-4",
    "user@h",
    "--",
    `sh -c '[ -n "$SSH_CONNECTION" ] && printf "\\nMOSH SSH_CONNECTION %s\\n" "$SSH_CONNECTION"' ; mosh-server 'new' '-c' '256' '-l' 'LANG=C.UTF-8'`,
  ]);
});

Deno.test("wrapper options: abbreviations, single dash, -a/-n, env predict, bad values", () => {
  assert.equal(parseWrapperArgs(["--fam=inet", "h"], {}).family, "inet");
  assert.throws(() => parseWrapperArgs(["--pred=never", "h"], {}), /ambiguous/);
  assert.equal(parseWrapperArgs(["-predict=always", "h"], {}).predict, "always");
  assert.equal(parseWrapperArgs(["-a", "h"], {}).predict, "always");
  assert.equal(parseWrapperArgs(["-n", "h"], {}).predict, "never");
  assert.equal(parseWrapperArgs(["h"], { MOSH_PREDICTION_DISPLAY: "always" }).predict, "always");
  assert.equal(parseWrapperArgs(["--family=INET6", "h"], {}).family, "inet6");
  assert.equal(parseWrapperArgs(["--local", "127.0.0.1"], {}).local, true);
  assert.throws(
    () => parseWrapperArgs(["--predict=sometimes", "h"], {}),
    /Unknown mode "sometimes"/,
  );
  assert.throws(
    () => parseWrapperArgs(["h"], { MOSH_PREDICTION_DISPLAY: "x" }),
    /Unknown mode "x" \(MOSH_PREDICTION_DISPLAY in environment\)/,
  );
  assert.throws(() => parseWrapperArgs(["--frobnicate", "h"], {}), WrapperUsageError);
  assert.throws(
    () => parseWrapperArgs(["-p", "70000", "h"], {}),
    /must be within valid range \[0\.\.65535\]/,
  );
  assert.throws(
    () => parseWrapperArgs(["-p", "0:10", "h"], {}),
    /may not be used with starting port 0/,
  );
  assert.throws(
    () => parseWrapperArgs(["-p", "20:10", "h"], {}),
    /low port greater than high port/,
  );
  assert.throws(() => parseWrapperArgs(["-p", "x", "h"], {}), /is not valid/);
});

Deno.test("shell splitting honours quotes like a shell", () => {
  assert.deepEqual(shellSplit(`ssh -o "A B" -p 22 'c d' e\\ f`), [
    "ssh",
    "-o",
    "A B",
    "-p",
    "22",
    "c d",
    "e f",
  ]);
});

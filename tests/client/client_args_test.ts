import assert from "node:assert/strict";
import { wrapperDestination } from "../../lib/client/client_args.ts";
import { parseWrapperArgs } from "../../lib/wrapper/wrapper_args.ts";

// The oracle: the wrapper's own parser (Getopt::Long's rules, tested against mosh's Perl in
// tests/wrapper/), given the arguments before mosh joined them into `-#`.
const COMMAND_LINES = [
  ["alice@example.org"],
  ["example.org", "--", "htop", "-d", "5"],
  ["-a", "example.org"],
  ["example.org", "-a"],
  ["-p", "60010", "example.org"],
  ["-p60010:60020", "example.org"],
  ["--port", "60010", "example.org"],
  ["--port=60010", "example.org"],
  ["--ser", "/opt/mosh-server", "example.org"],
  ["--server=~/bin/mosh-server", "bob@example.org", "--", "ls"],
  ["--predict", "never", "--family", "inet6", "--bind-server", "any", "host6"],
  ["--experimental-remote-ip", "remote", "host"],
  ["--no-init", "--no-scrollback", "-4", "host"],
  ["--", "host", "cmd"],
  ["-a", "--", "host"],
  ["--local"],
  ["--local", "127.0.0.1", "--", "htop"],
  ["--local", "--", "htop"],
  ["--lo", "--", "htop"],
  ["-n", "--client", "./mosh-client", "10.0.0.2", "--", "top"],
];

Deno.test("wrapperDestination finds the host the wrapper took in the command line mosh passes as -#", () => {
  for (const args of COMMAND_LINES) {
    const o = parseWrapperArgs(args, {});
    const host = o.commandOnly && o.local ? null : o.positional[0] ?? null;
    assert.equal(wrapperDestination(args.join(" ")), host, args.join(" "));
  }
});

Deno.test("wrapperDestination passes over the pieces of a value with spaces in it", () => {
  // --ssh="ssh -p 2222 -i ~/.ssh/key -o User=bob": mosh's `-#` has it in words.
  assert.equal(
    wrapperDestination("--ssh=ssh -p 2222 -i ~/.ssh/key -o User=bob example.org -- top"),
    "example.org",
  );
  assert.equal(wrapperDestination("   "), null);
});

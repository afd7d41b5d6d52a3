/** `mosh --no-scrollback`: our extension, spelled out in full only. */
import assert from "node:assert/strict";
import { readClientEnvironment } from "../../lib/client/client_args.ts";
import {
  parseWrapperArgs,
  wrapperHelp,
  wrapperUsage,
  WrapperUsageError,
} from "../../lib/wrapper/wrapper_args.ts";

Deno.test("--no-scrollback turns scrollback off; --help shows it, usage errors stay mosh's", () => {
  assert.equal(parseWrapperArgs(["host"], {}).scrollback, true);
  assert.equal(parseWrapperArgs(["--no-scrollback", "host"], {}).scrollback, false);
  assert.equal(parseWrapperArgs(["--noscrollback", "host"], {}).scrollback, false);
  // Never an abbreviation target: `--no-scr` is not ours to take.
  assert.throws(() => parseWrapperArgs(["--no-scr", "host"], {}), WrapperUsageError);
  assert.match(wrapperHelp("mosh"), /--no-scrollback/);
  assert.doesNotMatch(wrapperUsage("mosh"), /scrollback/);
});

Deno.test("MOSH_SCROLLBACK=0 (what the wrapper sets) turns it off in the client", () => {
  const env = (extra: Record<string, string>) =>
    new Map(Object.entries({ MOSH_KEY: "AAECAwQFBgcICQoLDA0ODw", ...extra }));
  const read = (extra: Record<string, string>) => {
    const m = env(extra);
    return readClientEnvironment({
      get: (k: string) => m.get(k),
      delete: (k: string) => void m.delete(k),
    });
  };
  assert.equal(read({}).scrollback, true);
  assert.equal(read({ MOSH_SCROLLBACK: "0" }).scrollback, false);
  assert.equal(read({ MOSH_SCROLLBACK: "1" }).scrollback, true);
});

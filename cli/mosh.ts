#!/usr/bin/env -S deno run -A --unstable-net --v8-flags=--max-semi-space-size=1,--initial-old-space-size=2,--single-threaded-gc,--no-memory-reducer,--max-opt=2
/**
 * `mosh [options] [user@]host [-- command]`: the mobile shell. Logs in with
 * ssh, starts `mosh-server`, then runs `mosh-client`; `--local` needs no ssh.
 *
 * @module
 */
import { wrapperMain } from "../lib/wrapper/wrapper_main.ts";

if (import.meta.main) {
  Deno.exit(await wrapperMain(Deno.args));
}

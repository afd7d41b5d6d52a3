#!/usr/bin/env -S deno run -A --unstable-net
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

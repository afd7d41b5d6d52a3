#!/usr/bin/env -S deno run -A --unstable-net --v8-flags=--max-semi-space-size=1,--initial-old-space-size=2,--single-threaded-gc,--no-memory-reducer
/**
 * `mosh-server`: binds a UDP port, prints `MOSH CONNECT <port> <key>`,
 * detaches and runs the user's shell on a pty for a mosh client.
 *
 * @module
 */
import { serverMain } from "../lib/server/server_main.ts";

if (import.meta.main) {
  Deno.exit(await serverMain(Deno.args));
}

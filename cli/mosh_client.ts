#!/usr/bin/env -S deno run -A --unstable-net --v8-flags=--max-semi-space-size=1,--initial-old-space-size=2,--single-threaded-gc,--no-memory-reducer,--max-opt=2
/**
 * `mosh-client IP PORT` with the key in `MOSH_KEY`: the user's side of a
 * mosh session.
 *
 * @module
 */
import { clientMain } from "../lib/client/client_main.ts";

if (import.meta.main) {
  Deno.exit(await clientMain(Deno.args));
}

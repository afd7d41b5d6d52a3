#!/usr/bin/env -S deno run -A --unstable-net
/**
 * `mosh-client`: entry point (work in progress).
 *
 * @module
 */
import { versionText } from "../lib/version.ts";

if (import.meta.main) {
  if (Deno.args.includes("--version")) {
    console.log(versionText("mosh-client"));
  } else {
    console.log("Usage: mosh-client (not implemented yet)");
  }
}

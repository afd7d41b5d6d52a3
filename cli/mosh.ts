#!/usr/bin/env -S deno run -A --unstable-net
/**
 * `mosh`: entry point (work in progress).
 *
 * @module
 */
import { versionText } from "../lib/version.ts";

if (import.meta.main) {
  if (Deno.args.includes("--version")) {
    console.log(versionText("mosh"));
  } else {
    console.log("Usage: mosh (not implemented yet)");
  }
}

/**
 * Front ends (client, server, wrapper, cli, examples) call methods of the
 * objects they hold, never a chain through the transport's or the
 * terminal's insides (issue 12: `transport.currentState.screen.emulator.write`,
 * `t.connection.rtt.sendInterval`, `transport.sender.lastSent.num`).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const FRONT_ENDS = ["lib/client", "lib/server", "lib/wrapper", "cli", "examples"];
/** Reaching into the transport's connection or sender, or through a screen into its emulator. */
const CHAIN = /\b(?:transport|t)\.(?:connection|sender)\.|\.screen\.emulator\b|\.emulator\.write\(/;

Deno.test("front ends reach no further than the session objects' own methods", async () => {
  const found: string[] = [];
  let files = 0;
  for (const dir of FRONT_ENDS) {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      files++;
      const text = await Deno.readTextFile(new URL(`${dir}/${entry.name}`, ROOT));
      text.split("\n").forEach((line, i) => {
        if (CHAIN.test(line)) found.push(`${dir}/${entry.name}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  assert.ok(files > 20, `scanned ${files} files`);
  assert.deepEqual(found, []);
});

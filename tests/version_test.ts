import assert from "node:assert/strict";
import { PROTOCOL_VERSION, versionText } from "../lib/version.ts";

Deno.test("version text names the program and protocol version 2", () => {
  assert.equal(PROTOCOL_VERSION, 2);
  const text = versionText("mosh-client");
  assert.match(text, /^mosh-client \(mosh-deno \d+\.\d+\.\d+\)/);
  assert.match(text, /protocol version 2/);
});

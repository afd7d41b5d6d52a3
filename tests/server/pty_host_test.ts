import assert from "node:assert/strict";
import { Pty } from "../../lib/server/pty.ts";
import { PtyHost } from "../../lib/server/pty_host.ts";
import { readUntil, spawnShell } from "../support/pty_shell.ts";
import { libc } from "../../lib/libc.ts";

libc(); // opened once per process, outside the tests' resource accounting

Deno.test("PtyHost over a program the caller started: attaching types nothing into it", async () => {
  const pty = Pty.open(80, 24);
  const exited = spawnShell(pty, 'stty -echo; echo ready; read line; echo "got:[$line]"');
  const host = new PtyHost({ pty });
  try {
    await readUntil(host, "ready\r\n");
    await host.attach(80, 24);
    await host.write(new TextEncoder().encode("typed\n"));
    const text = await readUntil(host, "]\r\n");
    assert.match(text, /got:\[typed\]/);
    assert.equal(await exited, 0); // the raw wait status: exit code 0
  } finally {
    host.close();
  }
});

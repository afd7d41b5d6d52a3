import assert from "node:assert/strict";
import { Pty } from "../../lib/server/pty.ts";
import { PtyHost } from "../../lib/server/pty_host.ts";
import { spawnInPty } from "../../lib/server/pty_spawn.ts";
import { libc } from "../../lib/libc.ts";

libc(); // opened once per process, outside the tests' resource accounting

Deno.test("PtyHost over a program the caller started: attaching types nothing into it", async () => {
  const pty = Pty.open(80, 24);
  const child = spawnInPty({
    tty: pty.slavePath,
    program: "sh",
    argv: ["sh", "-c", 'stty -echo; echo ready; read line; echo "got:[$line]"'],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    cwd: "/",
  });
  const host = new PtyHost({ pty, childExited: child.exited });
  try {
    let text = "";
    const readUntil = async (marker: RegExp) => {
      while (!marker.test(text)) {
        const chunk = await host.read();
        if (chunk === null) throw new Error(`the pty closed before ${marker}: ${text}`);
        text += new TextDecoder().decode(chunk);
      }
    };
    await readUntil(/ready\r\n/);
    await host.attach(80, 24);
    await host.write(new TextEncoder().encode("typed\n"));
    await readUntil(/got:\[.*\]/);
    assert.match(text, /got:\[typed\]/);
    assert.equal(await child.exited, 0); // the raw wait status: exit code 0
  } finally {
    host.close();
  }
});

import assert from "node:assert/strict";
import { Pty } from "../../lib/server/pty.ts";
import { readUntil, spawnShell } from "../support/pty_shell.ts";
import { libc } from "../../lib/libc.ts";

libc(); // opened once per process, outside the tests' resource accounting

/** 3000 lines as a user might paste them: ≈ 117 KB, multibyte characters on every line. */
function pasteText(): Uint8Array {
  let text = "";
  for (let i = 1; i <= 3000; i++) text += `line ${i} with some üñíçødé text\n`;
  return new TextEncoder().encode(text);
}

for (const writes of ["one write", "many writes"]) {
  Deno.test(`Pty.write: a long paste into cat (${writes}) comes back as its whole echo, even when each read is followed by slow work`, async () => {
    const pty = Pty.open(80, 24);
    try {
      const exited = spawnShell(pty, "echo READY; exec cat > /dev/null");
      await readUntil(pty, "READY\r\n");
      const paste = pasteText();
      let echoed = new Uint8Array(0);
      const reader = (async () => {
        for (;;) {
          const chunk = await pty.read();
          if (chunk === null) return;
          const joined = new Uint8Array(echoed.length + chunk.length);
          joined.set(echoed);
          joined.set(chunk, echoed.length);
          echoed = joined;
          // The server's work per read (the emulator, a frame), exaggerated: the
          // line discipline drops echo it cannot pass on while nobody reads.
          const start = performance.now();
          while (performance.now() - start < 1);
        }
      })();
      if (writes === "one write") await pty.write(paste);
      else {
        // As a paste reaches the server: in many pieces, each written as it arrives.
        const pieces = [];
        for (let at = 0; at < paste.length; at += 500) {
          pieces.push(pty.write(paste.subarray(at, at + 500)));
        }
        await Promise.all(pieces);
      }
      await pty.write(new Uint8Array([0x04])); // Ctrl-D at the start of a line: cat ends
      assert.equal(await exited, 0);
      await reader;
      // The kernel's echo: each byte as typed, a line feed as CR LF (ONLCR).
      const expected = new TextDecoder().decode(paste).replaceAll("\n", "\r\n");
      const got = new TextDecoder().decode(echoed);
      assert.equal(got.length, expected.length, "echo lost (bytes read against bytes typed)");
      assert.equal(got, expected);
    } finally {
      pty.close();
    }
  });
}

Deno.test("Pty.write: a long paste with echo off is written whole without any read (no wait for output that never comes)", async () => {
  const pty = Pty.open(80, 24);
  const file = await Deno.makeTempFile();
  try {
    const exited = spawnShell(pty, `stty -echo; echo READY; exec cat > ${file}`);
    await readUntil(pty, "READY\r\n");
    const paste = pasteText();
    await pty.write(paste);
    await pty.write(new Uint8Array([0x04]));
    assert.equal(await exited, 0);
    assert.deepEqual(await Deno.readFile(file), paste);
  } finally {
    pty.close();
    await Deno.remove(file);
  }
});

Deno.test("Pty.write: a paste whose echo never comes (output stopped by Ctrl-S in it) is still written whole", async () => {
  const pty = Pty.open(80, 24);
  const file = await Deno.makeTempFile();
  try {
    const exited = spawnShell(pty, `stty ixon; echo READY; exec cat > ${file}`);
    await readUntil(pty, "READY\r\n");
    const reading = (async () => {
      while (await pty.read() !== null);
    })();
    // XOFF first: the line discipline stops all output, echo included, and
    // takes the character itself; cat still reads every line.
    const lines = new TextEncoder().encode("some pasted text\n".repeat(1500)); // 25 KB
    const paste = new Uint8Array([0x13, ...lines]);
    await pty.write(paste);
    await pty.write(new Uint8Array([0x04]));
    assert.equal(await exited, 0);
    assert.deepEqual(await Deno.readFile(file), lines);
    await reading; // the child's side closed: the reads end
  } finally {
    pty.close();
    await Deno.remove(file);
  }
});

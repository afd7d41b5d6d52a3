/**
 * The library and the programs work when imported from a URL, with no
 * deno.json and a fresh module cache (as a CI step or a user would).
 */
import assert from "node:assert/strict";
import { withRepositoryServer as withServer } from "./support/http_source.ts";

async function denoRun(args: string[], cwd: string, denoDir: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-lock", ...args],
    cwd,
    env: { DENO_DIR: denoDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test({
  name:
    "mod.ts imported over HTTP in a fresh DENO_DIR seals/opens datagrams, runs the emulator, serves and connects a session; cli/mosh.ts --help runs from the URL",
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "mosh-url-" });
    try {
      await withServer(async (base) => {
        await Deno.writeTextFile(
          `${work}/use.ts`,
          `import { Direction, Emulator, generateKey, PacketCodec } from "${base}/mod.ts";
const key = generateKey();
const wire = new PacketCodec(key, Direction.ToServer).seal({ seq: 7, timestamp: 1, timestampReply: 0xffff, payload: new TextEncoder().encode("0123456789ab") });
const opened = new PacketCodec(key, Direction.ToClient).open(wire);
const term = new Emulator(20, 2);
term.write(new TextEncoder().encode("\\x1b[1mhi\\x1b[0m there"));
console.log(JSON.stringify({ seq: opened.seq, payload: new TextDecoder().decode(opened.payload), row: term.fb.rowText(0).trimEnd() }));
`,
        );
        const host = new URL(base).host;
        const used = await denoRun(
          [`--allow-import=${host},registry.npmjs.org`, "use.ts"],
          work,
          `${work}/deno_dir`,
        );
        assert.equal(used.code, 0, used.stderr);
        assert.deepEqual(JSON.parse(used.stdout), {
          seq: 7,
          payload: "0123456789ab",
          row: "hi there",
        });

        // Whole sessions from the URL, with nothing but UDP on loopback allowed.
        await Deno.writeTextFile(
          `${work}/sessions.ts`,
          `import { connectSession, serveSession } from "${base}/mod.ts";
const server = await serveSession({ hostname: "127.0.0.1", port: 0 }, async (session) => {
  const writer = session.writable.getWriter();
  await writer.write(new TextEncoder().encode("served " + session.columns + "x" + session.rows + "\\r\\n"));
  const { value } = await session.readable.getReader().read();
  await writer.write(new TextEncoder().encode("got " + new TextDecoder().decode(value)));
});
const client = await connectSession({ hostname: "127.0.0.1", port: server.port, key: server.key, columns: 50, rows: 5 });
await client.waitForText("served");
client.write("ping");
await client.waitForText("got ping");
const screen = client.screenText();
console.log(JSON.stringify({ screen, status: (await client.closed).status }));
await server.finished;
`,
        );
        const sessions = await denoRun(
          [
            `--allow-import=${host},registry.npmjs.org`,
            "--allow-net=127.0.0.1",
            "--unstable-net",
            "sessions.ts",
          ],
          work,
          `${work}/deno_dir`,
        );
        assert.equal(sessions.code, 0, sessions.stderr);
        assert.deepEqual(JSON.parse(sessions.stdout), {
          screen: ["served 50x5", "got ping", "", "", ""],
          status: 0,
        });

        const help = await denoRun(
          ["-A", "--unstable-net", `${base}/cli/mosh.ts`, "--help"],
          work,
          `${work}/deno_dir`,
        );
        assert.equal(help.code, 0, help.stderr);
        assert.match(
          help.stdout,
          /^Usage: mosh \[options\] \[--\] \[user@\]host \[command\.\.\.\]/,
        );
      });
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test("deno doc --lint mod.ts is clean: every export documented, no private type in the public API", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
    cwd: new URL("..", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});

/**
 * The library and the programs work when imported from a URL, with no
 * deno.json and a fresh module cache (as a CI step or a user would).
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;

async function withServer(fn: (base: string) => Promise<void>): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("no", { status: 403 });
    try {
      const body = await Deno.readFile(ROOT + path.slice(1));
      return new Response(body, { headers: { "content-type": "application/typescript" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

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
    "mod.ts imported over HTTP in a fresh DENO_DIR seals/opens datagrams and runs the emulator; cli/mosh.ts --help runs from the URL",
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

import assert from "node:assert/strict";
import { CLIENT_V8_FLAGS, V8_FLAGS } from "../lib/v8_flags.ts";
import { programCommand } from "../lib/wrapper/programs.ts";

const ROOT = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, ROOT));
const flagsIn = (line: string) => line.match(/--v8-flags=(\S+)/)?.[1];

const expected: Record<string, string> = {
  mosh: CLIENT_V8_FLAGS,
  mosh_client: CLIENT_V8_FLAGS,
  mosh_server: V8_FLAGS,
};

Deno.test("each program's shebang and deno task run it with its V8 flags", () => {
  const tasks = JSON.parse(read("deno.json")).tasks as Record<string, string>;
  for (const [file, flags] of Object.entries(expected)) {
    assert.equal(flagsIn(read(`cli/${file}.ts`).split("\n")[0]!), flags, `cli/${file}.ts`);
    assert.equal(flagsIn(tasks[file.replace("_", "-")]!), flags, `task ${file}`);
  }
});

Deno.test("the wrapper starts the client from source with the client's V8 flags", () => {
  assert.equal(flagsIn(programCommand("mosh-client").join(" ")), CLIENT_V8_FLAGS);
  assert.equal(flagsIn(programCommand("mosh-server").join(" ")), V8_FLAGS);
});

Deno.test("compile.sh builds each binary with its program's V8 flags", async () => {
  const out = await new Deno.Command("bash", {
    args: [new URL("compile.sh", ROOT).pathname, "--print-flags"],
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(
    new TextDecoder().decode(out.stdout),
    [
      `mosh ${CLIENT_V8_FLAGS}`,
      `mosh-client ${CLIENT_V8_FLAGS}`,
      `mosh-server ${V8_FLAGS}`,
      "",
    ].join("\n"),
  );
});

Deno.test("compile.sh refuses a DENORT_BIN that is the deno CLI, not the compile runtime", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command("bash", {
      args: [new URL("compile.sh", ROOT).pathname, "--out", dir],
      env: { DENORT_BIN: Deno.execPath() },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.match(stderr, /does not run as mosh .*DENORT_BIN must be denort/s);
    assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing half-built left behind
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

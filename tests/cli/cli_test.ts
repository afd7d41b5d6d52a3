/**
 * The three programs' --version, --help and usage errors, run from source.
 */
import assert from "node:assert/strict";

const CLI = new URL("../../cli/", import.meta.url).pathname;

async function run(program: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", `${CLI}${program}.ts`, ...args],
    env: { LANG: "C.UTF-8", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("--version of all three names our version and the protocol version we speak", async () => {
  for (
    const [file, name] of [["mosh", "mosh"], ["mosh_client", "mosh-client"], [
      "mosh_server",
      "mosh-server",
    ]]
  ) {
    const r = await run(file!, ["--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^${name} \\(mosh-deno \\d+\\.\\d+\\.\\d+\\) \\[compatible with mosh 1\\.4\\.0, protocol version 2\\]`,
      ),
    );
  }
});

Deno.test("--help prints each program's usage", async () => {
  assert.match((await run("mosh", ["--help"])).stdout, /^Usage: mosh \[options\]/);
  assert.match(
    (await run("mosh_client", ["--help"])).stdout,
    /Usage: mosh-client \[-# 'ARGS'\] IP PORT/,
  );
  assert.match((await run("mosh_server", ["--help"])).stdout, /^Usage: mosh-server new \[-s\]/);
});

Deno.test("usage errors exit non-zero with mosh's messages", async () => {
  const badPort = await run("mosh_client", ["127.0.0.1", "6000x"], {
    MOSH_KEY: "AAECAwQFBgcICQoLDA0ODw",
  });
  assert.equal(badPort.code, 1);
  assert.match(badPort.stderr, /mosh-client: Bad UDP port \(6000x\)/);
  const noKey = await run("mosh_client", ["127.0.0.1", "60001"]);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /MOSH_KEY environment variable not found\./);
  const badKey = await run("mosh_client", ["127.0.0.1", "60001"], { MOSH_KEY: "short" });
  assert.match(badKey.stderr, /Crypto exception: Key must be 22 letters long/);
  const badMode = await run("mosh_client", ["127.0.0.1", "60001"], {
    MOSH_KEY: "AAECAwQFBgcICQoLDA0ODw",
    MOSH_PREDICTION_DISPLAY: "sometimes",
  });
  assert.match(badMode.stderr, /Unknown prediction mode sometimes\./);
  const locale = await run("mosh_client", ["127.0.0.1", "60001"], {
    MOSH_KEY: "AAECAwQFBgcICQoLDA0ODw",
    LANG: "C",
  });
  assert.equal(locale.code, 1);
  assert.match(locale.stderr, /mosh-client needs a UTF-8 native locale to run\./);
  const server = await run("mosh_server", ["new", "-c", "lots"]);
  assert.equal(server.code, 1);
  assert.match(server.stderr, /mosh-server: Bad number of colors \(lots\)/);
  const serverPort = await run("mosh_server", ["new", "-p", "10:5"]);
  assert.match(serverPort.stderr, /Low port 10 greater than high port 5/);
  const wrapper = await run("mosh", ["--bogus-option", "host"]);
  assert.notEqual(wrapper.code, 0);
  assert.match(wrapper.stderr, /Unknown option: bogus-option/);
  const noHost = await run("mosh", []);
  assert.notEqual(noHost.code, 0);
  assert.match(noHost.stderr, /Usage: mosh/);
});

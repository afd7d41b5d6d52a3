/**
 * `mosh-client -c` (the colour count the wrapper passes to the server, which
 * picks the remote TERM from it) against Debian's mosh-client, TERM by TERM.
 */
import assert from "node:assert/strict";
import { clientProgram, type Implementation } from "../support/mosh_programs.ts";

/** PATH, and what Deno needs to find its cache (HOME also gives both sides the same ~/.terminfo). */
function passThrough(): Record<string, string> {
  const keep = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"];
  return Object.fromEntries(keep.flatMap((k) => {
    const v = Deno.env.get(k);
    return v === undefined ? [] : [[k, v]];
  }));
}

async function colors(which: Implementation, env: Record<string, string>) {
  const [program, ...args] = clientProgram(which);
  const out = await new Deno.Command(program!, {
    args: [...args, "-c"],
    env: { ...passThrough(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("mosh-client -c prints what Debian's mosh-client prints for each TERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A private entry found only through $TERMINFO, with 32-bit numbers.
    await Deno.writeTextFile(`${dir}/src.ti`, "moshcolors|private,\n\tcolors#0x1000000,\n");
    const tic = await new Deno.Command("tic", { args: ["-o", dir, `${dir}/src.ti`] }).output();
    assert.ok(tic.success);
    const cases: Record<string, string>[] = [
      { TERM: "alacritty" },
      { TERM: "xterm-16color" },
      { TERM: "xterm-direct" },
      { TERM: "rxvt-unicode" },
      { TERM: "xterm-256color" },
      { TERM: "xterm" },
      { TERM: "screen" },
      { TERM: "dumb" },
      { TERM: "unknown" },
      { TERM: "no-such-terminal" },
      {},
      { TERM: "moshcolors", TERMINFO: dir },
    ];
    for (const env of cases) {
      const [ours, real] = await Promise.all([colors("ours", env), colors("real", env)]);
      assert.deepEqual(ours, real, JSON.stringify(env));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

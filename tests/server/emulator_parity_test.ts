/**
 * Output that a differential run (random output through Debian's
 * mosh-server and ours, each drawn by Debian's mosh-client) found drawn
 * differently: each case must now give the same screen and cursor through
 * both servers. Debian's pair is the oracle.
 */
import assert from "node:assert/strict";
import { type Implementation, startServer } from "../support/mosh_programs.ts";
import { TmuxSession } from "../support/tmux.ts";

const WIDTH = 40, HEIGHT = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The screen (with SGR) and cursor Debian's client shows once `output` has been drawn. */
async function drawn(server: Implementation, output: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mosh-parity-" });
  await Deno.writeTextFile(`${dir}/output`, output);
  // Raw output (no LF → CR LF) once the client is there, then nothing.
  await Deno.writeTextFile(
    `${dir}/program`,
    `#!/bin/sh\nstty -opost\nwhile [ ! -e ${dir}/go ]; do sleep 0.02; done\ncat ${dir}/output\nsleep 60\n`,
  );
  await Deno.chmod(`${dir}/program`, 0o755);
  const started = await startServer(server, { command: [`${dir}/program`] });
  const tmux = await TmuxSession.start({
    command: `mosh-client 127.0.0.1 ${started.port}`,
    env: { MOSH_KEY: started.key },
    width: WIDTH,
    height: HEIGHT,
  });
  const cursor = () => tmux.tmux("display-message", "-p", "-t", "0", "#{cursor_x},#{cursor_y}");
  const state = async () => (await tmux.capture({ escapes: true })) + (await cursor());
  try {
    // The client has drawn the server's first frame: the release row (mosh's echoed line).
    for (let i = 0; (await cursor()).trim() !== "0,1"; i++) {
      if (i === 400) throw new Error(`${server}: no first frame:\n${await state()}`);
      await sleep(25);
    }
    await Deno.writeTextFile(`${dir}/go`, "");
    // Settled: the same for 5 looks 50 ms apart.
    let last = "", same = 0;
    for (let i = 0; i < 200 && same < 5; i++) {
      const now = await state();
      same = now === last ? same + 1 : 0;
      last = now;
      await sleep(50);
    }
    return last;
  } finally {
    await tmux.close();
    await started.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

const PENDING_WRAP = "\x1b[?7l" + " ".repeat(WIDTH - 1) + "ééééé\x1b[?7h"; // wrap pending at the last column

const CASES: [string, string][] = [
  // DECOM homes the cursor, which ends a pending wrap (we kept it: "ab" went a row down).
  ["origin mode set with a wrap pending", `${PENDING_WRAP}\x1b[?6hab`],
  ["origin mode reset with a wrap pending", `${PENDING_WRAP}\x1b[?6lab`],
  // Setting DECOM homes the cursor to the screen's top row, outside a region that starts
  // lower; the first character prints there, and the cursor then snaps into the region
  // (we printed the whole run on the top row).
  ["origin mode set with a region lower down, then text", "\x1b[5;11r\x1b[?6hJ,r`q)-f)"],
  ["origin mode set with a region from row 2, then one character", "\x1b[2;3r\x1b[?6h\\"],
  // A tab keeps it, in mosh as in ours.
  ["a back tab with a wrap pending", `${PENDING_WRAP}\x1b[Zab`],
  ["an SGR with a wrap pending", `${PENDING_WRAP}\x1b[1mab`],
];

for (const [name, output] of CASES) {
  Deno.test(`Debian's client draws the same through our server and Debian's: ${name}`, async () => {
    const [real, ours] = await Promise.all([drawn("real", output), drawn("ours", output)]);
    assert.equal(ours, real);
  });
}

/**
 * The prediction engine's share of a keystroke and of every frame
 * (`deno bench`): the client runs `cull` + `apply` on a copy of the screen
 * for each frame it draws, and `newUserInput` for each key.
 *
 * @module
 */
import { PredictionEngine } from "../lib/client/prediction_engine.ts";
import { Emulator } from "../lib/terminal/emulator.ts";

const enc = new TextEncoder();
let now = 0;
const clock = () => now;

/** A shell session: `rows` commands typed, echoed and confirmed, one per row. */
function session(rows: number) {
  const server = new Emulator(80, 24);
  const engine = new PredictionEngine("always", false, clock);
  let sent = 0n;
  for (let y = 0; y < rows; y++) {
    for (const key of enc.encode(`ls -l ${y}\r`)) {
      now += 100;
      engine.setLocalFrameSent(++sent);
      engine.newUserInput(new Uint8Array([key]), server.fb);
      server.write(key === 0x0d ? enc.encode("\r\n") : new Uint8Array([key]));
      engine.setLocalFrameLateAcked(sent);
      engine.cull(server.fb);
    }
  }
  server.write(enc.encode("$ "));
  return { server, engine, sent };
}

const typed = session(23);
Deno.bench("prediction: a frame (cull + apply) after commands typed on 23 rows", () => {
  now += 20;
  typed.engine.cull(typed.server.fb);
  typed.engine.apply(typed.server.fb.clone());
});

const fresh = session(0);
let column = 0;
Deno.bench("prediction: a keystroke at a prompt (newUserInput + a frame)", () => {
  now += 150;
  fresh.engine.setLocalFrameSent(++fresh.sent);
  fresh.engine.newUserInput(new Uint8Array([0x61 + column % 26]), fresh.server.fb);
  fresh.engine.cull(fresh.server.fb);
  fresh.engine.apply(fresh.server.fb.clone());
  if (++column === 40) {
    column = 0;
    fresh.engine.reset();
  }
});

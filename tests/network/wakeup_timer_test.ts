import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { after, WakeupTimer } from "../../lib/network/wakeup_timer.ts";

// These timers do not keep a process alive (the loops that use them always
// wait on a socket as well): a pending receive stands in for that socket.
async function withLoopAlive(test: () => Promise<void>): Promise<void> {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const pending = socket.receive().catch(() => {});
  try {
    await test();
  } finally {
    socket.close();
    await pending;
  }
}

const fired = (ms: number) => new Promise<void>((resolve) => after(ms, resolve));

Deno.test("after runs its callback once its time has passed", () =>
  withLoopAlive(async () => {
    const start = performance.now();
    await fired(20);
    assertEquals(performance.now() - start >= 19, true);
  }));

Deno.test("after: a cancelled callback never runs", () =>
  withLoopAlive(async () => {
    const calls: string[] = [];
    const cancel = after(1, () => calls.push("cancelled"));
    cancel();
    after(10, () => calls.push("later"));
    await fired(30);
    assertEquals(calls, ["later"]);
  }));

Deno.test("WakeupTimer keeps the earliest deadline and fires once", () =>
  withLoopAlive(async () => {
    const calls: number[] = [];
    let done!: () => void;
    const firedOnce = new Promise<void>((resolve) => done = resolve);
    const timer = new WakeupTimer(() => {
      calls.push(performance.now());
      done();
    });
    const start = performance.now();
    timer.arm(5_000);
    timer.arm(10); // earlier: replaces the 5 s deadline
    timer.arm(2_000); // later: the 10 ms one stands
    await firedOnce;
    assertEquals(calls.length, 1);
    assertEquals(calls[0]! - start < 1_000, true);
    await fired(30); // the replaced deadline does not fire as well
    assertEquals(calls.length, 1);
    timer.cancel();
  }));

Deno.test("WakeupTimer: cancel disarms, and a new arm works after it", () =>
  withLoopAlive(async () => {
    let calls = 0;
    const timer = new WakeupTimer(() => calls++);
    timer.arm(1);
    timer.cancel();
    await fired(20);
    assertEquals(calls, 0);
    timer.arm(1);
    await fired(20);
    assertEquals(calls, 1);
  }));

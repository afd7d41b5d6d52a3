/**
 * Our datagram layer against Debian's real mosh 1.4.0, in both directions.
 */
import assert from "node:assert/strict";
import { formatKey, parseKey } from "../../lib/crypto/session_key.ts";
import { FragmentAssembly } from "../../lib/network/fragment_assembly.ts";
import { Fragmenter, MTU_IPV4 } from "../../lib/network/fragmenter.ts";
import { type Instruction, makeInstruction, SHUTDOWN_NUM } from "../../lib/network/instruction.ts";
import { Direction, PacketCodec, timestamp16, TIMESTAMP_NONE } from "../../lib/network/packet.ts";
import { decodeHostMessage, type HostInstruction } from "../../lib/statesync/host_message.ts";
import { decodeUserMessage, encodeUserMessage } from "../../lib/statesync/user_message.ts";
import { startRealMoshServer, waitForExit } from "../support/real_mosh.ts";
import { TmuxSession } from "../support/tmux.ts";
import { TestUdpSocket } from "../support/udp.ts";

Deno.test("real mosh-server accepts our first instruction and its replies decode to HostMessages", async () => {
  const server = await startRealMoshServer({ command: ["/bin/cat"] });
  const socket = new TestUdpSocket();
  try {
    const codec = new PacketCodec(parseKey(server.key), Direction.ToServer);
    const fragmenter = new Fragmenter();
    let seq = 0;
    const send = async (instruction: Instruction) => {
      for (const payload of fragmenter.fragment(instruction, MTU_IPV4)) {
        const wire = codec.seal({
          seq: seq++,
          timestamp: timestamp16(performance.now()),
          timestampReply: TIMESTAMP_NONE,
          payload,
        });
        await socket.send(wire, server.port);
      }
    };
    await send(makeInstruction({
      oldNum: 0n,
      newNum: 1n,
      diff: encodeUserMessage([{ kind: "resize", width: 80, height: 24 }]),
    }));

    const assembly = new FragmentAssembly();
    const replies: Instruction[] = [];
    const hostInstructions: HostInstruction[] = [];
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !hostInstructions.some((i) => i.kind === "hostbytes")) {
      const got = await socket.receive(500);
      if (!got) continue;
      const packet = codec.open(got.data);
      assert.equal(packet.direction, Direction.ToClient);
      const instruction = assembly.add(packet.payload);
      if (!instruction) continue;
      replies.push(instruction);
      if (instruction.diff.length > 0) {
        hostInstructions.push(...decodeHostMessage(instruction.diff));
      }
    }
    assert.ok(replies.length >= 2, `expected at least an ack and a diff, got ${replies.length}`);
    // The first reply acknowledges our state 1.
    assert.equal(replies[0]!.protocolVersion, 2);
    assert.equal(replies[0]!.ackNum, 1n);
    assert.ok(hostInstructions.some((i) => i.kind === "hostbytes"), "a screen diff arrives");
    assert.ok(hostInstructions.some((i) => i.kind === "echoack"), "the diff carries an echo ack");

    // Shut down: announce state 2^64-1; the server acknowledges it and exits.
    const newest = replies.reduce((m, r) => (r.newNum > m ? r.newNum : m), 0n);
    await send(makeInstruction({
      oldNum: 1n,
      newNum: SHUTDOWN_NUM,
      ackNum: newest,
      throwawayNum: 1n,
    }));
    let sawShutdownAck = false;
    const shutdownDeadline = Date.now() + 3000;
    while (!sawShutdownAck && Date.now() < shutdownDeadline) {
      const got = await socket.receive(300);
      if (!got) continue;
      const instruction = assembly.add(codec.open(got.data).payload);
      if (instruction?.ackNum === SHUTDOWN_NUM) sawShutdownAck = true;
    }
    assert.ok(sawShutdownAck, "the server acknowledges our shutdown with ack_num 2^64-1");
    assert.ok(await waitForExit(server.pid, 3000), "the real server exits after the handshake");
  } finally {
    await socket.close();
    await server.stop();
  }
});

Deno.test("real mosh-client's first datagram decodes to a resize to its window size", async () => {
  const socket = new TestUdpSocket();
  const key = formatKey(crypto.getRandomValues(new Uint8Array(16)));
  const tmux = await TmuxSession.start({
    command: `mosh-client 127.0.0.1 ${socket.port}`,
    env: { MOSH_KEY: key },
    width: 80,
    height: 24,
  });
  try {
    const got = await socket.receive(5000);
    assert.ok(got, "mosh-client sends a datagram");
    const packet = new PacketCodec(parseKey(key), Direction.ToClient).open(got.data);
    assert.equal(packet.direction, Direction.ToServer);
    assert.equal(packet.seq, 0);
    const instruction = new FragmentAssembly().add(packet.payload);
    assert.ok(instruction);
    assert.equal(instruction.protocolVersion, 2);
    assert.equal(instruction.oldNum, 0n);
    assert.equal(instruction.newNum, 1n);
    assert.deepEqual(decodeUserMessage(instruction.diff), [
      { kind: "resize", width: 80, height: 24 },
    ]);
  } finally {
    await tmux.close();
    await socket.close();
  }
});

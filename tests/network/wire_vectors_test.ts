import assert from "node:assert/strict";
import { parseKey } from "../../lib/crypto/session_key.ts";
import { compress } from "../../lib/network/compression.ts";
import { FragmentAssembly } from "../../lib/network/fragment_assembly.ts";
import { Fragmenter, MTU_IPV4 } from "../../lib/network/fragmenter.ts";
import {
  decodeInstruction,
  encodeInstruction,
  type Instruction,
  SHUTDOWN_NUM,
} from "../../lib/network/instruction.ts";
import { Direction, PacketCodec } from "../../lib/network/packet.ts";
import { decodeHostMessage, encodeHostMessage } from "../../lib/statesync/host_message.ts";
import { decodeUserMessage, encodeUserMessage } from "../../lib/statesync/user_message.ts";
import { fromHex, toHex } from "../support/hex.ts";

const KEY = parseKey("AAECAwQFBgcICQoLDA0ODw");

/** Builds a datagram exactly as wire.md §1 layers it, with a chosen fragment id. */
function buildDatagram(
  direction: Direction,
  seq: number,
  timestamp: number,
  timestampReply: number,
  instruction: Instruction,
  fragmentId: bigint,
): Uint8Array {
  const zlib = compress(encodeInstruction(instruction));
  const payload = new Uint8Array(10 + zlib.length);
  const view = new DataView(payload.buffer);
  view.setBigUint64(0, fragmentId);
  view.setUint16(8, 0x8000);
  payload.set(zlib, 10);
  return new PacketCodec(KEY, direction).seal({ seq, timestamp, timestampReply, payload });
}

const VECTOR_A = {
  instruction: "0802100018012000280032080a061a04285030183a00",
  zlib: "789ce360126090605460d06030e2e0629362d1083090b0620000105301de",
  wire:
    "00000000000000009f164d976357081cc1c8bceef905db5a02428c8571949d686f4420ca31f0060ca43d50ffb19e12e522a8cf6e73fd36a91f68ecf470d119b52ed349b9",
};

Deno.test("vector A (client resize 80x24) is reproduced byte for byte", () => {
  const diff = encodeUserMessage([{ kind: "resize", width: 80, height: 24 }]);
  assert.equal(toHex(diff), "0a061a0428503018");
  const instruction: Instruction = {
    protocolVersion: 2,
    oldNum: 0n,
    newNum: 1n,
    ackNum: 0n,
    throwawayNum: 0n,
    diff,
    chaff: new Uint8Array(0),
  };
  assert.equal(toHex(encodeInstruction(instruction)), VECTOR_A.instruction);
  assert.equal(toHex(compress(encodeInstruction(instruction))), VECTOR_A.zlib);
  const wire = buildDatagram(Direction.ToServer, 0, 0x1234, 0xffff, instruction, 1n);
  assert.equal(toHex(wire), VECTOR_A.wire);
});

Deno.test("vector B (server hostbytes 'hi' with chaff) is reproduced byte for byte", () => {
  const diff = encodeHostMessage([{ kind: "hostbytes", bytes: new TextEncoder().encode("hi") }]);
  assert.equal(toHex(diff), "0a06120422026869");
  const instruction: Instruction = {
    protocolVersion: 2,
    oldNum: 0n,
    newNum: 1n,
    ackNum: 1n,
    throwawayNum: 0n,
    diff,
    chaff: fromHex("000102"),
  };
  const wire = buildDatagram(Direction.ToClient, 1, 0x0100, 0x00fa, instruction, 1n);
  assert.equal(
    toHex(wire),
    "800000000000000187f85bde1e405442ef3994d0a3ac8ae85d21311efa567519ed5e747c25351edc453d4c9ee4f347cddb2815bdd8e9fddfa53a9c0187f3e16ed93b6299abc7e2",
  );
});

Deno.test("vector C (client shutdown announcement) is reproduced byte for byte", () => {
  const instruction: Instruction = {
    protocolVersion: 2,
    oldNum: 4n,
    newNum: SHUTDOWN_NUM,
    ackNum: 3n,
    throwawayNum: 4n,
    diff: new Uint8Array(0),
    chaff: new Uint8Array(0),
  };
  assert.equal(
    toHex(encodeInstruction(instruction)),
    "0802100418ffffffffffffffffff01200328043200" + "3a00",
  );
  const wire = buildDatagram(Direction.ToServer, 5, 0x2000, 0x1ff0, instruction, 6n);
  assert.equal(
    toHex(wire),
    "0000000000000005a5b69fc200cc30589e5d1fbb0c56246ee2edb62f012216e449a9c88ebdb7b8fb54b267a0dd6ed78bae207d2b1bdba07e2c34a9e90f6c",
  );
});

Deno.test("the captured first datagram of a real mosh-client decodes to a resize 80x24", () => {
  const wire = fromHex(
    "00000000000000005e89e3373cfdc2665c0477d94b034bf202428c8571949d686f4420ca31f0060ca43d50ffb19e12e522a8cf6e53c0c0ab8d907f5b850d35d1ae192e65",
  );
  const packet = new PacketCodec(KEY, Direction.ToClient).open(wire);
  assert.equal(packet.seq, 0);
  assert.equal(packet.direction, Direction.ToServer);
  assert.equal(packet.timestamp, 0x0a40);
  assert.equal(packet.timestampReply, 0xffff);
  const instruction = new FragmentAssembly().add(packet.payload);
  assert.ok(instruction);
  assert.equal(instruction.protocolVersion, 2);
  assert.equal(instruction.oldNum, 0n);
  assert.equal(instruction.newNum, 1n);
  assert.deepEqual(decodeUserMessage(instruction.diff), [{
    kind: "resize",
    width: 80,
    height: 24,
  }]);
});

Deno.test("user and host messages encode as in the spec's examples and decode back", () => {
  const keys = encodeUserMessage([{ kind: "keys", keys: new Uint8Array([0x78]) }]);
  assert.equal(toHex(keys), "0a0512032201" + "78");
  const echo = encodeHostMessage([{ kind: "echoack", num: 1n }]);
  assert.equal(toHex(echo), "0a043a024001");
  // Consecutive keystrokes merge; a resize splits them.
  const merged = encodeUserMessage([
    { kind: "keys", keys: new Uint8Array([0x61]) },
    { kind: "keys", keys: new Uint8Array([0x62]) },
    { kind: "resize", width: 100, height: 30 },
    { kind: "keys", keys: new Uint8Array([0x63]) },
  ]);
  assert.deepEqual(decodeUserMessage(merged), [
    { kind: "keys", keys: new Uint8Array([0x61, 0x62]) },
    { kind: "resize", width: 100, height: 30 },
    { kind: "keys", keys: new Uint8Array([0x63]) },
  ]);
  const host = [
    { kind: "echoack", num: 7n },
    { kind: "resize", width: 80, height: 24 },
    { kind: "hostbytes", bytes: new TextEncoder().encode("\x1b[H") },
  ] as const;
  assert.deepEqual(decodeHostMessage(encodeHostMessage(host)), host);
  assert.equal(encodeHostMessage([]).length, 0);
});

Deno.test("decoding an instruction fills missing fields with defaults", () => {
  const decoded = decodeInstruction(fromHex("1805"));
  assert.equal(decoded.newNum, 5n);
  assert.equal(decoded.oldNum, 0n);
  assert.equal(decoded.protocolVersion, 0);
  assert.equal(decoded.diff.length, 0);
});

Deno.test("Fragmenter round-trips through FragmentAssembly at the IPv4 MTU", () => {
  const instruction: Instruction = {
    protocolVersion: 2,
    oldNum: 3n,
    newNum: 4n,
    ackNum: 2n,
    throwawayNum: 1n,
    diff: new Uint8Array(10),
    chaff: new Uint8Array(5),
  };
  const [fragment] = new Fragmenter().fragment(instruction, MTU_IPV4);
  assert.ok(fragment);
  assert.deepEqual(new FragmentAssembly().add(fragment), instruction);
});

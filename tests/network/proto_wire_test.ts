/**
 * The hand-written protobuf codec (lib/network/proto_wire.ts and the three
 * messages built on it) against protobuf-es with the generated descriptors
 * (proto/gen/), the runtime the project used before: the same bytes out, the
 * same messages read — unknown fields, repeated singular fields and groups
 * included.
 */
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "npm:@bufbuild/protobuf@2.17.0";
import { InstructionSchema as TransportSchema } from "../../proto/gen/transportinstruction_pb.ts";
import {
  HostMessageSchema,
  InstructionSchema as HostInstructionSchema,
} from "../../proto/gen/hostinput_pb.ts";
import {
  InstructionSchema as UserInstructionSchema,
  UserMessageSchema,
} from "../../proto/gen/userinput_pb.ts";
import {
  decodeInstruction,
  encodeInstruction,
  type Instruction,
  InstructionFormatError,
} from "../../lib/network/instruction.ts";
import {
  decodeHostMessage,
  encodeHostMessage,
  type HostInstruction,
  wrapMarks,
} from "../../lib/statesync/host_message.ts";
import {
  decodeUserMessage,
  DiffFormatError,
  encodeUserMessage,
  type UserEvent,
} from "../../lib/statesync/user_message.ts";
import { encodeProto, ProtoFormatError, ProtoReader } from "../../lib/network/proto_wire.ts";

/** A small deterministic generator (xorshift32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

function pick<T>(r: () => number, values: readonly T[]): T {
  return values[Math.floor(r() * values.length)]!;
}

function randomBytes(r: () => number, max: number): Uint8Array {
  const n = Math.floor(r() * (max + 1));
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

function randomU64(r: () => number): bigint {
  return pick(r, [
    0n,
    1n,
    127n,
    128n,
    16383n,
    16384n,
    BigInt(Math.floor(r() * 2 ** 32)),
    (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32)),
    2n ** 48n,
    2n ** 49n - 1n,
    2n ** 63n,
    2n ** 64n - 1n,
  ]);
}

function randomInt32(r: () => number): number {
  return pick(r, [0, 1, 80, 24, 127, 128, 65535, 2 ** 31 - 1, -1, -(2 ** 31)]);
}

// The oracle: the project's earlier decoders, on protobuf-es.
function oracleInstruction(bytes: Uint8Array): Instruction {
  const m = fromBinary(TransportSchema, bytes);
  return {
    protocolVersion: m.protocolVersion,
    oldNum: m.oldNum,
    newNum: m.newNum,
    ackNum: m.ackNum,
    throwawayNum: m.throwawayNum,
    diff: m.diff,
    chaff: m.chaff,
  };
}

function oracleHost(bytes: Uint8Array): HostInstruction[] {
  const out: HostInstruction[] = [];
  for (const i of fromBinary(HostMessageSchema, bytes).instruction) {
    if (i.hostbytes !== undefined) out.push({ kind: "hostbytes", bytes: i.hostbytes.hoststring });
    else if (i.resize !== undefined) {
      out.push({ kind: "resize", width: i.resize.width, height: i.resize.height });
    } else if (i.echoack !== undefined) out.push({ kind: "echoack", num: i.echoack.echoAckNum });
    else if (i.scrollback !== undefined) {
      const { first, line: lines, cleared } = i.scrollback;
      // Our rule on top of protobuf's (wrap marks that are not lines are dropped).
      const wrapped = wrapMarks(i.scrollback.wrapped, lines.length);
      out.push({
        kind: "scrollback",
        first: Number(first),
        lines,
        ...(cleared > 0n ? { cleared: Number(cleared) } : {}),
        ...(wrapped.length > 0 ? { wrapped } : {}),
        ...(i.scrollback.shrinkLines ? { shrinkLines: true } : {}),
      });
    }
  }
  return out;
}

function oracleUser(bytes: Uint8Array): UserEvent[] {
  const out: UserEvent[] = [];
  for (const i of fromBinary(UserMessageSchema, bytes).instruction) {
    if (i.keystroke !== undefined) out.push({ kind: "keys", keys: i.keystroke.keys });
    else if (i.resize !== undefined) {
      out.push({ kind: "resize", width: i.resize.width, height: i.resize.height });
    } else if (i.capabilities !== undefined) {
      out.push({ kind: "capabilities", features: i.capabilities.features });
    }
  }
  return out;
}

function randomInstruction(r: () => number): Instruction {
  return {
    protocolVersion: pick(r, [0, 2, 127, 128, 2 ** 32 - 1]),
    oldNum: randomU64(r),
    newNum: randomU64(r),
    ackNum: randomU64(r),
    throwawayNum: randomU64(r),
    diff: randomBytes(r, pick(r, [0, 5, 300])),
    chaff: randomBytes(r, 16),
  };
}

function randomHost(r: () => number): HostInstruction[] {
  return Array.from({ length: Math.floor(r() * 4) }, (): HostInstruction => {
    switch (pick(r, ["echoack", "resize", "hostbytes", "scrollback"] as const)) {
      case "echoack":
        return { kind: "echoack", num: randomU64(r) };
      case "resize":
        return { kind: "resize", width: randomInt32(r), height: randomInt32(r) };
      case "hostbytes":
        return { kind: "hostbytes", bytes: randomBytes(r, pick(r, [3, 200, 20000])) };
      case "scrollback": {
        const first = Math.floor(r() * 2 ** 40);
        const lines = Array.from({ length: Math.floor(r() * 3) }, () => randomBytes(r, 40));
        // Long lines the terminal wrapped: some of the indices, increasing.
        const wrapped = lines.flatMap((_, i) => r() < 0.4 ? [i] : []);
        return {
          kind: "scrollback",
          first,
          lines,
          // After a history erase: the line number it happened at (at most `first`).
          ...(r() < 0.5 ? { cleared: 1 + Math.floor(r() * first) } : {}),
          ...(wrapped.length > 0 ? { wrapped } : {}),
          ...(r() < 0.5 ? { shrinkLines: true } : {}),
        };
      }
    }
  });
}

function randomUser(r: () => number): UserEvent[] {
  return Array.from({ length: Math.floor(r() * 5) }, (): UserEvent => {
    switch (pick(r, ["keys", "keys", "resize", "capabilities"] as const)) {
      case "keys":
        return { kind: "keys", keys: randomBytes(r, 8) };
      case "resize":
        return { kind: "resize", width: randomInt32(r), height: randomInt32(r) };
      case "capabilities":
        return { kind: "capabilities", features: pick(r, [0, 1, 3, 2 ** 32 - 1]) };
    }
  });
}

/** protobuf-es' encoding of the same host instructions. */
function oracleEncodeHost(instructions: HostInstruction[]): Uint8Array {
  if (instructions.length === 0) return new Uint8Array(0);
  const instruction = instructions.map((i) => {
    switch (i.kind) {
      case "echoack":
        return create(HostInstructionSchema, { echoack: { echoAckNum: i.num } });
      case "resize":
        return create(HostInstructionSchema, { resize: { width: i.width, height: i.height } });
      case "hostbytes":
        return create(HostInstructionSchema, { hostbytes: { hoststring: i.bytes } });
      case "scrollback":
        return create(HostInstructionSchema, {
          scrollback: {
            first: BigInt(i.first),
            line: i.lines,
            ...(i.cleared ? { cleared: BigInt(i.cleared) } : {}),
            wrapped: i.wrapped ?? [],
            ...(i.shrinkLines ? { shrinkLines: true } : {}),
          },
        });
    }
  });
  return toBinary(HostMessageSchema, create(HostMessageSchema, { instruction }));
}

/** protobuf-es' encoding of the same user events (keystrokes merged, as mosh does). */
function oracleEncodeUser(events: UserEvent[]): Uint8Array {
  if (events.length === 0) return new Uint8Array(0);
  const instruction = [];
  let pending: Uint8Array[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    instruction.push(create(UserInstructionSchema, { keystroke: { keys: concat(...pending) } }));
    pending = [];
  };
  for (const e of events) {
    if (e.kind === "keys") pending.push(e.keys);
    else if (e.kind === "resize") {
      flush();
      instruction.push(
        create(UserInstructionSchema, { resize: { width: e.width, height: e.height } }),
      );
    } else {
      flush();
      instruction.push(create(UserInstructionSchema, { capabilities: { features: e.features } }));
    }
  }
  flush();
  return toBinary(UserMessageSchema, create(UserMessageSchema, { instruction }));
}

/** Unknown fields of every wire type (a group with a nested group too), for decoders to skip. */
function randomUnknown(r: () => number): Uint8Array {
  const field = pick(r, [9, 15, 16, 100, 1702, 2047, 2048, 536870911]);
  const tag = (wireType: number) => encodeVarint(BigInt(field) * 8n + BigInt(wireType));
  switch (pick(r, [0, 1, 2, 3, 5])) {
    case 0:
      return concat(tag(0), encodeVarint(randomU64(r)));
    case 1:
      return concat(tag(1), Uint8Array.from({ length: 8 }, () => Math.floor(r() * 256)));
    case 2: {
      const body = randomBytes(r, 10);
      return concat(tag(2), encodeVarint(BigInt(body.length)), body);
    }
    case 3:
      return concat(tag(3), encodeVarint(8n * 7n + 0n), encodeVarint(5n), tag(4));
    default:
      return concat(tag(5), new Uint8Array(4));
  }
}

function encodeVarint(value: bigint): Uint8Array {
  const out: number[] = [];
  while (value >= 128n) {
    out.push(Number(value & 0x7fn) | 0x80);
    value >>= 7n;
  }
  out.push(Number(value));
  return Uint8Array.from(out);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("proto_wire: transport instructions encode to protobuf-es' bytes and decode alike", () => {
  const r = rng(1);
  for (let n = 0; n < 500; n++) {
    const instruction = randomInstruction(r);
    const ours = encodeInstruction(instruction);
    assert.deepEqual(ours, toBinary(TransportSchema, create(TransportSchema, instruction)));
    assert.deepEqual(decodeInstruction(ours), instruction);
    // Concatenated messages merge (the last scalar wins); unknown fields are skipped.
    const noisy = concat(randomUnknown(r), encodeInstruction(randomInstruction(r)), ours);
    assert.deepEqual(decodeInstruction(noisy), oracleInstruction(noisy));
  }
  assert.deepEqual(decodeInstruction(new Uint8Array(0)), oracleInstruction(new Uint8Array(0)));
});

Deno.test("proto_wire: host messages encode to protobuf-es' bytes and decode alike", () => {
  const r = rng(2);
  for (let n = 0; n < 500; n++) {
    const message = randomHost(r);
    const ours = encodeHostMessage(message);
    assert.deepEqual(ours, oracleEncodeHost(message));
    assert.deepEqual(decodeHostMessage(ours), oracleHost(ours));
    // An instruction carrying two parts (and unknown fields): mosh reads one, in its order.
    const a = randomHost(r)[0], b = randomHost(r)[0];
    if (a && b) {
      const one = encodeHostMessage([a]), two = encodeHostMessage([b]);
      // Both instructions' bodies in one instruction: [0x0a, len, ...body].
      const body = concat(
        randomUnknown(r),
        one.subarray(varintEnd(one)),
        two.subarray(varintEnd(two)),
      );
      const merged = concat(Uint8Array.of(0x0a), encodeVarint(BigInt(body.length)), body);
      assert.deepEqual(decodeHostMessage(merged), oracleHost(merged));
    }
  }
});

Deno.test("proto_wire: user messages encode to protobuf-es' bytes and decode alike", () => {
  const r = rng(3);
  for (let n = 0; n < 500; n++) {
    const events = randomUser(r);
    const ours = encodeUserMessage(events);
    assert.deepEqual(ours, oracleEncodeUser(events));
    assert.deepEqual(decodeUserMessage(ours), oracleUser(ours));
    const noisy = concat(ours, randomUnknown(r), encodeUserMessage(randomUser(r)));
    assert.deepEqual(decodeUserMessage(noisy), oracleUser(noisy));
  }
});

/** The end of a message's first tag and length (where field 1's body starts). */
function varintEnd(bytes: Uint8Array): number {
  let at = 1;
  while (bytes[at]! & 0x80) at++;
  return at + 1;
}

Deno.test("proto_wire: truncated or garbled bytes are format errors, never crashes or hangs", () => {
  const r = rng(4);
  for (let n = 0; n < 2000; n++) {
    const valid = pick(r, [
      () => encodeInstruction(randomInstruction(r)),
      () => encodeHostMessage(randomHost(r)),
      () => encodeUserMessage(randomUser(r)),
    ])();
    const bytes = valid.slice(0, Math.floor(r() * (valid.length + 1)));
    if (bytes.length > 0 && r() < 0.5) {
      bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
    }
    for (const decode of [decodeInstruction, decodeHostMessage, decodeUserMessage]) {
      try {
        decode(bytes);
      } catch (error) {
        assert.ok(
          error instanceof InstructionFormatError || error instanceof DiffFormatError,
          String(error),
        );
      }
    }
  }
});

Deno.test("proto_wire: the reader's limits (tags, varints, groups) are protobuf's", () => {
  const fails = (bytes: number[]) => {
    const reader = new ProtoReader(Uint8Array.from(bytes));
    assert.throws(() => {
      while (reader.next()) reader.skip();
    }, ProtoFormatError);
  };
  fails([0x00]); // field 0
  fails([0x0e]); // wire type 6
  fails([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]); // 11-byte varint
  fails([0x0a, 0x05, 0x01]); // length past the end
  fails([0x0b, 0x08, 0x01]); // group without its end
  fails([0x0b, 0x14]); // group 1 ended by group 2's end
  fails([0x0c]); // an end of group alone
  fails(Array(101).fill(0x0b)); // groups nested deeper than 100
  // The largest field number and a 10-byte varint read back.
  const bytes = encodeProto([[536870911, 2n ** 64n - 1n], [1, -1]]);
  const reader = new ProtoReader(bytes);
  assert.ok(reader.next());
  assert.equal(reader.field, 536870911);
  assert.equal(reader.uint64(), 2n ** 64n - 1n);
  assert.ok(reader.next());
  assert.equal(reader.int32(), -1);
  assert.ok(!reader.next());
});

Deno.test("proto_wire: a known field with another wire type is skipped, as C++ protobuf does", () => {
  // UserMessage { instruction { keystroke as a varint (field 2, wire type 0) } }: no event;
  // then a well-formed keystroke "x".
  const bytes = Uint8Array.of(0x0a, 0x02, 0x10, 0x05, 0x0a, 0x05, 0x12, 0x03, 0x22, 0x01, 0x78);
  assert.deepEqual(decodeUserMessage(bytes), [{ kind: "keys", keys: Uint8Array.of(0x78) }]);
  // TransportInstruction with new_num (field 3) length-delimited: skipped, stays 0.
  const instruction = decodeInstruction(Uint8Array.of(0x1a, 0x01, 0x07, 0x20, 0x09));
  assert.equal(instruction.newNum, 0n);
  assert.equal(instruction.ackNum, 9n);
});

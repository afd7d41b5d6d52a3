import assert from "node:assert/strict";
import {
  DatagramError,
  Direction,
  PacketCodec,
  timestamp16,
  TIMESTAMP_NONE,
} from "../../lib/network/packet.ts";

const KEY = new Uint8Array(16).fill(7);

function fault(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatagramError) return error.fault;
    throw error;
  }
  return "accepted";
}

Deno.test("a sealed datagram opens on the other side with all its fields", () => {
  const client = new PacketCodec(KEY, Direction.ToServer);
  const server = new PacketCodec(KEY, Direction.ToClient);
  const payload = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const wire = client.seal({ seq: 2 ** 40 + 5, timestamp: 1234, timestampReply: 999, payload });
  assert.equal(wire.length, 8 + 4 + payload.length + 16);
  const packet = server.open(wire);
  assert.equal(packet.seq, 2 ** 40 + 5);
  assert.equal(packet.direction, Direction.ToServer);
  assert.equal(packet.timestamp, 1234);
  assert.equal(packet.timestampReply, 999);
  assert.deepEqual(packet.payload, payload);
});

Deno.test("forged, truncated, oversize and reflected datagrams are refused by kind", () => {
  const client = new PacketCodec(KEY, Direction.ToServer);
  const server = new PacketCodec(KEY, Direction.ToClient);
  const wire = client.seal({
    seq: 1,
    timestamp: 1,
    timestampReply: 2,
    payload: new Uint8Array(12),
  });
  const forged = wire.slice();
  forged[9]! ^= 0x80;
  assert.equal(fault(() => server.open(forged)), "integrity");
  const wrongKey = new PacketCodec(new Uint8Array(16), Direction.ToClient);
  assert.equal(fault(() => wrongKey.open(wire)), "integrity");
  assert.equal(fault(() => server.open(wire.subarray(0, 23))), "size");
  assert.equal(fault(() => server.open(new Uint8Array(2049))), "size");
  assert.equal(fault(() => client.open(wire)), "direction");
  // A sequence number's high bits are authenticated too: changing them fails.
  const moved = wire.slice();
  moved[3]! ^= 1;
  assert.equal(fault(() => server.open(moved)), "integrity");
  assert.equal(fault(() => server.open(wire)), "accepted");
});

Deno.test("timestamps are 16-bit and never the reserved 'none' value", () => {
  assert.equal(timestamp16(65535), 0);
  assert.equal(timestamp16(65536 + 7), 7);
  assert.equal(timestamp16(123.9), 123);
  assert.equal(TIMESTAMP_NONE, 0xffff);
});

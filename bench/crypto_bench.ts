/**
 * Datagram sealing throughput (`deno bench`).
 */
import { Direction, PacketCodec } from "../lib/network/packet.ts";
import { Fragmenter, MTU_IPV4 } from "../lib/network/fragmenter.ts";
import { makeInstruction } from "../lib/network/instruction.ts";

const key = crypto.getRandomValues(new Uint8Array(16));
const client = new PacketCodec(key, Direction.ToServer);
const server = new PacketCodec(key, Direction.ToClient);
const payload = crypto.getRandomValues(new Uint8Array(1200));
const wire = client.seal({ seq: 1, timestamp: 1, timestampReply: 2, payload });
let seq = 0;

Deno.bench("seal a 1200-byte datagram (AES-128-OCB3)", () => {
  client.seal({ seq: seq++, timestamp: 1, timestampReply: 2, payload });
});

Deno.bench("open a 1200-byte datagram", () => {
  server.open(wire);
});

const fragmenter = new Fragmenter();
const diff = new TextEncoder().encode("x".repeat(10_000));
Deno.bench("serialize + compress + fragment a 10 KB instruction", () => {
  fragmenter.fragment(makeInstruction({ newNum: 2n, diff }), MTU_IPV4);
});

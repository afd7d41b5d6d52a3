/**
 * Datagram sealing throughput (`deno bench`): AES-128-OCB3 seal and open of
 * 1,400-byte packets, with `node:crypto`'s native AES-128-ECB over the same
 * bytes as the reference (the block-cipher work OCB3 does, done in C).
 */
import { createCipheriv } from "node:crypto";
import { AesOcb } from "../lib/crypto/ocb.ts";
import { Direction, PacketCodec } from "../lib/network/packet.ts";
import { Fragmenter, MTU_IPV4 } from "../lib/network/fragmenter.ts";
import { makeInstruction } from "../lib/network/instruction.ts";

const PACKET = 1400;
const key = crypto.getRandomValues(new Uint8Array(16));
const ocb = new AesOcb(key);
const nonce = new Uint8Array(12);
const plaintext = crypto.getRandomValues(new Uint8Array(PACKET));
const sealed = ocb.seal(nonce, plaintext);

Deno.bench({
  name: `OCB3 seal ${PACKET}-byte packet`,
  group: "aes",
  n: 20_000,
  fn: () => {
    ocb.seal(nonce, plaintext);
  },
});

Deno.bench({
  name: `OCB3 open ${PACKET}-byte packet`,
  group: "aes",
  n: 20_000,
  fn: () => {
    ocb.open(nonce, sealed);
  },
});

const ecb = createCipheriv("aes-128-ecb", key, null).setAutoPadding(false);
const ecbInput = plaintext.subarray(0, PACKET - (PACKET % 16));
Deno.bench({
  name: `node:crypto AES-128-ECB over ${PACKET} bytes (native reference)`,
  group: "aes",
  baseline: true,
  n: 20_000,
  fn: () => {
    ecb.update(ecbInput);
  },
});

const client = new PacketCodec(key, Direction.ToServer);
const server = new PacketCodec(key, Direction.ToClient);
const payload = crypto.getRandomValues(new Uint8Array(1200));
const wire = client.seal({ seq: 1, timestamp: 1, timestampReply: 2, payload });
let seq = 0;

Deno.bench("seal a 1200-byte datagram (header + OCB3)", () => {
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

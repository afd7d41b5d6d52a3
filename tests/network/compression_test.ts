import assert from "node:assert/strict";
import {
  compress,
  compressForSend,
  CompressionError,
  decompress,
  MAX_INFLATED,
  STORED_MAX,
} from "../../lib/network/compression.ts";
import { toHex } from "../support/hex.ts";

Deno.test("compress gives zlib's own bytes (what mosh's compress() sends)", () => {
  // A screenful of cursor moves and colours, compressed by zlib 1.2.13's
  // compress() as mosh 1.4.0 does (Deno's node:zlib picks other matches here).
  let text = "";
  for (let i = 0; i < 60; i++) {
    text += `\x1b[${(i % 24) + 1};1H\x1b[3${i % 8}mline ${i * 37} of the screen\x1b[0m\x1b[K`;
  }
  const expected = "" +
    "789c7595414a053110440f329b3942aad39d4ef002824798a58c28f8bfa0de1f3f643615acfd5bd5e375" +
    "6f079ef0bc1db5dc3e3feee75ef6afb7fdf7fddc7f5ebfcff3be1de5b61d2fdb6193c2a46a0aac4ecc26" +
    "962e309f589d1800c1c5e4fce2bc0bae4d2e2eae87e072726d726626b83eb9bcb818821bb49d8d263814" +
    "9eaf56058206aca97cc068422fca082a6de8ae9cc06944ef4a0a82560c282b68346384d282a41d63282f" +
    "e8b46333250683766c4d99b1423b6651660cb463ba2cc568c74c65c62aedd8a1cc98d38e3da4199ab177" +
    "2586631ea6bc70cda3292d9cf318caca9273a9cacad273496585837e1c1265858b065c59e1a4812e7be1" +
    "a66126b570d4b090c570d5b02193e1ac51ab6c86bb466d321a0e1b5ee43de3b2e12e0f1aa7fd38e1f2a2" +
    "71db08c893c671234296c375238672b4e48d66321eee1bad29474be0c8a21c2d8523ab74c47366cac3c6" +
    "6b7628431cf9e3772a41cbd3ee5df959321fa6f42c998fa6ec2c998fa1e42c8fbb54e566f9dc25653e9c" +
    "b9a148359cb9c1653e9cb9a1ff2fe70f09b5d236";
  assert.equal(toHex(compress(new TextEncoder().encode(text))), expected);
  // The same bytes again after other messages: the reused stream is reset to a fresh one.
  compress(new Uint8Array(100_000).map((_, i) => (i * 31) % 7));
  compress(new Uint8Array(0));
  assert.equal(toHex(compress(new TextEncoder().encode(text))), expected);
});

Deno.test("decompress round-trips output spread over several chunks", () => {
  const big = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
  assert.deepEqual(decompress(compress(big)), big);
  // Again, and after a corrupt stream: each message starts from a fresh state.
  const z = compress(big);
  assert.throws(() => decompress(z.subarray(0, z.length - 10)), CompressionError);
  assert.deepEqual(decompress(compress(big)), big);
  const small = new TextEncoder().encode("hello");
  assert.deepEqual(decompress(compress(small)), small);
});

Deno.test("decompress takes exactly 4 MiB and refuses one byte more", () => {
  assert.equal(decompress(compress(new Uint8Array(MAX_INFLATED))).length, MAX_INFLATED);
  assert.throws(() => decompress(compress(new Uint8Array(MAX_INFLATED + 1))), CompressionError);
});

Deno.test("decompress refuses truncated, corrupt and empty streams", () => {
  const z = compress(new TextEncoder().encode("hello hello hello hello"));
  const flipped = z.slice();
  flipped[z.length - 1]! ^= 1; // Adler-32 trailer
  for (const bad of [z.subarray(0, z.length - 3), flipped, new Uint8Array(0), new Uint8Array(5)]) {
    assert.throws(() => decompress(bad), CompressionError);
  }
});

Deno.test("compressForSend stores short instructions as zlib level 0 does, and deflates longer ones", async () => {
  const { deflateSync, inflateSync } = await import("node:zlib");
  for (const n of [0, 1, 22, 40, STORED_MAX]) {
    const data = new Uint8Array(n).map((_, i) => (i * 89 + 7) % 256);
    const stored = compressForSend(data);
    // An independent encoder and decoder: Node's zlib (Deno's node:zlib, not our pako).
    assert.equal(toHex(stored), toHex(deflateSync(data, { level: 0 })), `${n} bytes`);
    assert.deepEqual(new Uint8Array(inflateSync(stored)), data);
    assert.deepEqual(decompress(stored), data);
  }
  const longer = new TextEncoder().encode("x".repeat(STORED_MAX + 1));
  assert.equal(toHex(compressForSend(longer)), toHex(compress(longer)));
});

import assert from "node:assert/strict";
import { unsafe } from "npm:@noble/ciphers@2.4.0/aes.js";
import {
  AesKeyError,
  decryptBlock,
  encryptBlock,
  expandDecryptionKey,
  expandKey,
} from "../../lib/crypto/aes.ts";
import { fromHex, toHex } from "../support/hex.ts";

const words = (bytes: Uint8Array) => new Uint32Array(bytes.slice().buffer);
const bytesOf = (b: { s0: number; s1: number; s2: number; s3: number }) =>
  new Uint8Array(Uint32Array.of(b.s0, b.s1, b.s2, b.s3).buffer);

Deno.test("aes: FIPS 197 appendix C.1 (AES-128) both ways", () => {
  const key = fromHex("000102030405060708090a0b0c0d0e0f");
  const [p0, p1, p2, p3] = words(fromHex("00112233445566778899aabbccddeeff"));
  const c = encryptBlock(expandKey(key), p0!, p1!, p2!, p3!);
  assert.equal(toHex(bytesOf(c)), "69c4e0d86a7b0430d8cdb78070b4c55a");
  const p = decryptBlock(expandDecryptionKey(key), c.s0, c.s1, c.s2, c.s3);
  assert.equal(toHex(bytesOf(p)), "00112233445566778899aabbccddeeff");
});

Deno.test("aes: the same blocks as @noble/ciphers for random keys and blocks", () => {
  for (let n = 0; n < 200; n++) {
    const key = crypto.getRandomValues(new Uint8Array(16));
    const [a, b, c, d] = crypto.getRandomValues(new Uint32Array(4));
    const ours = encryptBlock(expandKey(key), a!, b!, c!, d!);
    const noble = unsafe.encrypt(unsafe.expandKeyLE(key), a!, b!, c!, d!);
    assert.deepEqual(bytesOf(ours), bytesOf(noble));
    const back = decryptBlock(expandDecryptionKey(key), ours.s0, ours.s1, ours.s2, ours.s3);
    assert.deepEqual(bytesOf(back), bytesOf({ s0: a!, s1: b!, s2: c!, s3: d! }));
  }
});

Deno.test("aes: a key that is not 16 bytes is refused", () => {
  assert.throws(() => expandKey(new Uint8Array(24)), AesKeyError);
  assert.throws(() => expandDecryptionKey(new Uint8Array(15)), AesKeyError);
});

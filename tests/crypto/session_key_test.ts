import assert from "node:assert/strict";
import { formatKey, generateKey, KeyFormatError, parseKey } from "../../lib/crypto/session_key.ts";

const SEQUENTIAL = Uint8Array.from({ length: 16 }, (_, i) => i);

Deno.test("session key 00..0f prints as mosh's AAECAwQFBgcICQoLDA0ODw and parses back", () => {
  assert.equal(formatKey(SEQUENTIAL), "AAECAwQFBgcICQoLDA0ODw");
  assert.deepEqual(parseKey("AAECAwQFBgcICQoLDA0ODw"), SEQUENTIAL);
});

Deno.test("generated keys are 16 random bytes that round-trip through the printable form", () => {
  const a = generateKey();
  const b = generateKey();
  assert.equal(a.length, 16);
  assert.notDeepEqual(a, b);
  for (const key of [a, b]) {
    const text = formatKey(key);
    assert.match(text, /^[A-Za-z0-9+/]{21}[AQgw]$/);
    assert.deepEqual(parseKey(text), key);
  }
  // Agrees with the platform's base64 minus the padding.
  assert.equal(formatKey(a), btoa(String.fromCharCode(...a)).replace(/==$/, ""));
});

Deno.test("malformed keys are refused with a message naming what is wrong", () => {
  assert.throws(() => parseKey("AAECAwQFBgcICQoLDA0OD"), KeyFormatError);
  assert.throws(() => parseKey("AAECAwQFBgcICQoLDA0OD"), /22 letters long\. \(got 21\)/);
  assert.throws(() => parseKey("AAECAwQFBgcICQoLDA0OD="), /well-formed base64\. \(character 22/);
  assert.throws(() => parseKey("AAECAwQFBgcI-QoLDA0ODw"), /well-formed base64/);
  assert.throws(() => parseKey("AAECAwQFBgcICQoLDA0ODx"), /not encoded 128-bit key/);
});

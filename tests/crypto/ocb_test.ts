import assert from "node:assert/strict";
import { AesOcb } from "../../lib/crypto/ocb.ts";

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => parseInt(b, 16));
}
function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("").toUpperCase();
}
function seq(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i);
}

const KEY = hex("000102030405060708090A0B0C0D0E0F");
// RFC 7253 Appendix A: [nonce suffix, A length, P length, ciphertext ‖ tag]
const RFC_VECTORS: [string, number, number, string][] = [
  ["00", 0, 0, "785407BFFFC8AD9EDCC5520AC9111EE6"],
  ["01", 8, 8, "6820B3657B6F615A5725BDA0D3B4EB3A257C9AF1F8F03009"],
  ["02", 8, 0, "81017F8203F081277152FADE694A0A00"],
  ["03", 0, 8, "45DD69F8F5AAE72414054CD1F35D82760B2CD00D2F99BFA9"],
  ["04", 16, 16, "571D535B60B277188BE5147170A9A22C3AD7A4FF3835B8C5701C1CCEC8FC3358"],
  ["05", 16, 0, "8CF761B6902EF764462AD86498CA6B97"],
  ["06", 0, 16, "5CE88EC2E0692706A915C00AEB8B2396F40E1C743F52436BDF06D8FA1ECA343D"],
  [
    "07",
    24,
    24,
    "1CA2207308C87C010756104D8840CE1952F09673A448A122C92C62241051F57356D7F3C90BB0E07F",
  ],
  ["08", 24, 0, "6DC225A071FC1B9F7C69F93B0F1E10DE"],
  [
    "09",
    0,
    24,
    "221BD0DE7FA6FE993ECCD769460A0AF2D6CDED0C395B1C3CE725F32494B9F914D85C0B1EB38357FF",
  ],
  [
    "0A",
    32,
    32,
    "BD6F6C496201C69296C11EFD138A467ABD3C707924B964DEAFFC40319AF5A48540FBBA186C5553C68AD9F592A79A4240",
  ],
  ["0B", 32, 0, "FE80690BEE8A485D11F32965BC9D2A32"],
  [
    "0C",
    0,
    32,
    "2942BFC773BDA23CABC6ACFD9BFD5835BD300F0973792EF46040C53F1432BCDFB5E1DDE3BC18A5F840B52E653444D5DF",
  ],
  [
    "0D",
    40,
    40,
    "D5CA91748410C1751FF8A2F618255B68A0A12E093FF454606E59F9C1D0DDC54B65E8628E568BAD7AED07BA06A4A69483A7035490C5769E60",
  ],
  ["0E", 40, 0, "C5CD9D1850C141E358649994EE701B68"],
  [
    "0F",
    0,
    40,
    "4412923493C57D5DE0D700F753CCE0D1D2D95060122E9F15A5DDBFC5787E50B5CC55EE507BCB084E479AD363AC366B95A98CA5F3000B1479",
  ],
];

Deno.test("AES-128-OCB3 reproduces all 16 RFC 7253 Appendix A vectors", () => {
  const ocb = new AesOcb(KEY);
  for (const [suffix, aLen, pLen, expected] of RFC_VECTORS) {
    const nonce = hex("BBAA998877665544332211" + suffix);
    const sealed = ocb.seal(nonce, seq(pLen), seq(aLen));
    assert.equal(toHex(sealed), expected, `vector with nonce suffix ${suffix}`);
    const opened = ocb.open(nonce, sealed, seq(aLen));
    assert.deepEqual(opened, seq(pLen));
  }
});

Deno.test("AES-128-OCB3 matches mosh's draft-era unit vectors", () => {
  const ocb = new AesOcb(KEY);
  const nonce = hex("000102030405060708090A0B");
  assert.equal(toHex(ocb.seal(nonce, seq(0), seq(0))), "197B9C3C441D3C83EAFB2BEF633B9182");
  assert.equal(
    toHex(ocb.seal(nonce, seq(8), seq(8))),
    "92B657130A74B85A16DC76A46D47E1EAD537209E8A96D14E",
  );
});

Deno.test("AES-128-OCB3 agrees with OpenSSL (through Node.js) on random keys, nonces and lengths", async () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  const cases = Array.from({ length: 200 }, (_, trial) => ({
    key: Uint8Array.from({ length: 16 }, rand),
    nonce: Uint8Array.from({ length: 12 }, rand),
    plain: Uint8Array.from({ length: (trial * 7) % 300 }, rand),
  }));
  // Deno's node:crypto lacks OCB, so ask the machine's Node.js (OpenSSL) for the reference.
  const script = `
    const c = require("crypto");
    const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(JSON.stringify(cases.map(({ key, nonce, plain }) => {
      const x = c.createCipheriv("aes-128-ocb", Buffer.from(key, "hex"), Buffer.from(nonce, "hex"), { authTagLength: 16 });
      return Buffer.concat([x.update(Buffer.from(plain, "hex")), x.final(), x.getAuthTag()]).toString("hex").toUpperCase();
    })));`;
  const child = new Deno.Command("node", { args: ["-e", script], stdin: "piped", stdout: "piped" })
    .spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(JSON.stringify(cases.map((c) => ({
      key: toHex(c.key),
      nonce: toHex(c.nonce),
      plain: toHex(c.plain),
    })))),
  );
  await writer.close();
  const { stdout, success } = await child.output();
  assert.ok(success, "node must run the OpenSSL reference");
  const expected: string[] = JSON.parse(new TextDecoder().decode(stdout));
  cases.forEach(({ key, nonce, plain }, i) => {
    const ocb = new AesOcb(key);
    const sealed = ocb.seal(nonce, plain);
    assert.equal(toHex(sealed), expected[i], `case ${i} (${plain.length} bytes)`);
    assert.deepEqual(ocb.open(nonce, sealed), plain);
  });
});

Deno.test("AES-128-OCB3 rejects a flipped bit anywhere in ciphertext or tag", () => {
  const ocb = new AesOcb(KEY);
  const nonce = hex("BBAA99887766554433221100");
  const sealed = ocb.seal(nonce, seq(37));
  for (let i = 0; i < sealed.length; i++) {
    const forged = sealed.slice();
    forged[i]! ^= 0x01;
    assert.equal(ocb.open(nonce, forged), null, `bit flip at byte ${i} must fail`);
  }
  assert.equal(ocb.open(nonce, sealed.subarray(0, 15)), null);
});

Deno.test("AES-128-OCB3 refuses keys that are not 16 bytes", () => {
  assert.throws(() => new AesOcb(new Uint8Array(15)), /expected 16 bytes, got 15/);
});

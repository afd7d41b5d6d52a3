import assert from "node:assert/strict";
import { charWidth } from "../../lib/terminal/char_width.ts";

Deno.test("charWidth agrees with this machine's glibc wcwidth for every code point", () => {
  const libc = Deno.dlopen("libc.so.6", {
    setlocale: { parameters: ["i32", "buffer"], result: "pointer" },
    wcwidth: { parameters: ["u32"], result: "i32" },
  });
  try {
    assert.notEqual(libc.symbols.setlocale(6, new TextEncoder().encode("C.UTF-8\0")), null);
    let mismatches = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (charWidth(cp) !== libc.symbols.wcwidth(cp)) mismatches++;
    }
    assert.equal(mismatches, 0);
  } finally {
    libc.close();
  }
});

Deno.test("charWidth classifies the spec's examples", () => {
  assert.equal(charWidth(0x41), 1);
  assert.equal(charWidth(0x7f), -1);
  assert.equal(charWidth(0x301), 0);
  assert.equal(charWidth(0x200b), 0);
  assert.equal(charWidth(0x4e2d), 2);
  assert.equal(charWidth(0x1f600), 2);
  assert.equal(charWidth(0x1f1e6), 1);
  assert.equal(charWidth(0xe000), 1);
  assert.equal(charWidth(0x1faf8), -1, "unassigned in glibc 2.36's Unicode 14");
});

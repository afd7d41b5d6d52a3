import assert from "node:assert/strict";
import { FragmentAssembly, FragmentFormatError } from "../../lib/network/fragment_assembly.ts";
import { chunkSizeFor, Fragmenter, MTU_DEFAULT, MTU_IPV4 } from "../../lib/network/fragmenter.ts";
import { type Instruction, makeInstruction } from "../../lib/network/instruction.ts";
import { CompressionError } from "../../lib/network/compression.ts";

function incompressible(length: number, seed = 1): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24);
}

function bigInstruction(length: number): Instruction {
  return makeInstruction({ oldNum: 1n, newNum: 2n, diff: incompressible(length) });
}

Deno.test("Fragmenter splits a 3000-byte instruction into 3 fragments at the IPv4 MTU", () => {
  const fragments = new Fragmenter().fragment(bigInstruction(3000), MTU_IPV4);
  assert.equal(fragments.length, 3);
  assert.equal(fragments[0]!.length, 10 + chunkSizeFor(MTU_IPV4));
  assert.equal(fragments[1]!.length, 10 + 1214);
  const words = fragments.map((f) => new DataView(f.buffer).getUint16(8));
  assert.deepEqual(words, [0, 1, 0x8002]);
});

Deno.test("FragmentAssembly reassembles fragments in any order, ignoring duplicates", () => {
  const instruction = bigInstruction(5000);
  const fragments = new Fragmenter().fragment(instruction, MTU_DEFAULT);
  assert.ok(fragments.length > 5);
  const order = [...fragments].reverse();
  order.splice(2, 0, fragments[3]!); // a duplicate
  const assembly = new FragmentAssembly();
  const results = order.map((f) => assembly.add(f));
  assert.deepEqual(results.slice(0, -1).every((r) => r === null), true);
  assert.deepEqual(results.at(-1), instruction);
});

Deno.test("a fragment of a newer instruction discards the partial older one", () => {
  const fragmenter = new Fragmenter();
  const older = fragmenter.fragment(bigInstruction(2000), MTU_IPV4);
  const newer = fragmenter.fragment(makeInstruction({ newNum: 9n }), MTU_IPV4);
  const assembly = new FragmentAssembly();
  assert.equal(assembly.add(older[0]!), null);
  assert.equal(assembly.add(newer[0]!)?.newNum, 9n);
  assert.equal(assembly.add(older[1]!), null, "the older instruction can no longer complete");
});

Deno.test("short fragments and corrupt compressed data are refused with typed errors", () => {
  const assembly = new FragmentAssembly();
  assert.throws(() => assembly.add(new Uint8Array(9)), FragmentFormatError);
  const bogus = new Uint8Array(20);
  new DataView(bogus.buffer).setUint16(8, 0x8000);
  assert.throws(() => assembly.add(bogus), CompressionError);
  // The assembly is usable afterwards.
  const [good] = new Fragmenter().fragment(makeInstruction({ newNum: 3n }), MTU_IPV4);
  assert.equal(assembly.add(good!)?.newNum, 3n);
});

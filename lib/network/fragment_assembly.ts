/**
 * Reassembles fragments into instructions, one instruction at a time, as
 * mosh's receiver does: a fragment of a different instruction discards the
 * partial one.
 *
 * @module
 */
import { concatBytes } from "./concat_bytes.ts";
import { decompress } from "./compression.ts";
import { FRAGMENT_HEADER } from "./fragmenter.ts";
import { decodeInstruction, type Instruction } from "./instruction.ts";

/** A fragment too short to hold its header; dropped and counted. */
export class FragmentFormatError extends Error {
  /** A FragmentFormatError for a datagram of `length` bytes. */
  constructor(length: number) {
    super(`Received a fragment of ${length} bytes, shorter than the 10-byte header`);
    this.name = "FragmentFormatError";
  }
}

/**
 * Collects fragments until an instruction is complete.
 *
 * @example
 * ```ts
 * import { FragmentAssembly } from "./fragment_assembly.ts";
 * import { Fragmenter, MTU_IPV4 } from "./fragmenter.ts";
 * import { makeInstruction } from "./instruction.ts";
 * const assembly = new FragmentAssembly();
 * const [only] = new Fragmenter().fragment(makeInstruction({ newNum: 1n }), MTU_IPV4);
 * assembly.add(only!)?.newNum; // 1n
 * ```
 */
export class FragmentAssembly {
  #id: bigint | null = null;
  #chunks: (Uint8Array | undefined)[] = [];
  #held = 0;
  #total = -1;

  /**
   * Adds one fragment (a datagram's payload).
   *
   * @returns the instruction once all its fragments are in, else `null`.
   * @throws {FragmentFormatError} for a fragment shorter than its header;
   * `CompressionError` / `InstructionFormatError` when a completed
   * instruction does not inflate or parse. The assembly is cleared either way.
   */
  add(fragment: Uint8Array): Instruction | null {
    if (fragment.length < FRAGMENT_HEADER) throw new FragmentFormatError(fragment.length);
    const view = new DataView(fragment.buffer, fragment.byteOffset, fragment.byteLength);
    const id = view.getBigUint64(0);
    const word = view.getUint16(8);
    const number = word & 0x7fff;
    const final = (word & 0x8000) !== 0;
    if (id !== this.#id) this.#reset(id);
    if (this.#total >= 0 && number >= this.#total) return null; // inconsistent: ignore
    if (final) {
      if (this.#held > 0 && this.#chunks.length > number + 1) {
        this.#reset(id); // a held fragment lies beyond the announced end: start over
      }
      this.#total = number + 1;
    }
    if (this.#chunks[number] === undefined) {
      this.#chunks[number] = fragment.slice(FRAGMENT_HEADER);
      this.#held++;
    }
    if (this.#held !== this.#total) return null;
    const chunks = this.#chunks as Uint8Array[];
    this.#reset(null);
    return decodeInstruction(decompress(concatBytes(chunks)));
  }

  #reset(id: bigint | null): void {
    this.#id = id;
    this.#chunks = [];
    this.#held = 0;
    this.#total = -1;
  }
}

/**
 * `HostBuffers.HostMessage`: the wire form of a terminal diff, server →
 * client (echo ack, resize, display-diff bytes, in that order).
 *
 * @module
 */
import { create, fromBinary, toBinary } from "npm:@bufbuild/protobuf@2.17.0";
import { HostMessageSchema, InstructionSchema } from "../../proto/gen/hostinput_pb.ts";
import { DiffFormatError } from "./user_message.ts";

/** One instruction of a HostMessage. */
export type HostInstruction =
  | { kind: "echoack"; num: bigint }
  | { kind: "resize"; width: number; height: number }
  | { kind: "hostbytes"; bytes: Uint8Array }
  /** Our extension (capabilities.ts): scrolled-off lines `first`, `first + 1`, …. */
  | { kind: "scrollback"; first: number; lines: Uint8Array[] };

/**
 * Encodes host instructions (an empty list gives zero bytes).
 *
 * @example
 * ```ts
 * import { encodeHostMessage } from "./host_message.ts";
 * encodeHostMessage([{ kind: "echoack", num: 1n }]); // 0a 04 3a 02 40 01
 * ```
 */
export function encodeHostMessage(instructions: readonly HostInstruction[]): Uint8Array {
  if (instructions.length === 0) return new Uint8Array(0);
  const instruction = instructions.map((i) => {
    switch (i.kind) {
      case "echoack":
        return create(InstructionSchema, { echoack: { echoAckNum: i.num } });
      case "resize":
        return create(InstructionSchema, { resize: { width: i.width, height: i.height } });
      case "hostbytes":
        return create(InstructionSchema, { hostbytes: { hoststring: i.bytes } });
      case "scrollback":
        return create(InstructionSchema, {
          scrollback: { first: BigInt(i.first), line: i.lines },
        });
    }
  });
  return toBinary(HostMessageSchema, create(HostMessageSchema, { instruction }));
}

/**
 * Decodes a HostMessage; as mosh, each instruction is read for `hostbytes`,
 * then `resize`, then `echoack` (then our `scrollback`), and only the first
 * found is used.
 *
 * @throws {DiffFormatError} for bytes that are not a HostMessage.
 */
export function decodeHostMessage(bytes: Uint8Array): HostInstruction[] {
  let message;
  try {
    message = fromBinary(HostMessageSchema, bytes);
  } catch (error) {
    throw new DiffFormatError("Received a host diff that is not a valid HostMessage", {
      cause: error,
    });
  }
  const out: HostInstruction[] = [];
  for (const i of message.instruction) {
    if (i.hostbytes !== undefined) {
      out.push({ kind: "hostbytes", bytes: i.hostbytes.hoststring });
    } else if (i.resize !== undefined) {
      out.push({ kind: "resize", width: i.resize.width, height: i.resize.height });
    } else if (i.echoack !== undefined) {
      out.push({ kind: "echoack", num: i.echoack.echoAckNum });
    } else if (i.scrollback !== undefined) {
      const first = i.scrollback.first;
      if (first > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new DiffFormatError(`Received a scrollback line number out of range (${first})`);
      }
      out.push({ kind: "scrollback", first: Number(first), lines: i.scrollback.line });
    }
  }
  return out;
}

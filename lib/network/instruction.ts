/**
 * The SSP transport envelope, `TransportBuffers.Instruction`: "apply `diff`
 * to state `oldNum` to get state `newNum`", plus acknowledgement and chaff.
 *
 * @module
 */
import { PROTOCOL_VERSION } from "../version.ts";
import { encodeProto, LENGTH_DELIMITED, ProtoReader, VARINT } from "./proto_wire.ts";

/** State number 2^64 − 1: announces (as `newNum`) or acknowledges (as `ackNum`) shutdown. */
export const SHUTDOWN_NUM = 0xffff_ffff_ffff_ffffn;

/** One transport instruction, as carried (compressed, fragmented) by datagrams. */
export interface Instruction {
  /** Protocol version. */
  protocolVersion: number;
  /** Old num. */
  oldNum: bigint;
  /** New num. */
  newNum: bigint;
  /** Ack num. */
  ackNum: bigint;
  /** Throwaway num. */
  throwawayNum: bigint;
  /** Serialized UserMessage or HostMessage; empty for a pure ack/heartbeat. */
  diff: Uint8Array;
  /** 0–16 random bytes the receiver ignores. */
  chaff: Uint8Array;
}

/** A received instruction that could not be parsed; dropped and counted. */
export class InstructionFormatError extends Error {
  /** An InstructionFormatError with a message the user can act on. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InstructionFormatError";
  }
}

/**
 * Serializes an instruction with all seven fields present, in field order,
 * as mosh 1.4.0 does.
 *
 * @example
 * ```ts
 * import { encodeInstruction } from "./instruction.ts";
 * const bytes = encodeInstruction({
 *   protocolVersion: 2, oldNum: 0n, newNum: 1n, ackNum: 0n, throwawayNum: 0n,
 *   diff: new Uint8Array(0), chaff: new Uint8Array(0),
 * });
 * ```
 */
export function encodeInstruction(instruction: Instruction): Uint8Array {
  const i = instruction;
  return encodeProto([
    [1, i.protocolVersion],
    [2, i.oldNum],
    [3, i.newNum],
    [4, i.ackNum],
    [5, i.throwawayNum],
    [6, i.diff],
    [7, i.chaff],
  ]);
}

/**
 * Parses an instruction; missing fields take their defaults, unknown fields
 * are ignored.
 *
 * @throws {InstructionFormatError} when the bytes are not a protobuf message.
 */
export function decodeInstruction(bytes: Uint8Array): Instruction {
  const m = makeInstruction({ protocolVersion: 0 });
  try {
    const reader = new ProtoReader(bytes);
    while (reader.next()) {
      const { field, wireType } = reader;
      if (wireType === VARINT && field === 1) m.protocolVersion = reader.uint32();
      else if (wireType === VARINT && field === 2) m.oldNum = reader.uint64();
      else if (wireType === VARINT && field === 3) m.newNum = reader.uint64();
      else if (wireType === VARINT && field === 4) m.ackNum = reader.uint64();
      else if (wireType === VARINT && field === 5) m.throwawayNum = reader.uint64();
      else if (wireType === LENGTH_DELIMITED && field === 6) m.diff = reader.bytes();
      else if (wireType === LENGTH_DELIMITED && field === 7) m.chaff = reader.bytes();
      else reader.skip();
    }
  } catch (error) {
    throw new InstructionFormatError("Received an instruction that is not valid protobuf", {
      cause: error,
    });
  }
  return m;
}

/** Convenience: an instruction with protocol version 2 and empty diff/chaff defaults. */
export function makeInstruction(fields: Partial<Instruction>): Instruction {
  return {
    protocolVersion: PROTOCOL_VERSION,
    oldNum: 0n,
    newNum: 0n,
    ackNum: 0n,
    throwawayNum: 0n,
    diff: new Uint8Array(0),
    chaff: new Uint8Array(0),
    ...fields,
  };
}

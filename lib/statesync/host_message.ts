/**
 * `HostBuffers.HostMessage`: the wire form of a terminal diff, server →
 * client (echo ack, resize, display-diff bytes, in that order).
 *
 * @module
 */
import {
  encodeProto,
  LENGTH_DELIMITED,
  type ProtoField,
  type ProtoReader,
  readMessages,
  VARINT,
} from "../network/proto_wire.ts";
import { readResize, resizeFields, type WindowSize } from "./resize_message.ts";
import { DiffFormatError } from "./user_message.ts";

/** One instruction of a HostMessage. */
export type HostInstruction =
  | { kind: "echoack"; num: bigint }
  | { kind: "resize"; width: number; height: number }
  | { kind: "hostbytes"; bytes: Uint8Array }
  /**
   * Our extension (capabilities.ts): scrolled-off lines `first`, `first + 1`,
   * …; with `cleared`, the lines before it were erased (ED 3) and are not sent;
   * `wrapped`: indices into `lines` of those that continue on the next line
   * (one long line the terminal wrapped), in increasing order; `shrinkLines`:
   * the server records the rows a shrink drops (Feature.ShrinkLines).
   */
  | {
    kind: "scrollback";
    first: number;
    lines: Uint8Array[];
    cleared?: number;
    wrapped?: number[];
    shrinkLines?: boolean;
  };

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
  return encodeProto(instructions.map((i): ProtoField => [1, [hostField(i)]]));
}

/** One host instruction's field (numbers from proto/hostinput.proto). */
function hostField(i: HostInstruction): ProtoField {
  switch (i.kind) {
    case "echoack":
      return [7, [[8, i.num]]];
    case "resize":
      return [3, resizeFields(i.width, i.height)];
    case "hostbytes":
      return [2, [[4, i.bytes]]];
    case "scrollback":
      return [1701, [
        [1, BigInt(i.first)],
        ...i.lines.map((l): ProtoField => [2, l]),
        ...(i.cleared ? [[3, BigInt(i.cleared)] as ProtoField] : []),
        ...(i.wrapped ?? []).map((n): ProtoField => [4, BigInt(n)]),
        ...(i.shrinkLines ? [[5, 1n] as ProtoField] : []),
      ]];
  }
}

/** One `HostBuffers.Instruction` as read: each part present or not, merged as protobuf does. */
interface HostParts {
  hostbytes?: { hoststring: Uint8Array };
  resize?: WindowSize;
  echoack?: { num: bigint };
  scrollback?: {
    first: bigint;
    lines: Uint8Array[];
    cleared: bigint;
    wrapped: bigint[];
    shrinkLines: boolean;
  };
}

function readInstruction(reader: ProtoReader): HostParts {
  const parts: HostParts = {};
  while (reader.next()) {
    const field = reader.field;
    if (reader.wireType !== LENGTH_DELIMITED) {
      reader.skip();
    } else if (field === 2) {
      const part = parts.hostbytes ??= { hoststring: new Uint8Array(0) };
      const r = reader.message();
      while (r.next()) {
        if (r.field === 4 && r.wireType === LENGTH_DELIMITED) part.hoststring = r.bytes();
        else r.skip();
      }
    } else if (field === 3) {
      readResize(reader.message(), parts.resize ??= { width: 0, height: 0 });
    } else if (field === 7) {
      const part = parts.echoack ??= { num: 0n };
      const r = reader.message();
      while (r.next()) {
        if (r.field === 8 && r.wireType === VARINT) part.num = r.uint64();
        else r.skip();
      }
    } else if (field === 1701) {
      const part = parts.scrollback ??= {
        first: 0n,
        lines: [],
        cleared: 0n,
        wrapped: [],
        shrinkLines: false,
      };
      const r = reader.message();
      while (r.next()) {
        if (r.field === 1 && r.wireType === VARINT) part.first = r.uint64();
        else if (r.field === 2 && r.wireType === LENGTH_DELIMITED) part.lines.push(r.bytes());
        else if (r.field === 3 && r.wireType === VARINT) part.cleared = r.uint64();
        else if (r.field === 4 && r.wireType === VARINT) part.wrapped.push(r.uint64());
        else if (r.field === 5 && r.wireType === VARINT) part.shrinkLines = r.uint64() !== 0n;
        else r.skip();
      }
    } else {
      reader.skip();
    }
  }
  return parts;
}

/**
 * The wrap marks of a scrollback instruction as received, kept where each
 * is the index of one of its `lineCount` lines, after the marks kept
 * before it (hostile or damaged ones are dropped).
 *
 * @example
 * ```ts
 * import { wrapMarks } from "./host_message.ts";
 * wrapMarks([5n, 1n, 0n, 2n], 3); // [1, 2]
 * ```
 */
export function wrapMarks(marks: readonly (bigint | number)[], lineCount: number): number[] {
  const kept: number[] = [];
  for (const n of marks) {
    if (n < lineCount && n > (kept.at(-1) ?? -1)) kept.push(Number(n));
  }
  return kept;
}

/**
 * Decodes a HostMessage; as mosh, each instruction is read for `hostbytes`,
 * then `resize`, then `echoack` (then our `scrollback`), and only the first
 * found is used.
 *
 * @throws {DiffFormatError} for bytes that are not a HostMessage.
 */
export function decodeHostMessage(bytes: Uint8Array): HostInstruction[] {
  let instructions: HostParts[];
  try {
    instructions = readMessages(bytes, 1, readInstruction);
  } catch (error) {
    throw new DiffFormatError("Received a host diff that is not a valid HostMessage", {
      cause: error,
    });
  }
  const out: HostInstruction[] = [];
  for (const i of instructions) {
    if (i.hostbytes !== undefined) {
      out.push({ kind: "hostbytes", bytes: i.hostbytes.hoststring });
    } else if (i.resize !== undefined) {
      out.push({ kind: "resize", width: i.resize.width, height: i.resize.height });
    } else if (i.echoack !== undefined) {
      out.push({ kind: "echoack", num: i.echoack.num });
    } else if (i.scrollback !== undefined) {
      const { first, lines, cleared } = i.scrollback;
      const wrapped = wrapMarks(i.scrollback.wrapped, lines.length);
      for (const n of [first, cleared]) {
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new DiffFormatError(`Received a scrollback line number out of range (${n})`);
        }
      }
      out.push({
        kind: "scrollback",
        first: Number(first),
        lines,
        ...(cleared > 0n ? { cleared: Number(cleared) } : {}),
        ...(wrapped.length > 0 ? { wrapped } : {}),
        ...(i.scrollback.shrinkLines ? { shrinkLines: true } : {}),
      });
    }
  }
  return out;
}

/**
 * `ClientBuffers.UserMessage`: the wire form of new user-stream events
 * (keystrokes and window resizes), client → server.
 *
 * @module
 */
import { concatBytes } from "../network/concat_bytes.ts";
import {
  encodeProto,
  LENGTH_DELIMITED,
  type ProtoField,
  type ProtoReader,
  readMessages,
  VARINT,
} from "../network/proto_wire.ts";
import { readResize, resizeFields, type WindowSize } from "./resize_message.ts";

/** One event of the user stream. */
export type UserEvent =
  | { kind: "keys"; keys: Uint8Array }
  | { kind: "resize"; width: number; height: number }
  /** Our extension (capabilities.ts): the features the client supports. */
  | { kind: "capabilities"; features: number };

/** A diff that is not a parseable UserMessage / HostMessage; dropped and counted. */
export class DiffFormatError extends Error {
  /** A DiffFormatError with a message the user can act on. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DiffFormatError";
  }
}

/**
 * Encodes events as mosh does: consecutive keystrokes merge into one
 * `keystroke` instruction; each resize is its own instruction.
 *
 * @example
 * ```ts
 * import { encodeUserMessage } from "./user_message.ts";
 * encodeUserMessage([{ kind: "keys", keys: new Uint8Array([0x78]) }]); // 0a 05 12 03 22 01 78
 * ```
 */
export function encodeUserMessage(events: readonly UserEvent[]): Uint8Array {
  if (events.length === 0) return new Uint8Array(0);
  // Numbers from proto/userinput.proto: UserMessage.instruction 1; keystroke 2 (keys 4),
  // resize 3 (width 5, height 6), capabilities 1700 (features 1).
  const instruction: ProtoField[] = [];
  let pending: Uint8Array[] = [];
  const flushKeys = () => {
    if (pending.length === 0) return;
    const keys = pending.length === 1 ? pending[0]! : concatBytes(pending);
    instruction.push([1, [[2, [[4, keys]]]]]);
    pending = [];
  };
  for (const event of events) {
    if (event.kind === "keys") {
      pending.push(event.keys);
    } else if (event.kind === "resize") {
      flushKeys();
      instruction.push([1, [[3, resizeFields(event.width, event.height)]]]);
    } else {
      flushKeys();
      instruction.push([1, [[1700, [[1, event.features]]]]]);
    }
  }
  flushKeys();
  return encodeProto(instruction);
}

/** One `ClientBuffers.Instruction` as read: each part present or not, merged as protobuf does. */
interface UserParts {
  keystroke?: { keys: Uint8Array };
  resize?: WindowSize;
  capabilities?: { features: number };
}

function readInstruction(reader: ProtoReader): UserParts {
  const parts: UserParts = {};
  while (reader.next()) {
    const field = reader.field;
    if (reader.wireType !== LENGTH_DELIMITED) {
      reader.skip();
    } else if (field === 2) {
      const part = parts.keystroke ??= { keys: new Uint8Array(0) };
      const r = reader.message();
      while (r.next()) {
        if (r.field === 4 && r.wireType === LENGTH_DELIMITED) part.keys = r.bytes();
        else r.skip();
      }
    } else if (field === 3) {
      readResize(reader.message(), parts.resize ??= { width: 0, height: 0 });
    } else if (field === 1700) {
      const part = parts.capabilities ??= { features: 0 };
      const r = reader.message();
      while (r.next()) {
        if (r.field === 1 && r.wireType === VARINT) part.features = r.uint32();
        else r.skip();
      }
    } else {
      reader.skip();
    }
  }
  return parts;
}

/**
 * Decodes a UserMessage into events; mosh reads `keystroke` before `resize`
 * and ignores an instruction with neither (ours then reads `capabilities`).
 *
 * @throws {DiffFormatError} for bytes that are not a UserMessage.
 */
export function decodeUserMessage(bytes: Uint8Array): UserEvent[] {
  let instructions: UserParts[];
  try {
    instructions = readMessages(bytes, 1, readInstruction);
  } catch (error) {
    throw new DiffFormatError("Received a user diff that is not a valid UserMessage", {
      cause: error,
    });
  }
  const events: UserEvent[] = [];
  for (const i of instructions) {
    if (i.keystroke !== undefined) {
      events.push({ kind: "keys", keys: i.keystroke.keys });
    } else if (i.resize !== undefined) {
      events.push({ kind: "resize", width: i.resize.width, height: i.resize.height });
    } else if (i.capabilities !== undefined) {
      events.push({ kind: "capabilities", features: i.capabilities.features });
    }
  }
  return events;
}

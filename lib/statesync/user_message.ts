/**
 * `ClientBuffers.UserMessage`: the wire form of new user-stream events
 * (keystrokes and window resizes), client → server.
 *
 * @module
 */
import { create, fromBinary, toBinary } from "npm:@bufbuild/protobuf@2.17.0";
import { InstructionSchema, UserMessageSchema } from "../../proto/gen/userinput_pb.ts";
import { concatBytes } from "../network/concat_bytes.ts";

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
  const instruction = [];
  let pending: Uint8Array[] = [];
  const flushKeys = () => {
    if (pending.length === 0) return;
    const keys = pending.length === 1 ? pending[0]! : concatBytes(pending);
    instruction.push(create(InstructionSchema, { keystroke: { keys } }));
    pending = [];
  };
  for (const event of events) {
    if (event.kind === "keys") {
      pending.push(event.keys);
    } else if (event.kind === "resize") {
      flushKeys();
      instruction.push(
        create(InstructionSchema, { resize: { width: event.width, height: event.height } }),
      );
    } else {
      flushKeys();
      instruction.push(
        create(InstructionSchema, { capabilities: { features: event.features } }),
      );
    }
  }
  flushKeys();
  return toBinary(UserMessageSchema, create(UserMessageSchema, { instruction }));
}

/**
 * Decodes a UserMessage into events; mosh reads `keystroke` before `resize`
 * and ignores an instruction with neither (ours then reads `capabilities`).
 *
 * @throws {DiffFormatError} for bytes that are not a UserMessage.
 */
export function decodeUserMessage(bytes: Uint8Array): UserEvent[] {
  let message;
  try {
    message = fromBinary(UserMessageSchema, bytes);
  } catch (error) {
    throw new DiffFormatError("Received a user diff that is not a valid UserMessage", {
      cause: error,
    });
  }
  const events: UserEvent[] = [];
  for (const i of message.instruction) {
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

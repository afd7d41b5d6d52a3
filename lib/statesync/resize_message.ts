/**
 * `ResizeMessage`, the same in both directions (field 3 of an instruction,
 * width 5 and height 6, in proto/userinput.proto and proto/hostinput.proto).
 *
 * @module
 */
import { type ProtoField, type ProtoReader, VARINT } from "../network/proto_wire.ts";

/** A window size in cells. */
export interface WindowSize {
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
}

/**
 * The fields of a ResizeMessage.
 *
 * @example
 * ```ts
 * import { resizeFields } from "./resize_message.ts";
 * resizeFields(80, 24); // [[5, 80], [6, 24]]
 * ```
 */
export function resizeFields(width: number, height: number): ProtoField[] {
  return [[5, width], [6, height]];
}

/**
 * Reads a ResizeMessage into `size`; a repeated field overwrites, as protobuf
 * merges.
 *
 * @example
 * ```ts
 * import { ProtoReader } from "../network/proto_wire.ts";
 * import { readResize } from "./resize_message.ts";
 * const size = { width: 0, height: 0 };
 * readResize(new ProtoReader(new Uint8Array([0x28, 80, 0x30, 24])), size); // 80×24
 * ```
 */
export function readResize(r: ProtoReader, size: WindowSize): void {
  while (r.next()) {
    if (r.field === 5 && r.wireType === VARINT) size.width = r.int32();
    else if (r.field === 6 && r.wireType === VARINT) size.height = r.int32();
    else r.skip();
  }
}

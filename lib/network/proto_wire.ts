/**
 * The protobuf wire format (proto2) for mosh's three small messages
 * (`proto/*.proto`): varint and length-delimited fields, written in the order
 * given, read with protobuf's rules (a repeated singular field: the last
 * scalar wins, messages merge; unknown fields, groups included, skipped; a
 * known field with another wire type is unknown, as in C++ protobuf).
 *
 * Written by hand rather than with a generated runtime: loading
 * @bufbuild/protobuf and booting its descriptors took 35–55 ms of every
 * client's and server's start (2026-11-25), for messages of a few fields.
 * tests/network/proto_wire_test.ts checks it against protobuf-es.
 *
 * @module
 */

/** A field's value: a varint (`number` ≥ 0, or `bigint` up to 2^64 − 1), bytes, or a message. */
export type ProtoValue = number | bigint | Uint8Array | readonly ProtoField[];

/** One field of a message to write: its number and value. */
export type ProtoField = readonly [field: number, value: ProtoValue];

/** Bytes that are not a well-formed protobuf message. */
export class ProtoFormatError extends Error {
  /** A ProtoFormatError saying what was wrong where. */
  constructor(message: string) {
    super(message);
    this.name = "ProtoFormatError";
  }
}

/** Wire types. */
export const VARINT = 0;
const FIXED64 = 1;
/** Wire type of bytes and embedded messages. */
export const LENGTH_DELIMITED = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const FIXED32 = 5;

function varintSize(value: number | bigint): number {
  if (typeof value === "number") {
    if (value < 0) return 10; // a negative int32 goes out sign-extended to 64 bits
    let size = 1;
    while (value >= 128) {
      value = Math.floor(value / 128);
      size++;
    }
    return size;
  }
  let size = 1;
  while (value >= 128n) {
    value >>= 7n;
    size++;
  }
  return size;
}

/** Sizes of the embedded messages of `fields`, depth first, as {@linkcode writeFields} takes them. */
function measure(fields: readonly ProtoField[], sizes: number[]): number {
  let total = 0;
  for (const [field, value] of fields) {
    total += varintSize(field * 8);
    if (value instanceof Uint8Array) {
      total += varintSize(value.length) + value.length;
    } else if (typeof value === "number" || typeof value === "bigint") {
      total += varintSize(value);
    } else {
      const slot = sizes.length;
      sizes.push(0);
      const size = measure(value, sizes);
      sizes[slot] = size;
      total += varintSize(size) + size;
    }
  }
  return total;
}

function writeVarint(out: Uint8Array, at: number, value: number | bigint): number {
  if (typeof value === "number" && value < 0) value = BigInt.asUintN(64, BigInt(value));
  if (typeof value === "number") {
    while (value >= 128) {
      out[at++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    out[at++] = value;
    return at;
  }
  while (value >= 128n) {
    out[at++] = Number(value & 0x7fn) | 0x80;
    value >>= 7n;
  }
  out[at++] = Number(value);
  return at;
}

function writeFields(
  out: Uint8Array,
  at: number,
  fields: readonly ProtoField[],
  sizes: number[],
  next: { slot: number },
): number {
  for (const [field, value] of fields) {
    if (value instanceof Uint8Array) {
      at = writeVarint(out, at, field * 8 + LENGTH_DELIMITED);
      at = writeVarint(out, at, value.length);
      out.set(value, at);
      at += value.length;
    } else if (typeof value === "number" || typeof value === "bigint") {
      at = writeVarint(out, at, field * 8 + VARINT);
      at = writeVarint(out, at, value);
    } else {
      at = writeVarint(out, at, field * 8 + LENGTH_DELIMITED);
      at = writeVarint(out, at, sizes[next.slot++]!);
      at = writeFields(out, at, value, sizes, next);
    }
  }
  return at;
}

/**
 * Serializes `fields` in the order given (protobuf writes them by field
 * number: give them so).
 *
 * @example
 * ```ts
 * import { encodeProto } from "./proto_wire.ts";
 * encodeProto([[1, [[7, [[8, 1n]]]]]]); // 0a 04 3a 02 40 01
 * ```
 */
export function encodeProto(fields: readonly ProtoField[]): Uint8Array {
  const sizes: number[] = [];
  const out = new Uint8Array(measure(fields, sizes));
  writeFields(out, 0, fields, sizes, { slot: 0 });
  return out;
}

/**
 * The embedded messages in field `field` of `bytes`, in order, each read by
 * `read`; other fields are skipped (a repeated message field, as a
 * HostMessage or UserMessage holds its instructions).
 *
 * @example
 * ```ts
 * import { readMessages } from "./proto_wire.ts";
 * // two instructions (field 1), each an empty message
 * readMessages(new Uint8Array([0x0a, 0x00, 0x0a, 0x00]), 1, (r) => r.next()); // [false, false]
 * ```
 *
 * @throws {ProtoFormatError} for bytes that are not a valid message.
 */
export function readMessages<T>(
  bytes: Uint8Array,
  field: number,
  read: (message: ProtoReader) => T,
): T[] {
  const out: T[] = [];
  const reader = new ProtoReader(bytes);
  while (reader.next()) {
    if (reader.field === field && reader.wireType === LENGTH_DELIMITED) {
      out.push(read(reader.message()));
    } else {
      reader.skip();
    }
  }
  return out;
}

/**
 * Reads a message's fields in wire order.
 *
 * @example
 * ```ts
 * import { LENGTH_DELIMITED, ProtoReader } from "./proto_wire.ts";
 * const reader = new ProtoReader(new Uint8Array([0x22, 0x01, 0x78]));
 * while (reader.next()) {
 *   if (reader.field === 4 && reader.wireType === LENGTH_DELIMITED) reader.bytes(); // [0x78]
 *   else reader.skip();
 * }
 * ```
 */
export class ProtoReader {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;
  /** The current field's number (after {@linkcode next}). */
  field = 0;
  /** The current field's wire type (after {@linkcode next}). */
  wireType = 0;

  /** A reader of `bytes` (from `start` to `end`). */
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#buf = bytes;
    this.#pos = start;
    this.#end = end;
  }

  /**
   * Moves to the next field; false at the end of the message.
   *
   * @throws {ProtoFormatError} for an invalid tag.
   */
  next(): boolean {
    if (this.#pos >= this.#end) return false;
    const start = this.#pos;
    const tag = this.#varint();
    const length = this.#pos - start;
    if (tag > 0xffff_ffff || length > 5) {
      throw new ProtoFormatError(`Invalid tag at byte ${start}: more than 32 bits`);
    }
    const t = Number(tag);
    this.field = Math.floor(t / 8);
    this.wireType = t & 7;
    if (this.field === 0 || this.wireType > FIXED32) {
      throw new ProtoFormatError(
        `Invalid tag at byte ${start}: field ${this.field}, wire type ${this.wireType}`,
      );
    }
    return true;
  }

  /** A varint field's value as an unsigned 64-bit integer. */
  uint64(): bigint {
    const v = this.#varint();
    return typeof v === "bigint" ? v : BigInt(v);
  }

  /** A varint field's value truncated to 32 bits, unsigned (protobuf's `uint32`). */
  uint32(): number {
    const v = this.#varint();
    return typeof v === "bigint" ? Number(v & 0xffff_ffffn) : v >>> 0;
  }

  /** A varint field's value truncated to 32 bits, signed (protobuf's `int32`). */
  int32(): number {
    const v = this.#varint();
    return typeof v === "bigint" ? Number(BigInt.asIntN(32, v)) : v | 0;
  }

  /** A length-delimited field's bytes (a view into the input, as protobuf-es gives). */
  bytes(): Uint8Array {
    const [start, end] = this.#delimited();
    return this.#buf.subarray(start, end);
  }

  /** A reader of a length-delimited field's embedded message. */
  message(): ProtoReader {
    const [start, end] = this.#delimited();
    return new ProtoReader(this.#buf, start, end);
  }

  /**
   * Skips the current field's value (unknown fields, groups included).
   *
   * @throws {ProtoFormatError} for a truncated value or a stray end of group.
   */
  skip(): void {
    this.#skip(this.field, this.wireType, 100);
  }

  #skip(field: number, wireType: number, depth: number): void {
    switch (wireType) {
      case VARINT:
        this.#varint();
        return;
      case FIXED64:
        return this.#advance(8);
      case FIXED32:
        return this.#advance(4);
      case LENGTH_DELIMITED:
        this.#delimited();
        return;
      case START_GROUP:
        if (depth === 0) throw new ProtoFormatError("Groups nested too deeply");
        for (;;) {
          if (!this.next()) throw new ProtoFormatError(`Group ${field} has no end`);
          if (this.wireType === END_GROUP) {
            if (this.field !== field) {
              throw new ProtoFormatError(`Group ${field} ended by the end of group ${this.field}`);
            }
            return;
          }
          this.#skip(this.field, this.wireType, depth - 1);
        }
      default:
        throw new ProtoFormatError(`An end of group ${field} outside its group`);
    }
  }

  #advance(n: number): void {
    if (this.#end - this.#pos < n) throw this.#truncated();
    this.#pos += n;
  }

  #delimited(): [number, number] {
    const length = this.#varint();
    const start = this.#pos;
    if (typeof length === "bigint" || length > this.#end - start) throw this.#truncated();
    this.#pos += length;
    return [start, this.#pos];
  }

  /** A varint: a number when below 2^48 (the common case), else a bigint. */
  #varint(): number | bigint {
    const buf = this.#buf;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.#pos >= this.#end) throw this.#truncated();
      const b = buf[this.#pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    let big = BigInt(value);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      if (this.#pos >= this.#end) throw this.#truncated();
      const b = buf[this.#pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, big);
    }
    throw new ProtoFormatError(`A varint longer than 10 bytes at byte ${this.#pos - 10}`);
  }

  #truncated(): ProtoFormatError {
    return new ProtoFormatError(`The message ends inside a field (byte ${this.#pos})`);
  }
}

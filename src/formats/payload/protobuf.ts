// A minimal, bounds-checked reader of the protobuf wire format
// (https://protobuf.dev/programming-guides/encoding/): varints, 64/32-bit fixed values and
// length-delimited fields. Enough for update_engine's DeltaArchiveManifest; unknown fields are
// skipped, as protobuf requires, so newer manifests still parse.
import { FormatError, TruncatedError } from '../../io/errors/index.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export interface ProtoField {
  field: number;
  wire: number;
  /** Absolute offset of the field's tag. */
  offset: number;
}

export class ProtoReader {
  pos = 0;
  /**
   * @param bytes one message
   * @param base absolute offset of bytes[0] in the Source named by `path`
   */
  constructor(readonly bytes: Uint8Array, readonly base: number, readonly path: string) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The next field's tag, or null at the end of the message. */
  next(): ProtoField | null {
    if (this.done) return null;
    const offset = this.base + this.pos;
    const tag = this.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new FormatError('protobuf: field number 0', offset, this.path);
    return { field, wire, offset };
  }

  /** An unsigned varint as a number; values above 2^53 cannot be offsets or sizes and are rejected. */
  varint(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new TruncatedError('protobuf: varint runs past the message', this.base + start, this.path);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new FormatError('protobuf: varint above 2^53', this.base + start, this.path);
        return result;
      }
      scale *= 128;
    }
    throw new FormatError('protobuf: varint longer than 10 bytes', this.base + start, this.path);
  }

  /** A length-delimited field's bytes (no copy). */
  bytesField(): Uint8Array {
    const at = this.pos;
    const n = this.varint();
    if (n > this.bytes.length - this.pos) {
      throw new TruncatedError(`protobuf: field of ${n} bytes runs past the message`, this.base + at, this.path);
    }
    const b = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A nested message's reader, with its absolute base. */
  message(): ProtoReader {
    const b = this.bytesField();
    return new ProtoReader(b, this.base + (b.byteOffset - this.bytes.byteOffset), this.path);
  }

  string(): string {
    return new TextDecoder('utf-8').decode(this.bytesField());
  }

  /** Skips a field of the given wire type (unknown fields must be skipped, not rejected). */
  skip(f: ProtoField): void {
    switch (f.wire) {
      case WIRE_VARINT: {
        // Skip without converting: int64 fields (max_timestamp) may be negative 10-byte varints.
        for (let i = 0; ; i++) {
          if (i >= 10) throw new FormatError('protobuf: varint longer than 10 bytes', f.offset, this.path);
          if (this.pos >= this.bytes.length) throw new TruncatedError('protobuf: varint runs past the message', f.offset, this.path);
          if ((this.bytes[this.pos++] & 0x80) === 0) break;
        }
        return;
      }
      case WIRE_FIXED64:
        this.advance(8, f);
        return;
      case WIRE_FIXED32:
        this.advance(4, f);
        return;
      case WIRE_LEN:
        this.bytesField();
        return;
      default:
        // 3/4 are proto1 groups (never in update_metadata.proto); 6/7 do not exist.
        throw new FormatError(`protobuf: wire type ${f.wire} of field ${f.field}`, f.offset, this.path);
    }
  }

  /** Throws unless field `f` has the wire type the schema gives it. */
  expect(f: ProtoField, wire: number): void {
    if (f.wire !== wire) throw new FormatError(`protobuf: field ${f.field} has wire type ${f.wire}, expected ${wire}`, f.offset, this.path);
  }

  private advance(n: number, f: ProtoField): void {
    if (n > this.bytes.length - this.pos) throw new TruncatedError('protobuf: fixed field runs past the message', f.offset, this.path);
    this.pos += n;
  }
}

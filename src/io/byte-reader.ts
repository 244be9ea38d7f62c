// Bounds-checked little/big-endian reader over bytes already in memory. Parsers read a whole
// structure with `source.read`, then parse it synchronously here (no await per field).
// Every error names the absolute offset (`base + pos`) and the virtual path.
import { TruncatedError, FormatError } from './errors/index.js';

export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Position within this window, 0-based. */
  pos = 0;

  /**
   * @param bytes the window
   * @param base absolute offset of bytes[0] in the Source named by `path`
   * @param path virtual path, for error messages
   */
  constructor(bytes: Uint8Array, readonly base = 0, readonly path = '') {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number { return this.bytes.length; }
  /** Absolute offset of the current position in the Source. */
  get offset(): number { return this.base + this.pos; }
  get remaining(): number { return this.bytes.length - this.pos; }

  /** Moves to a window position (relative to the window start). */
  seek(pos: number): this {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos > this.bytes.length) {
      throw new TruncatedError(`seek to 0x${Math.max(0, pos).toString(16)} outside window of ${this.bytes.length} bytes`, this.base + Math.max(0, pos), this.path);
    }
    this.pos = pos;
    return this;
  }
  skip(n: number): this { return this.seek(this.pos + n); }

  /** Throws unless `n` bytes are available at window position `pos`. */
  need(n: number, pos = this.pos, what = 'value'): void {
    if (!(n >= 0) || pos < 0 || pos + n > this.bytes.length) {
      throw new TruncatedError(`${what}: need ${n} bytes, window has ${Math.max(0, this.bytes.length - pos)}`, this.base + pos, this.path);
    }
  }

  /** A FormatError at the current (or given) position. */
  fail(message: string, pos = this.pos): FormatError {
    return new FormatError(message, this.base + pos, this.path);
  }

  u8(): number { this.need(1); return this.bytes[this.pos++]; }
  u16le(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u16be(): number { this.need(2); const v = this.view.getUint16(this.pos, false); this.pos += 2; return v; }
  i16le(): number { this.need(2); const v = this.view.getInt16(this.pos, true); this.pos += 2; return v; }
  u32le(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  u32be(): number { this.need(4); const v = this.view.getUint32(this.pos, false); this.pos += 4; return v; }
  i32le(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  /** A 64-bit value as a number; values above 2^53 are not representable and throw. */
  u64le(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true), hi = this.view.getUint32(this.pos + 4, true);
    if (hi >= 0x200000) throw this.fail(`64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} too large`);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }
  u64be(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos, false), lo = this.view.getUint32(this.pos + 4, false);
    if (hi >= 0x200000) throw this.fail(`64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} too large`);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  /** Random access without moving: bounds-checked reads at window position `pos`. */
  u8At(pos: number): number { this.need(1, pos); return this.bytes[pos]; }
  u16At(pos: number): number { this.need(2, pos); return this.view.getUint16(pos, true); }
  u32At(pos: number): number { this.need(4, pos); return this.view.getUint32(pos, true); }
  i32At(pos: number): number { this.need(4, pos); return this.view.getInt32(pos, true); }

  /** `n` bytes as a view (no copy). */
  bytesAt(pos: number, n: number): Uint8Array { this.need(n, pos); return this.bytes.subarray(pos, pos + n); }
  take(n: number): Uint8Array { const b = this.bytesAt(this.pos, n); this.pos += n; return b; }

  /** Unsigned LEB128 (DEX), at most 5 bytes / 32 bits. */
  uleb128(): number {
    let result = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      result |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw this.fail('uleb128 longer than 5 bytes', this.pos - 5);
  }
  sleb128(): number {
    let result = 0, shift = 0, b = 0;
    for (let i = 0; i < 5; i++) {
      b = this.u8();
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        return shift < 32 && (b & 0x40) ? result | (-1 << shift) : result | 0;
      }
    }
    throw this.fail('sleb128 longer than 5 bytes', this.pos - 5);
  }

  /** A sub-reader over [pos, pos+n) sharing bytes, with its absolute base. */
  sub(pos: number, n: number): ByteReader {
    this.need(n, pos, 'sub-window');
    return new ByteReader(this.bytes.subarray(pos, pos + n), this.base + pos, this.path);
  }

  /** Latin-1/ASCII string of `n` bytes (magic numbers, tar names). */
  ascii(n: number): string {
    const b = this.take(n);
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return s;
  }
}

// A small BER/DER walker (ITU-T X.690) for what APK signing needs: the certificates and
// signer identifiers of a PKCS#7 SignedData (RFC 2315 / RFC 5652) and the names, serial and
// validity of an X.509 certificate (RFC 5280). Indefinite lengths (BER, used by some JAR
// signers) are accepted; nesting is capped.
import { FormatError } from '../../io/errors/index.js';

/** PKCS#7 / X.509 structures nest < 10 deep; the cap stops crafted recursion. */
const MAX_DER_DEPTH = 32;

export interface Tlv {
  /** Tag byte(s) folded: class (bits 7-6), constructed (bit 5), number. Low tags only keep the byte. */
  tag: number;
  constructed: boolean;
  /** Offset of the identifier octet within `buf`. */
  start: number;
  /** Offset of the contents. */
  contentStart: number;
  /** Offset just past the contents (past the end-of-contents octets for indefinite lengths). */
  end: number;
  /** End of the contents (before end-of-contents octets). */
  contentEnd: number;
  buf: Uint8Array;
}

export class DerReader {
  constructor(readonly buf: Uint8Array, readonly path: string) {}

  fail(message: string, pos: number): FormatError {
    return new FormatError(`der: ${message}`, pos, this.path);
  }

  /** Reads the TLV at `pos`, which must end at or before `limit`. */
  tlv(pos: number, limit = this.buf.length, depth = 0): Tlv {
    const b = this.buf;
    if (depth > MAX_DER_DEPTH) throw this.fail('nesting too deep', pos);
    if (pos + 2 > limit) throw this.fail('truncated header', pos);
    const start = pos;
    let tag = b[pos++];
    const constructed = (tag & 0x20) !== 0;
    if ((tag & 0x1f) === 0x1f) {
      // High tag number: base-128 continuation bytes; fold into a number (never used by X.509 itself).
      let n = 0;
      for (let i = 0; ; i++) {
        if (pos >= limit || i >= 4) throw this.fail('bad high tag number', start);
        const c = b[pos++];
        n = n * 128 + (c & 0x7f);
        if ((c & 0x80) === 0) break;
      }
      tag = (tag & 0xe0) * 0x1000000 + n;
    }
    if (pos >= limit) throw this.fail('truncated length', start);
    const first = b[pos++];
    if (first === 0x80) {
      if (!constructed) throw this.fail('indefinite length on a primitive', start);
      const contentStart = pos;
      let p = pos;
      for (;;) {
        if (p + 2 > limit) throw this.fail('indefinite length without end-of-contents', start);
        if (b[p] === 0 && b[p + 1] === 0) break;
        p = this.tlv(p, limit, depth + 1).end;
      }
      return { tag, constructed, start, contentStart, contentEnd: p, end: p + 2, buf: b };
    }
    let length = first;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (n > 4) throw this.fail(`length of ${n} bytes`, start);
      length = 0;
      for (let i = 0; i < n; i++) {
        if (pos >= limit) throw this.fail('truncated length', start);
        length = length * 256 + b[pos++];
      }
    }
    if (pos + length > limit) throw this.fail(`length ${length} runs past its container`, start);
    return { tag, constructed, start, contentStart: pos, contentEnd: pos + length, end: pos + length, buf: b };
  }

  /** The children of a constructed TLV, in order. */
  children(t: Tlv, depth = 0): Tlv[] {
    if (!t.constructed) throw this.fail('expected a constructed value', t.start);
    const out: Tlv[] = [];
    for (let p = t.contentStart; p < t.contentEnd;) {
      const c = this.tlv(p, t.contentEnd, depth + 1);
      out.push(c);
      p = c.end;
    }
    return out;
  }

  expect(t: Tlv | undefined, tag: number, what: string, at: number): Tlv {
    if (!t || t.tag !== tag) throw this.fail(`expected ${what} (tag 0x${tag.toString(16)}), found ${t ? `0x${t.tag.toString(16)}` : 'nothing'}`, t?.start ?? at);
    return t;
  }
}

export const TAG_INTEGER = 0x02;
export const TAG_OCTET_STRING = 0x04;
export const TAG_OID = 0x06;
export const TAG_SEQUENCE = 0x30;
export const TAG_SET = 0x31;
export const TAG_UTC_TIME = 0x17;
export const TAG_GENERALIZED_TIME = 0x18;

export function raw(t: Tlv): Uint8Array {
  return t.buf.subarray(t.start, t.end);
}

export function content(t: Tlv): Uint8Array {
  return t.buf.subarray(t.contentStart, t.contentEnd);
}

/** Dotted OID text. */
export function oidText(t: Tlv): string {
  const b = content(t);
  if (b.length === 0) return '';
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if ((b[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** An INTEGER's magnitude as lowercase hex, without sign-padding zero bytes. */
export function integerHex(t: Tlv): string {
  let b = content(t);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return Buffer.from(b).toString('hex');
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

// A byte-preserving model of a zip file (PKWARE APPNOTE.TXT) for building and mutating test
// inputs: every byte of the original is kept somewhere (prefix before the first local header, a
// trailer after each local record — alignment padding, the APK Signing Block — the EOCD with its
// comment and trailing bytes), so `serializeZip(parseZipModel(x))` returns `x` exactly, and a
// mutation changes only what it means to. Offsets are recomputed on serialization. Test code only:
// it trusts its input more than src/formats/zip does, and throws plain Errors when it cannot model it.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface LocalRecord {
  /** Local file header: 30 fixed bytes + name + extra, as in the file. */
  header: Uint8Array;
  /** The entry's stored (maybe compressed) bytes. */
  data: Uint8Array;
  /** Bytes after the data up to the next record (data descriptor, padding, signing block). */
  trailer: Uint8Array;
}

export interface CentralRecord {
  /** The 46 fixed bytes of the central directory header. */
  fixed: Uint8Array;
  name: Uint8Array;
  extra: Uint8Array;
  comment: Uint8Array;
  /** Index of the local record it points to, or -1 to keep the original offset field as is. */
  local: number;
}

export interface ZipModel {
  prefix: Uint8Array;
  locals: LocalRecord[];
  central: CentralRecord[];
  /** Bytes between the central directory and the EOCD (libziparchive tolerates them). */
  afterCentral: Uint8Array;
  /** EOCD (22 bytes) + comment + anything after it. */
  eocd: Uint8Array;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
export const u16 = (b: Uint8Array, o: number) => dv(b).getUint16(o, true);
export const u32 = (b: Uint8Array, o: number) => dv(b).getUint32(o, true);
export const put16 = (b: Uint8Array, o: number, v: number) => dv(b).setUint16(o, v & 0xffff, true);
export const put32 = (b: Uint8Array, o: number, v: number) => dv(b).setUint32(o, v >>> 0, true);

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function findEocd(bytes: Uint8Array): number {
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 5 && bytes[i + 3] === 6) return i;
  }
  return -1;
}

export function parseZipModel(input: Uint8Array): ZipModel {
  // Every part below is a slice(); on a Buffer that would alias the input.
  const bytes = Buffer.isBuffer(input) ? new Uint8Array(input) : input;
  const e = findEocd(bytes);
  if (e < 0) throw new Error('no EOCD');
  const count = u16(bytes, e + 10);
  const cdSize = u32(bytes, e + 12);
  const cdOffset = u32(bytes, e + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdOffset + cdSize > e) throw new Error('zip64 or bad CD');
  const central: CentralRecord[] = [];
  const lhos: number[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > e || u32(bytes, p) !== SIG_CENTRAL) throw new Error('bad CD record');
    const n = u16(bytes, p + 28), x = u16(bytes, p + 30), c = u16(bytes, p + 32);
    if (p + 46 + n + x + c > e) throw new Error('CD record past EOCD');
    central.push({
      fixed: bytes.slice(p, p + 46), name: bytes.slice(p + 46, p + 46 + n), extra: bytes.slice(p + 46 + n, p + 46 + n + x),
      comment: bytes.slice(p + 46 + n + x, p + 46 + n + x + c), local: -1,
    });
    lhos.push(u32(bytes, p + 42));
    p += 46 + n + x + c;
  }
  const starts = [...new Set(lhos)].sort((a, b) => a - b);
  if (starts.length && starts[starts.length - 1] >= cdOffset) throw new Error('local header in CD');
  const locals: LocalRecord[] = [];
  const indexOf = new Map<number, number>();
  for (let k = 0; k < starts.length; k++) {
    const at = starts[k];
    const next = k + 1 < starts.length ? starts[k + 1] : cdOffset;
    if (at + 30 > next || u32(bytes, at) !== SIG_LOCAL) throw new Error('bad local header');
    const hEnd = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
    const ci = lhos.indexOf(at);
    const size = u32(central[ci].fixed, 20);
    if (hEnd + size > next) throw new Error('local data overlaps the next record');
    indexOf.set(at, locals.length);
    locals.push({ header: bytes.slice(at, hEnd), data: bytes.slice(hEnd, hEnd + size), trailer: bytes.slice(hEnd + size, next) });
  }
  central.forEach((r, i) => { r.local = indexOf.get(lhos[i])!; });
  return { prefix: bytes.slice(0, starts.length ? starts[0] : cdOffset), locals, central, afterCentral: bytes.slice(p, e), eocd: bytes.slice(e) };
}

export function serializeZip(m: ZipModel): Uint8Array {
  const parts: Uint8Array[] = [m.prefix];
  let pos = m.prefix.length;
  const at: number[] = [];
  for (const l of m.locals) {
    at.push(pos);
    parts.push(l.header, l.data, l.trailer);
    pos += l.header.length + l.data.length + l.trailer.length;
  }
  const cdOffset = pos;
  for (const r of m.central) {
    const fixed = r.fixed.slice();
    put16(fixed, 28, r.name.length);
    put16(fixed, 30, r.extra.length);
    put16(fixed, 32, r.comment.length);
    if (r.local >= 0 && r.local < at.length) put32(fixed, 42, at[r.local]);
    parts.push(fixed, r.name, r.extra, r.comment);
    pos += 46 + r.name.length + r.extra.length + r.comment.length;
  }
  const eocd = m.eocd.slice();
  put16(eocd, 8, m.central.length);
  put16(eocd, 10, m.central.length);
  put32(eocd, 12, pos - cdOffset);
  put32(eocd, 16, cdOffset);
  parts.push(m.afterCentral, eocd);
  return concat(parts);
}

/** Replaces a local record's name (and its central records' names) — lengths are recomputed. */
export function renameLocal(m: ZipModel, local: number, name: Uint8Array, centralToo = true): void {
  const l = m.locals[local];
  const nameLen = u16(l.header, 26);
  const header = concat([l.header.subarray(0, 30), name, l.header.subarray(30 + nameLen)]);
  put16(header, 26, name.length);
  l.header = header;
  if (centralToo) for (const r of m.central) if (r.local === local) r.name = name;
}

/** Replaces an entry's content (stored or deflated as `method` says), fixing sizes and CRC in both headers. */
export function setContent(m: ZipModel, local: number, content: Uint8Array, method: 0 | 8): void {
  const l = m.locals[local];
  l.data = method === 8 ? new Uint8Array(deflateRawSync(content)) : content;
  const crc = crc32(content) >>> 0;
  const patch = (b: Uint8Array, methodAt: number, crcAt: number) => {
    put16(b, methodAt, method);
    put32(b, crcAt, crc);
    put32(b, crcAt + 4, l.data.length);
    put32(b, crcAt + 8, content.length);
  };
  patch(l.header, 8, 14);
  for (const r of m.central) if (r.local === local) patch(r.fixed, 10, 16);
}

/** The entry's uncompressed content (stored or deflated), or null for other methods. */
export function contentOf(m: ZipModel, local: number): Uint8Array | null {
  const l = m.locals[local];
  const method = u16(l.header, 8);
  if (method === 0) return l.data;
  if (method === 8) {
    try {
      return new Uint8Array(inflateRawSync(l.data, { maxOutputLength: 64 << 20 }));
    } catch {
      return null;
    }
  }
  return null;
}

export interface MemberSpec {
  name: string | Uint8Array;
  data: Uint8Array;
  deflate?: boolean;
}

/** A plain, well-formed zip of `members` (DOS time fixed, so output is reproducible). */
export function buildZip(members: MemberSpec[], opts: { prefix?: Uint8Array; comment?: Uint8Array } = {}): Uint8Array {
  const enc = new TextEncoder();
  const m: ZipModel = { prefix: opts.prefix ?? new Uint8Array(0), locals: [], central: [], afterCentral: new Uint8Array(0), eocd: new Uint8Array(22 + (opts.comment?.length ?? 0)) };
  for (const spec of members) {
    const name = typeof spec.name === 'string' ? enc.encode(spec.name) : spec.name;
    const header = new Uint8Array(30 + name.length);
    put32(header, 0, SIG_LOCAL);
    put16(header, 4, 20);
    put16(header, 6, 0x0800); // UTF-8 names
    put16(header, 10, 0x6000); put16(header, 12, 0x5721); // 2023-09-01 12:00
    put16(header, 26, name.length);
    header.set(name, 30);
    const fixed = new Uint8Array(46);
    put32(fixed, 0, SIG_CENTRAL);
    put16(fixed, 4, 0x0314); put16(fixed, 6, 20); put16(fixed, 8, 0x0800);
    put16(fixed, 12, 0x6000); put16(fixed, 14, 0x5721);
    put32(fixed, 38, (0o100644 << 16) >>> 0);
    m.locals.push({ header, data: new Uint8Array(0), trailer: new Uint8Array(0) });
    m.central.push({ fixed, name, extra: new Uint8Array(0), comment: new Uint8Array(0), local: m.locals.length - 1 });
    setContent(m, m.locals.length - 1, spec.data, spec.deflate ? 8 : 0);
  }
  put32(m.eocd, 0, SIG_EOCD);
  if (opts.comment) { put16(m.eocd, 20, opts.comment.length); m.eocd.set(opts.comment, 22); }
  return serializeZip(m);
}

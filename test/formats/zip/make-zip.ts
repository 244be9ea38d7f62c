// A tiny zip writer for crafted archives (APPNOTE 4.3): every header field can be overridden,
// so tests can build what real tools refuse to write — local/central disagreements, unknown
// methods, lying sizes, duplicate names, prefixes, gaps and trailing bytes.
import { crc32, deflateRawSync } from 'node:zlib';
import yazl from 'yazl';

export interface HeaderFields {
  method: number; flags: number; crc32: number; compressedSize: number; uncompressedSize: number;
  name: string | Uint8Array; extra: Uint8Array;
}

export interface RawEntry {
  name: string | Uint8Array;
  data: Uint8Array;
  /** 0 stored (default) or 8 deflated: how `data` is encoded. */
  method?: 0 | 8;
  /** Bytes written as the entry data instead of the encoded `data`. */
  payload?: Uint8Array;
  local?: Partial<HeaderFields>;
  central?: Partial<HeaderFields> & { versionMadeBy?: number; externalAttributes?: number; localHeaderOffset?: number };
}

export interface ZipOptions {
  prefix?: Uint8Array;
  /** Bytes right before the central directory (an APK Signing Block). */
  beforeCd?: Uint8Array;
  /** Bytes between the central directory and the EOCD. */
  gap?: Uint8Array;
  comment?: Uint8Array;
  /** Bytes after the EOCD comment. */
  trailing?: Uint8Array;
  eocd?: Partial<{ entryCount: number; cdSize: number; cdOffset: number; commentLength: number; disk: number }>;
}

const enc = new TextEncoder();
const bytesOf = (n: string | Uint8Array) => (typeof n === 'string' ? enc.encode(n) : n);

export function makeZip(entries: RawEntry[], opts: ZipOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  const push = (b: Uint8Array) => { parts.push(b); pos += b.length; };
  if (opts.prefix) push(opts.prefix);
  const cdRecords: Uint8Array[] = [];
  for (const e of entries) {
    const method = e.method ?? 0;
    const payload = e.payload ?? (method === 8 ? new Uint8Array(deflateRawSync(e.data)) : e.data);
    const base: HeaderFields = {
      method, flags: 0x0800, crc32: crc32(e.data) >>> 0, compressedSize: payload.length, uncompressedSize: e.data.length,
      name: e.name, extra: new Uint8Array(0),
    };
    const l = { ...base, ...e.local };
    const c = { ...base, ...e.central };
    const lho = pos;
    const lname = bytesOf(l.name);
    const lh = new Uint8Array(30 + lname.length + l.extra.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, l.flags, true);
    lv.setUint16(8, l.method, true);
    lv.setUint32(14, l.crc32, true);
    lv.setUint32(18, l.compressedSize, true);
    lv.setUint32(22, l.uncompressedSize, true);
    lv.setUint16(26, lname.length, true);
    lv.setUint16(28, l.extra.length, true);
    lh.set(lname, 30);
    lh.set(l.extra, 30 + lname.length);
    push(lh);
    push(payload);
    const cname = bytesOf(c.name);
    const ch = new Uint8Array(46 + cname.length + c.extra.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, e.central?.versionMadeBy ?? 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, c.flags, true);
    cv.setUint16(10, c.method, true);
    cv.setUint32(16, c.crc32, true);
    cv.setUint32(20, c.compressedSize, true);
    cv.setUint32(24, c.uncompressedSize, true);
    cv.setUint16(28, cname.length, true);
    cv.setUint16(30, c.extra.length, true);
    cv.setUint32(38, e.central?.externalAttributes ?? 0, true);
    cv.setUint32(42, e.central?.localHeaderOffset ?? lho, true);
    ch.set(cname, 46);
    ch.set(c.extra, 46 + cname.length);
    cdRecords.push(ch);
  }
  if (opts.beforeCd) push(opts.beforeCd);
  const cdOffset = pos;
  for (const r of cdRecords) push(r);
  const cdSize = pos - cdOffset;
  if (opts.gap) push(opts.gap);
  const comment = opts.comment ?? new Uint8Array(0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(4, opts.eocd?.disk ?? 0, true);
  ev.setUint16(8, opts.eocd?.entryCount ?? entries.length, true);
  ev.setUint16(10, opts.eocd?.entryCount ?? entries.length, true);
  ev.setUint32(12, opts.eocd?.cdSize ?? cdSize, true);
  ev.setUint32(16, opts.eocd?.cdOffset ?? cdOffset, true);
  ev.setUint16(20, opts.eocd?.commentLength ?? comment.length, true);
  push(eocd);
  push(comment);
  if (opts.trailing) push(opts.trailing);
  const out = new Uint8Array(pos);
  let p = 0;
  for (const b of parts) { out.set(b, p); p += b.length; }
  return out;
}

/** A zip written by yazl (a real writer, for archives as tools make them). */
export function yazlZip(fill: (z: yazl.ZipFile) => void): Promise<Uint8Array> {
  const z = new yazl.ZipFile();
  fill(z);
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))).on('error', reject);
  });
}

// Test helper: writes binary XML (ResXMLTree layout, AOSP ResourceTypes.h) with knobs for the
// tricks packers use, so tests and test/fixtures/axml/build/build-crafted.ts can make evasion samples.
import { ANDROID_NS } from '../../../src/android/axml/android-attrs.js';

export const T = { REF: 0x01, ATTR: 0x02, STRING: 0x03, FLOAT: 0x04, DIM: 0x05, FRACTION: 0x06, INT: 0x10, HEX: 0x11, BOOL: 0x12, ARGB8: 0x1c } as const;

export interface WAttr {
  ns?: string | null; // default: android namespace
  name: string;
  resId?: number;
  /** Name written to the string pool instead of `name` (masking); the resource id stays. */
  poolName?: string;
  type: number;
  data?: number;
  str?: string; // for T.STRING: the typed value's string
  raw?: string | null; // default: str for strings, null otherwise
}

export type WNode =
  | { kind: 'startNs'; prefix: string; uri: string }
  | { kind: 'endNs'; prefix: string; uri: string; size?: number }
  | { kind: 'start'; name: string; ns?: string | null; attrs: WAttr[] }
  | { kind: 'end'; name: string; ns?: string | null }
  | { kind: 'cdata'; text: string }
  | { kind: 'chunk'; bytes: Uint8Array };

export interface WOptions {
  utf8?: boolean;
  /** Document header size (8 normally); extra bytes are zero padding that Android skips. */
  fileHeaderSize?: number;
  /** Extra bytes in the string pool header (Android starts the offset table at headerSize). */
  poolHeaderExtra?: number;
  /** ResXMLTree_node header size (16 normally). */
  nodeHeaderSize?: number;
  /** ResXMLTree_attrExt attributeStart (20 normally) and attributeSize (20 normally). */
  attrStart?: number;
  attrSize?: number;
  /** Chunks before the string pool, and between the pool and the resource map. */
  beforePool?: Uint8Array[];
  afterPool?: Uint8Array[];
  /** Omit the resource map, or put it after the first node (where Android ignores it). */
  resMap?: 'normal' | 'none' | 'afterFirstNode';
  /** Bytes after the document (not counted in its size). */
  trailing?: Uint8Array;
  /** Override the document size field. */
  fileSize?: number;
}

/** Little-endian byte builder shared by the AXML and ARSC writers. */
export class Buf {
  parts: number[] = [];
  u8(v: number) { this.parts.push(v & 0xff); return this; }
  u16(v: number) { this.u8(v); this.u8(v >>> 8); return this; }
  u32(v: number) { this.u16(v & 0xffff); this.u16(v >>> 16); return this; }
  bytes(b: ArrayLike<number>) { for (let i = 0; i < b.length; i++) this.parts.push(b[i]); return this; }
  zeros(n: number) { for (let i = 0; i < n; i++) this.parts.push(0); return this; }
  pad4() { while (this.parts.length % 4) this.parts.push(0); return this; }
  get length() { return this.parts.length; }
  out() { return Uint8Array.from(this.parts); }
}

/** A chunk with a ResChunk_header: `type`, `headerSize`, and the body after the 8-byte header. */
export function chunk(type: number, headerSize: number, body: ArrayLike<number>, sizeOverride?: number): Uint8Array {
  const b = new Buf().u16(type).u16(headerSize).u32(sizeOverride ?? 8 + body.length).bytes(body);
  return b.out();
}

export function stringPool(strings: string[], utf8: boolean, headerExtra = 0): Uint8Array {
  const data = new Buf();
  const offsets: number[] = [];
  for (const s of strings) {
    offsets.push(data.length);
    if (utf8) {
      const enc = new TextEncoder().encode(s);
      for (const n of [s.length, enc.length]) {
        if (n > 0x7f) data.u8(0x80 | (n >> 8)).u8(n & 0xff); else data.u8(n);
      }
      data.bytes(enc).u8(0);
    } else {
      if (s.length > 0x7fff) data.u16(0x8000 | (s.length >>> 16)).u16(s.length & 0xffff); else data.u16(s.length);
      for (let i = 0; i < s.length; i++) data.u16(s.charCodeAt(i));
      data.u16(0);
    }
  }
  data.pad4();
  const headerSize = 28 + headerExtra;
  const body = new Buf()
    .u32(strings.length).u32(0).u32(utf8 ? 0x100 : 0)
    .u32(headerSize + strings.length * 4).u32(0);
  for (let i = 0; i < headerExtra; i++) body.u8(0);
  for (const o of offsets) body.u32(o);
  body.bytes(data.out());
  return chunk(0x0001, headerSize, body.out());
}

export function writeAxml(nodes: WNode[], opt: WOptions = {}): Uint8Array {
  // Pool order: attribute names that carry a resource id first (the resource map is indexed by them).
  const withId: { key: string; name: string; resId: number }[] = [];
  const idIndex = new Map<string, number>();
  for (const n of nodes) {
    if (n.kind !== 'start') continue;
    for (const a of n.attrs) {
      if (a.resId === undefined) continue;
      const name = a.poolName ?? a.name;
      const key = `${name}\0${a.resId}`;
      if (!idIndex.has(key)) { idIndex.set(key, withId.length); withId.push({ key, name, resId: a.resId }); }
    }
  }
  const strings = withId.map((w) => w.name);
  const index = new Map<string, number>();
  const s = (v: string | null | undefined): number => {
    if (v === null || v === undefined) return 0xffffffff;
    let i = index.get(v);
    if (i === undefined) { i = strings.length; strings.push(v); index.set(v, i); }
    return i;
  };
  const nameIdx = (a: WAttr): number => {
    if (a.resId !== undefined) return idIndex.get(`${a.poolName ?? a.name}\0${a.resId}`)!;
    return s(a.poolName ?? a.name);
  };
  const nodeHs = opt.nodeHeaderSize ?? 16;
  const attrStart = opt.attrStart ?? 20, attrSize = opt.attrSize ?? 20;
  const node = (type: number, ext: Buf, sizeOverride?: number): Uint8Array => {
    const b = new Buf().u32(1).u32(0xffffffff); // lineNumber, comment
    for (let i = 16; i < nodeHs; i++) b.u8(0);
    b.bytes(ext.out());
    return chunk(type, nodeHs, b.out(), sizeOverride);
  };
  const body: Uint8Array[] = [];
  for (const n of nodes) {
    switch (n.kind) {
      case 'startNs': body.push(node(0x0100, new Buf().u32(s(n.prefix)).u32(s(n.uri)))); break;
      case 'endNs': body.push(node(0x0101, new Buf().u32(s(n.prefix)).u32(s(n.uri)), n.size)); break;
      case 'start': {
        const ext = new Buf().u32(s(n.ns ?? null)).u32(s(n.name)).u16(attrStart).u16(attrSize).u16(n.attrs.length).u16(0).u16(0).u16(0);
        for (let i = 20; i < attrStart; i++) ext.u8(0);
        for (const a of n.attrs) {
          const ns = a.ns === undefined ? ANDROID_NS : a.ns;
          const data = a.type === T.STRING ? s(a.str ?? '') : (a.data ?? 0);
          const raw = a.raw !== undefined ? a.raw : a.type === T.STRING ? (a.str ?? '') : null;
          ext.u32(s(ns)).u32(nameIdx(a)).u32(s(raw)).u16(8).u8(0).u8(a.type).u32(data);
          for (let i = 20; i < attrSize; i++) ext.u8(0);
        }
        body.push(node(0x0102, ext));
        break;
      }
      case 'end': body.push(node(0x0103, new Buf().u32(s(n.ns ?? null)).u32(s(n.name)))); break;
      case 'cdata': body.push(node(0x0104, new Buf().u32(s(n.text)).u16(8).u8(0).u8(0).u32(0))); break;
      case 'chunk': body.push(n.bytes); break;
    }
  }
  const resMapBuf = new Buf();
  for (const w of withId) resMapBuf.u32(w.resId);
  const resMap = chunk(0x0180, 8, resMapBuf.out());
  const mode = opt.resMap ?? 'normal';
  const pool = stringPool(strings, opt.utf8 ?? false, opt.poolHeaderExtra ?? 0);
  const parts: Uint8Array[] = [...(opt.beforePool ?? []), pool, ...(opt.afterPool ?? [])];
  if (mode === 'normal') parts.push(resMap);
  if (mode === 'afterFirstNode') parts.push(body[0], resMap, ...body.slice(1));
  else parts.push(...body);
  const fhs = opt.fileHeaderSize ?? 8;
  const total = fhs + parts.reduce((n, p) => n + p.length, 0);
  const doc = new Buf().u16(0x0003).u16(fhs).u32(opt.fileSize ?? total);
  for (let i = 8; i < fhs; i++) doc.u8(0);
  for (const p of parts) doc.bytes(p);
  if (opt.trailing) doc.bytes(opt.trailing);
  return doc.out();
}

/** start + children + end for one element, in the android namespace declared by `doc`. */
export function el(name: string, attrs: WAttr[], ...children: WNode[][]): WNode[] {
  return [{ kind: 'start', name, attrs }, ...children.flat(), { kind: 'end', name }];
}

/** A whole document: xmlns:android around the root element. */
export function doc(root: WNode[], endNsSize?: number): WNode[] {
  return [{ kind: 'startNs', prefix: 'android', uri: ANDROID_NS }, ...root, { kind: 'endNs', prefix: 'android', uri: ANDROID_NS, size: endNsSize }];
}

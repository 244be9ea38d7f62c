// Seeded, reproducible mutations: the same (seed bytes, case seed) always gives the same input.
// Generic mutators (bit flips, interesting values in length/offset fields, truncation, duplicated,
// deleted and swapped ranges) are aimed mostly at the "hot" part of a seed (its non-zero blocks,
// which in a small image are the metadata), and format-aware ones rewrite structure the way the
// known tricks do: zip records duplicated, reordered, renamed, methods mismatched, bytes prepended
// (Janus); Android resource chunks resized, duplicated and swapped; dex header and map fields
// overwritten; sparse chunk headers rewritten; transfer-list numbers replaced.
import type { FuzzFormat } from './seeds.js';
import { concat, contentOf, parseZipModel, put16, put32, renameLocal, serializeZip, setContent, u16, u32, type ZipModel } from './zip-model.js';

/** sfc32: small, fast, good enough, and identical on every platform. */
export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9; this.b = 0x243f6a88; this.c = 0xb7e15162; this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Integer in [0, n). */
  int(n: number): number { return n <= 0 ? 0 : Math.floor((this.next() / 4294967296) * n); }
  chance(p: number): boolean { return this.next() / 4294967296 < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
}

/** Mixes a run seed and an iteration number into a case seed (murmur3 finalizer). */
export function caseSeedOf(runSeed: number, iteration: number): number {
  let h = (runSeed ^ Math.imul(iteration + 1, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

const INTERESTING_32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const INTERESTING_16 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];

/** Per-seed facts the mutators reuse (computed once per seed in a worker). */
export interface SeedShape {
  /** Start offsets of non-zero 512-byte blocks. */
  hot: number[];
  /** Offsets of known magic numbers / structure signatures. */
  magics: number[];
}

const MAGICS: number[][] = [
  [0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x01, 0x02], [0x50, 0x4b, 0x05, 0x06], // zip local, central, EOCD
  [0x0a, 0xf3], // ext4 extent header
  [0x53, 0xef], // ext4 superblock magic (at 1024+56)
  [0xe2, 0xe1, 0xf5, 0xe0], // EROFS superblock
  [0xc1, 0xca], [0xc2, 0xca], [0xc3, 0xca], [0xc4, 0xca], // sparse chunk types
  [0x30, 0x50, 0x4c, 0x41], [0x67, 0x44, 0x6c, 0x61], // liblp header, geometry
  [0x43, 0x72, 0x41, 0x55], // payload "CrAU"
  [0x04, 0x22, 0x4d, 0x18], // lz4 frame
  [0x03, 0x00, 0x08, 0x00], [0x01, 0x00, 0x1c, 0x00], [0x02, 0x01, 0x10, 0x00], [0x80, 0x01, 0x08, 0x00], // AXML/string pool/start element/res map
  [0x64, 0x65, 0x78, 0x0a], // dex
  [0x75, 0x73, 0x74, 0x61, 0x72], // tar "ustar"
];

export function shapeOf(bytes: Uint8Array): SeedShape {
  const hot: number[] = [];
  for (let b = 0; b < bytes.length; b += 512) {
    const end = Math.min(bytes.length, b + 512);
    for (let i = b; i < end; i++) if (bytes[i] !== 0) { hot.push(b); break; }
  }
  const magics: number[] = [];
  for (let i = 0; i + 4 <= bytes.length && magics.length < 20_000; i++) {
    for (const m of MAGICS) {
      let ok = true;
      for (let k = 0; k < m.length; k++) if (bytes[i + k] !== m[k]) { ok = false; break; }
      if (ok) { magics.push(i); break; }
    }
  }
  return { hot, magics };
}

/** A position, usually inside a non-zero block. */
function pos(rng: Rng, b: Uint8Array, shape: SeedShape | null, align = 1): number {
  let p: number;
  if (shape && shape.hot.length && rng.chance(0.8)) p = rng.pick(shape.hot) + rng.int(512);
  else p = rng.int(b.length);
  p -= p % align;
  return Math.min(Math.max(0, p), Math.max(0, b.length - align));
}

function interestingFor(rng: Rng, old: number, size: number, width: 2 | 4): number {
  const r = rng.int(8);
  const mask = width === 2 ? 0xffff : 0xffffffff;
  if (r < 3) return rng.pick(width === 2 ? INTERESTING_16 : INTERESTING_32);
  if (r === 3) return (old + rng.pick([1, -1, 2, -2, 8, -8, 0x1000, -0x1000])) & mask;
  if (r === 4) return (size + rng.pick([-1, 0, 1, 4096])) & mask;
  if (r === 5) return (old * rng.pick([2, 16, 256, 65536])) & mask;
  if (r === 6) return rng.next() & mask;
  return (old ^ (1 << rng.int(width * 8))) & mask;
}

function writeField(rng: Rng, b: Uint8Array, at: number, size: number): void {
  if (at + 4 <= b.length && rng.chance(0.6)) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    v.setUint32(at, interestingFor(rng, v.getUint32(at, true), size, 4) >>> 0, true);
  } else if (at + 2 <= b.length) {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    v.setUint16(at, interestingFor(rng, v.getUint16(at, true), size, 2), true);
  }
}

type Mutator = (rng: Rng, b: Uint8Array, shape: SeedShape | null) => Uint8Array;

const MAX_GROWTH = 256 * 1024;

export const GENERIC: Record<string, Mutator> = {
  bitFlip(rng, b, s) {
    const out = b.slice();
    for (let n = 1 + rng.int(8); n > 0 && out.length; n--) out[pos(rng, out, s)] ^= 1 << rng.int(8);
    return out;
  },
  byteSet(rng, b, s) {
    const out = b.slice();
    for (let n = 1 + rng.int(4); n > 0 && out.length; n--) out[pos(rng, out, s)] = rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.int(256)]);
    return out;
  },
  field(rng, b, s) {
    const out = b.slice();
    for (let n = 1 + rng.int(3); n > 0 && out.length >= 4; n--) writeField(rng, out, pos(rng, out, s, rng.pick([2, 4, 4, 8])), out.length);
    return out;
  },
  magicField(rng, b, s) {
    if (!s || !s.magics.length) return GENERIC.field(rng, b, s);
    const out = b.slice();
    for (let n = 1 + rng.int(2); n > 0; n--) {
      const at = rng.pick(s.magics) + rng.int(48);
      writeField(rng, out, at - (at % 2), out.length);
    }
    return out;
  },
  truncate(rng, b) {
    if (b.length < 2) return b.slice(0, 0);
    const cut = rng.chance(0.5) ? b.length - 1 - rng.int(Math.min(b.length - 1, 4096)) : rng.int(b.length);
    return b.slice(0, cut);
  },
  duplicateRange(rng, b, s) {
    if (!b.length) return b;
    const len = Math.min(b.length, 4 * (1 + rng.int(rng.chance(0.5) ? 16 : 1024)));
    const from = pos(rng, b, s, 4);
    const chunk = b.slice(from, Math.min(b.length, from + len));
    const at = rng.chance(0.5) ? Math.min(b.length, from + chunk.length) : pos(rng, b, s, 4);
    return concat([b.subarray(0, at), chunk, b.subarray(at)]);
  },
  deleteRange(rng, b, s) {
    if (!b.length) return b;
    const from = pos(rng, b, s);
    const len = 1 + rng.int(rng.chance(0.5) ? 16 : 4096);
    return concat([b.subarray(0, from), b.subarray(Math.min(b.length, from + len))]);
  },
  swapRanges(rng, b, s) {
    const out = b.slice();
    const len = 4 * (1 + rng.int(64));
    if (out.length < 2 * len) return out;
    const x = Math.min(pos(rng, out, s, 4), out.length - len), y = Math.min(pos(rng, out, s, 4), out.length - len);
    if (Math.abs(x - y) < len) return out;
    const t = out.slice(x, x + len);
    out.copyWithin(x, y, y + len);
    out.set(t, y);
    return out;
  },
  insertRandom(rng, b, s) {
    const ins = new Uint8Array(1 + rng.int(64)).map(() => rng.int(256));
    const at = pos(rng, b, s);
    return concat([b.subarray(0, at), ins, b.subarray(at)]);
  },
};

// --- Android resource chunks (ResChunk_header: u16 type, u16 headerSize, u32 size) ---------------

interface Chunk { at: number; type: number; headerSize: number; size: number; depth: number }

/** Chunks of an AXML or ARSC file, two levels deep (document → pools/nodes; table → packages → types). */
export function listChunks(b: Uint8Array): Chunk[] {
  const out: Chunk[] = [];
  const walk = (start: number, end: number, depth: number) => {
    let p = start;
    for (let n = 0; p + 8 <= end && n < 5000; n++) {
      const type = u16(b, p), headerSize = u16(b, p + 2), size = u32(b, p + 4);
      if (size < 8 || p + size > end) break;
      out.push({ at: p, type, headerSize, size, depth });
      if (depth < 2 && (type === 0x0200 || type === 0x0002 || type === 0x0003) && headerSize >= 8 && headerSize < size) walk(p + headerSize, p + size, depth + 1);
      p += size;
    }
  };
  if (b.length >= 8) {
    const hs = u16(b, 2);
    out.push({ at: 0, type: u16(b, 0), headerSize: hs, size: u32(b, 4), depth: 0 });
    walk(hs >= 8 && hs < b.length ? hs : 8, Math.min(b.length, Math.max(8, u32(b, 4))), 1);
  }
  return out;
}

/** Adds `delta` to the size field of every chunk that encloses [at, at+1). */
function growParents(b: Uint8Array, chunks: Chunk[], at: number, delta: number): void {
  for (const c of chunks) if (c.at < at && at < c.at + c.size + (c.at === 0 ? 1 : 0)) put32(b, c.at + 4, c.size + delta);
}

export const CHUNK: Record<string, Mutator> = {
  chunkSize(rng, b) {
    const cs = listChunks(b);
    if (!cs.length) return GENERIC.field(rng, b, null);
    const out = b.slice();
    const c = rng.pick(cs);
    const field = rng.pick([2, 4, 4]);
    writeField(rng, out, c.at + field, c.size);
    return out;
  },
  chunkField(rng, b) {
    const cs = listChunks(b);
    if (!cs.length) return GENERIC.field(rng, b, null);
    const out = b.slice();
    const c = rng.pick(cs);
    // The fields right after the chunk header: counts, offsets, line numbers, attribute layout.
    writeField(rng, out, c.at + 8 + 2 * rng.int(Math.max(1, Math.min(c.size - 8, 40) >> 1)), c.size);
    return out;
  },
  chunkDuplicate(rng, b) {
    const cs = listChunks(b).filter((c) => c.depth > 0);
    if (!cs.length) return GENERIC.duplicateRange(rng, b, null);
    const c = rng.pick(cs);
    const copy = b.slice(c.at, c.at + c.size);
    const out = concat([b.subarray(0, c.at + c.size), copy, b.subarray(c.at + c.size)]);
    if (rng.chance(0.8)) growParents(out, listChunks(b), c.at, copy.length);
    return out;
  },
  chunkSwap(rng, b) {
    const cs = listChunks(b).filter((c) => c.depth > 0);
    const i = rng.int(Math.max(0, cs.length - 1));
    const x = cs[i], y = cs[i + 1];
    if (!x || !y || x.depth !== y.depth || x.at + x.size !== y.at) return GENERIC.swapRanges(rng, b, null);
    return concat([b.subarray(0, x.at), b.subarray(y.at, y.at + y.size), b.subarray(x.at, x.at + x.size), b.subarray(y.at + y.size)]);
  },
  chunkDelete(rng, b) {
    const cs = listChunks(b).filter((c) => c.depth > 0);
    if (!cs.length) return GENERIC.deleteRange(rng, b, null);
    const c = rng.pick(cs);
    const out = concat([b.subarray(0, c.at), b.subarray(c.at + c.size)]);
    if (rng.chance(0.8)) growParents(out, listChunks(b).filter((p) => p.at < c.at), c.at, -c.size);
    return out;
  },
};

// --- DEX header and map_list ------------------------------------------------------------------

/** header_item fields after the signature: file_size … data_off (Dalvik executable format). */
const DEX_FIELDS = [0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x38, 0x3c, 0x40, 0x44, 0x48, 0x4c, 0x50, 0x54, 0x58, 0x5c, 0x60, 0x64, 0x68, 0x6c];

export const DEX: Record<string, Mutator> = {
  dexHeader(rng, b) {
    if (b.length < 0x70) return GENERIC.field(rng, b, null);
    const out = b.slice();
    for (let n = 1 + rng.int(2); n > 0; n--) writeField(rng, out, rng.pick(DEX_FIELDS), out.length);
    return out;
  },
  dexMap(rng, b) {
    if (b.length < 0x70) return GENERIC.field(rng, b, null);
    const mapOff = u32(b, 0x34);
    if (mapOff + 4 > b.length) return DEX.dexHeader(rng, b, null);
    const count = Math.min(u32(b, mapOff), Math.floor((b.length - mapOff - 4) / 12));
    if (count <= 0) return DEX.dexHeader(rng, b, null);
    const out = b.slice();
    const item = mapOff + 4 + 12 * rng.int(count);
    writeField(rng, out, item + rng.pick([0, 4, 8]), out.length); // type / size / offset
    return out;
  },
  dexTables(rng, b) {
    // A string_id / type_id / method_id entry: the indices and offsets the walker trusts least.
    if (b.length < 0x70) return GENERIC.field(rng, b, null);
    const tables = [[0x38, 4], [0x40, 4], [0x48, 12], [0x50, 8], [0x58, 8], [0x60, 32]] as const;
    const [f, stride] = rng.pick(tables);
    const n = u32(b, f), off = u32(b, f + 4);
    if (!n || off + stride > b.length) return DEX.dexHeader(rng, b, null);
    const out = b.slice();
    const at = off + stride * rng.int(Math.min(n, Math.floor((b.length - off) / stride)));
    writeField(rng, out, at + 4 * rng.int(stride / 4), out.length);
    return out;
  },
};

// --- sparse chunk headers -----------------------------------------------------------------------

export const SPARSE: Record<string, Mutator> = {
  sparseChunk(rng, b) {
    if (b.length < 28 || u32(b, 0) !== 0xed26ff3a) return GENERIC.field(rng, b, null);
    const fhs = u16(b, 8), chs = u16(b, 10), bs = u32(b, 12);
    const heads: number[] = [];
    for (let p = fhs, i = 0; p + chs <= b.length && i < u32(b, 20) && heads.length < 10_000; i++) {
      heads.push(p);
      const total = u32(b, p + 8);
      if (total < chs) break;
      p += total;
    }
    const out = b.slice();
    if (!heads.length || rng.chance(0.2)) writeField(rng, out, rng.pick([8, 10, 12, 16, 20]), bs); // file header
    else writeField(rng, out, rng.pick(heads) + rng.pick([0, 4, 8]), bs);
    return out;
  },
};

// --- text (transfer lists, props) ---------------------------------------------------------------

export const TEXT: Record<string, Mutator> = {
  textNumber(rng, b) {
    const s = new TextDecoder('latin1').decode(b);
    const nums = [...s.matchAll(/\d+/g)];
    if (!nums.length) return GENERIC.byteSet(rng, b, null);
    const m = rng.pick(nums);
    const repl = rng.pick(['0', '1', '4294967295', '4294967296', '9007199254740993', '-1', '2147483647', '99999999999999999999', `${Number(m[0]) + 1}`, `${Number(m[0]) * 1000}`]);
    return new TextEncoder().encode(s.slice(0, m.index) + repl + s.slice(m.index! + m[0].length));
  },
  textLine(rng, b) {
    const lines = new TextDecoder('latin1').decode(b).split('\n');
    const i = rng.int(lines.length), j = rng.int(lines.length);
    const op = rng.int(3);
    if (op === 0) lines.splice(j, 0, lines[i]);
    else if (op === 1) lines.splice(i, 1);
    else [lines[i], lines[j]] = [lines[j], lines[i]];
    return new TextEncoder().encode(lines.join('\n'));
  },
};

// --- zip structure ----------------------------------------------------------------------------------

const enc = new TextEncoder();
const NAME_TRICKS = [
  (n: string) => `../${n}`, (n: string) => `../../../../tmp/${n.split('/').pop()}`, (n: string) => `/${n}`,
  (n: string) => `C:\\${n.replace(/\//g, '\\')}`, (n: string) => n.replace(/\//g, '\\'), (n: string) => `${n}\0.txt`,
  (n: string) => n.toUpperCase(), (n: string) => n.replace(/[a-z]/, (c) => c.toUpperCase()), (n: string) => `./${n}`,
  (n: string) => `${n}/`, (n: string) => `a//${n}`, () => '', () => 'x'.repeat(300), () => 'AndroidManifest.xml', () => 'classes.dex',
];

/** Mutates an entry's content with the mutators that fit its name. */
function memberMutator(name: string): Record<string, Mutator> {
  if (/\.(xml|arsc)$/.test(name)) return { ...CHUNK, bitFlip: GENERIC.bitFlip, field: GENERIC.field, truncate: GENERIC.truncate };
  if (/\.dex$/.test(name)) return { ...DEX, bitFlip: GENERIC.bitFlip, truncate: GENERIC.truncate };
  if (/\.(list|prop|txt)$|metadata$/.test(name)) return { ...TEXT, truncate: GENERIC.truncate };
  return GENERIC;
}

export const ZIP: Record<string, (rng: Rng, m: ZipModel, ctx: { dex: Uint8Array | null }) => void> = {
  duplicateCentral(rng, m) {
    if (!m.central.length) return;
    const r = rng.pick(m.central);
    m.central.splice(rng.int(m.central.length + 1), 0, { ...r, fixed: r.fixed.slice() });
  },
  duplicateEntry(rng, m) {
    // A second local record with the same name and different bytes: the "Master Key" shape.
    if (!m.central.length) return;
    const r = rng.pick(m.central);
    if (r.local < 0) return;
    const l = m.locals[r.local];
    const content = contentOf(m, r.local);
    m.locals.push({ header: l.header.slice(), data: l.data.slice(), trailer: new Uint8Array(0) });
    const copy = { ...r, fixed: r.fixed.slice(), local: m.locals.length - 1 };
    m.central.splice(rng.chance(0.5) ? 0 : m.central.length, 0, copy);
    if (content) setContent(m, copy.local, memberMutate(rng, new TextDecoder().decode(r.name), content), u16(l.header, 8) === 8 ? 8 : 0);
  },
  reorderCentral(rng, m) {
    if (m.central.length < 2) return;
    const i = rng.int(m.central.length), j = rng.int(m.central.length);
    [m.central[i], m.central[j]] = [m.central[j], m.central[i]];
  },
  reorderLocals(rng, m) {
    if (m.locals.length < 2) return;
    const i = rng.int(m.locals.length - 1);
    // Keep trailers in place (the signing block stays last); swap the records themselves.
    const a = m.locals[i], b = m.locals[i + 1];
    m.locals[i] = { ...b, trailer: a.trailer };
    m.locals[i + 1] = { ...a, trailer: b.trailer };
    for (const r of m.central) r.local = r.local === i ? i + 1 : r.local === i + 1 ? i : r.local;
  },
  rename(rng, m) {
    if (!m.central.length) return;
    const r = rng.pick(m.central);
    if (r.local < 0) return;
    const name = enc.encode(rng.pick(NAME_TRICKS)(new TextDecoder().decode(r.name)));
    const both = rng.chance(0.7);
    if (both) renameLocal(m, r.local, name, false);
    r.name = name;
  },
  methodMismatch(rng, m) {
    if (!m.locals.length) return;
    const l = rng.pick(m.locals);
    put16(l.header, 8, rng.pick([0, 8, 12, 99, 0xffff]));
  },
  flags(rng, m) {
    if (!m.central.length) return;
    const r = rng.pick(m.central);
    put16(r.fixed, 8, u16(r.fixed, 8) ^ rng.pick([0x0001, 0x0008, 0x0040, 0x0800, 0x2000]));
  },
  sizeLie(rng, m) {
    if (!m.central.length) return;
    const r = rng.pick(m.central);
    writeField(rng, r.fixed, rng.pick([16, 20, 24, 42]), u32(r.fixed, 24));
  },
  localSizeLie(rng, m) {
    if (!m.locals.length) return;
    writeField(rng, rng.pick(m.locals).header, rng.pick([14, 18, 22, 26, 28]), 0);
  },
  extraGarbage(rng, m) {
    if (!m.central.length) return;
    const r = rng.pick(m.central);
    r.extra = new Uint8Array(rng.pick([1, 3, 4, 8, 20])).map(() => rng.int(256));
    if (rng.chance(0.5)) { put16(r.extra, 0, rng.pick([0x0001, 0xd935, 0x5455, 0xcafe])); }
  },
  dropEntry(rng, m) {
    if (m.central.length) m.central.splice(rng.int(m.central.length), 1);
  },
  prefix(rng, m, ctx) {
    // Janus (CVE-2017-13156): a dex file in front of the zip. Or just junk in front.
    const junk = ctx.dex && rng.chance(0.7) ? ctx.dex : new Uint8Array(1 + rng.int(2048)).map(() => rng.int(256));
    m.prefix = concat([junk, m.prefix]);
  },
  member(rng, m) {
    if (!m.locals.length) return;
    const i = rng.int(m.locals.length);
    const content = contentOf(m, i);
    if (!content) return;
    const r = m.central.find((c) => c.local === i);
    const name = r ? new TextDecoder().decode(r.name) : '';
    const method = u16(m.locals[i].header, 8) === 8 ? 8 : 0;
    setContent(m, i, memberMutate(rng, name, content), method);
  },
  comment(rng, m) {
    const c = new Uint8Array(rng.int(600)).map(() => rng.int(256));
    // A fake EOCD inside the comment confuses readers that scan forward.
    if (c.length >= 22 && rng.chance(0.5)) put32(c, c.length - 22, 0x06054b50);
    const e = m.eocd.slice(0, 22);
    put16(e, 20, rng.chance(0.8) ? c.length : rng.int(0x10000));
    m.eocd = concat([e, c]);
  },
};

function memberMutate(rng: Rng, name: string, content: Uint8Array): Uint8Array {
  const ms = memberMutator(name);
  let out = content;
  for (let n = 1 + rng.int(2); n > 0; n--) out = ms[rng.pick(Object.keys(ms))](rng, out, null);
  return out;
}

function mutatorsFor(format: FuzzFormat): Record<string, Mutator> {
  switch (format) {
    case 'axml': case 'arsc': return { ...GENERIC, ...CHUNK, ...CHUNK }; // chunk-aware twice as likely
    case 'dex': return { ...GENERIC, ...DEX, dexHeader2: DEX.dexHeader, dexTables2: DEX.dexTables };
    case 'sparse': return { ...GENERIC, ...SPARSE, sparseChunk2: SPARSE.sparseChunk };
    default: return GENERIC;
  }
}

const ZIP_FORMATS = new Set<FuzzFormat>(['apk', 'sdat', 'ota']);

export interface MutationResult { bytes: Uint8Array; steps: string[] }

/**
 * The input for one fuzz case. `dex` is a dex file to prepend for Janus-shaped zips.
 * Deterministic in (seed, caseSeed).
 */
export function mutate(format: FuzzFormat, seed: Uint8Array, caseSeed: number, shape: SeedShape | null, dex: Uint8Array | null = null): MutationResult {
  const rng = new Rng(caseSeed);
  const steps: string[] = [];
  // Mutators copy with slice(), which on a Buffer would share memory and change the seed itself.
  if (Buffer.isBuffer(seed)) seed = new Uint8Array(seed);
  let bytes = seed;
  if (ZIP_FORMATS.has(format) && rng.chance(0.6)) {
    try {
      const m = parseZipModel(bytes);
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const k = rng.pick(Object.keys(ZIP));
        ZIP[k](rng, m, { dex });
        steps.push(`zip.${k}`);
      }
      bytes = serializeZip(m);
      if (rng.chance(0.7)) return { bytes, steps };
    } catch {
      steps.push('zip-model-unavailable');
    }
  }
  const ms = mutatorsFor(format);
  const names = Object.keys(ms);
  for (let n = 1 + (rng.chance(0.3) ? rng.int(4) : 0); n > 0; n--) {
    const k = rng.pick(names);
    bytes = ms[k](rng, bytes, bytes === seed ? shape : null);
    steps.push(k);
    if (bytes.length > seed.length + MAX_GROWTH) bytes = bytes.subarray(0, seed.length + MAX_GROWTH);
  }
  return { bytes, steps };
}

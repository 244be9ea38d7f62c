// resources.arsc, the compiled resource table.
// Spec: AOSP libandroidfw ResourceTypes.h (ResTable_header, ResTable_package, ResTable_typeSpec,
// ResTable_type incl. FLAG_SPARSE / FLAG_OFFSET16, ResTable_entry incl. FLAG_COMPACT, ResTable_map_entry)
// and the loader that defines what Android accepts: LoadedArsc.cpp (`LoadedArsc::LoadTable`,
// `LoadedPackage::Load`, `LoadedPackage::GetEntry*`) and AssetManager2::ResolveReference.
//
// Parsing is lazy: the constructor walks chunk headers only (a 20 MiB table has a few thousand
// chunks); string pools decode on demand; entries are located when `resolve` asks for them.
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError, TruncatedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { decodeResValue, type TypedValue } from '../axml/res-value.js';
import { EMPTY_STRING_POOL, RES_STRING_POOL_TYPE, parseStringPool, type StringPool } from '../axml/string-pool.js';

export const RES_TABLE_TYPE = 0x0002;
export const RES_TABLE_PACKAGE_TYPE = 0x0200;
export const RES_TABLE_TYPE_TYPE = 0x0201;
export const RES_TABLE_TYPE_SPEC_TYPE = 0x0202;
export const RES_TABLE_LIBRARY_TYPE = 0x0203;
export const RES_TABLE_OVERLAYABLE_TYPE = 0x0204;
export const RES_TABLE_OVERLAYABLE_POLICY_TYPE = 0x0205;
export const RES_TABLE_STAGED_ALIAS_TYPE = 0x0206;

/** ResTable_type.flags */
const TYPE_FLAG_SPARSE = 0x01;
const TYPE_FLAG_OFFSET16 = 0x02;
/** ResTable_entry.flags */
const ENTRY_FLAG_COMPLEX = 0x0001;
const ENTRY_FLAG_COMPACT = 0x0008;
const NO_ENTRY = 0xffffffff;
const NO_ENTRY16 = 0xffff;

const CHUNK_HEADER_SIZE = 8;
/** sizeof(ResTable_header) */
const TABLE_HEADER_SIZE = 12;
/** sizeof(ResTable_package) without typeIdOffset (older tools wrote this shorter header). */
const PACKAGE_HEADER_MIN = 284;
/** ResTable_type up to (not including) the config: header(8) id flags reserved entryCount entriesStart. */
const TYPE_HEADER_FIXED = 20;
/** AssetManager2::ResolveReference gives up after this many hops (kMaxIterations = 20). */
const MAX_REFERENCE_HOPS = 20;
const MAX_ANOMALIES = 200;

export interface ResourceTable {
  /** The value of resource `id` in the default configuration (else the first that has it), references followed. */
  resolve(id: number): TypedValue | null;
  /** Every string of every string pool (global values, type names, key names). */
  strings(): Iterable<string>;
  /**
   * The string pools `strings()` reads, in its order: the global pool, then each package's type
   * and key pools. The same objects the table resolves with, for callers that test strings' bytes
   * (StringPool.span) before decoding any.
   */
  stringPools(): StringPool[];
  /** Packages in the table: id and name. */
  readonly packages: readonly { id: number; name: string }[];
  readonly anomalies: Anomaly[];
}

interface TypeChunk {
  pos: number;
  size: number;
  headerSize: number;
  flags: number;
  entryCount: number;
  entriesStart: number;
  isDefault: boolean;
}

interface Package {
  id: number;
  name: string;
  typeStrings: StringPool;
  keyStrings: StringPool;
  /** type id → type chunks in file order */
  types: Map<number, TypeChunk[]>;
}

export function parseArsc(bytes: Uint8Array, path: string): ResourceTable {
  checkLimit('MAX_ARSC_BYTES', bytes.length, 'resources.arsc size', 0, path);
  const anomalies: Anomaly[] = [];
  const seen = new Set<string>();
  const note = (message: string, offset: number, kind = message) => {
    if (seen.has(kind) || anomalies.length >= MAX_ANOMALIES) return;
    seen.add(kind);
    anomalies.push({ stage: 'arsc', message, offset });
  };
  if (bytes.length < TABLE_HEADER_SIZE) throw new TruncatedError(`arsc: ${bytes.length} bytes is too short for a table header`, 0, path);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number) => dv.getUint16(p, true);
  const u32 = (p: number) => dv.getUint32(p, true);

  const type = u16(0);
  if (type !== RES_TABLE_TYPE) throw new FormatError(`arsc: header type 0x${type.toString(16)} is not RES_TABLE_TYPE`, 0, path);
  let headerSize = u16(2);
  let end = u32(4);
  if (end > bytes.length) {
    note(`table size ${end} is larger than the ${bytes.length} bytes present; using the data length`, 4);
    end = bytes.length;
  }
  if (headerSize < TABLE_HEADER_SIZE || headerSize > end) {
    note(`table header size ${headerSize} is invalid; using ${TABLE_HEADER_SIZE}`, 2);
    headerSize = TABLE_HEADER_SIZE;
  }

  /** ChunkIterator::VerifyNextChunk: returns the usable size, or -1 when iteration must stop. */
  const chunkSize = (p: number, limit: number, where: string): number => {
    if (limit - p < CHUNK_HEADER_SIZE) {
      note(`${where}: ${limit - p} trailing bytes are too few for a chunk header`, p, `${where} trailing`);
      return -1;
    }
    const hs = u16(p + 2), size = u32(p + 4);
    if (hs < CHUNK_HEADER_SIZE || size < hs || size > limit - p) {
      note(`${where}: chunk 0x${u16(p).toString(16)} has header size ${hs}, size ${size} with ${limit - p} bytes left; rest ignored`, p);
      return -1;
    }
    if ((hs | size) & 3) note(`${where}: chunk 0x${u16(p).toString(16)} sizes are not 4-aligned`, p, `${where} unaligned`);
    return size;
  };

  let globalStrings: StringPool | null = null;
  const packages = new Map<number, Package>();
  const packageList: Package[] = [];
  let nextDynamicId = 0x02;

  let pos = headerSize;
  while (pos < end) {
    const size = chunkSize(pos, end, 'table');
    if (size < 0) break;
    const t = u16(pos);
    if (t === RES_STRING_POOL_TYPE) {
      // LoadedArsc::LoadTable keeps the first pool and warns about more.
      if (globalStrings === null) globalStrings = parseStringPool(bytes, pos, size, 0, path, 'arsc', anomalies);
      else note('more than one global string pool; the first wins, as in Android', pos);
    } else if (t === RES_TABLE_PACKAGE_TYPE) {
      const pkg = parsePackage(pos, size);
      if (pkg !== null) {
        // A shared library's package has id 0; AssetManager2::BuildDynamicRefTable assigns such
        // packages ids from 0x02 up, and references into them are compiled against that id.
        if (pkg.id === 0) {
          if (!packages.has(0)) packages.set(0, pkg);
          pkg.id = nextDynamicId++;
        }
        if (packages.has(pkg.id)) note(`package id 0x${pkg.id.toString(16)} appears twice; the first wins`, pos);
        else packages.set(pkg.id, pkg);
        packageList.push(pkg);
      }
    } else {
      note(`unknown table chunk type 0x${t.toString(16)} skipped`, pos, `unknown 0x${t.toString(16)}`);
    }
    pos += size;
  }
  const strings = globalStrings ?? EMPTY_STRING_POOL;
  if (globalStrings === null) note('no global string pool', headerSize);

  function parsePackage(start: number, size: number): Package | null {
    const hs = u16(start + 2);
    if (hs < PACKAGE_HEADER_MIN || hs > size) {
      note(`package header size ${hs} is too small for ResTable_package; package skipped`, start + 2);
      return null;
    }
    const id = u32(start + 8);
    let name = '';
    for (let i = 0; i < 128; i++) {
      const c = u16(start + 12 + i * 2);
      if (c === 0) break;
      name += String.fromCharCode(c);
    }
    if (id > 0xff) note(`package id 0x${id.toString(16)} is larger than 0xff`, start + 8);
    const typeStringsOff = u32(start + 268), keyStringsOff = u32(start + 276);
    const pkg: Package = { id: id & 0xff, name, typeStrings: EMPTY_STRING_POOL, keyStrings: EMPTY_STRING_POOL, types: new Map() };
    const limit = start + size;
    let p = start + hs;
    while (p < limit) {
      const csize = chunkSize(p, limit, `package ${name}`);
      if (csize < 0) break;
      const t = u16(p);
      switch (t) {
        case RES_STRING_POOL_TYPE:
          // LoadedPackage::Load matches the pool by its offset from the package header.
          if (p - start === typeStringsOff) pkg.typeStrings = parseStringPool(bytes, p, csize, 0, path, 'arsc', anomalies);
          else if (p - start === keyStringsOff) pkg.keyStrings = parseStringPool(bytes, p, csize, 0, path, 'arsc', anomalies);
          else note('package string pool at an offset named by neither typeStrings nor keyStrings; ignored', p);
          break;
        case RES_TABLE_TYPE_TYPE: {
          const chs = u16(p + 2);
          if (chs < TYPE_HEADER_FIXED + 4 || csize < chs) {
            note(`type chunk header size ${chs} too small; chunk skipped`, p);
            break;
          }
          const typeId = bytes[p + 8];
          if (typeId === 0) { note('type chunk with type id 0; skipped', p); break; }
          const configSize = u32(p + TYPE_HEADER_FIXED);
          const cfgEnd = p + TYPE_HEADER_FIXED + Math.min(Math.max(configSize, 4), chs - TYPE_HEADER_FIXED);
          let isDefault = true;
          for (let i = p + TYPE_HEADER_FIXED + 4; i < cfgEnd; i++) if (bytes[i] !== 0) { isDefault = false; break; }
          const tc: TypeChunk = { pos: p, size: csize, headerSize: chs, flags: bytes[p + 9], entryCount: u32(p + 12), entriesStart: u32(p + 16), isDefault };
          let list = pkg.types.get(typeId);
          if (list === undefined) pkg.types.set(typeId, list = []);
          list.push(tc);
          break;
        }
        case RES_TABLE_TYPE_SPEC_TYPE:
        case RES_TABLE_LIBRARY_TYPE:
        case RES_TABLE_OVERLAYABLE_TYPE:
        case RES_TABLE_OVERLAYABLE_POLICY_TYPE:
        case RES_TABLE_STAGED_ALIAS_TYPE:
          break; // not needed to resolve values
        default:
          note(`unknown package chunk type 0x${t.toString(16)} skipped`, p, `unknown pkg 0x${t.toString(16)}`);
      }
      p += csize;
    }
    return pkg;
  }

  /** Window position of entry `idx` in type chunk `tc`, or -1 when the chunk has no such entry. */
  function entryPos(tc: TypeChunk, idx: number): number {
    const offsetsPos = tc.pos + tc.headerSize;
    const chunkEnd = tc.pos + tc.size;
    let off: number;
    if (tc.flags & TYPE_FLAG_SPARSE) {
      // ResTable_sparseTypeEntry {idx u16, offset u16 (in 4-byte units)}, sorted by idx.
      const n = Math.min(tc.entryCount, Math.floor((chunkEnd - offsetsPos) / 4));
      let lo = 0, hi = n - 1;
      off = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const k = u16(offsetsPos + mid * 4);
        if (k === idx) { off = u16(offsetsPos + mid * 4 + 2) * 4; break; }
        if (k < idx) lo = mid + 1; else hi = mid - 1;
      }
      if (off < 0) return -1;
    } else if (tc.flags & TYPE_FLAG_OFFSET16) {
      if (idx >= tc.entryCount || offsetsPos + idx * 2 + 2 > chunkEnd) return -1;
      const o = u16(offsetsPos + idx * 2);
      if (o === NO_ENTRY16) return -1;
      off = o * 4;
    } else {
      if (idx >= tc.entryCount || offsetsPos + idx * 4 + 4 > chunkEnd) return -1;
      const o = u32(offsetsPos + idx * 4);
      if (o === NO_ENTRY) return -1;
      off = o;
    }
    const e = tc.pos + tc.entriesStart + off;
    // LoadedPackage::GetEntryFromOffset / VerifyResTableEntry: entry must be aligned and inside the chunk.
    if (e + 8 > chunkEnd || tc.entriesStart > tc.size) {
      note(`entry at 0x${off.toString(16)} is beyond its type chunk (Android ignores it)`, tc.pos, 'entry beyond');
      return -1;
    }
    if (e & 3) {
      note(`entry at 0x${off.toString(16)} is not on an integer boundary (Android ignores it)`, e, 'entry unaligned');
      return -1;
    }
    return e;
  }

  /** The raw value of one entry, or null for complex (map) entries and unreadable ones. */
  function entryValue(e: number, chunkEnd: number): TypedValue | null {
    const flags = u16(e + 2);
    if (flags & ENTRY_FLAG_COMPACT) return decodeResValue(flags >>> 8, u32(e + 4), strings.get);
    if (flags & ENTRY_FLAG_COMPLEX) return null; // bag (style, array, plurals): no single value
    const entrySize = u16(e);
    if (entrySize < 8) {
      note(`entry size ${entrySize} is too small (Android ignores the entry)`, e, 'entry small');
      return null;
    }
    const v = e + entrySize;
    if (v + 8 > chunkEnd) {
      note('entry value runs past its type chunk', e, 'value beyond');
      return null;
    }
    return decodeResValue(bytes[v + 3], u32(v + 4), strings.get);
  }

  function lookup(id: number): TypedValue | null {
    const pkg = packages.get(id >>> 24);
    if (pkg === undefined) return null;
    const list = pkg.types.get((id >>> 16) & 0xff);
    if (list === undefined) return null;
    const idx = id & 0xffff;
    let fallback: TypeChunk | null = null;
    let fallbackPos = -1;
    for (const tc of list) {
      const e = entryPos(tc, idx);
      if (e < 0) continue;
      if (tc.isDefault) return entryValue(e, tc.pos + tc.size);
      if (fallback === null) { fallback = tc; fallbackPos = e; }
    }
    return fallback === null ? null : entryValue(fallbackPos, fallback.pos + fallback.size);
  }

  function resolve(id: number): TypedValue | null {
    let cur = id >>> 0;
    const visited = new Set<number>();
    for (let hop = 0; hop < MAX_REFERENCE_HOPS; hop++) {
      if (visited.has(cur)) {
        note(`reference cycle through 0x${cur.toString(16)}`, 0, `cycle ${cur}`);
        return null;
      }
      visited.add(cur);
      const v = lookup(cur);
      if (v === null || v.type !== 'reference') return v;
      if (v.id === 0) return null; // @null
      cur = v.id;
    }
    note(`reference chain from 0x${id.toString(16)} is longer than ${MAX_REFERENCE_HOPS}`, 0, `chain ${id}`);
    return null;
  }

  const stringPools = (): StringPool[] => {
    const pools = [strings];
    for (const p of packageList) pools.push(p.typeStrings, p.keyStrings);
    return pools;
  };

  return {
    resolve,
    packages: packageList.map((p) => ({ id: p.id, name: p.name })),
    anomalies,
    *strings() {
      for (const pool of stringPools()) yield* pool.all();
    },
    stringPools,
  };
}

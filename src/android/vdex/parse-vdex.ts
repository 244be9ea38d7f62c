// VDEX reader. No public spec: layouts from AOSP art/runtime/vdex_file.h of each release
// (vdex 006 = Android 8.0, 010 = 8.1, 019 = 9, 021 = 10–11, 027 = 12+), cross-checked with
// anestisb/vdexExtractor and real files from ROM dumps.
//
//   006/010  magic "vdex", version, number_of_dex_files, dex_size, verifier_deps_size,
//            quickening_info_size (24 bytes); dex checksums[D]; DEX[D] (each 4-byte aligned);
//            verifier deps; quickening info.
//   019      magic, verifier_deps_version "019", dex_section_version ("002", or "000" = no dex),
//            number_of_dex_files, verifier_deps_size (20 bytes); checksums[D]; DexSectionHeader
//            {dex_size, dex_shared_data_size, quickening_info_size}; per dex a u32 quickening
//            table offset then the dex (standard or CompactDex); the CompactDex shared data
//            section; verifier deps; quickening info.
//   021      as 019 with two more header fields (bootclasspath_checksums_size,
//            class_loader_context_size: 28 bytes).
//   027      magic, version, number_of_sections (12 bytes), then {kind, offset, size} per section:
//            0 checksums, 1 dex files, 2 verifier deps, 3 type lookup tables. No quickening any more.
//            On Android 12+ the dex usually stays in the APK (or a .dm dex-metadata zip holds a
//            primary.vdex), so the dex section is often empty.
//
// The dex files are copied out of the vdex and unquickened in the copy (unquicken.ts), so they
// read exactly as the APK's dex did: the same const-string, invoke and field references.
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { DexFile, readStandardCodeItem } from '../dex/dex-file.js';
import { adler32 } from '../dex/adler32.js';
import { parseDexHeader, detectDex } from '../dex/header.js';
import { parseClassData } from '../dex/class-data.js';
import { detectCompactDex, openCompactDex, compactDexChecksum, CompactDexFile } from '../cdex/compact-dex.js';
import { readCompactOffset } from '../cdex/compact-offset-table.js';
import { unquickenCode, IndexList, PcIndexPairs, type QuickenIndices } from './unquicken.js';

export interface VdexResult {
  /** Vdex (verifier deps) version: "006", "010", "019", "021", "027". */
  version: string;
  /** Extension: dex section version of 019/021 ("002"; "000" = no dex section). */
  dexSectionVersion?: string;
  /** The dex files, named "classes.dex", "classes2.dex", … in order. */
  dexes: DexFile[];
  anomalies: Anomaly[];
  /**
   * Extension: per dex, ART's "location checksum" of the dex it was made from: the CRC-32 of the
   * APK's (or jar's) classesN.dex zip entry. It pairs a vdex with its APK without reading the dex.
   */
  locationChecksums: number[];
}

const SUPPORTED = new Set(['006', '010', '019', '021', '027']);
/** Versions whose dex files may be quickened, and how the quickening info is laid out. */
type QuickenKind = 'pairs006' | 'table010' | 'offsets019' | 'none';

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}
/** Rounds up to a multiple of 4 without 32-bit bit operations (offsets may exceed 2^31 in hostile input). */
const align4 = (n: number) => Math.ceil(n / 4) * 4;

/** True when `head` starts with "vdex", three digits and NUL. */
export function detectVdex(head: Uint8Array): boolean {
  return head.length >= 8 && head[0] === 0x76 && head[1] === 0x64 && head[2] === 0x65 && head[3] === 0x78
    && isDigit(head[4]) && isDigit(head[5]) && isDigit(head[6]) && head[7] === 0;
}

/** Where the parts of a vdex are, as absolute positions in its bytes. */
interface VdexLayout {
  version: string;
  dexSectionVersion?: string;
  dexCount: number;
  checksumsPos: number;
  /** The dex files: [dexBegin, dexEnd). 0/0 when there is no dex section. */
  dexBegin: number;
  dexEnd: number;
  /** End of the CompactDex shared data section (= dexEnd when there is none). */
  dataEnd: number;
  /** Bytes before each dex: 4 (its quickening table offset) in 019/021, else 0. */
  preDex: number;
  quicken: QuickenKind;
  quickenPos: number;
  quickenSize: number;
}

function need(bytes: Uint8Array, end: number, what: string, path: string, at: number): void {
  if (end > bytes.length) throw new TruncatedError(`vdex: ${what} needs 0x${end.toString(16)} bytes, file has 0x${bytes.length.toString(16)}`, at, path);
}

function readLayout(bytes: Uint8Array, path: string, anomalies: Anomaly[]): VdexLayout {
  need(bytes, 12, 'header', path, 0);
  if (!detectVdex(bytes)) throw new FormatError('vdex: bad magic', 0, path);
  const version = String.fromCharCode(bytes[4], bytes[5], bytes[6]);
  if (!SUPPORTED.has(version)) throw new UnsupportedError(`vdex: version ${version}`, 4, path);

  if (version === '006' || version === '010') {
    need(bytes, 24, 'header', path, 0);
    const dexCount = u32(bytes, 8), dexSize = u32(bytes, 12), depsSize = u32(bytes, 16), quickenSize = u32(bytes, 20);
    const checksumsPos = 24;
    // Each dex takes at least a header, so a count the file cannot hold is corrupt, not large.
    if (dexCount > (bytes.length - checksumsPos) / 4) throw new FormatError(`vdex: number_of_dex_files ${dexCount} does not fit the file`, 8, path);
    const dexBegin = checksumsPos + 4 * dexCount;
    const dexEnd = dexBegin + dexSize;
    sectionFits(bytes, dexBegin, dexSize, 'dex section', 12, path);
    const quickenPos = dexEnd + depsSize;
    return {
      version, dexCount, checksumsPos, dexBegin, dexEnd, dataEnd: dexEnd, preDex: 0,
      quicken: version === '006' ? 'pairs006' : 'table010',
      ...clipQuicken(bytes, quickenPos, quickenSize, anomalies, 20),
    };
  }

  if (version === '019' || version === '021') {
    const headerSize = version === '019' ? 20 : 28;
    need(bytes, headerSize, 'header', path, 0);
    const dexSectionVersion = String.fromCharCode(bytes[8], bytes[9], bytes[10]);
    if (bytes[11] !== 0) throw new FormatError('vdex: dex section version is not NUL-terminated', 11, path);
    const dexCount = u32(bytes, 12), depsSize = u32(bytes, 16);
    const checksumsPos = headerSize;
    if (dexCount > (bytes.length - checksumsPos) / 4) throw new FormatError(`vdex: number_of_dex_files ${dexCount} does not fit the file`, 12, path);
    const sectionPos = checksumsPos + 4 * dexCount;
    const none = { version, dexSectionVersion, dexCount, checksumsPos, dexBegin: 0, dexEnd: 0, dataEnd: 0, preDex: 4, quicken: 'none' as const, quickenPos: 0, quickenSize: 0 };
    if (dexSectionVersion === '000') return none; // no dex section: the dex stays in the APK
    if (dexSectionVersion !== '002') {
      // "001" was a pre-release of Android 9 (before the CompactDex owned-data fields); same layout otherwise.
      anomalies.push({ stage: 'vdex', message: `unknown dex section version ${JSON.stringify(dexSectionVersion)}, read as 002`, offset: 8 });
    }
    need(bytes, sectionPos + 12, 'dex section header', path, sectionPos);
    const dexSize = u32(bytes, sectionPos), sharedSize = u32(bytes, sectionPos + 4), quickenSize = u32(bytes, sectionPos + 8);
    const dexBegin = sectionPos + 12;
    sectionFits(bytes, dexBegin, dexSize, 'dex section', sectionPos, path);
    const dexEnd = dexBegin + dexSize;
    const dataEnd = dexEnd + sharedSize;
    if (dataEnd > bytes.length) {
      anomalies.push({ stage: 'vdex', message: `shared data section (0x${sharedSize.toString(16)} bytes) runs past the end of the file (truncated)`, offset: sectionPos + 4 });
    }
    return {
      version, dexSectionVersion, dexCount, checksumsPos, dexBegin, dexEnd, dataEnd: Math.min(dataEnd, bytes.length), preDex: 4,
      quicken: 'offsets019',
      ...clipQuicken(bytes, dataEnd + depsSize, quickenSize, anomalies, sectionPos + 8),
    };
  }

  // 027: a section table.
  const sectionCount = u32(bytes, 8);
  if (sectionCount < 2 || sectionCount > 64) throw new FormatError(`vdex: number_of_sections ${sectionCount}`, 8, path);
  need(bytes, 12 + 12 * sectionCount, 'section headers', path, 12);
  const section = (i: number) => ({ kind: u32(bytes, 12 + 12 * i), offset: u32(bytes, 16 + 12 * i), size: u32(bytes, 20 + 12 * i) });
  const checksums = section(0), dex = section(1);
  if (checksums.kind !== 0 || dex.kind !== 1) {
    anomalies.push({ stage: 'vdex', message: `section kinds ${checksums.kind}/${dex.kind} at the checksum/dex slots`, offset: 12 });
  }
  sectionFits(bytes, checksums.offset, checksums.size, 'checksum section', 16, path);
  const dexCount = Math.floor(checksums.size / 4);
  if (dex.size === 0) {
    return { version, dexCount, checksumsPos: checksums.offset, dexBegin: 0, dexEnd: 0, dataEnd: 0, preDex: 0, quicken: 'none', quickenPos: 0, quickenSize: 0 };
  }
  sectionFits(bytes, dex.offset, dex.size, 'dex section', 28, path);
  return {
    version, dexCount, checksumsPos: checksums.offset, dexBegin: dex.offset, dexEnd: dex.offset + dex.size,
    dataEnd: dex.offset + dex.size, preDex: 0, quicken: 'none', quickenPos: 0, quickenSize: 0,
  };
}

/** The dex section must lie inside the file: without it nothing can be read. */
function sectionFits(bytes: Uint8Array, pos: number, size: number, what: string, field: number, path: string): void {
  if (pos + size > bytes.length) {
    throw new TruncatedError(`vdex: ${what} (0x${size.toString(16)} bytes at 0x${pos.toString(16)}) runs past the end of the 0x${bytes.length.toString(16)}-byte file`, field, path);
  }
}

/** Quickening info that runs past the end is dropped with an anomaly: the dex still reads, quickened. */
function clipQuicken(bytes: Uint8Array, pos: number, size: number, anomalies: Anomaly[], field: number): { quickenPos: number; quickenSize: number } {
  if (size === 0) return { quickenPos: pos, quickenSize: 0 };
  if (pos + size > bytes.length) {
    anomalies.push({ stage: 'vdex', message: `quickening info (0x${size.toString(16)} bytes at 0x${pos.toString(16)}) runs past the end of the file; quickened instructions stay unresolved`, offset: field });
    return { quickenPos: pos, quickenSize: 0 };
  }
  return { quickenPos: pos, quickenSize: size };
}

export interface VdexOptions {
  /**
   * Put before each dex name, so that code locations name the container, e.g.
   * "oat/arm64/Foo.vdex!/" gives "oat/arm64/Foo.vdex!/classes.dex". Default "".
   */
  dexNamePrefix?: string;
}

/**
 * Parses a vdex file: its dex files (standard or CompactDex), unquickened. `path` is the vdex's
 * virtual path (errors and anomalies name it; offsets are absolute in the vdex).
 */
export function parseVdex(bytes: Uint8Array, path: string, options: VdexOptions = {}): VdexResult {
  const anomalies: Anomaly[] = [];
  const L = readLayout(bytes, path, anomalies);
  const locationChecksums: number[] = [];
  for (let i = 0; i < L.dexCount && L.checksumsPos + 4 * i + 4 <= bytes.length; i++) locationChecksums.push(u32(bytes, L.checksumsPos + 4 * i));
  const result: VdexResult = { version: L.version, ...(L.dexSectionVersion ? { dexSectionVersion: L.dexSectionVersion } : {}), dexes: [], anomalies, locationChecksums };
  if (L.dexEnd === 0) return result;
  checkLimit('MAX_DEX_BYTES', L.dataEnd - L.dexBegin, 'vdex dex section size', L.dexBegin, path);

  // Unquickening writes, so the dex section (and the shared data it points into) is copied.
  // A plain Uint8Array (not a Buffer view) also keeps the walker's byte access monomorphic.
  const work = new Uint8Array(bytes.subarray(L.dexBegin, L.dataEnd));
  const base = L.dexBegin;
  const dexEnd = L.dexEnd - base;
  const dataEnd = L.dataEnd - base;
  const pairs006 = L.quicken === 'pairs006' && L.quickenSize > 0 ? { pos: L.quickenPos } : null;

  let pos = L.preDex;
  for (let i = 0; i < L.dexCount; i++) {
    if (pos + 8 > dexEnd) {
      anomalies.push({ stage: 'vdex', message: `number_of_dex_files is ${L.dexCount} but the dex section holds only ${i}`, offset: base + pos });
      break;
    }
    const name = `${options.dexNamePrefix ?? ''}${i === 0 ? 'classes.dex' : `classes${i + 1}.dex`}`;
    const head = work.subarray(pos, pos + 8);
    let dex: DexFile;
    if (detectDex(head)) {
      const header = parseDexHeader(work, pos, anomalies, path, base);
      checkLimit('MAX_DEX_BYTES', header.fileSize, 'dex file_size', base + pos + 32, path);
      const end = Math.min(pos + header.fileSize, dexEnd);
      if (pos + header.fileSize > dexEnd) {
        anomalies.push({ stage: 'dex', message: `${name}: file_size 0x${header.fileSize.toString(16)} runs past the dex section (truncated)`, offset: base + pos + 32 });
      }
      dex = new DexFile(work, header, { headerPos: pos, sectionBase: pos, dataBase: pos, end }, name, path, anomalies, base);
    } else if (detectCompactDex(head)) {
      dex = openCompactDex(work, { pos, end: dataEnd, base }, name, path, anomalies);
    } else {
      throw new FormatError(`vdex: ${name} has neither a dex nor a CompactDex magic`, base + pos, path);
    }

    const indicesFor = quickenSource(bytes, L, work, pos, i, dex, anomalies, pairs006);
    unquickenDex(dex, indicesFor, anomalies);
    verifyChecksum(dex, pos, anomalies);
    result.dexes.push(dex);

    const next = align4(pos + dex.header.fileSize) + L.preDex;
    if (next <= pos) break;
    pos = next;
  }
  if (pairs006 && pairs006.pos !== L.quickenPos + L.quickenSize && result.dexes.length === L.dexCount) {
    anomalies.push({ stage: 'vdex', message: `quickening info: ${L.quickenPos + L.quickenSize - pairs006.pos} bytes not used`, offset: pairs006.pos });
  }
  return result;
}

/** Per-method quickening indices: by method index and code position. */
type IndicesFor = (methodIdx: number, codePos: number) => QuickenIndices | null;

function quickenSource(vdex: Uint8Array, L: VdexLayout, work: Uint8Array, dexPos: number, dexIndex: number, dex: DexFile,
  anomalies: Anomaly[], pairs006: { pos: number } | null): IndicesFor {
  const q = L.quickenPos, qEnd = L.quickenPos + L.quickenSize;
  if (L.quickenSize === 0) return () => null;
  const bad = (message: string, offset?: number): IndicesFor => {
    anomalies.push({ stage: 'vdex', message: `${dex.name}: quickening info: ${message}; quickened instructions stay unresolved`, ...(offset !== undefined ? { offset } : {}) });
    return () => null;
  };

  if (L.quicken === 'pairs006' && pairs006) {
    // One blob per method with code, in class_defs / class_data order over all dex files:
    // u32 size, then (dex_pc, index) uleb128 pairs.
    return () => {
      const p = pairs006.pos;
      if (p + 4 > qEnd) return null;
      const size = u32(vdex, p);
      if (size > qEnd - p - 4) { pairs006.pos = qEnd; return null; }
      pairs006.pos = p + 4 + size;
      return new PcIndexPairs(vdex, p + 4, p + 4 + size);
    };
  }

  if (L.quicken === 'table010') {
    // Table of (code_item offset, data offset) u32 pairs per dex; after them one u32 per dex
    // giving where its pairs start. Data: u32 size, then u16 indices.
    const indexPos = qEnd - 4 * L.dexCount;
    if (indexPos < q) return bad(`too short for ${L.dexCount} dex files`, q);
    const from = u32(vdex, indexPos + 4 * dexIndex);
    const to = dexIndex + 1 < L.dexCount ? u32(vdex, indexPos + 4 * (dexIndex + 1)) : indexPos - q;
    if (from > to || q + to > indexPos || (to - from) % 8 !== 0) return bad(`offset table 0x${from.toString(16)}..0x${to.toString(16)} is damaged`, indexPos);
    const byCode = new Map<number, number>();
    for (let p = q + from; p < q + to; p += 8) byCode.set(u32(vdex, p), u32(vdex, p + 4));
    return (_m, codePos) => {
      const dataOff = byCode.get(codePos - dexPos);
      if (dataOff === undefined) return null;
      const p = q + dataOff;
      if (p + 4 > qEnd) return null;
      const size = u32(vdex, p);
      if (size > qEnd - p - 4) return null;
      return new IndexList(vdex, p + 4, size >>> 1);
    };
  }

  if (L.quicken === 'offsets019') {
    // The u32 before the dex: where its CompactOffsetTable (method_idx → 1-based offset of a
    // QuickenInfoTable: uleb128 count, then u16 indices) starts in the quickening info.
    const tableOff = u32(work, dexPos - 4);
    const t = q + tableOff;
    if (tableOff >= L.quickenSize || t + 8 > qEnd) return bad(`table offset 0x${tableOff.toString(16)} outside the section`, L.dexBegin + dexPos - 4);
    const minimumOffset = u32(vdex, t), tableOffset = u32(vdex, t + 4);
    let reported = false;
    return (methodIdx) => {
      const off = readCompactOffset(vdex, t + 8, qEnd, minimumOffset, tableOffset, methodIdx);
      if (typeof off === 'string') {
        if (!reported) { reported = true; bad(off, t); }
        return null;
      }
      if (off === 0) return null;
      let p = q + off - 1;
      if (p < q || p >= qEnd) return null;
      let count = 0;
      for (let k = 0, b = 0x80; k < 5 && (b & 0x80); k++) {
        if (p >= qEnd) return null;
        b = vdex[p++];
        count |= (b & 0x7f) << (7 * k);
      }
      count >>>= 0;
      if (count > (qEnd - p) / 2) return null;
      return new IndexList(vdex, p, count);
    };
  }
  return () => null;
}

/** Unquickens every code item of `dex` in place (once each: CompactDex shares code items). */
function unquickenDex(dex: DexFile, indicesFor: IndicesFor, anomalies: Anomaly[]): void {
  const { bytes } = dex;
  const { dataBase, end } = dex.layout;
  const readCodeItem = dex.layout.readCodeItem ?? readStandardCodeItem;
  const done = new Set<number>();
  let unresolved = 0, problems = 0;
  for (const cd of dex.classes) {
    if (cd.classDataOff === 0) continue;
    const pos = dataBase + cd.classDataOff;
    if (pos >= end) continue; // walkCode reports it
    const data = parseClassData(bytes, pos, end, dex.methods);
    for (const m of data.methods) {
      if (m.codeOff === 0) continue;
      const codePos = dataBase + m.codeOff;
      // 006 numbers its blobs per method with code, so every method takes one, shared code or not.
      const indices = indicesFor(m.methodIdx, codePos);
      if (codePos >= end || done.has(codePos)) continue;
      done.add(codePos);
      const code = readCodeItem(bytes, codePos, end);
      if (typeof code === 'string') continue; // walkCode reports it
      const r = unquickenCode(bytes, code.insnsPos, code.insnsUnits, indices);
      unresolved += r.unresolved;
      if (r.problem) problems++;
      if (indices && indices.left() > 0 && !r.problem) problems++;
    }
  }
  if (problems > 0) anomalies.push({ stage: 'vdex', message: `${dex.name}: quickening info did not match the code of ${problems} methods` });
  if (unresolved > 0) anomalies.push({ stage: 'vdex', message: `${dex.name}: ${unresolved} quickened instructions without quickening info` });
}

/** After unquickening, the dex is the APK's again: its checksum holds unless something else changed it. */
function verifyChecksum(dex: DexFile, pos: number, anomalies: Anomaly[]): void {
  const b = dex.bytes;
  const h = dex.header;
  let sum: number;
  if (dex instanceof CompactDexFile) {
    const { dataBase, end } = dex.layout;
    if (pos + h.fileSize > b.length || dataBase + h.dataSize > end) return; // truncated: already noted
    sum = compactDexChecksum(b, pos, h.fileSize, dataBase, h.dataSize);
  } else {
    if (pos + h.fileSize > dex.layout.end) return;
    sum = adler32(b, pos + 12, pos + h.fileSize);
  }
  if (sum !== h.checksum) {
    dex.anomalies.push({ stage: 'dex', message: `${dex.name}: checksum mismatch after unquickening (changed after its checksum was computed: profile-guided dexlayout, or tampering)`, offset: dex.base + pos + 8 });
  }
}

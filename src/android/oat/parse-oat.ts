// OAT reader (the .odex / .oat files of ART). No public spec: layouts from AOSP art/runtime/oat.h
// and oat_file.cc (OatFileBase::Setup) of each release, checked against real files of Android 5.1
// (OAT 045), 7.1 (088) and 8.1 (131) ROM dumps.
//
// An OAT file is an ELF shared object; the dynamic symbol `oatdata` marks the OAT data:
//   OatHeader   "oat\n", version "NNN\0", checksum, instruction set, features, dex_file_count,
//               [oat_dex_files_offset (127+)], trampoline offsets …, key_value_store_size,
//               key/value store (NUL-separated pairs: dex2oat-cmdline, compiler-filter, classpath …)
//   OatDexFile  per dex: u32 location size, location ("/system/app/Foo/Foo.apk", then
//               "…Foo.apk:classes2.dex"), u32 location checksum (the zip entry's CRC-32),
//               u32 dex_file_offset, then per-version fields (the class offsets inline before 075).
//   DEX files   Android 5–7 (OAT 039–088): inside the OAT data, at dex_file_offset from oatdata.
//               Android 8+ (124+): in the companion .vdex; dex_file_offset counts from the vdex.
//
// Embedded dex files were rewritten in place by dex2oat (quickened opcodes, for the
// interpret-only / verify-none filters) after their checksum was computed. We accept the stale
// checksum with an anomaly; the dex walker keeps instruction widths right for quickened opcodes,
// whose operands (vtable slots, field offsets) cannot be resolved without the OAT's compiled-method
// tables, so their targets are not attributed (DexFile notes how many there were).
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { DexFile } from '../dex/dex-file.js';
import { adler32 } from '../dex/adler32.js';
import { parseDexHeader, detectDex, type DexHeader } from '../dex/header.js';
import { ElfFile, detectElf } from './elf.js';
import { unquickenOatDex } from './oat-quickening.js';

export interface OatDexEntry {
  /** dex location as dex2oat recorded it, e.g. "/system/app/Foo/Foo.apk:classes2.dex". */
  location: string;
  /** CRC-32 of the dex's zip entry in the APK/jar. */
  locationChecksum: number;
  /** dex_file_offset: from oatdata (OAT < 124) or from the start of the .vdex (124+). */
  dexFileOffset: number;
}

export interface OatResult {
  /** OAT version, e.g. "045", "088", "131". */
  version: string;
  /** The embedded dex files (none for OAT 124+, whose dex is in the .vdex). */
  dexes: DexFile[];
  anomalies: Anomaly[];
  /** Extensions. */
  instructionSet: string;
  /** Every OatDexFile entry, embedded or not. */
  entries: OatDexEntry[];
  /**
   * The dex location of each of `dexes` (same order). A boot image of Android 5–6 holds every
   * boot jar ("/system/framework/framework.jar", "…framework.jar:classes2.dex"): pick by location.
   */
  dexLocations: string[];
  keyValues: Record<string, string>;
}

export interface OatOptions {
  /** Put before each dex name ("oat/arm/Foo.odex!/" gives "oat/arm/Foo.odex!/classes.dex"). */
  dexNamePrefix?: string;
}

const INSTRUCTION_SETS = ['none', 'arm', 'arm64', 'thumb2', 'x86', 'x86_64', 'mips', 'mips64', 'riscv64'];
/** The first OAT version (Android 7.0) that records quickening info (see oat-quickening.ts). */
export const OAT_QUICKENING_INFO_VERSION = 79;
/** The first OAT version whose dex files live in the .vdex (Android 8.0). */
export const OAT_VDEX_VERSION = 124;
/** dex location length cap: ART paths are < PATH_MAX (4096). */
const MAX_LOCATION = 4096;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

function isOatMagic(b: Uint8Array, p: number): boolean {
  return p >= 0 && p + 8 <= b.length && b[p] === 0x6f && b[p + 1] === 0x61 && b[p + 2] === 0x74 && b[p + 3] === 0x0a
    && isDigit(b[p + 4]) && isDigit(b[p + 5]) && isDigit(b[p + 6]) && b[p + 7] === 0;
}

/**
 * True for a raw OAT header ("oat\n" + version), or an ELF file with an OAT header on a page
 * boundary within `head` (dex2oat puts oatdata at the start of .rodata, page-aligned: 0x1000 in
 * every real file seen) or whose dynamic string table (when it comes first, as on Android 5)
 * names `oatdata`. Plain shared libraries have neither.
 */
export function detectOat(head: Uint8Array): boolean {
  if (isOatMagic(head, 0)) return true;
  if (!detectElf(head)) return false;
  for (let p = 0x1000; p + 8 <= head.length; p += 0x1000) if (isOatMagic(head, p)) return true;
  const needle = [0x6f, 0x61, 0x74, 0x64, 0x61, 0x74, 0x61, 0]; // "oatdata\0"
  outer: for (let i = 0; i + needle.length <= head.length; i++) {
    for (let k = 0; k < needle.length; k++) if (head[i + k] !== needle[k]) continue outer;
    if (i === 0 || head[i - 1] === 0) return true;
  }
  return false;
}

/** OatHeader size up to and including key_value_store_size, by version (fields added and removed over time). */
function headerSize(v: number): number {
  if (v <= 45) return 84;   // Android 5.x: with the portable-compiler trampolines
  if (v < 127) return 72;   // Android 6–8.0
  if (v < 170) return 76;   // + oat_dex_files_offset (8.1, 9)
  if (v < 183) return 56;   // Android 10: interpreter bridges, image patch delta and image location fields gone
  if (v < 195) return 60;   // + jni_dlsym_lookup_critical_trampoline_offset
  if (v < 225) return 64;   // + nterp_trampoline_offset
  return 68;                // + bcp_bss_info_offset (Android 13)
}

/** u32 fields after dex_file_offset in an OatDexFile, or -1 when not known (before 075 they depend on the dex). */
function entryTail(v: number): number {
  if (v < 75) return -1;    // class offsets inline: class_defs_size u32s
  if (v < 127) return 2;    // class_offsets_offset, lookup_table_offset
  if (v <= 131) return 3;   // + method_bss_mapping_offset
  if (v < 138) return 0;    // unreleased layouts: read the first entry only
  if (v < 186) return 6;    // + dex_layout_sections_offset, type / string bss mappings
  return 8;                 // + public / package type bss mappings
}

/** Parses an OAT file (ELF with `oatdata`, or raw OAT data) and the dex files it embeds. */
export function parseOat(input: Uint8Array, path: string, options: OatOptions = {}): OatResult {
  const bytes = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const anomalies: Anomaly[] = [];
  const begin = findOatData(bytes, path, anomalies);
  if (begin + 32 > bytes.length) throw new TruncatedError('oat: header runs past the end of the file', begin, path);
  const version = String.fromCharCode(bytes[begin + 4], bytes[begin + 5], bytes[begin + 6]);
  const v = Number(version);
  if (v < 39) throw new UnsupportedError(`oat: version ${version} (pre-release ART)`, begin + 4, path);
  const isa = u32(bytes, begin + 12);
  const dexFileCount = u32(bytes, begin + 20);
  const hsize = headerSize(v);
  if (begin + hsize > bytes.length) throw new TruncatedError(`oat: version ${version} header needs ${hsize} bytes`, begin, path);
  if (v > 230) anomalies.push({ stage: 'oat', message: `OAT version ${version} is newer than the layouts known here; read as the latest`, offset: begin + 4 });
  const kvSize = u32(bytes, begin + hsize - 4);
  const kvPos = begin + hsize;
  if (kvPos + kvSize > bytes.length) throw new TruncatedError(`oat: key/value store (0x${kvSize.toString(16)} bytes) runs past the end`, begin + hsize - 4, path);
  const keyValues = readKeyValues(bytes, kvPos, kvPos + kvSize);

  const result: OatResult = {
    version, dexes: [], anomalies, instructionSet: INSTRUCTION_SETS[isa] ?? `isa-${isa}`, entries: [], dexLocations: [], keyValues,
  };
  let pos = v >= 127 ? begin + u32(bytes, begin + 24) : kvPos + kvSize;
  // Each OatDexFile takes at least 12 bytes plus a location: a count the file cannot hold is corrupt.
  if (dexFileCount > (bytes.length - Math.min(pos, bytes.length)) / 13) {
    throw new FormatError(`oat: dex_file_count ${dexFileCount} does not fit the file`, begin + 20, path);
  }
  const tail = entryTail(v);
  const embedded: EmbeddedDex[] = [];
  for (let i = 0; i < dexFileCount; i++) {
    if (pos + 4 > bytes.length) throw new TruncatedError(`oat: OatDexFile #${i} runs past the end`, pos, path);
    const locSize = u32(bytes, pos);
    if (locSize === 0 || locSize > MAX_LOCATION || pos + 4 + locSize + 8 > bytes.length) {
      throw new FormatError(`oat: OatDexFile #${i} location size ${locSize}`, pos, path);
    }
    const location = Buffer.from(bytes.buffer, bytes.byteOffset + pos + 4, locSize).toString('utf8');
    let p = pos + 4 + locSize;
    const entry: OatDexEntry = { location, locationChecksum: u32(bytes, p), dexFileOffset: u32(bytes, p + 4) };
    p += 8;
    result.entries.push(entry);
    if (v < OAT_VDEX_VERSION) {
      const d = checkEmbeddedDex(bytes, begin, entry, i, path, anomalies);
      if (tail >= 2 && p + 4 <= bytes.length) d.classOffsetsOffset = u32(bytes, p);
      embedded.push(d);
    }
    if (tail < 0) {
      // Before 075 the class offsets follow inline, one u32 per class_def of the dex.
      const dexPos = begin + entry.dexFileOffset;
      const classDefs = dexPos + 100 <= bytes.length ? u32(bytes, dexPos + 96) : 0;
      p += 4 * classDefs;
    } else if (tail === 0) {
      if (i + 1 < dexFileCount) anomalies.push({ stage: 'oat', message: `OAT ${version}: OatDexFile layout unknown; only the first of ${dexFileCount} entries read`, offset: pos });
      break;
    } else {
      p += 4 * tail;
    }
    if (p > bytes.length) throw new TruncatedError(`oat: OatDexFile #${i} (${location}) runs past the end`, pos, path);
    pos = p;
  }
  if (v >= OAT_VDEX_VERSION && dexFileCount > 0) {
    anomalies.push({ stage: 'oat', message: `OAT ${version} keeps its dex code in the companion .vdex`, offset: begin + 4 });
  }
  const names = dexNames(embedded.map((d) => d.entry.location));
  result.dexLocations = embedded.map((d) => d.entry.location);
  result.dexes = embedded.map((d, i) => {
    const name = `${options.dexNamePrefix ?? ''}${names[i]}`;
    if (v >= OAT_QUICKENING_INFO_VERSION && d.classOffsetsOffset !== undefined) {
      // Android 7 kept the quickening info: unquicken a private copy, then check the checksum.
      const copy = new Uint8Array(bytes.subarray(d.pos, d.end));
      const dex = new DexFile(copy, d.header, { headerPos: 0, sectionBase: 0, dataBase: 0, end: copy.length }, name, path, anomalies, d.pos);
      unquickenOatDex(bytes, begin, d.classOffsetsOffset, dex, anomalies);
      verifyChecksum(copy, 0, copy.length, d, anomalies);
      return dex;
    }
    verifyChecksum(bytes, d.pos, d.end, d, anomalies);
    return new DexFile(bytes, d.header, { headerPos: d.pos, sectionBase: d.pos, dataBase: d.pos, end: d.end }, name, path, anomalies);
  });
  return result;
}

/** Absolute position of the OAT header: the `oatdata` symbol of an ELF file, else a raw header at 0. */
function findOatData(bytes: Uint8Array, path: string, anomalies: Anomaly[]): number {
  if (isOatMagic(bytes, 0)) return 0;
  const elf = new ElfFile(bytes, path);
  for (const p of elf.problems) anomalies.push({ stage: 'oat', message: `elf: ${p}` });
  const range = elf.symbolRange('oatdata');
  if (range && isOatMagic(bytes, range.offset)) return range.offset;
  // No usable symbol: dex2oat page-aligns oatdata, so look for the header on 4 KiB boundaries.
  for (let p = 0x1000; p + 8 <= bytes.length; p += 0x1000) {
    if (isOatMagic(bytes, p)) {
      anomalies.push({ stage: 'oat', message: range ? `oatdata symbol points to 0x${range.offset.toString(16)}, which holds no OAT header; found one at 0x${p.toString(16)}` : `no oatdata symbol; OAT header found at 0x${p.toString(16)}`, offset: p });
      return p;
    }
  }
  throw new FormatError('oat: no oatdata symbol and no OAT header', 0, path);
}

function readKeyValues(b: Uint8Array, from: number, to: number): Record<string, string> {
  const out: Record<string, string> = {};
  const str = (p: number): [string, number] => {
    let e = p;
    while (e < to && b[e] !== 0) e++;
    return [Buffer.from(b.buffer, b.byteOffset + p, e - p).toString('utf8'), e + 1];
  };
  for (let p = from, n = 0; p < to && n < 1024; n++) {
    const [k, p1] = str(p);
    const [val, p2] = str(p1);
    if (k) out[k] = val;
    p = p2;
  }
  return out;
}

interface EmbeddedDex { entry: OatDexEntry; pos: number; end: number; header: DexHeader; classOffsetsOffset?: number }

function verifyChecksum(b: Uint8Array, pos: number, end: number, d: EmbeddedDex, anomalies: Anomaly[]): void {
  if (pos + d.header.fileSize > end) return; // truncated: noted already
  if (adler32(b, pos + 12, end) !== d.header.checksum) {
    // Android 5–6 quickened in place and kept no record; 7.x also dropped redundant check-casts
    // without one. The header keeps the APK dex's checksum either way.
    anomalies.push({ stage: 'dex', message: `${d.entry.location}: adler32 checksum mismatch (dex rewritten in place by dex2oat)`, offset: d.pos + 8 });
  }
}

function checkEmbeddedDex(bytes: Uint8Array, begin: number, e: OatDexEntry, i: number, path: string, anomalies: Anomaly[]): EmbeddedDex {
  const pos = begin + e.dexFileOffset;
  if (e.dexFileOffset === 0 || pos + 0x70 > bytes.length) {
    throw new FormatError(`oat: OatDexFile #${i} (${e.location}) dex_file_offset 0x${e.dexFileOffset.toString(16)} outside the file`, pos, path);
  }
  if (!detectDex(bytes.subarray(pos, pos + 8))) throw new FormatError(`oat: OatDexFile #${i} (${e.location}) points to no dex`, pos, path);
  const header = parseDexHeader(bytes, pos, anomalies, path);
  checkLimit('MAX_DEX_BYTES', header.fileSize, 'dex file_size', pos + 32, path);
  let end = pos + header.fileSize;
  if (end > bytes.length) {
    anomalies.push({ stage: 'dex', message: `${e.location}: file_size 0x${header.fileSize.toString(16)} runs past the end of the file (truncated)`, offset: pos + 32 });
    end = bytes.length;
  }
  return { entry: e, pos, end, header };
}

/**
 * Dex names from their locations ("Foo.apk" → "classes.dex", "Foo.apk:classes2.dex" →
 * "classes2.dex"; "!" from Android 8). A boot image OAT holding several jars names them
 * "<jar>!/classesN.dex".
 */
export function dexNames(locations: string[]): string[] {
  const split = locations.map((loc) => {
    const m = /^(.*?)[:!](classes\d*\.dex)$/.exec(loc);
    return m ? { base: m[1], dex: m[2] } : { base: loc, dex: 'classes.dex' };
  });
  const bases = new Set(split.map((s) => s.base));
  const used = new Set<string>();
  return split.map((s, i) => {
    let name = bases.size > 1 ? `${s.base.slice(s.base.lastIndexOf('/') + 1)}!/${s.dex}` : s.dex;
    if (used.has(name)) name = `${name}#${i}`;
    used.add(name);
    return name;
  });
}

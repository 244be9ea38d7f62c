// CompactDex ("cdex001"), the dex variant dex2oat writes into vdex 019/021 (Android 9–11). It has
// no public spec; the layout is AOSP art/libdexfile/dex/compact_dex_file.h and
// compact_offset_table.h (android-9.0.0_r1 … android-11), as vdexExtractor and dexdump read it.
//
// What differs from standard DEX:
// - The header is the DEX header_item plus six u32 fields (0x88 bytes): feature_flags,
//   debug_info_offsets_pos, debug_info_offsets_table_offset, debug_info_base, owned_data_begin/end.
// - Id tables and class_defs sit in the file's own ("main") section, but every *data* offset
//   (string_data_off, class_data_off, code_off, type lists, map_off, debug info) counts from
//   data_off, which in a vdex points past all dex files into a shared data section that
//   deduplicates data across the vdex's dex files.
// - The code_item is 4 bytes: `fields` (registers, ins, outs, tries as four 4-bit values) and
//   `insns_count_and_flags` (11-bit insns count, 5 flags). A flagged field does not fit and is
//   completed from a "preheader" of u16s stored *before* the code_item. Identical code items
//   are shared between methods, so debug_info_off moved out into a per-method_idx offset table.
//
// Everything else (class_data, instructions, string data) is standard DEX, so a CompactDexFile is
// a DexFile with its own DexLayout and code_item reader.
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { readHeaderFields, ENDIAN_CONSTANT, REVERSE_ENDIAN_CONSTANT, type DexHeader } from '../dex/header.js';
import { DexFile, type CodeItemInsns } from '../dex/dex-file.js';
import { adler32 } from '../dex/adler32.js';
import { readCompactOffset } from './compact-offset-table.js';

export const CDEX_HEADER_SIZE = 0x88;
/** feature_flags bit: the dex uses default (interface) methods. */
export const CDEX_FEATURE_DEFAULT_METHODS = 0x1;

// code_item bit layout (compact_dex_file.h CodeItem).
const REGISTERS_SIZE_SHIFT = 12;
const INS_SIZE_SHIFT = 8;
const OUTS_SIZE_SHIFT = 4;
const FLAG_PREHEADER_REGISTERS = 0x1;
const FLAG_PREHEADER_INS = 0x2;
const FLAG_PREHEADER_OUTS = 0x4;
const FLAG_PREHEADER_TRIES = 0x8;
const FLAG_PREHEADER_INSNS = 0x10;
const INSNS_SIZE_SHIFT = 5;

export interface CompactDexHeader extends DexHeader {
  featureFlags: number;
  /** Position of the debug info offset table, counted from the data section. */
  debugInfoOffsetsPos: number;
  /** Offset of the table's block index inside that table data. */
  debugInfoOffsetsTableOffset: number;
  /** Smallest debug info offset: the table stores deltas from it. */
  debugInfoBase: number;
  /** The part of the shared data section this dex owns (not deduplicated into another dex). */
  ownedDataBegin: number;
  ownedDataEnd: number;
}

/** The decoded compact code_item (registers_size includes ins_size, as ART reports it). */
export interface CompactCodeItem extends CodeItemInsns {
  registersSize: number;
  insSize: number;
  outsSize: number;
  triesSize: number;
}

function u16(b: Uint8Array, p: number): number { return b[p] | (b[p + 1] << 8); }
function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** True when `head` starts with "cdex", three digits and NUL. */
export function detectCompactDex(head: Uint8Array): boolean {
  return head.length >= 8 && head[0] === 0x63 && head[1] === 0x64 && head[2] === 0x65 && head[3] === 0x78
    && isDigit(head[4]) && isDigit(head[5]) && isDigit(head[6]) && head[7] === 0;
}

/**
 * Parses the CompactDex header at `pos`. `base` is the absolute offset of bytes[0] in `path`.
 * Only version 001 exists (ART never bumped it); another number is parsed the same way with an anomaly.
 */
export function parseCompactDexHeader(bytes: Uint8Array, pos: number, anomalies: Anomaly[], path = '', base = 0): CompactDexHeader {
  if (bytes.length - pos < CDEX_HEADER_SIZE) {
    throw new TruncatedError(`cdex: header needs ${CDEX_HEADER_SIZE} bytes, ${Math.max(0, bytes.length - pos)} left`, base + pos, path);
  }
  if (!detectCompactDex(bytes.subarray(pos, pos + 8))) throw new FormatError('cdex: bad magic', base + pos, path);
  const version = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6]);
  if (version !== '001') anomalies.push({ stage: 'dex', message: `unknown CompactDex version ${version}, parsed as 001`, offset: base + pos + 4 });
  const endian = u32(bytes, pos + 40);
  if (endian === REVERSE_ENDIAN_CONSTANT) throw new UnsupportedError('cdex: byte-swapped (big-endian) dex', base + pos + 40, path);
  if (endian !== ENDIAN_CONSTANT) throw new FormatError(`cdex: endian_tag 0x${endian.toString(16)}`, base + pos + 40, path);
  const h = readHeaderFields(bytes, pos);
  if (h.headerSize < CDEX_HEADER_SIZE) throw new FormatError(`cdex: header_size 0x${h.headerSize.toString(16)}`, base + pos + 36, path);
  if (h.headerSize !== CDEX_HEADER_SIZE) {
    anomalies.push({ stage: 'dex', message: `cdex header_size 0x${h.headerSize.toString(16)}, expected 0x${CDEX_HEADER_SIZE.toString(16)}`, offset: base + pos + 36 });
  }
  if (h.fileSize < h.headerSize) throw new FormatError(`cdex: file_size 0x${h.fileSize.toString(16)} smaller than the header`, base + pos + 32, path);
  return {
    ...h, version, versionNumber: Number(version),
    featureFlags: u32(bytes, pos + 0x70),
    debugInfoOffsetsPos: u32(bytes, pos + 0x74),
    debugInfoOffsetsTableOffset: u32(bytes, pos + 0x78),
    debugInfoBase: u32(bytes, pos + 0x7c),
    ownedDataBegin: u32(bytes, pos + 0x80),
    ownedDataEnd: u32(bytes, pos + 0x84),
  };
}

/**
 * Reads the compact code_item at `pos` (its `fields` u16), taking flagged fields from the
 * preheader u16s before it, which may not reach below `low` (the data section start).
 * A string is a problem (the caller records it).
 */
export function readCompactCodeItem(bytes: Uint8Array, pos: number, end: number, low: number): CompactCodeItem | string {
  if (pos + 4 > end) return `compact code_item at 0x${pos.toString(16)} runs past the end`;
  if (pos & 1) return `compact code_item at 0x${pos.toString(16)} is not 2-byte aligned`;
  const fields = u16(bytes, pos);
  const countAndFlags = u16(bytes, pos + 2);
  let insnsUnits = countAndFlags >>> INSNS_SIZE_SHIFT;
  let registersSize = (fields >>> REGISTERS_SIZE_SHIFT) & 0xf;
  let insSize = (fields >>> INS_SIZE_SHIFT) & 0xf;
  let outsSize = (fields >>> OUTS_SIZE_SHIFT) & 0xf;
  let triesSize = fields & 0xf;
  if (countAndFlags & 0x1f) {
    // The preheader grows downwards: insns size (low half, then high half), registers, ins, outs, tries.
    let p = pos;
    const take = (): number => { p -= 2; return p >= low ? u16(bytes, p) : -1; };
    if (countAndFlags & FLAG_PREHEADER_INSNS) {
      const lo = take(), hi = take();
      if (lo < 0 || hi < 0) return `compact code_item preheader at 0x${pos.toString(16)} runs below the data section`;
      insnsUnits += lo + hi * 0x10000;
    }
    for (const [flag, what] of [[FLAG_PREHEADER_REGISTERS, 0], [FLAG_PREHEADER_INS, 1], [FLAG_PREHEADER_OUTS, 2], [FLAG_PREHEADER_TRIES, 3]] as const) {
      if (!(countAndFlags & flag)) continue;
      const v = take();
      if (v < 0) return `compact code_item preheader at 0x${pos.toString(16)} runs below the data section`;
      if (what === 0) registersSize += v; else if (what === 1) insSize += v; else if (what === 2) outsSize += v; else triesSize += v;
    }
  }
  const insnsPos = pos + 4;
  if (insnsUnits > (end - insnsPos) / 2) return `compact code_item insns count ${insnsUnits} at 0x${pos.toString(16)} runs past the end`;
  return { insnsPos, insnsUnits, registersSize: registersSize + insSize, insSize, outsSize, triesSize };
}

/** A CompactDex file: a DexFile whose data offsets count from the (shared) data section. */
export class CompactDexFile extends DexFile {
  declare readonly header: CompactDexHeader;

  /**
   * debug_info_off of method_ids index `methodIdx` (0 = none), from the debug info offset table,
   * counted from the data section like every data offset. Bad table data gives 0 and an anomaly.
   */
  debugInfoOffset(methodIdx: number): number {
    const h = this.header;
    const { dataBase, end } = this.layout;
    const r = readCompactOffset(this.bytes, dataBase + h.debugInfoOffsetsPos, end, h.debugInfoBase, h.debugInfoOffsetsTableOffset, methodIdx);
    if (typeof r === 'string') { this.note(`debug info offset table: ${r}`, dataBase + h.debugInfoOffsetsPos); return 0; }
    return r;
  }

  /** The decoded code_item at data offset `codeOff` (registers, ins, outs, tries, insns). */
  codeItem(codeOff: number): CompactCodeItem | string {
    const { dataBase, end } = this.layout;
    return readCompactCodeItem(this.bytes, dataBase + codeOff, end, dataBase);
  }
}

export interface CompactDexPlacement {
  /** Position of the cdex header in `bytes`. */
  pos: number;
  /**
   * Exclusive end of what this dex may refer to: the end of the shared data section in a vdex
   * (data_off points past every dex file), or of the file for a standalone cdex.
   */
  end: number;
  /** Absolute offset of bytes[0] in the Source `path`, for anomaly and error offsets. */
  base?: number;
}

/**
 * Opens the CompactDex whose header is at `at.pos`. Throws FormatError / TruncatedError when the
 * header or an id table contradicts the bytes; smaller damage becomes anomalies, as for DexFile.
 */
export function openCompactDex(bytes: Uint8Array, at: CompactDexPlacement, name: string, path: string, anomalies: Anomaly[] = []): CompactDexFile {
  const base = at.base ?? 0;
  const header = parseCompactDexHeader(bytes, at.pos, anomalies, path, base);
  const end = Math.min(at.end, bytes.length);
  const mainEnd = at.pos + header.fileSize;
  if (mainEnd > end) {
    anomalies.push({ stage: 'dex', message: `${name}: file_size 0x${header.fileSize.toString(16)} runs past the available 0x${(end - at.pos).toString(16)} bytes (truncated)`, offset: base + at.pos + 32 });
  }
  const dataBase = at.pos + header.dataOff;
  if (header.dataOff === 0 || dataBase > end) {
    throw new FormatError(`cdex: data_off 0x${header.dataOff.toString(16)} outside the 0x${(end - at.pos).toString(16)} bytes available`, base + at.pos + 108, path);
  }
  if (dataBase + header.dataSize > end) {
    anomalies.push({ stage: 'dex', message: `${name}: data section (0x${header.dataSize.toString(16)} bytes at 0x${header.dataOff.toString(16)}) runs past the end (truncated)`, offset: base + at.pos + 104 });
  }
  const dataEnd = Math.min(end, dataBase + header.dataSize);
  // Id tables live in the main section, data in the shared section: one `end` must cover both.
  const layoutEnd = Math.max(Math.min(mainEnd, end), dataEnd);
  return new CompactDexFile(bytes, header, {
    headerPos: at.pos, sectionBase: at.pos, dataBase, end: layoutEnd,
    readCodeItem: (b, p, e) => readCompactCodeItem(b, p, e, dataBase),
  }, name, path, anomalies, base);
}

/**
 * ART's CompactDex checksum (CompactDexFile::CalculateChecksum): adler32 of the header with
 * checksum, data_off and data_size zeroed, then `sum*31 ^ adler32(rest of main section)`, then
 * `sum*31 ^ adler32(data section)`. The vdex writer computes it before quickening, so it verifies
 * an unquickened cdex.
 */
export function compactDexChecksum(bytes: Uint8Array, pos: number, fileSize: number, dataPos: number, dataSize: number): number {
  const head = bytes.slice(pos, pos + CDEX_HEADER_SIZE);
  head.fill(0, 8, 12);
  head.fill(0, 104, 112);
  let sum = adler32(head, 0, head.length);
  sum = (Math.imul(sum, 31) ^ adler32(bytes, pos + CDEX_HEADER_SIZE, pos + fileSize)) >>> 0;
  sum = (Math.imul(sum, 31) ^ adler32(bytes, dataPos, dataPos + dataSize)) >>> 0;
  return sum;
}

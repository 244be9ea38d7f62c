// DEX header_item (spec: "Dalvik executable format", section "header_item"), versions 035..041.
// Version 041 (Android 15) adds container_size and header_offset: several dex files share one
// physical file, each with its own header, and every offset of a v41 dex is relative to the
// start of the container, not to its own header (ART libdexfile dex_file.cc GetDataRange).
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';

export const DEX_MAGIC = [0x64, 0x65, 0x78, 0x0a]; // "dex\n"
export const ENDIAN_CONSTANT = 0x12345678;
export const REVERSE_ENDIAN_CONSTANT = 0x78563412;
export const HEADER_SIZE_V35 = 0x70;
export const HEADER_SIZE_V41 = 0x78;
/** The first version whose header carries container_size / header_offset. */
export const DEX_CONTAINER_VERSION = 41;

export interface DexHeader {
  /** "035", "037", "038", "039", "040", "041" (or "001" for CompactDex, set by its reader). */
  version: string;
  versionNumber: number;
  checksum: number;
  fileSize: number;
  headerSize: number;
  linkSize: number; linkOff: number;
  mapOff: number;
  stringIdsSize: number; stringIdsOff: number;
  typeIdsSize: number; typeIdsOff: number;
  protoIdsSize: number; protoIdsOff: number;
  fieldIdsSize: number; fieldIdsOff: number;
  methodIdsSize: number; methodIdsOff: number;
  classDefsSize: number; classDefsOff: number;
  dataSize: number; dataOff: number;
  /** v41+: total size of all dex files in the container; else fileSize. */
  containerSize: number;
  /** v41+: offset of this header from the container start; else 0. */
  headerOffset: number;
}

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** True when `head` starts with "dex\n" and a 3-digit version and NUL. */
export function detectDex(head: Uint8Array): boolean {
  return head.length >= 8 && head[0] === 0x64 && head[1] === 0x65 && head[2] === 0x78 && head[3] === 0x0a
    && isDigit(head[4]) && isDigit(head[5]) && isDigit(head[6]) && head[7] === 0;
}
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * The fields at 0x08..0x6f that every DEX-like header shares (CompactDex "cdex001" keeps this
 * layout and appends its own fields), read without any check; `version` is left empty.
 * Callers must have checked that 0x70 bytes are available at `pos`.
 */
export function readHeaderFields(bytes: Uint8Array, pos: number): DexHeader {
  const fileSize = u32(bytes, pos + 32);
  return {
    version: '', versionNumber: 0,
    checksum: u32(bytes, pos + 8),
    fileSize,
    headerSize: u32(bytes, pos + 36),
    linkSize: u32(bytes, pos + 44), linkOff: u32(bytes, pos + 48),
    mapOff: u32(bytes, pos + 52),
    stringIdsSize: u32(bytes, pos + 56), stringIdsOff: u32(bytes, pos + 60),
    typeIdsSize: u32(bytes, pos + 64), typeIdsOff: u32(bytes, pos + 68),
    protoIdsSize: u32(bytes, pos + 72), protoIdsOff: u32(bytes, pos + 76),
    fieldIdsSize: u32(bytes, pos + 80), fieldIdsOff: u32(bytes, pos + 84),
    methodIdsSize: u32(bytes, pos + 88), methodIdsOff: u32(bytes, pos + 92),
    classDefsSize: u32(bytes, pos + 96), classDefsOff: u32(bytes, pos + 100),
    dataSize: u32(bytes, pos + 104), dataOff: u32(bytes, pos + 108),
    containerSize: fileSize, headerOffset: 0,
  };
}

/**
 * Parses the header that starts at `pos` of `bytes` (a container may hold several).
 * `base` is the absolute offset of bytes[0] in the Source `path`, for error messages.
 */
export function parseDexHeader(bytes: Uint8Array, pos: number, anomalies: Anomaly[], path = '', base = 0): DexHeader {
  if (bytes.length - pos < HEADER_SIZE_V35) {
    throw new TruncatedError(`dex: header needs ${HEADER_SIZE_V35} bytes, ${Math.max(0, bytes.length - pos)} left`, base + pos, path);
  }
  if (!detectDex(bytes.subarray(pos, pos + 8))) throw new FormatError('dex: bad magic', base + pos, path);
  const version = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6]);
  const versionNumber = Number(version);
  // Android has shipped 035 (and the never-used 036 was skipped), 037..041. Older numbers are
  // pre-release Dalvik formats with other layouts.
  if (versionNumber < 35) throw new UnsupportedError(`dex: version ${version}`, base + pos + 4, path);
  if (versionNumber === 36 || versionNumber > DEX_CONTAINER_VERSION) {
    anomalies.push({ stage: 'dex', message: `unknown dex version ${version}, parsed as the nearest known one`, offset: base + pos + 4 });
  }
  const endian = u32(bytes, pos + 40);
  if (endian === REVERSE_ENDIAN_CONSTANT) throw new UnsupportedError('dex: byte-swapped (big-endian) dex', base + pos + 40, path);
  if (endian !== ENDIAN_CONSTANT) throw new FormatError(`dex: endian_tag 0x${endian.toString(16)}`, base + pos + 40, path);
  const headerSize = u32(bytes, pos + 36);
  const wantHeader = versionNumber >= DEX_CONTAINER_VERSION ? HEADER_SIZE_V41 : HEADER_SIZE_V35;
  if (headerSize < HEADER_SIZE_V35) throw new FormatError(`dex: header_size 0x${headerSize.toString(16)}`, base + pos + 36, path);
  if (headerSize !== wantHeader) {
    anomalies.push({ stage: 'dex', message: `header_size 0x${headerSize.toString(16)}, expected 0x${wantHeader.toString(16)} for version ${version}`, offset: base + pos + 36 });
  }
  const h = readHeaderFields(bytes, pos);
  h.version = version;
  h.versionNumber = versionNumber;
  // ART decides "has container" from header_size alone (dex_file.cc HasDexContainer).
  if (headerSize >= HEADER_SIZE_V41) {
    if (bytes.length - pos < HEADER_SIZE_V41) {
      throw new TruncatedError(`dex: v41 header needs ${HEADER_SIZE_V41} bytes`, base + pos, path);
    }
    h.containerSize = u32(bytes, pos + 112);
    h.headerOffset = u32(bytes, pos + 116);
    if (h.headerOffset !== pos) {
      anomalies.push({ stage: 'dex', message: `header_offset 0x${h.headerOffset.toString(16)} but header found at 0x${pos.toString(16)}`, offset: base + pos + 116 });
    }
  } else {
    h.containerSize = h.fileSize;
    h.headerOffset = 0;
  }
  if (h.fileSize < headerSize) throw new FormatError(`dex: file_size 0x${h.fileSize.toString(16)} smaller than the header`, base + pos + 32, path);
  return h;
}

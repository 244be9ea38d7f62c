// Zip record layouts (PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7 local file header, 4.3.12 central
// directory header, 4.3.14–4.3.16 zip64 end records) parsed synchronously from bytes already read.
// The checks follow AOSP libziparchive (`zip_archive.cc`: FindCentralDirectoryInfo,
// ParseZipArchive, FindEntry), because an APK is whatever that code accepts.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError } from '../../io/errors/index.js';
import type { Anomaly } from '../../io/anomaly.js';
import { checkLimit } from '../../io/limits.js';

export const LOCAL_FILE_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_DIRECTORY_SIGNATURE = 0x02014b50;
export const EOCD_SIGNATURE = 0x06054b50;
export const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
export const ZIP64_EOCD_SIGNATURE = 0x06064b50;
export const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;

export const LOCAL_FILE_HEADER_SIZE = 30;
export const CENTRAL_DIRECTORY_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_LOCATOR_SIZE = 20;
export const ZIP64_EOCD_SIZE = 56;
/** The EOCD comment length is a u16, so the EOCD starts at most this far before the end. */
export const MAX_EOCD_SEARCH = EOCD_SIZE + 0xffff;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
/** General purpose flag bit 3: sizes and CRC follow the data in a data descriptor. */
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_ENCRYPTED = 0x0001;
/** General purpose flag bit 6: PKWARE strong encryption (yauzl refuses such records). */
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const ZIP64_EXTRA_ID = 0x0001;

/** What the end-of-central-directory records say, after zip64 resolution. */
export interface EndOfCentralDirectory {
  /** Absolute offset of the (32-bit) EOCD record. */
  eocdOffset: number;
  entryCount: number;
  cdOffset: number;
  cdSize: number;
  commentLength: number;
  /** Bytes after EOCD + comment (Android refuses the archive when this is not 0). */
  trailingBytes: number;
  zip64: boolean;
}

/**
 * Finds the EOCD in `tail` (the last bytes of a file of `fileSize` bytes; `tail[0]` is at
 * `fileSize - tail.length`). Like libziparchive it takes the signature nearest the end; unlike it,
 * when that one's comment does not end exactly at EOF we look further back for one that does
 * (a fake EOCD in a comment, or appended bytes) and only then settle for the nearest, reporting
 * the trailing bytes as an anomaly. Returns null when there is no signature at all.
 */
export function findEocd(tail: Uint8Array, fileSize: number, path: string, anomalies: Anomaly[]): { pos: number; commentLength: number; trailingBytes: number } | null {
  const base = fileSize - tail.length;
  const r = new ByteReader(tail, base, path);
  let nearest: { pos: number; commentLength: number; trailingBytes: number } | null = null;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] !== 0x50 || r.u32At(i) !== EOCD_SIGNATURE) continue;
    const commentLength = r.u16At(i + 20);
    const trailingBytes = tail.length - (i + EOCD_SIZE + commentLength);
    if (trailingBytes === 0) {
      if (nearest) {
        anomalies.push({ stage: 'zip', message: `EOCD signature at 0x${(base + nearest.pos).toString(16)} is not followed by its comment to the end of file; using the EOCD at 0x${(base + i).toString(16)} (libziparchive takes the last signature and would refuse the archive)`, offset: base + nearest.pos });
      }
      return { pos: i, commentLength, trailingBytes };
    }
    nearest ??= { pos: i, commentLength, trailingBytes };
  }
  if (nearest) {
    const msg = nearest.trailingBytes > 0
      ? `${nearest.trailingBytes} extraneous bytes after the EOCD comment (libziparchive refuses such an archive)`
      : `EOCD comment length ${nearest.commentLength} runs ${-nearest.trailingBytes} bytes past end of file (libziparchive refuses such an archive)`;
    anomalies.push({ stage: 'zip', message: msg, offset: base + nearest.pos });
  }
  return nearest;
}

/** Parses the 22-byte EOCD record at window position `pos`. Zip64 is resolved separately. */
export function parseEocd(r: ByteReader, pos: number): { diskNumber: number; cdDisk: number; entriesOnDisk: number; entryCount: number; cdSize: number; cdOffset: number; commentLength: number } {
  r.seek(pos);
  if (r.u32le() !== EOCD_SIGNATURE) throw r.fail('zip: bad EOCD signature', pos);
  const diskNumber = r.u16le();
  const cdDisk = r.u16le();
  const entriesOnDisk = r.u16le();
  const entryCount = r.u16le();
  const cdSize = r.u32le();
  const cdOffset = r.u32le();
  const commentLength = r.u16le();
  return { diskNumber, cdDisk, entriesOnDisk, entryCount, cdSize, cdOffset, commentLength };
}

/** libziparchive looks for zip64 records when any EOCD field is saturated. */
export function eocdNeedsZip64(e: { entriesOnDisk: number; entryCount: number; cdSize: number; cdOffset: number }): boolean {
  return e.entriesOnDisk === 0xffff || e.entryCount === 0xffff || e.cdSize === 0xffffffff || e.cdOffset === 0xffffffff;
}

/** Parses the zip64 EOCD locator (20 bytes) and returns the zip64 EOCD record offset. */
export function parseZip64Locator(r: ByteReader): number {
  const start = r.pos;
  if (r.u32le() !== ZIP64_EOCD_LOCATOR_SIGNATURE) throw r.fail('zip: zip64 EOCD locator signature not found before EOCD', start);
  r.u32le(); // disk with the zip64 EOCD
  return r.u64le();
}

/** Parses the fixed part of the zip64 EOCD record (56 bytes). */
export function parseZip64Eocd(r: ByteReader): { entryCount: number; cdSize: number; cdOffset: number } {
  const start = r.pos;
  if (r.u32le() !== ZIP64_EOCD_SIGNATURE) throw r.fail('zip: bad zip64 EOCD signature', start);
  r.skip(8 + 2 + 2); // record size, version made by, version needed
  const disk = r.u32le();
  r.u32le(); // disk with CD start
  if (disk !== 0) throw r.fail(`zip: multi-disk archive (disk ${disk})`, start + 16);
  r.u64le(); // entries on this disk
  const entryCount = r.u64le();
  const cdSize = r.u64le();
  const cdOffset = r.u64le();
  return { entryCount, cdSize, cdOffset };
}

/** One central directory record, as libziparchive reads it (raw name bytes, zip64 resolved). */
export interface CentralDirectoryRecord {
  /** Absolute offset of the record. */
  offset: number;
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  externalAttributes: number;
  nameBytes: Uint8Array;
  extra: Uint8Array;
}

/**
 * Resolves zip64 sizes/offset from an extra field block, like libziparchive's
 * ParseZip64ExtendedInfoInExtraField: only the saturated 32-bit fields are present, in order.
 * Returns null when there is no (well-formed) zip64 field.
 */
export function parseZip64Extra(extra: Uint8Array, uncompressed32: number, compressed32: number, lho32: number | null): { uncompressedSize?: number; compressedSize?: number; localHeaderOffset?: number } | null {
  const r = new ByteReader(extra);
  while (r.remaining >= 4) {
    const id = r.u16le();
    const size = r.u16le();
    if (size > r.remaining) return null;
    if (id !== ZIP64_EXTRA_ID) { r.skip(size); continue; }
    const f = r.sub(r.pos, size);
    // Go's writer emits all three values even when only one is needed (libziparchive accepts that).
    const complete = size >= 24;
    const out: { uncompressedSize?: number; compressedSize?: number; localHeaderOffset?: number } = {};
    try {
      if (uncompressed32 === 0xffffffff || complete) out.uncompressedSize = f.u64le();
      if (compressed32 === 0xffffffff || complete) out.compressedSize = f.u64le();
      if (lho32 !== null && (lho32 === 0xffffffff || complete)) out.localHeaderOffset = f.u64le();
    } catch {
      return null; // short or > 2^53 values: treated as "no usable zip64 field"
    }
    return out;
  }
  return null;
}

/**
 * Walks `count` central directory records in `cd` (absolute base `cdOffset`), with
 * libziparchive's ParseZipArchive checks: every record signed, every name/extra/comment inside
 * the directory. Those are refusals in Android too, so they throw.
 */
export function parseCentralDirectory(cd: Uint8Array, cdOffset: number, count: number, path: string): CentralDirectoryRecord[] {
  checkLimit('MAX_ZIP_ENTRIES', count, 'zip entry count', cdOffset, path);
  // One bounds check per record instead of one per field: an APK directory has thousands of them.
  const view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const out: CentralDirectoryRecord[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const start = pos;
    if (cd.length - start < CENTRAL_DIRECTORY_HEADER_SIZE) {
      throw new FormatError(`zip: central directory ends after ${i} of ${count} entries`, cdOffset + start, path);
    }
    if (view.getUint32(start, true) !== CENTRAL_DIRECTORY_SIGNATURE) {
      throw new FormatError(`zip: missing central directory signature for entry ${i}`, cdOffset + start, path);
    }
    const versionMadeBy = view.getUint16(start + 4, true);
    // +6 version needed, +12 dos time + date, +34 disk number start, +36 internal attributes: unused.
    const flags = view.getUint16(start + 8, true);
    const method = view.getUint16(start + 10, true);
    const crc32 = view.getUint32(start + 16, true);
    let compressedSize = view.getUint32(start + 20, true);
    let uncompressedSize = view.getUint32(start + 24, true);
    const nameLength = view.getUint16(start + 28, true);
    const extraLength = view.getUint16(start + 30, true);
    const commentLength = view.getUint16(start + 32, true);
    const externalAttributes = view.getUint32(start + 38, true);
    let localHeaderOffset = view.getUint32(start + 42, true);
    const nameStart = start + CENTRAL_DIRECTORY_HEADER_SIZE;
    if (nameLength + extraLength + commentLength > cd.length - nameStart) {
      throw new FormatError(`zip: central directory entry ${i} name/extra/comment run past the directory`, cdOffset + start, path);
    }
    const nameBytes = cd.subarray(nameStart, nameStart + nameLength);
    const extra = cd.subarray(nameStart + nameLength, nameStart + nameLength + extraLength);
    pos = nameStart + nameLength + extraLength + commentLength;
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const z = parseZip64Extra(extra, uncompressedSize, compressedSize, localHeaderOffset);
      if (!z) throw new FormatError(`zip: entry ${i} needs a zip64 extra field but has none usable`, cdOffset + start, path);
      uncompressedSize = z.uncompressedSize ?? uncompressedSize;
      compressedSize = z.compressedSize ?? compressedSize;
      localHeaderOffset = z.localHeaderOffset ?? localHeaderOffset;
    }
    out.push({ offset: cdOffset + start, versionMadeBy, flags, method, crc32, compressedSize, uncompressedSize, localHeaderOffset, externalAttributes, nameBytes, extra });
  }
  return out;
}

/** The fixed part of a local file header. */
export interface LocalFileHeader {
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameLength: number;
  extraLength: number;
}

export function parseLocalFileHeader(r: ByteReader): LocalFileHeader {
  const start = r.pos;
  if (r.u32le() !== LOCAL_FILE_HEADER_SIGNATURE) throw r.fail('zip: bad local file header signature', start);
  r.u16le(); // version needed
  const flags = r.u16le();
  const method = r.u16le();
  r.u32le(); // dos time + date
  const crc32 = r.u32le();
  const compressedSize = r.u32le();
  const uncompressedSize = r.u32le();
  const nameLength = r.u16le();
  const extraLength = r.u16le();
  return { flags, method, crc32, compressedSize, uncompressedSize, nameLength, extraLength };
}

/**
 * libziparchive's IsValidEntryName: no NUL, and well-formed UTF-8 (it rejects the archive
 * otherwise; older releases did not check, so we only record it).
 */
export function isValidEntryName(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x80) continue;
    let n: number;
    if ((c & 0xe0) === 0xc0) n = 1;
    else if ((c & 0xf0) === 0xe0) n = 2;
    else if ((c & 0xf8) === 0xf0) n = 3;
    else return false;
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return false;
    }
    i += n;
  }
  return true;
}

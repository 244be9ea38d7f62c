// Zip archives (PKWARE APPNOTE.TXT) opened the way Android's libziparchive opens APKs
// (AOSP system/libziparchive/zip_archive.cc). The central directory is authoritative: names,
// methods and sizes come from it, and the local header is only used to find where the data
// starts (libziparchive FindEntry: `data->method = cdr->compression_method`; the LFH's method
// is never read, and its name/sizes are only compared). Where Android tolerates oddities we do
// too and record an anomaly; where Android refuses the whole archive (CD overlapping the EOCD,
// a CD record without its signature, a local header offset inside the CD) we throw.
//
// The CD walk goes through yauzl over our Source (SourceRandomAccessReader); when yauzl is
// stricter than Android (trailing bytes after the EOCD, odd disk numbers, "strong encryption"
// flags, malformed extra fields) the same records are read by `parseCentralDirectory`, which
// applies libziparchive's checks, and the difference is recorded as an anomaly.
import { crc32 } from 'node:zlib';
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, TruncatedError, UnsupportedError, isRomscanError } from '../../io/errors/index.js';
import type { Anomaly } from '../../io/anomaly.js';
import { checkLimit, LIMITS, type LimitName } from '../../io/limits.js';
import { BufferSource, DecodedSource, SliceSource, type Source } from '../../io/source.js';
import { StreamDecodedSource } from '../../io/stream-source.js';
import { INFLATE_RAW_CODEC, inflateBounded } from './inflate.js';
import {
  EOCD_SIZE, FLAG_DATA_DESCRIPTOR, FLAG_STRONG_ENCRYPTION, LOCAL_FILE_HEADER_SIGNATURE, LOCAL_FILE_HEADER_SIZE, MAX_EOCD_SEARCH,
  METHOD_DEFLATED, METHOD_STORED, ZIP64_EOCD_LOCATOR_SIGNATURE, ZIP64_EOCD_LOCATOR_SIZE, ZIP64_EOCD_SIZE, eocdNeedsZip64, findEocd,
  isValidEntryName, parseCentralDirectory, parseEocd, parseLocalFileHeader, parseZip64Eocd, parseZip64Locator,
  type CentralDirectoryRecord, type LocalFileHeader,
} from './records.js';

export interface ZipEntryInfo {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
  isDirectory: boolean;
}

export interface ZipArchive {
  readonly source: Source;
  readonly path: string;
  /** Central directory order (duplicates kept). */
  readonly entries: ZipEntryInfo[];
  /** Oddities Android tolerates (or that only some Android versions refuse). Grows as entries are read. */
  readonly anomalies: Anomaly[];
  /** Where the central directory starts; the APK Signing Block ends right before it. */
  readonly centralDirectoryOffset: number;
  readonly eocdOffset: number;
  /** The first entry of that name in the central directory (what libziparchive's lookup returns). */
  find(name: string): ZipEntryInfo | undefined;
  /** The whole entry, inflated, bounded by `limit` (default MAX_INFLATED_ENTRY_BYTES) and MAX_INFLATE_RATIO. */
  read(entry: ZipEntryInfo, limit?: LimitName): Promise<Uint8Array>;
  /**
   * Stored: a zero-copy slice of the archive. Deflated: inflated whole on first read up to
   * MAX_BUFFERED_DECODE_BYTES, past that a StreamDecodedSource (bounded memory, forward decoding).
   */
  open(entry: ZipEntryInfo): Promise<Source>;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export async function openZip(source: Source): Promise<ZipArchive> {
  const path = source.path;
  const size = source.size;
  const anomalies: Anomaly[] = [];
  if (size < EOCD_SIZE) throw new FormatError(`zip: ${size} bytes is too small for an end of central directory record`, 0, path);

  const tailLength = Math.min(size, MAX_EOCD_SEARCH);
  const tailBase = size - tailLength;
  const tail = await source.read(tailBase, tailLength);
  const found = findEocd(tail, size, path, anomalies);
  if (!found) throw new FormatError('zip: no end of central directory record (not a zip, or truncated)', tailBase, path);
  const eocdLenient = anomalies.length > 0;
  const eocdOffset = tailBase + found.pos;
  const eocd = parseEocd(new ByteReader(tail, tailBase, path), found.pos);

  let { entryCount, cdSize, cdOffset } = eocd;
  let zip64 = false;
  if (eocdNeedsZip64(eocd)) {
    // libziparchive expects the zip64 locator immediately before the EOCD.
    if (eocdOffset < ZIP64_EOCD_LOCATOR_SIZE) throw new FormatError('zip: no room for the zip64 EOCD locator', eocdOffset, path);
    const locatorOffset = eocdOffset - ZIP64_EOCD_LOCATOR_SIZE;
    const z64Offset = parseZip64Locator(new ByteReader(await source.read(locatorOffset, ZIP64_EOCD_LOCATOR_SIZE), locatorOffset, path));
    if (z64Offset > locatorOffset - ZIP64_EOCD_SIZE) throw new FormatError(`zip: zip64 EOCD offset 0x${z64Offset.toString(16)} is past its locator`, locatorOffset, path);
    const z64 = parseZip64Eocd(new ByteReader(await source.read(z64Offset, ZIP64_EOCD_SIZE), z64Offset, path));
    if (z64.cdOffset + z64.cdSize > z64Offset) throw new FormatError(`zip: zip64 central directory [0x${z64.cdOffset.toString(16)}, +${z64.cdSize}) overlaps the zip64 EOCD`, z64Offset, path);
    ({ entryCount, cdSize, cdOffset } = z64);
    zip64 = true;
  } else if (cdOffset + cdSize > eocdOffset) {
    // libziparchive: "bad offsets (dir, size, eocd)" → kInvalidOffset; apksig refuses too.
    throw new FormatError(`zip: central directory [0x${cdOffset.toString(16)}, +${cdSize}) overlaps the EOCD at 0x${eocdOffset.toString(16)}`, eocdOffset, path);
  } else if (cdOffset + cdSize < eocdOffset) {
    // Accepted by libziparchive (it only checks for overlap); strict readers (Python zipfile) fail.
    anomalies.push({ stage: 'zip', message: `${eocdOffset - cdOffset - cdSize} bytes between the central directory and the EOCD`, offset: cdOffset + cdSize });
  }
  if (!zip64 && (eocd.diskNumber !== 0 || eocd.cdDisk !== 0)) {
    // libziparchive never looks at the disk fields of a 32-bit EOCD.
    anomalies.push({ stage: 'zip', message: `EOCD disk numbers ${eocd.diskNumber}/${eocd.cdDisk} (ignored, as Android does)`, offset: eocdOffset + 4 });
  }
  if (!zip64 && eocd.entriesOnDisk !== eocd.entryCount) {
    anomalies.push({ stage: 'zip', message: `EOCD entries on this disk ${eocd.entriesOnDisk} != total ${eocd.entryCount} (Android uses the total)`, offset: eocdOffset + 8 });
  }
  checkLimit('MAX_ZIP_ENTRIES', entryCount, 'zip entry count', eocdOffset, path);
  // Bounded by the entry limit times a generous record size; real APK directories are < 1 MiB.
  checkLimit('MAX_METADATA_BYTES', cdSize, 'zip central directory size', eocdOffset, path);

  let records: CentralDirectoryRecord[] = [];
  if (entryCount > 0) {
    const cd = await source.read(cdOffset, cdSize);
    const yauzlCompatible = !eocdLenient && (zip64 || (eocd.diskNumber === 0 && eocd.cdDisk === 0));
    let yauzlError: unknown = null;
    // In-memory archives (pooled APKs) skip yauzl's callback-per-record walk when our own walk
    // proves yauzl would read exactly the same records; anything else still goes through yauzl.
    const inMemory = yauzlCompatible && !zip64 && source instanceof BufferSource ? walkInMemory(source, cd, cdOffset, eocdOffset, entryCount, path) : null;
    if (inMemory) {
      records = inMemory;
    } else if (yauzlCompatible) {
      try {
        // Loaded on first use: pooled APKs are walked in memory and never need yauzl.
        const { walkWithYauzl } = await import('./source-reader.js');
        const walked = await walkWithYauzl(source, cdOffset, cd);
        if (walked.end > cdOffset + cdSize) {
          // libziparchive maps exactly cd_size bytes: "ran off the end" → kInvalidFile.
          throw new FormatError(`zip: ${entryCount} central directory records run past the directory size ${cdSize}`, cdOffset, path);
        }
        records = walked.records;
      } catch (e) {
        if (e instanceof FormatError) throw e;
        yauzlError = e;
      }
    }
    if (!yauzlCompatible || yauzlError) {
      records = parseCentralDirectory(cd, cdOffset, entryCount, path);
      if (yauzlError) {
        anomalies.push({ stage: 'zip', message: `yauzl rejected the archive (${(yauzlError as Error).message}); read with the libziparchive-compatible walk` });
      }
    }
    // Android refuses an archive whose file does not start with a local header (since the
    // 2017 fix for bug 64211847: prepended data, e.g. Janus CVE-2017-13156 dex+apk polyglots).
    const head = await source.read(0, Math.min(4, size));
    if (head.length < 4 || new ByteReader(head).u32At(0) !== LOCAL_FILE_HEADER_SIGNATURE) {
      const firstLocal = records.reduce((m, r) => Math.min(m, r.localHeaderOffset), Number.POSITIVE_INFINITY);
      anomalies.push({ stage: 'zip', message: `file does not start with a local file header (${Number.isFinite(firstLocal) ? firstLocal : 0} bytes before the first entry, Janus-style prefix; Android with the 2017 security patches refuses it)`, offset: 0 });
    }
  }
  return new ZipArchiveImpl(source, records, anomalies, cdOffset, eocdOffset);
}

/**
 * The central directory of an in-memory archive, walked by `parseCentralDirectory`, or null when
 * yauzl 3 might see it differently (then the caller walks it with yauzl, as for any Source).
 * yauzl, given an EOCD whose comment ends at EOF and disk number 0, reads exactly `entryCount`
 * records from `cdOffset` and yields them unchanged unless: a zip64 locator precedes the EOCD
 * (it then follows the zip64 EOCD even if no field is saturated), a record is unsigned or runs
 * past the directory (our walk throws; yauzl's error or our overrun check must decide), a record
 * has the "strong encryption" flag 0x40, a 32-bit size or offset is saturated (zip64 extra
 * resolution differs), or an extra field overruns its block (yauzl parseExtraFields throws).
 */
function walkInMemory(source: BufferSource, cd: Uint8Array, cdOffset: number, eocdOffset: number, entryCount: number, path: string): CentralDirectoryRecord[] | null {
  const bytes = source.bytes;
  // yauzl searches the last 20 + 22 + 0xffff bytes and checks for the locator only inside them.
  const yauzlTailStart = bytes.length - Math.min(ZIP64_EOCD_LOCATOR_SIZE + MAX_EOCD_SEARCH, bytes.length);
  const locator = eocdOffset - ZIP64_EOCD_LOCATOR_SIZE;
  if (locator >= yauzlTailStart && (bytes[locator] | (bytes[locator + 1] << 8) | (bytes[locator + 2] << 16) | (bytes[locator + 3] << 24)) >>> 0 === ZIP64_EOCD_LOCATOR_SIGNATURE) return null;
  let records: CentralDirectoryRecord[];
  try {
    records = parseCentralDirectory(cd, cdOffset, entryCount, path);
  } catch (e) {
    if (isRomscanError(e)) return null;
    throw e;
  }
  const r = new ByteReader(cd, cdOffset, path);
  for (const rec of records) {
    const pos = rec.offset - cdOffset;
    if (r.u16At(pos + 8) & FLAG_STRONG_ENCRYPTION) return null;
    if (r.u32At(pos + 20) === 0xffffffff || r.u32At(pos + 24) === 0xffffffff || r.u32At(pos + 42) === 0xffffffff) return null;
    if (!extraFieldsFitForYauzl(rec.extra)) return null;
  }
  return records;
}

/** yauzl parseExtraFields: every (id, size) header with at least 4 bytes left must fit its data. */
function extraFieldsFitForYauzl(extra: Uint8Array): boolean {
  let i = 0;
  while (i < extra.length - 3) {
    const end = i + 4 + (extra[i + 2] | (extra[i + 3] << 8));
    if (end > extra.length) return false;
    i = end;
  }
  return true;
}

class ZipArchiveImpl implements ZipArchive {
  readonly path: string;
  readonly entries: ZipEntryInfo[] = [];
  /** Our own entry objects, index-aligned with `records` (callers may reorder `entries`). */
  private readonly own: ZipEntryInfo[] = [];
  private readonly dataOffsets: (Promise<number> | undefined)[] = [];
  /** Name → index of its first record. */
  private readonly byName = new Map<string, number>();

  constructor(readonly source: Source, private readonly records: CentralDirectoryRecord[], readonly anomalies: Anomaly[],
    readonly centralDirectoryOffset: number, readonly eocdOffset: number) {
    this.path = source.path;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.localHeaderOffset >= centralDirectoryOffset) {
        // libziparchive ParseZipArchive: "bad LFH offset" → the archive is refused.
        throw new FormatError(`zip: entry ${i} local header offset 0x${r.localHeaderOffset.toString(16)} is not before the central directory`, r.offset + 42, this.path);
      }
      const name = utf8.decode(r.nameBytes);
      if (!isValidEntryName(r.nameBytes)) {
        anomalies.push({ stage: 'zip', message: `entry name ${JSON.stringify(name)} is not valid UTF-8 or contains NUL (modern libziparchive refuses the archive)`, offset: r.offset + 46 });
      }
      if (r.method !== METHOD_STORED && r.method !== METHOD_DEFLATED) {
        anomalies.push({ stage: 'zip', message: `entry ${JSON.stringify(name)} uses compression method ${r.method} (libziparchive cannot extract it)`, offset: r.offset + 10 });
      }
      if (r.flags & 0x0001) {
        anomalies.push({ stage: 'zip', message: `entry ${JSON.stringify(name)} has the encryption flag set (Android ignores it)`, offset: r.offset + 8 });
      }
      const info: ZipEntryInfo = {
        name, method: r.method, compressedSize: r.compressedSize, uncompressedSize: r.uncompressedSize,
        crc32: r.crc32, localHeaderOffset: r.localHeaderOffset, isDirectory: name.endsWith('/'),
      };
      this.entries.push(info);
      this.own.push(info);
      if (this.byName.has(name)) {
        // libziparchive's CdEntryMap::AddToMap fails with kDuplicateEntry, so Android refuses the
        // archive; older readers (dalvik's, the "Master Key" bug 8219321 era) returned the first
        // record, which is what find() returns here.
        anomalies.push({ stage: 'zip', message: `duplicate entry name ${JSON.stringify(name)} (libziparchive refuses the archive: kDuplicateEntry; find() returns the first)`, offset: r.offset });
      } else {
        this.byName.set(name, i);
      }
    }
  }

  find(name: string): ZipEntryInfo | undefined {
    const i = this.byName.get(name);
    return i === undefined ? undefined : this.own[i];
  }

  /** Index of this very entry object, or -1. Only later duplicates of a name need the scan. */
  private indexOf(entry: ZipEntryInfo): number {
    const i = this.byName.get(entry.name);
    return i !== undefined && this.own[i] === entry ? i : this.own.indexOf(entry);
  }

  /** Unix mode bits, when the entry was made on Unix (APPNOTE 4.4.2: upper byte 3). */
  unixMode(entry: ZipEntryInfo): number | undefined {
    const i = this.indexOf(entry);
    const r = i < 0 ? undefined : this.records[i];
    return r && r.versionMadeBy >> 8 === 3 ? r.externalAttributes >>> 16 : undefined;
  }

  private recordIndex(entry: ZipEntryInfo): number {
    let i = this.indexOf(entry);
    // A copy of one of our entries (spread, structured clone) is still ours.
    if (i < 0) i = this.own.findIndex((e) => e.localHeaderOffset === entry.localHeaderOffset && e.name === entry.name);
    if (i < 0) throw new TypeError('zip: entry does not belong to this archive'); // caller bug, not input
    return i;
  }

  /** Absolute offset of the entry's data, from its local header (as libziparchive FindEntry). */
  private dataOffset(entry: ZipEntryInfo): Promise<number> {
    const i = this.recordIndex(entry);
    return (this.dataOffsets[i] ??= this.readLocalHeader(entry, this.records[i]));
  }

  private async readLocalHeader(entry: ZipEntryInfo, x: CentralDirectoryRecord): Promise<number> {
    const lho = entry.localHeaderOffset;
    const path = this.path;
    if (lho + LOCAL_FILE_HEADER_SIZE > this.source.size) throw new TruncatedError(`zip: local header of ${JSON.stringify(entry.name)} past end of file`, lho, path);
    // The header and (when it fits) a name of the central directory's length in one read: they
    // are compared whenever the local name length agrees, which is almost always.
    const nameEnd = lho + LOCAL_FILE_HEADER_SIZE + x.nameBytes.length;
    const head = await this.source.read(lho, nameEnd <= this.source.size ? nameEnd - lho : LOCAL_FILE_HEADER_SIZE);
    const lfh = parseLocalFileHeader(new ByteReader(head, lho, path));
    return this.checkLocalHeader(entry, x, lfh, head);
  }

  /**
   * The local header's disagreements with the central directory, as anomalies; returns the data
   * offset. Kept apart from the async read: a small async function compiles quickly.
   */
  private checkLocalHeader(entry: ZipEntryInfo, x: CentralDirectoryRecord, lfh: LocalFileHeader, head: Uint8Array): number {
    const lho = entry.localHeaderOffset;
    if (lfh.method !== entry.method) {
      // Android reads the method from the central directory only (FindEntry), so the CD wins;
      // tools that trust the local header (some unzip paths, older apktool) see something else.
      this.noteEntry(entry, `local header says compression method ${lfh.method}, central directory says ${entry.method} (Android uses the central directory's)`, lho + 8);
    }
    if (lfh.nameLength !== x.nameBytes.length) {
      this.noteEntry(entry, `local header name length ${lfh.nameLength} != central directory ${x.nameBytes.length} (libziparchive refuses to extract it)`, lho + 26);
    } else if (lfh.nameLength > 0 && lho + LOCAL_FILE_HEADER_SIZE + lfh.nameLength <= this.source.size) {
      const localName = head.subarray(LOCAL_FILE_HEADER_SIZE, LOCAL_FILE_HEADER_SIZE + lfh.nameLength);
      if (!bytesEqual(localName, x.nameBytes)) {
        this.noteEntry(entry, `local header name ${JSON.stringify(utf8.decode(localName))} differs from the central directory (libziparchive refuses to extract it)`, lho + LOCAL_FILE_HEADER_SIZE);
      }
    }
    if ((lfh.flags & FLAG_DATA_DESCRIPTOR) !== (x.flags & FLAG_DATA_DESCRIPTOR)) {
      this.noteEntry(entry, 'local and central headers disagree on the data-descriptor flag (Android only warns)', lho + 6);
    }
    if ((lfh.flags & FLAG_DATA_DESCRIPTOR) === 0 && lfh.compressedSize !== 0xffffffff &&
      (lfh.compressedSize !== entry.compressedSize || lfh.uncompressedSize !== entry.uncompressedSize || lfh.crc32 !== entry.crc32)) {
      this.noteEntry(entry, `local header sizes/crc ${lfh.compressedSize}/${lfh.uncompressedSize}/${hex(lfh.crc32)} differ from the central directory ${entry.compressedSize}/${entry.uncompressedSize}/${hex(entry.crc32)} (libziparchive refuses to extract it)`, lho + 14);
    }
    const dataOffset = lho + LOCAL_FILE_HEADER_SIZE + lfh.nameLength + lfh.extraLength;
    const storedLength = entry.method === METHOD_STORED ? entry.uncompressedSize : entry.compressedSize;
    if (dataOffset + storedLength > this.centralDirectoryOffset) {
      this.noteEntry(entry, `data [0x${dataOffset.toString(16)}, +${storedLength}) runs into the central directory (libziparchive refuses to extract it)`, dataOffset);
    }
    return dataOffset;
  }

  private noteEntry(entry: ZipEntryInfo, message: string, offset: number): void {
    this.anomalies.push({ stage: 'zip', message: `entry ${JSON.stringify(entry.name)}: ${message}`, offset });
  }

  async read(entry: ZipEntryInfo, limit: LimitName = 'MAX_INFLATED_ENTRY_BYTES'): Promise<Uint8Array> {
    const path = `${this.path}!/${entry.name}`;
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED) {
      throw new UnsupportedError(`zip: compression method ${entry.method} of ${JSON.stringify(entry.name)}`, entry.localHeaderOffset, this.path, { method: entry.method });
    }
    let bytes: Uint8Array;
    if (entry.method === METHOD_STORED) {
      // libziparchive CopyEntryToWriter copies uncompressed_length bytes for a stored entry.
      checkLimit(limit, entry.uncompressedSize, 'stored entry size', entry.localHeaderOffset, path);
      const dataOffset = await this.dataOffset(entry);
      if (entry.compressedSize !== entry.uncompressedSize) {
        this.noteOnce(`stored entry ${JSON.stringify(entry.name)} has compressed size ${entry.compressedSize} != uncompressed ${entry.uncompressedSize} (Android copies the uncompressed size)`, entry.localHeaderOffset);
      }
      bytes = await this.source.read(dataOffset, entry.uncompressedSize);
    } else {
      checkLimit(limit, entry.uncompressedSize, 'inflated entry size', entry.localHeaderOffset, path);
      checkLimit(limit, entry.compressedSize, 'compressed entry size', entry.localHeaderOffset, path);
      const dataOffset = await this.dataOffset(entry);
      const compressed = await this.source.read(dataOffset, entry.compressedSize);
      bytes = inflateBounded(compressed, entry.uncompressedSize, limit, dataOffset, this.path);
    }
    // Android does not check CRCs (kCrcChecksEnabled = false), so a mismatch is only an oddity.
    const crc = crc32(bytes) >>> 0;
    if (crc !== entry.crc32) {
      this.noteOnce(`entry ${JSON.stringify(entry.name)} CRC-32 is ${hex(crc)}, central directory says ${hex(entry.crc32)} (Android does not check)`, entry.localHeaderOffset);
    }
    return bytes;
  }

  private readonly noted = new Set<string>();
  /** Read-time anomalies, recorded once however often the entry is read. */
  private noteOnce(message: string, offset: number): void {
    if (this.noted.has(message)) return;
    this.noted.add(message);
    this.anomalies.push({ stage: 'zip', message, offset });
  }

  async open(entry: ZipEntryInfo): Promise<Source> {
    const path = `${this.path}!/${entry.name}`;
    if (entry.method === METHOD_STORED) {
      const dataOffset = await this.dataOffset(entry);
      return new SliceSource(this.source, dataOffset, entry.uncompressedSize, path);
    }
    if (entry.method !== METHOD_DEFLATED) {
      throw new UnsupportedError(`zip: compression method ${entry.method} of ${JSON.stringify(entry.name)}`, entry.localHeaderOffset, this.path, { method: entry.method });
    }
    if (entry.uncompressedSize <= LIMITS.MAX_BUFFERED_DECODE_BYTES) {
      return new DecodedSource(() => this.read(entry, 'MAX_BUFFERED_DECODE_BYTES'), entry.uncompressedSize, path);
    }
    // Too big to hold (a factory zip's system.img): inflate forward on demand, never past the
    // declared size. The same checks as read() come first, before any decoder starts.
    const offset = entry.localHeaderOffset;
    if (entry.compressedSize === 0) throw new FormatError(`zip: deflated entry of ${entry.uncompressedSize} bytes has no compressed data`, offset, path);
    checkLimit('MAX_INFLATE_RATIO', Math.floor(entry.uncompressedSize / entry.compressedSize), 'inflate ratio', offset, path);
    const dataOffset = await this.dataOffset(entry);
    if (dataOffset + entry.compressedSize > this.source.size) {
      throw new TruncatedError(`zip: compressed data of ${JSON.stringify(entry.name)} [0x${dataOffset.toString(16)}, +${entry.compressedSize}) runs past the end of the archive`, dataOffset, this.path);
    }
    const compressed = new SliceSource(this.source, dataOffset, entry.compressedSize, path);
    return new StreamDecodedSource(INFLATE_RAW_CODEC, compressed, entry.uncompressedSize, path, {
      onComplete: (crc) => {
        // Android does not check CRCs (kCrcChecksEnabled = false), so a mismatch is only an oddity.
        if (crc >>> 0 !== entry.crc32) {
          this.noteOnce(`entry ${JSON.stringify(entry.name)} CRC-32 is ${hex(crc >>> 0)}, central directory says ${hex(entry.crc32)} (Android does not check)`, entry.localHeaderOffset);
        }
      },
    });
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** For zip-container.ts: Unix mode of an entry when recorded. */
export function zipEntryUnixMode(zip: ZipArchive, entry: ZipEntryInfo): number | undefined {
  return zip instanceof ZipArchiveImpl ? zip.unixMode(entry) : undefined;
}


// liblp metadata structures (AOSP system/core/fs_mgr/liblp/include/liblp/metadata_format.h),
// validated as liblp's reader.cpp does (ParseGeometry, ValidateMetadataHeader, ParseMetadata).
import { createHash } from 'node:crypto';
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, UnsupportedError } from '../../io/errors/index.js';

export const LP_METADATA_GEOMETRY_MAGIC = 0x616c4467;
export const LP_METADATA_GEOMETRY_SIZE = 4096;
export const LP_METADATA_HEADER_MAGIC = 0x414c5030;
export const LP_METADATA_MAJOR_VERSION = 10;
export const LP_METADATA_MINOR_VERSION_MAX = 2;
export const LP_METADATA_VERSION_FOR_UPDATED_ATTR = 1;
export const LP_METADATA_VERSION_FOR_EXPANDED_HEADER = 2;
export const LP_PARTITION_RESERVED_BYTES = 4096;
export const LP_SECTOR_SIZE = 512;

export const LP_PARTITION_ATTR_READONLY = 1 << 0;
export const LP_PARTITION_ATTR_SLOT_SUFFIXED = 1 << 1;
export const LP_PARTITION_ATTR_UPDATED = 1 << 2;
export const LP_PARTITION_ATTR_DISABLED = 1 << 3;
export const LP_PARTITION_ATTRIBUTE_MASK_V0 = LP_PARTITION_ATTR_READONLY | LP_PARTITION_ATTR_SLOT_SUFFIXED;
export const LP_PARTITION_ATTRIBUTE_MASK_V1 = LP_PARTITION_ATTR_UPDATED | LP_PARTITION_ATTR_DISABLED;

export const LP_TARGET_TYPE_LINEAR = 0;
export const LP_TARGET_TYPE_ZERO = 1;

/** sizeof(LpMetadataGeometry), packed. */
export const GEOMETRY_STRUCT_SIZE = 52;
/** sizeof(LpMetadataHeaderV1_0) and sizeof(LpMetadataHeader) (v10.2 adds flags + reserved). */
export const HEADER_V1_0_SIZE = 128;
export const HEADER_V1_2_SIZE = 256;
export const PARTITION_ENTRY_SIZE = 52;
export const EXTENT_ENTRY_SIZE = 24;
export const GROUP_ENTRY_SIZE = 48;
export const BLOCK_DEVICE_ENTRY_SIZE = 64;

export interface LpMetadataGeometry {
  metadataMaxSize: number;
  metadataSlotCount: number;
  logicalBlockSize: number;
}

export interface LpMetadataTableDescriptor {
  offset: number;
  numEntries: number;
  entrySize: number;
}

export interface LpMetadataHeader {
  majorVersion: number;
  minorVersion: number;
  headerSize: number;
  tablesSize: number;
  partitions: LpMetadataTableDescriptor;
  extents: LpMetadataTableDescriptor;
  groups: LpMetadataTableDescriptor;
  blockDevices: LpMetadataTableDescriptor;
  /** v10.2 only (LP_HEADER_FLAG_VIRTUAL_AB_DEVICE = 1); 0 before. */
  flags: number;
}

export interface LpMetadataPartition {
  name: string;
  attributes: number;
  firstExtentIndex: number;
  numExtents: number;
  groupIndex: number;
}

export interface LpMetadataExtent {
  numSectors: number;
  targetType: number;
  targetData: number;
  targetSource: number;
}

export interface LpMetadataPartitionGroup {
  name: string;
  flags: number;
  maximumSize: number;
}

export interface LpMetadataBlockDevice {
  firstLogicalSector: number;
  alignment: number;
  alignmentOffset: number;
  size: number;
  partitionName: string;
  flags: number;
}

export interface LpMetadata {
  header: LpMetadataHeader;
  partitions: LpMetadataPartition[];
  extents: LpMetadataExtent[];
  groups: LpMetadataPartitionGroup[];
  blockDevices: LpMetadataBlockDevice[];
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** SHA-256 of `bytes` with the 32-byte checksum at `pos` zeroed, compared with the stored one. */
function checksumMatches(bytes: Uint8Array, pos: number): boolean {
  // A copy, not `bytes.slice()`: FileSource hands out Buffers, whose slice() is a view.
  const copy = new Uint8Array(bytes);
  copy.fill(0, pos, pos + 32);
  return equalBytes(sha256(copy), bytes.subarray(pos, pos + 32));
}

/** A NUL-padded fixed-size name (char name[36]). */
function fixedName(r: ByteReader, n: number): string {
  const b = r.take(n);
  let end = b.indexOf(0);
  if (end < 0) end = n;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** ParseGeometry: `bytes` is the 4096-byte geometry block at absolute `offset`. */
export function parseGeometry(bytes: Uint8Array, offset: number, path: string): LpMetadataGeometry {
  const r = new ByteReader(bytes, offset, path);
  if (r.u32le() !== LP_METADATA_GEOMETRY_MAGIC) throw r.fail('super: bad geometry magic', 0);
  const structSize = r.u32le();
  if (structSize !== GEOMETRY_STRUCT_SIZE) throw r.fail(`super: geometry struct_size ${structSize}`, 4);
  if (!checksumMatches(r.bytesAt(0, structSize), 8)) throw r.fail('super: geometry checksum mismatch', 8);
  r.skip(32);
  const metadataMaxSize = r.u32le();
  const metadataSlotCount = r.u32le();
  const logicalBlockSize = r.u32le(); // not checked by liblp's reader, not needed to read
  // A zero max size cannot hold a header; liblp only checks sector alignment, a zero would fail later.
  if (metadataMaxSize === 0 || metadataMaxSize % LP_SECTOR_SIZE !== 0) throw r.fail(`super: metadata_max_size ${metadataMaxSize}`, 40);
  if (metadataSlotCount === 0) throw r.fail('super: metadata_slot_count 0', 44);
  return { metadataMaxSize, metadataSlotCount, logicalBlockSize };
}

function parseTableDescriptor(r: ByteReader): LpMetadataTableDescriptor {
  return { offset: r.u32le(), numEntries: r.u32le(), entrySize: r.u32le() };
}

/**
 * ValidateMetadataHeader + header checksum. `bytes` starts at the header (absolute `offset`) and
 * holds at least HEADER_V1_2_SIZE bytes when available.
 */
export function parseMetadataHeader(bytes: Uint8Array, offset: number, path: string, metadataMaxSize: number): LpMetadataHeader {
  const r = new ByteReader(bytes, offset, path);
  if (r.u32le() !== LP_METADATA_HEADER_MAGIC) throw r.fail('super: bad metadata header magic', 0);
  const majorVersion = r.u16le();
  const minorVersion = r.u16le();
  if (majorVersion !== LP_METADATA_MAJOR_VERSION || minorVersion > LP_METADATA_MINOR_VERSION_MAX) {
    throw new UnsupportedError(`super: metadata version ${majorVersion}.${minorVersion}`, offset + 4, path);
  }
  const headerSize = r.u32le();
  const expected = minorVersion >= LP_METADATA_VERSION_FOR_EXPANDED_HEADER ? HEADER_V1_2_SIZE : HEADER_V1_0_SIZE;
  if (headerSize !== expected) throw r.fail(`super: header_size ${headerSize} for version 10.${minorVersion} (expected ${expected})`, 8);
  r.need(headerSize, 0, 'metadata header');
  if (!checksumMatches(r.bytesAt(0, headerSize), 12)) throw r.fail('super: metadata header checksum mismatch', 12);
  r.skip(32);
  const tablesSize = r.u32le();
  r.skip(32); // tables_checksum, checked by parseMetadataTables
  const partitions = parseTableDescriptor(r);
  const extents = parseTableDescriptor(r);
  const groups = parseTableDescriptor(r);
  const blockDevices = parseTableDescriptor(r);
  const flags = headerSize >= HEADER_V1_2_SIZE ? r.u32le() : 0;
  if (tablesSize > metadataMaxSize) throw r.fail(`super: tables_size ${tablesSize} exceeds metadata_max_size ${metadataMaxSize}`, 44);
  const tables: [string, LpMetadataTableDescriptor, number][] = [
    ['partitions', partitions, PARTITION_ENTRY_SIZE], ['extents', extents, EXTENT_ENTRY_SIZE],
    ['groups', groups, GROUP_ENTRY_SIZE], ['block_devices', blockDevices, BLOCK_DEVICE_ENTRY_SIZE],
  ];
  for (const [name, t, size] of tables) {
    if (t.offset > tablesSize || t.numEntries * t.entrySize > tablesSize - t.offset) {
      throw r.fail(`super: ${name} table [${t.offset}, +${t.numEntries}×${t.entrySize}) outside tables_size ${tablesSize}`, 80);
    }
    // liblp requires exact entry sizes for partitions, extents and groups, and does not check
    // block_devices (it strides by entry_size); we only need room for the struct we read.
    if (name === 'block_devices' ? t.entrySize < size : t.entrySize !== size) {
      throw r.fail(`super: ${name} entry_size ${t.entrySize} (expected ${size})`, 80);
    }
  }
  return { majorVersion, minorVersion, headerSize, tablesSize, partitions, extents, groups, blockDevices, flags };
}

/** ParseMetadata: the tables (checksummed) right after the header. `bytes` is the tables area at `offset`. */
export function parseMetadataTables(
  header: LpMetadataHeader, headerBytes: Uint8Array, bytes: Uint8Array, offset: number, path: string, geometry: LpMetadataGeometry,
): LpMetadata {
  const r = new ByteReader(bytes, offset, path);
  r.need(header.tablesSize, 0, 'metadata tables');
  if (!equalBytes(sha256(r.bytesAt(0, header.tablesSize)), headerBytes.subarray(48, 80))) {
    throw new FormatError('super: metadata tables checksum mismatch', offset, path);
  }
  const attrMask = LP_PARTITION_ATTRIBUTE_MASK_V0 | (header.minorVersion >= LP_METADATA_VERSION_FOR_UPDATED_ATTR ? LP_PARTITION_ATTRIBUTE_MASK_V1 : 0);
  const partitions: LpMetadataPartition[] = [];
  const extents: LpMetadataExtent[] = [];
  const groups: LpMetadataPartitionGroup[] = [];
  const blockDevices: LpMetadataBlockDevice[] = [];
  for (let i = 0; i < header.blockDevices.numEntries; i++) {
    r.seek(header.blockDevices.offset + i * header.blockDevices.entrySize);
    blockDevices.push({
      firstLogicalSector: r.u64le(), alignment: r.u32le(), alignmentOffset: r.u32le(), size: r.u64le(),
      partitionName: fixedName(r, 36), flags: r.u32le(),
    });
  }
  // liblp: a metadata without its own super device is unusable.
  if (blockDevices.length === 0) throw new FormatError('super: no block devices', offset + header.blockDevices.offset, path);
  r.seek(header.groups.offset);
  for (let i = 0; i < header.groups.numEntries; i++) {
    groups.push({ name: fixedName(r, 36), flags: r.u32le(), maximumSize: r.u64le() });
  }
  r.seek(header.extents.offset);
  for (let i = 0; i < header.extents.numEntries; i++) {
    const at = r.offset;
    // Unknown target types pass liblp's parser (they fail when the device-mapper table is built):
    // the partition using one is refused when opened, not the whole image.
    const e = { numSectors: r.u64le(), targetType: r.u32le(), targetData: r.u64le(), targetSource: r.u32le() };
    if (e.targetType === LP_TARGET_TYPE_LINEAR && e.targetSource >= blockDevices.length) {
      throw new FormatError(`super: extent ${i} target_source ${e.targetSource} (${blockDevices.length} block devices)`, at + 20, path);
    }
    extents.push(e);
  }
  r.seek(header.partitions.offset);
  for (let i = 0; i < header.partitions.numEntries; i++) {
    const at = r.offset;
    const p = { name: fixedName(r, 36), attributes: r.u32le(), firstExtentIndex: r.u32le(), numExtents: r.u32le(), groupIndex: r.u32le() };
    if (p.attributes & ~attrMask) throw new FormatError(`super: partition ${p.name} has invalid attributes 0x${p.attributes.toString(16)}`, at + 36, path);
    if (p.firstExtentIndex + p.numExtents > extents.length) throw new FormatError(`super: partition ${p.name} extents [${p.firstExtentIndex}, +${p.numExtents}) past ${extents.length}`, at + 40, path);
    if (p.groupIndex >= groups.length) throw new FormatError(`super: partition ${p.name} group_index ${p.groupIndex}`, at + 48, path);
    partitions.push(p);
  }
  // liblp: "Logical partition metadata overlaps with logical partition contents."
  const metadataRegion = LP_PARTITION_RESERVED_BYTES + 2 * LP_METADATA_GEOMETRY_SIZE + 2 * geometry.metadataMaxSize * geometry.metadataSlotCount;
  if (metadataRegion > blockDevices[0].firstLogicalSector * LP_SECTOR_SIZE) {
    throw new FormatError(`super: metadata region (${metadataRegion} bytes) overlaps first_logical_sector ${blockDevices[0].firstLogicalSector}`, offset + header.blockDevices.offset, path);
  }
  return { header, partitions, extents, groups, blockDevices };
}

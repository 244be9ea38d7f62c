// Android dynamic partitions, super.img (AOSP liblp: system/core/fs_mgr/liblp/include/liblp/
// metadata_format.h, reader.cpp). Layout: 4096 reserved bytes, primary and backup geometry
// (4096 bytes each), then metadata_slot_count primary metadata copies and as many backups,
// each metadata_max_size bytes. Partitions are lists of LINEAR (sectors of a block device) or
// ZERO extents in 512-byte sectors; each becomes an ExtentSource over the super image.
import { FormatError, RomscanError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { ExtentSource, type Extent, type Source } from '../../io/source.js';
import type { Container, Entry } from '../container.js';
import {
  LP_METADATA_GEOMETRY_MAGIC, LP_METADATA_GEOMETRY_SIZE, LP_PARTITION_RESERVED_BYTES, LP_SECTOR_SIZE, LP_TARGET_TYPE_LINEAR,
  LP_TARGET_TYPE_ZERO, HEADER_V1_2_SIZE, parseGeometry, parseMetadataHeader, parseMetadataTables,
  type LpMetadata, type LpMetadataGeometry, type LpMetadataPartition,
} from './metadata.js';

function hasGeometryMagic(head: Uint8Array, at: number): boolean {
  return head.length >= at + 4 && head[at] === 0x67 && head[at + 1] === 0x44 && head[at + 2] === 0x6c && head[at + 3] === 0x61;
}

/**
 * True when the liblp geometry magic (0x616c4467) sits at 4096 (super.img), or at 0 followed by
 * the metadata header magic (0x414c5030) at 4096 (an image file such as super_empty.img).
 */
export function detectSuper(head: Uint8Array): boolean {
  if (hasGeometryMagic(head, LP_PARTITION_RESERVED_BYTES)) return true;
  const h = LP_METADATA_GEOMETRY_SIZE;
  return hasGeometryMagic(head, 0) && head.length >= h + 4 && head[h] === 0x30 && head[h + 1] === 0x50 && head[h + 2] === 0x4c && head[h + 3] === 0x41;
}

export interface SuperAnomaly {
  message: string;
  offset?: number;
  path?: string;
}

/** Where geometry and metadata live: super.img has 4096 reserved bytes first; super_empty.img (lpmake's image file) does not. */
interface Layout {
  geometryOffset: number;
  metadataBase: number;
}

export class SuperImage implements Container {
  readonly format = 'super' as const;
  readonly anomalies: SuperAnomaly[] = [];

  private constructor(readonly source: Source, readonly geometry: LpMetadataGeometry, readonly metadata: LpMetadata) {}

  get path(): string { return this.source.path; }

  static async open(source: Source): Promise<SuperImage> {
    const anomalies: SuperAnomaly[] = [];
    const head = await source.read(0, Math.min(source.size, LP_PARTITION_RESERVED_BYTES + 4));
    // An image file written by liblp's WriteToImageFile (super_empty.img) starts with the geometry.
    const layout: Layout = hasGeometryMagic(head, LP_PARTITION_RESERVED_BYTES) || !hasGeometryMagic(head, 0)
      ? { geometryOffset: LP_PARTITION_RESERVED_BYTES, metadataBase: LP_PARTITION_RESERVED_BYTES + 2 * LP_METADATA_GEOMETRY_SIZE }
      : { geometryOffset: 0, metadataBase: LP_METADATA_GEOMETRY_SIZE };
    const geometry = await readGeometry(source, layout, anomalies);
    const metadata = await readMetadata(source, layout, geometry, anomalies);
    const img = new SuperImage(source, geometry, metadata);
    img.anomalies.push(...anomalies);
    return img;
  }

  /** Byte extents of a partition in the super image (ZERO extents are holes). */
  partitionExtents(p: LpMetadataPartition): { extents: Extent[]; size: number } {
    const extents: Extent[] = [];
    let logical = 0;
    for (let i = p.firstExtentIndex; i < p.firstExtentIndex + p.numExtents; i++) {
      const e = this.metadata.extents[i];
      const length = e.numSectors * LP_SECTOR_SIZE;
      checkLimit('MAX_EXPANDED_BYTES', logical + length, `size of partition ${p.name}`, undefined, this.path);
      if (e.targetType !== LP_TARGET_TYPE_LINEAR && e.targetType !== LP_TARGET_TYPE_ZERO) {
        throw new FormatError(`super: partition ${p.name} extent ${i} has unknown target_type ${e.targetType}`, undefined, this.path);
      }
      if (e.targetType === LP_TARGET_TYPE_LINEAR) {
        if (e.targetSource !== 0) {
          // Retrofit / multi-disk devices put extents on other physical partitions we do not have.
          const dev = this.metadata.blockDevices[e.targetSource];
          throw new UnsupportedError(`super: partition ${p.name} extent ${i} lives on block device ${dev.partitionName}`, undefined, this.path);
        }
        if (length > 0) extents.push({ logical, length, kind: 'data', parentOffset: e.targetData * LP_SECTOR_SIZE });
      }
      logical += length;
    }
    return { extents, size: logical };
  }

  entries(): AsyncIterable<Entry> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        for (const p of self.metadata.partitions) {
          // Empty partitions (the inactive slot's, or placeholders) have no bytes to scan.
          if (p.numExtents === 0) continue;
          let layout: { extents: Extent[]; size: number };
          try {
            layout = self.partitionExtents(p);
            for (const e of layout.extents) {
              if (e.kind === 'data' && e.parentOffset + e.length > self.source.size) {
                throw new TruncatedError(`super: partition ${p.name} extends past the end of the image`, e.parentOffset, self.path);
              }
            }
          } catch (e) {
            if (!(e instanceof RomscanError)) throw e;
            self.anomalies.push({ message: e.message, offset: e.offset, path: `${self.path}!/${p.name}` });
            continue;
          }
          if (layout.size === 0) continue;
          const path = `${self.path}!/${p.name}`;
          yield {
            name: p.name, size: layout.size, type: 'file',
            open: async () => new ExtentSource(self.source, layout.extents, layout.size, path),
          } satisfies Entry;
        }
      },
    };
  }
}

/** ReadPrimaryGeometry, then the backup copy right after it (reader.cpp ReadLogicalPartitionGeometry). */
async function readGeometry(source: Source, layout: Layout, anomalies: SuperAnomaly[]): Promise<LpMetadataGeometry> {
  let firstError: unknown;
  for (const copy of [0, 1]) {
    const offset = layout.geometryOffset + copy * LP_METADATA_GEOMETRY_SIZE;
    try {
      if (offset + LP_METADATA_GEOMETRY_SIZE > source.size) throw new TruncatedError('super: geometry past end of image', offset, source.path);
      const g = parseGeometry(await source.read(offset, LP_METADATA_GEOMETRY_SIZE), offset, source.path);
      if (copy === 1) anomalies.push({ message: `super: primary geometry unusable (${(firstError as Error).message}); used the backup`, offset: layout.geometryOffset });
      return g;
    } catch (e) {
      if (!(e instanceof RomscanError)) throw e;
      firstError ??= e;
    }
  }
  throw firstError;
}

/** Metadata slot 0: the primary copy, else the backup (reader.cpp ReadMetadata). */
async function readMetadata(source: Source, layout: Layout, g: LpMetadataGeometry, anomalies: SuperAnomaly[]): Promise<LpMetadata> {
  const primary = layout.metadataBase;
  const backup = layout.metadataBase + g.metadataMaxSize * g.metadataSlotCount;
  let firstError: unknown;
  for (const offset of [primary, backup]) {
    try {
      const m = await readMetadataAt(source, offset, g);
      if (offset === backup) anomalies.push({ message: `super: primary metadata unusable (${(firstError as Error).message}); used the backup`, offset: primary });
      return m;
    } catch (e) {
      if (!(e instanceof RomscanError)) throw e;
      firstError ??= e;
    }
  }
  throw firstError;
}

/** ParseMetadata at `offset`: the header, then tables_size bytes right after it (as liblp reads them). */
async function readMetadataAt(source: Source, offset: number, g: LpMetadataGeometry): Promise<LpMetadata> {
  if (offset + HEADER_V1_2_SIZE > source.size) throw new TruncatedError('super: metadata past end of image', offset, source.path);
  const headerBytes = await source.read(offset, HEADER_V1_2_SIZE);
  const header = parseMetadataHeader(headerBytes, offset, source.path, g.metadataMaxSize);
  const tablesOffset = offset + header.headerSize;
  checkLimit('MAX_METADATA_BYTES', header.tablesSize, 'super tables_size', offset + 44, source.path);
  if (tablesOffset + header.tablesSize > source.size) throw new TruncatedError('super: metadata tables past end of image', tablesOffset, source.path);
  const tables = await source.read(tablesOffset, header.tablesSize);
  return parseMetadataTables(header, headerBytes.subarray(0, header.headerSize), tables, tablesOffset, source.path, g);
}

/** Opens a super.img: geometry and slot-0 metadata now; entries are partitions (Sources). */
export async function openSuper(source: Source): Promise<Container> {
  return SuperImage.open(source);
}

export { LP_METADATA_GEOMETRY_MAGIC };

// A small super.img writer after AOSP liblp (metadata_format.h; writer.cpp SerializeGeometry /
// SerializeMetadata; images.cpp). No Debian package ships lpmake, so tests build images with
// this and check the reader against the bytes put in. Layout, as liblp writes it:
//   [0, 4096)                   reserved (zeros)
//   [4096, 8192)                primary geometry      [8192, 12288) backup geometry
//   then slot_count primary metadata copies, then slot_count backups (metadata_max_size each)
//   then partition data from first_logical_sector (aligned) on.
import { createHash } from 'node:crypto';

export const SECTOR = 512;

export interface SuperPartitionSpec {
  name: string;
  /** Partition bytes (padded with zeros to a whole sector). Omitted or empty → no extents. */
  data?: Uint8Array;
  /** Split the data into this many LINEAR extents, placed out of order on disk. */
  pieces?: number;
  /** A ZERO extent of this many sectors after the data. */
  zeroSectors?: number;
  attributes?: number;
  groupIndex?: number;
  /** Extents written as given (crafted input): sectors, target_type, target_data, target_source. */
  rawExtents?: { sectors: number; type: number; data: number; source: number }[];
}

export interface SuperSpec {
  minorVersion?: 0 | 1 | 2;
  slotCount?: number;
  metadataMaxSize?: number;
  logicalBlockSize?: number;
  /** Alignment of first_logical_sector, bytes. liblp's default is 1 MiB; small keeps fixtures small. */
  alignment?: number;
  groups?: { name: string; maximumSize: number; flags?: number }[];
  partitions: SuperPartitionSpec[];
  /** Header flags (v10.2), e.g. 1 = LP_HEADER_FLAG_VIRTUAL_AB_DEVICE. */
  headerFlags?: number;
  /** Extra bytes of block device after the data. */
  tailBytes?: number;
}

const sha256 = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest();

class W {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(n: number) { this.buf = new Uint8Array(n); this.view = new DataView(this.buf.buffer); }
  u16(v: number): void { this.view.setUint16(this.pos, v, true); this.pos += 2; }
  u32(v: number): void { this.view.setUint32(this.pos, v >>> 0, true); this.pos += 4; }
  u64(v: number): void { this.view.setBigUint64(this.pos, BigInt(v), true); this.pos += 8; }
  name(s: string, n = 36): void { for (let i = 0; i < s.length && i < n; i++) this.buf[this.pos + i] = s.charCodeAt(i); this.pos += n; }
  bytes(b: Uint8Array): void { this.buf.set(b, this.pos); this.pos += b.length; }
}

export function serializeGeometry(metadataMaxSize: number, slotCount: number, logicalBlockSize: number): Uint8Array {
  const w = new W(4096);
  w.u32(0x616c4467); w.u32(52); w.pos += 32; w.u32(metadataMaxSize); w.u32(slotCount); w.u32(logicalBlockSize);
  w.buf.set(sha256(w.buf.subarray(0, 52)), 8);
  return w.buf;
}

/** Recomputes the header and tables checksums of the metadata at `offset` (for crafted-input tests). */
export function fixMetadataChecksums(img: Uint8Array, offset: number): void {
  const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const headerSize = v.getUint32(offset + 8, true);
  const tablesSize = v.getUint32(offset + 44, true);
  if (headerSize > 4096 || offset + headerSize + tablesSize > img.length) return;
  img.set(sha256(img.subarray(offset + headerSize, offset + headerSize + tablesSize)), offset + 48);
  img.fill(0, offset + 12, offset + 44);
  img.set(sha256(img.subarray(offset, offset + headerSize)), offset + 12);
}

export interface WrittenSuper {
  image: Uint8Array;
  /** Absolute offsets of the primary metadata slots, for tests that corrupt them. */
  metadataOffsets: number[];
  firstLogicalSector: number;
}

export function writeSuper(spec: SuperSpec): WrittenSuper {
  const minor = spec.minorVersion ?? 2;
  const slotCount = spec.slotCount ?? 2;
  const maxSize = spec.metadataMaxSize ?? 65536;
  const lbs = spec.logicalBlockSize ?? 4096;
  const alignment = spec.alignment ?? 4096;
  const groups = spec.groups ?? [{ name: 'default', maximumSize: 0 }];
  const metaEnd = 4096 + 2 * 4096 + 2 * slotCount * maxSize;
  const firstLogicalSector = Math.ceil(metaEnd / alignment) * alignment / SECTOR;

  // Allocate data: pieces of each partition; every second piece goes to the end so extents are out of order.
  type Ext = { sectors: number; type: number; data: number; source?: number };
  const extentsByPart: Ext[][] = [];
  const placed: { at: number; bytes: Uint8Array }[] = [];
  let cursor = firstLogicalSector * SECTOR;
  const deferred: { part: number; idx: number; bytes: Uint8Array }[] = [];
  spec.partitions.forEach((p, pi) => {
    const exts: Ext[] = [];
    if (p.rawExtents) {
      extentsByPart.push(p.rawExtents.map((e) => ({ ...e })));
      return;
    }
    const data = p.data ?? new Uint8Array(0);
    const padded = Math.ceil(data.length / lbs) * lbs;
    const pieces = Math.max(1, p.pieces ?? 1);
    const pieceBytes = Math.ceil(padded / pieces / lbs) * lbs;
    for (let k = 0, off = 0; off < padded; k++, off += pieceBytes) {
      const len = Math.min(pieceBytes, padded - off);
      const bytes = new Uint8Array(len);
      bytes.set(data.subarray(off, Math.min(data.length, off + len)));
      exts.push({ sectors: len / SECTOR, type: 0, data: -1 });
      if (k % 2 === 1) deferred.push({ part: pi, idx: exts.length - 1, bytes });
      else { exts[exts.length - 1].data = cursor / SECTOR; placed.push({ at: cursor, bytes }); cursor += len; }
    }
    if (p.zeroSectors) exts.push({ sectors: p.zeroSectors, type: 1, data: 0 });
    extentsByPart.push(exts);
  });
  for (const d of deferred) {
    extentsByPart[d.part][d.idx].data = cursor / SECTOR;
    placed.push({ at: cursor, bytes: d.bytes });
    cursor += d.bytes.length;
  }
  const deviceSize = cursor + (spec.tailBytes ?? 0);

  // Tables: partitions, extents, groups, block_devices, in liblp's order.
  const allExtents = extentsByPart.flat();
  const nParts = spec.partitions.length;
  const tablesSize = nParts * 52 + allExtents.length * 24 + groups.length * 48 + 64;
  const t = new W(tablesSize);
  let extIndex = 0;
  spec.partitions.forEach((p, pi) => {
    t.name(p.name); t.u32(p.attributes ?? 1); t.u32(extentsByPart[pi].length ? extIndex : 0); t.u32(extentsByPart[pi].length); t.u32(p.groupIndex ?? 0);
    extIndex += extentsByPart[pi].length;
  });
  for (const e of allExtents) { t.u64(e.sectors); t.u32(e.type); t.u64(e.data); t.u32(e.source ?? 0); }
  for (const g of groups) { t.name(g.name); t.u32(g.flags ?? 0); t.u64(g.maximumSize); }
  t.u64(firstLogicalSector); t.u32(alignment); t.u32(0); t.u64(deviceSize); t.name('super'); t.u32(0);

  const headerSize = minor >= 2 ? 256 : 128;
  const h = new W(headerSize);
  h.u32(0x414c5030); h.u16(10); h.u16(minor); h.u32(headerSize); h.pos += 32; h.u32(tablesSize);
  h.bytes(sha256(t.buf));
  let off = 0;
  for (const [n, size] of [[nParts, 52], [allExtents.length, 24], [groups.length, 48], [1, 64]]) { h.u32(off); h.u32(n); h.u32(size); off += n * size; }
  if (minor >= 2) h.u32(spec.headerFlags ?? 0);
  h.buf.set(sha256(h.buf), 12);
  if (headerSize + tablesSize > maxSize) throw new Error('metadata does not fit metadata_max_size');

  const image = new Uint8Array(deviceSize);
  const geometry = serializeGeometry(maxSize, slotCount, lbs);
  image.set(geometry, 4096);
  image.set(geometry, 8192);
  const metadataOffsets: number[] = [];
  for (let copy = 0; copy < 2 * slotCount; copy++) {
    const at = 12288 + copy * maxSize;
    if (copy < slotCount) metadataOffsets.push(at);
    image.set(h.buf, at);
    image.set(t.buf, at + headerSize);
  }
  for (const p of placed) image.set(p.bytes, p.at);
  return { image, metadataOffsets, firstLogicalSector };
}

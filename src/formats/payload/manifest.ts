// DeltaArchiveManifest, the protobuf at the head of payload.bin. Field numbers from AOSP
// system/update_engine `update_metadata.proto` (proto2, package chromeos_update_engine).
// Only what rebuilding a partition needs is kept; other fields are skipped.
import { FormatError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { ProtoReader, WIRE_LEN, WIRE_VARINT } from './protobuf.js';

/** InstallOperation.Type values. */
export const OP = {
  REPLACE: 0,
  REPLACE_BZ: 1,
  MOVE: 2,
  BSDIFF: 3,
  SOURCE_COPY: 4,
  SOURCE_BSDIFF: 5,
  ZERO: 6,
  DISCARD: 7,
  REPLACE_XZ: 8,
  PUFFDIFF: 9,
  BROTLI_BSDIFF: 10,
  ZUCCHINI: 11,
  LZ4DIFF_BSDIFF: 12,
  LZ4DIFF_PUFFDIFF: 13,
  ZSTD: 14,
} as const;

export const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k]));

/** Operations that need only the payload (a full OTA). Every other type reads the old partition. */
export const FULL_OPS: ReadonlySet<number> = new Set([OP.REPLACE, OP.REPLACE_BZ, OP.REPLACE_XZ, OP.ZERO, OP.DISCARD, OP.ZSTD]);

/** message Extent { start_block = 1; num_blocks = 2; } */
export interface PayloadExtent {
  startBlock: number;
  numBlocks: number;
}

/** message InstallOperation */
export interface InstallOperation {
  type: number;
  /** Offset of the data blob from the start of the blobs (after the metadata signature). */
  dataOffset: number;
  dataLength: number;
  srcExtentCount: number;
  dstExtents: PayloadExtent[];
  dataSha256?: Uint8Array;
  /** Absolute offset of the operation's message in payload.bin (for errors). */
  offset: number;
}

/** message PartitionUpdate */
export interface PartitionUpdate {
  name: string;
  /** new_partition_info.size, when given. */
  newSize?: number;
  /** new_partition_info.hash (SHA-256 of the new partition), when given. */
  newHash?: Uint8Array;
  operations: InstallOperation[];
  offset: number;
}

/** message DeltaArchiveManifest */
export interface DeltaArchiveManifest {
  /** block_size = 3, default 4096. */
  blockSize: number;
  /** minor_version = 12, default 0: 0 is a full payload, anything else a delta. */
  minorVersion: number;
  signaturesOffset?: number;
  signaturesSize?: number;
  partialUpdate: boolean;
  partitions: PartitionUpdate[];
}

export function parseManifest(bytes: Uint8Array, base: number, path: string): DeltaArchiveManifest {
  const r = new ProtoReader(bytes, base, path);
  const m: DeltaArchiveManifest = { blockSize: 4096, minorVersion: 0, partialUpdate: false, partitions: [] };
  let opCount = 0;
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 3:
        r.expect(f, WIRE_VARINT);
        m.blockSize = r.varint();
        break;
      case 4:
        r.expect(f, WIRE_VARINT);
        m.signaturesOffset = r.varint();
        break;
      case 5:
        r.expect(f, WIRE_VARINT);
        m.signaturesSize = r.varint();
        break;
      case 12:
        r.expect(f, WIRE_VARINT);
        m.minorVersion = r.varint();
        break;
      case 13: {
        r.expect(f, WIRE_LEN);
        const p = parsePartitionUpdate(r.message(), f.offset);
        opCount += p.operations.length;
        checkLimit('MAX_EXTENTS', opCount, 'payload operations', f.offset, path);
        m.partitions.push(p);
        break;
      }
      case 16:
        r.expect(f, WIRE_VARINT);
        m.partialUpdate = r.varint() !== 0;
        break;
      default:
        r.skip(f);
    }
  }
  // update_engine accepts 4096 only on Android; any power of two keeps offsets exact.
  if (m.blockSize < 512 || m.blockSize > 1 << 20 || (m.blockSize & (m.blockSize - 1)) !== 0) {
    throw new FormatError(`payload: block_size ${m.blockSize}`, base, path);
  }
  return m;
}

function parsePartitionUpdate(r: ProtoReader, offset: number): PartitionUpdate {
  let name: string | undefined;
  const p: PartitionUpdate = { name: '', operations: [], offset };
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1:
        r.expect(f, WIRE_LEN);
        name = r.string();
        break;
      case 7: {
        r.expect(f, WIRE_LEN);
        const info = r.message();
        for (let g = info.next(); g; g = info.next()) {
          if (g.field === 1 && g.wire === WIRE_VARINT) p.newSize = info.varint();
          else if (g.field === 2 && g.wire === WIRE_LEN) p.newHash = info.bytesField();
          else info.skip(g);
        }
        break;
      }
      case 8:
        r.expect(f, WIRE_LEN);
        checkLimit('MAX_EXTENTS', p.operations.length, 'partition operations', f.offset, r.path);
        p.operations.push(parseInstallOperation(r.message(), f.offset));
        break;
      default:
        r.skip(f);
    }
  }
  if (name === undefined) throw new FormatError('payload: partition without partition_name (required)', offset, r.path);
  p.name = name;
  return p;
}

function parseInstallOperation(r: ProtoReader, offset: number): InstallOperation {
  let type: number | undefined;
  const op: InstallOperation = { type: -1, dataOffset: 0, dataLength: 0, srcExtentCount: 0, dstExtents: [], offset };
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1:
        r.expect(f, WIRE_VARINT);
        type = r.varint();
        break;
      case 2:
        r.expect(f, WIRE_VARINT);
        op.dataOffset = r.varint();
        break;
      case 3:
        r.expect(f, WIRE_VARINT);
        op.dataLength = r.varint();
        break;
      case 4:
        r.expect(f, WIRE_LEN);
        r.skip(f);
        op.srcExtentCount++;
        break;
      case 6: {
        r.expect(f, WIRE_LEN);
        checkLimit('MAX_EXTENTS', op.dstExtents.length, 'operation extents', f.offset, r.path);
        const e = r.message();
        const x: PayloadExtent = { startBlock: 0, numBlocks: 0 };
        for (let g = e.next(); g; g = e.next()) {
          if (g.field === 1 && g.wire === WIRE_VARINT) x.startBlock = e.varint();
          else if (g.field === 2 && g.wire === WIRE_VARINT) x.numBlocks = e.varint();
          else e.skip(g);
        }
        op.dstExtents.push(x);
        break;
      }
      case 8:
        r.expect(f, WIRE_LEN);
        op.dataSha256 = r.bytesField();
        break;
      default:
        r.skip(f);
    }
  }
  if (type === undefined) throw new FormatError('payload: operation without type (required)', offset, r.path);
  op.type = type;
  return op;
}

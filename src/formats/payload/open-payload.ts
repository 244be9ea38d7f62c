// payload.bin of A/B (seamless) OTAs, major version 2.
// Spec: AOSP system/update_engine `update_metadata.proto` (header layout in its leading comment)
// and `payload_consumer/delta_performer.cc`. Layout:
//   "CrAU" | u64 BE major version | u64 BE manifest size | u32 BE metadata signature size (v2)
//   | DeltaArchiveManifest | metadata signature | data blobs | payload signature
// Each PartitionUpdate is a list of InstallOperations writing dst_extents (blocks) of the new
// partition. A full OTA uses only REPLACE(_BZ/_XZ), ZSTD, ZERO and DISCARD; any other operation
// patches the old partition, which a static scan does not have.
import { createHash } from 'node:crypto';
import { ExtentSource, checkRange, type Source } from '../../io/source.js';
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import type { Anomaly } from '../../io/anomaly.js';
import type { Container, Entry } from '../container.js';
import { layoutSegments, type Segment } from '../sdat/layout-segments.js';
import { FULL_OPS, OP, OP_NAMES, parseManifest, type DeltaArchiveManifest, type InstallOperation, type PartitionUpdate } from './manifest.js';
import { decodeBzip2, decodeXz, decodeZstd } from './decompress.js';

const MAGIC = [0x43, 0x72, 0x41, 0x55]; // "CrAU"
const MiB = 1024 * 1024;

export interface PayloadHeader {
  majorVersion: number;
  manifestSize: number;
  metadataSignatureSize: number;
  /** Offset of the manifest. */
  manifestOffset: number;
  /** Offset of the data blobs: InstallOperation.data_offset counts from here. */
  dataOffset: number;
}

export interface PayloadOptions {
  /** Decoded compressed operations kept in memory (LRU). Full-OTA operations are ≤ 2 MiB each. */
  opCacheBytes?: number;
}

/** "CrAU" followed by major version 1 or 2 (u64 big-endian). */
export function detectPayload(head: Uint8Array): boolean {
  if (head.length < 12) return false;
  for (let i = 0; i < 4; i++) if (head[i] !== MAGIC[i]) return false;
  for (let i = 4; i < 11; i++) if (head[i] !== 0) return false;
  return head[11] === 1 || head[11] === 2;
}

export function parsePayloadHeader(r: ByteReader, fileSize: number): PayloadHeader {
  const start = r.offset;
  for (let i = 0; i < 4; i++) if (r.u8() !== MAGIC[i]) throw new FormatError('payload: bad magic (expected "CrAU")', start, r.path);
  const majorVersion = r.u64be();
  if (majorVersion !== 2) {
    // Major 1 is Chrome OS's pre-2016 layout (kernel/rootfs operation lists), never used by Android.
    throw new UnsupportedError(`payload: major version ${majorVersion}`, start + 4, r.path);
  }
  const manifestSize = r.u64be();
  const metadataSignatureSize = r.u32be();
  checkLimit('MAX_METADATA_BYTES', manifestSize, 'payload manifest size', start + 12, r.path);
  const manifestOffset = r.offset;
  const dataOffset = manifestOffset + manifestSize + metadataSignatureSize;
  if (dataOffset > fileSize) {
    throw new TruncatedError(`payload: metadata ends at ${dataOffset}, file has ${fileSize} bytes`, start + 12, r.path);
  }
  return { majorVersion, manifestSize, metadataSignatureSize, manifestOffset, dataOffset };
}

export interface PayloadContainer extends Container {
  readonly header: PayloadHeader;
  readonly manifest: DeltaArchiveManifest;
  readonly anomalies: Anomaly[];
}

/** Opens payload.bin: one entry per partition ("system", "vendor", …), each a Source. */
export async function openPayload(source: Source, options: PayloadOptions = {}): Promise<PayloadContainer> {
  const head = await source.read(0, Math.min(24, source.size));
  const header = parsePayloadHeader(new ByteReader(head, 0, source.path), source.size);
  const manifestBytes = await source.read(header.manifestOffset, header.manifestSize);
  const manifest = parseManifest(manifestBytes, header.manifestOffset, source.path);
  const anomalies: Anomaly[] = [];
  const cache = new OpCache(options.opCacheBytes ?? 64 * MiB);
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const p of manifest.partitions) {
    let name = p.name;
    // Partition names are plain identifiers; a '/' would invent directories in virtual paths.
    if (name === '' || /[/\0]/.test(name)) {
      const safe = name.replace(/[/\0]/g, '_') || `partition_${entries.length}`;
      anomalies.push({ stage: 'payload', message: `partition name ${JSON.stringify(name)} renamed ${safe}`, offset: p.offset });
      name = safe;
    }
    if (seen.has(name)) {
      anomalies.push({ stage: 'payload', message: `partition ${name} appears twice`, offset: p.offset });
      name = `${name}.${entries.length}`;
    }
    seen.add(name);
    const size = partitionSize(p, manifest.blockSize);
    const path = `${source.path}!/${name}`;
    entries.push({
      name,
      size,
      type: 'file',
      open: async () => openPartition(source, header, manifest, p, path, cache, anomalies),
    });
  }
  return {
    format: 'payload',
    path: source.path,
    header,
    manifest,
    anomalies,
    async *entries() {
      yield* entries;
    },
  };
}

/** new_partition_info.size, or the end of the last written block when the manifest omits it. */
function partitionSize(p: PartitionUpdate, blockSize: number): number {
  let maxEnd = 0;
  for (const op of p.operations) for (const e of op.dstExtents) maxEnd = Math.max(maxEnd, (e.startBlock + e.numBlocks) * blockSize);
  return Math.max(p.newSize ?? 0, maxEnd);
}

/** One compressed operation, decoded on demand into a region of the virtual op space. */
interface DecodedOp {
  key: string;
  op: InstallOperation;
  /** Start of its output in the op space (after the payload's own bytes). */
  base: number;
  /** Its dst_extents' total bytes: the decoded output, zero-padded. */
  length: number;
}

function openPartition(
  payload: Source,
  header: PayloadHeader,
  manifest: DeltaArchiveManifest,
  p: PartitionUpdate,
  path: string,
  cache: OpCache,
  anomalies: Anomaly[],
): Source {
  const bs = manifest.blockSize;
  const segments: Segment[] = [];
  const decoded: DecodedOp[] = [];
  let opSpace = payload.size; // decoded outputs are addressed after the payload's own bytes
  for (let i = 0; i < p.operations.length; i++) {
    const op = p.operations[i];
    if (!FULL_OPS.has(op.type) || op.srcExtentCount > 0) {
      throw new UnsupportedError(`delta payload: needs source build (${OP_NAMES[op.type] ?? `operation type ${op.type}`})`, op.offset, path, {
        partition: p.name,
        operation: OP_NAMES[op.type] ?? op.type,
      });
    }
    let dstBytes = 0;
    for (const e of op.dstExtents) {
      if (e.numBlocks === 0) continue;
      const end = (e.startBlock + e.numBlocks) * bs;
      if (!Number.isSafeInteger(end)) throw new FormatError(`payload: extent [${e.startBlock}, +${e.numBlocks}) out of range`, op.offset, path);
      dstBytes += e.numBlocks * bs;
    }
    checkLimit('MAX_EXPANDED_BYTES', dstBytes, 'operation dst size', op.offset, path);
    const hasData = op.type !== OP.ZERO && op.type !== OP.DISCARD;
    const blobStart = header.dataOffset + op.dataOffset;
    if (hasData && (!Number.isSafeInteger(blobStart + op.dataLength) || blobStart + op.dataLength > payload.size)) {
      throw new TruncatedError(`payload: operation data [${op.dataOffset}, +${op.dataLength}) runs past the file`, op.offset, path);
    }
    // Where the op's output bytes come from: payload bytes in place (REPLACE), zeros, or a
    // decoded region. `dataEnd` is how much of the output is backed by data; the rest is zeros.
    let parentBase: number;
    let dataEnd: number;
    switch (op.type) {
      case OP.REPLACE:
        if (op.dataLength > dstBytes) throw new FormatError(`payload: REPLACE data of ${op.dataLength} bytes exceeds its ${dstBytes}-byte dst_extents`, op.offset, path);
        parentBase = blobStart;
        dataEnd = op.dataLength; // update_engine zero-pads the last block
        break;
      case OP.ZERO:
      case OP.DISCARD: // discarded blocks read back as zeros (what update_engine's writer leaves)
        parentBase = 0;
        dataEnd = 0;
        break;
      default:
        checkLimit('MAX_DECODED_BYTES', dstBytes, 'compressed operation output', op.offset, path);
        decoded.push({ key: `${p.offset}:${i}`, op, base: opSpace, length: dstBytes });
        parentBase = opSpace;
        dataEnd = dstBytes;
        opSpace += dstBytes;
    }
    let opPos = 0;
    for (const e of op.dstExtents) {
      if (e.numBlocks === 0) continue;
      const start = e.startBlock * bs;
      const len = e.numBlocks * bs;
      const dataLen = Math.max(0, Math.min(len, dataEnd - opPos));
      if (dataLen > 0) segments.push({ start, end: start + dataLen, order: i, zero: false, parentOffset: parentBase + opPos });
      if (dataLen < len) segments.push({ start: start + dataLen, end: start + len, order: i, zero: true, parentOffset: 0 });
      opPos += len;
    }
    checkLimit('MAX_EXTENTS', segments.length, 'partition extents', op.offset, path);
  }
  const size = partitionSize(p, bs);
  if (p.newSize !== undefined && size > p.newSize) {
    anomalies.push({ stage: 'payload', message: `${p.name}: operations write past new_partition_info.size ${p.newSize}`, offset: p.offset });
  }
  const { extents, overlapped } = layoutSegments(segments);
  if (overlapped) anomalies.push({ stage: 'payload', message: `${p.name}: operations write some blocks twice; the later one wins`, offset: p.offset });
  const parent = decoded.length > 0 ? new OpSpace(payload, header, decoded, opSpace, cache, path) : payload;
  return new ExtentSource(parent, extents, size, path);
}

/**
 * The payload's bytes followed by the decoded outputs of its compressed operations, so one
 * ExtentSource maps a partition onto both. A read of a decoded region decodes only the
 * operations it touches (through the shared LRU cache).
 */
class OpSpace implements Source {
  private readonly bases: Float64Array;
  constructor(
    private readonly payload: Source,
    private readonly header: PayloadHeader,
    private readonly ops: DecodedOp[],
    readonly size: number,
    private readonly cache: OpCache,
    readonly path: string,
  ) {
    this.bases = Float64Array.from(ops, (o) => o.base);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const P = this.payload.size;
    if (offset + length <= P) return this.payload.read(offset, length);
    let i = this.find(Math.max(offset, P));
    const first = this.ops[i];
    if (offset >= P && offset + length <= first.base + first.length) {
      const out = await this.decode(first);
      return out.subarray(offset - first.base, offset - first.base + length);
    }
    const out = new Uint8Array(length);
    let pos = offset;
    if (pos < P) {
      out.set(await this.payload.read(pos, P - pos), 0);
      pos = P;
    }
    // Bounded by the op count: each step moves to the next op.
    for (; pos < offset + length && i < this.ops.length; i++) {
      const o = this.ops[i];
      const bytes = await this.decode(o);
      const to = Math.min(offset + length, o.base + o.length);
      out.set(bytes.subarray(pos - o.base, to - o.base), pos - offset);
      pos = to;
    }
    return out;
  }

  private find(offset: number): number {
    let lo = 0;
    let hi = this.bases.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bases[mid] <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  private decode(o: DecodedOp): Promise<Uint8Array> {
    return this.cache.get(o.key, () => decodeOp(this.payload, this.header, o, this.path));
  }
}

async function decodeOp(payload: Source, header: PayloadHeader, o: DecodedOp, path: string): Promise<Uint8Array> {
  const { op } = o;
  const blob = await payload.read(header.dataOffset + op.dataOffset, op.dataLength);
  // update_engine checks data_sha256_hash before applying every operation that has data;
  // we have the blob in memory here anyway, so corrupt data is reported rather than decoded.
  if (op.dataSha256 && op.dataSha256.length === 32) {
    const got = createHash('sha256').update(blob).digest();
    if (!got.equals(op.dataSha256)) throw new FormatError(`payload: ${OP_NAMES[op.type]} data_sha256_hash mismatch`, header.dataOffset + op.dataOffset, payload.path);
  }
  const at = header.dataOffset + op.dataOffset;
  switch (op.type) {
    case OP.REPLACE_BZ:
      return decodeBzip2(blob, o.length, at, path);
    case OP.REPLACE_XZ:
      return decodeXz(blob, o.length, at, path);
    case OP.ZSTD:
      return decodeZstd(blob, o.length, at, path);
    default:
      throw new FormatError(`payload: operation type ${op.type} has no decoder`, op.offset, path);
  }
}

/**
 * Decoded operations, least recently used first out, bounded by bytes (the entry being returned
 * always stays, so one op larger than the budget still works). Concurrent requests for one op
 * share a single decode.
 */
class OpCache {
  private readonly done = new Map<string, Uint8Array>();
  private readonly pending = new Map<string, Promise<Uint8Array>>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string, decode: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.done.get(key);
    if (hit) {
      this.done.delete(key);
      this.done.set(key, hit);
      return Promise.resolve(hit);
    }
    let p = this.pending.get(key);
    if (!p) {
      p = decode().then(
        (b) => {
          this.pending.delete(key);
          this.done.set(key, b);
          this.bytes += b.length;
          for (const [k, v] of this.done) {
            if (this.bytes <= this.maxBytes || k === key) break;
            this.done.delete(k);
            this.bytes -= v.length;
          }
          return b;
        },
        (e: unknown) => {
          this.pending.delete(key);
          throw e;
        },
      );
      this.pending.set(key, p);
    }
    return p;
  }
}

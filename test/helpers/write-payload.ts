// Writes payload.bin files (A/B OTA, major version 2) for tests. No Debian tool writes them, so
// this follows AOSP system/update_engine `update_metadata.proto` directly: a protobuf encoder
// for DeltaArchiveManifest plus the header and blob layout from the proto's leading comment.
// Compressed operations use the real CLIs (xz, bzip2, zstd), as delta_generator uses the
// real libraries.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

export const OP_TYPE = {
  REPLACE: 0, REPLACE_BZ: 1, MOVE: 2, BSDIFF: 3, SOURCE_COPY: 4, SOURCE_BSDIFF: 5, ZERO: 6, DISCARD: 7,
  REPLACE_XZ: 8, PUFFDIFF: 9, BROTLI_BSDIFF: 10, ZUCCHINI: 11, LZ4DIFF_BSDIFF: 12, LZ4DIFF_PUFFDIFF: 13, ZSTD: 14,
} as const;

export interface WriteExtent { start: number; num: number }
export interface WriteOp {
  type: number;
  /** The blob (already compressed for REPLACE_BZ/XZ/ZSTD). */
  data?: Uint8Array;
  dst: WriteExtent[];
  src?: WriteExtent[];
  /** Write data_sha256_hash (default true when there is data); a Uint8Array overrides it. */
  dataSha256?: boolean | Uint8Array;
}
export interface WritePartition {
  name: string;
  ops: WriteOp[];
  /** new_partition_info.size / .hash */
  size?: number;
  hash?: Uint8Array;
}
export interface WritePayloadOptions {
  blockSize?: number;
  minorVersion?: number;
  /** Bytes written as the metadata signature (opaque to readers). */
  metadataSignature?: Uint8Array;
  majorVersion?: number;
}

// --- protobuf wire-format encoder -------------------------------------------------------------

class ProtoWriter {
  private parts: number[] = [];
  private chunks: Uint8Array[] = [];
  private flushBytes(): void {
    if (this.parts.length) {
      this.chunks.push(Uint8Array.from(this.parts));
      this.parts = [];
    }
  }
  varintRaw(v: number | bigint): this {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 64n;
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.parts.push(b);
    } while (x > 0n);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varintRaw(field * 8 + wire);
  }
  uint(field: number, v: number | bigint): this {
    return this.tag(field, 0).varintRaw(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varintRaw(b.length);
    this.flushBytes();
    this.chunks.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    this.flushBytes();
    return Buffer.concat(this.chunks);
  }
}

function extent(e: WriteExtent): ProtoWriter {
  return new ProtoWriter().uint(1, e.start).uint(2, e.num);
}

/** Encodes DeltaArchiveManifest with data offsets assigned in operation order. */
export function encodeManifest(partitions: WritePartition[], options: WritePayloadOptions = {}): { manifest: Uint8Array; blobs: Uint8Array[] } {
  const m = new ProtoWriter();
  m.uint(3, options.blockSize ?? 4096);
  m.uint(12, options.minorVersion ?? 0);
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const p of partitions) {
    const pu = new ProtoWriter().string(1, p.name);
    if (p.size !== undefined || p.hash) {
      const info = new ProtoWriter();
      if (p.size !== undefined) info.uint(1, p.size);
      if (p.hash) info.bytes(2, p.hash);
      pu.message(7, info);
    }
    for (const op of p.ops) {
      const o = new ProtoWriter().uint(1, op.type);
      if (op.data) {
        o.uint(2, offset).uint(3, op.data.length);
        blobs.push(op.data);
        offset += op.data.length;
      }
      for (const e of op.src ?? []) o.message(4, extent(e));
      for (const e of op.dst) o.message(6, extent(e));
      if (op.data && op.dataSha256 !== false) {
        o.bytes(8, op.dataSha256 instanceof Uint8Array ? op.dataSha256 : createHash('sha256').update(op.data).digest());
      }
      pu.message(8, o);
    }
    m.message(13, pu);
  }
  // max_timestamp (int64, field 14): written as a 10-byte negative varint to exercise skipping.
  m.uint(14, -1n);
  return { manifest: m.finish(), blobs };
}

/** A complete payload.bin. */
export function writePayload(partitions: WritePartition[], options: WritePayloadOptions = {}): Uint8Array {
  const { manifest, blobs } = encodeManifest(partitions, options);
  const sig = options.metadataSignature ?? new Uint8Array(0);
  const header = Buffer.alloc(24);
  header.write('CrAU', 0, 'latin1');
  header.writeBigUInt64BE(BigInt(options.majorVersion ?? 2), 4);
  header.writeBigUInt64BE(BigInt(manifest.length), 12);
  header.writeUInt32BE(sig.length, 20);
  // A payload signature message would follow the blobs; readers never need it.
  return Buffer.concat([header, manifest, sig, ...blobs]);
}

// --- building a full OTA from an image ------------------------------------------------------

export type Codec = 'replace' | 'xz' | 'bz2' | 'zstd';

export function compress(codec: Exclude<Codec, 'replace'>, data: Uint8Array): Uint8Array {
  // xz: CRC32 check, as delta_generator uses (xz-embedded on the device supports crc32/none).
  // zstd: --stream-size records Frame_Content_Size, as libzstd's one-shot compression does.
  const [cmd, args] = codec === 'xz' ? ['xz', ['-c', '--check=crc32']] : codec === 'bz2' ? ['bzip2', ['-c']] : ['zstd', ['-q', '-c', `--stream-size=${data.length}`]];
  return new Uint8Array(execFileSync(cmd, args, { input: data, maxBuffer: 1 << 30 }));
}

/**
 * A full payload for one image: chunks of `chunkBlocks` blocks; all-zero chunks become ZERO
 * (every 3rd: DISCARD), others cycle through `codecs`. REPLACE chunks drop trailing zero bytes
 * (update_engine zero-pads). Operations are written in reverse order to check that readers
 * do not assume ascending dst. A chunk may be split into two dst extents.
 */
export function fullPayloadFromImage(image: Uint8Array, name: string, codecs: Codec[], chunkBlocks = 8, blockSize = 4096): Uint8Array {
  const blocks = image.length / blockSize;
  if (!Number.isInteger(blocks)) throw new Error('image size must be a multiple of the block size');
  const ops: WriteOp[] = [];
  let n = 0;
  let zeroCount = 0;
  for (let b = 0; b < blocks; b += chunkBlocks) {
    const num = Math.min(chunkBlocks, blocks - b);
    const chunk = image.subarray(b * blockSize, (b + num) * blockSize);
    // Two extents when possible: the dst list is ordered, not necessarily one run.
    const dst = num > 1 ? [{ start: b, num: 1 }, { start: b + 1, num: num - 1 }] : [{ start: b, num }];
    if (chunk.every((x) => x === 0)) {
      ops.push({ type: zeroCount++ % 3 === 2 ? OP_TYPE.DISCARD : OP_TYPE.ZERO, dst });
      continue;
    }
    const codec = codecs[n++ % codecs.length];
    if (codec === 'replace') {
      let end = chunk.length;
      while (end > 0 && chunk[end - 1] === 0) end--;
      ops.push({ type: OP_TYPE.REPLACE, data: chunk.slice(0, end), dst });
    } else {
      const type = codec === 'xz' ? OP_TYPE.REPLACE_XZ : codec === 'bz2' ? OP_TYPE.REPLACE_BZ : OP_TYPE.ZSTD;
      ops.push({ type, data: compress(codec, chunk), dst });
    }
  }
  ops.reverse();
  return writePayload([{ name, ops, size: image.length, hash: createHash('sha256').update(image).digest() }], { blockSize });
}

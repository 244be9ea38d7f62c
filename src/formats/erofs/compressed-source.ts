// The bytes of a compressed EROFS file as a Source that decodes only the extents a read touches
// (decompression semantics of Linux fs/erofs/decompressor.c: z_erofs_lz4_decompress with
// 0PADDING, z_erofs_transform_plain for SHIFTED / INTERLACED pclusters).
import { FormatError } from '../../io/errors/index.js';
import { checkRange, type Source } from '../../io/source.js';
import { decodeLz4Block } from '../lz4/lz4-block.js';
import { Z_KIND_INTERLACED, Z_KIND_LZ4, type ZExtents } from './zmap.js';

/** Adjacent pclusters are fetched from the parent in one read up to this many bytes. */
const MAX_BATCH_READ = 4 * 1024 * 1024;
/** Decoded extents kept for reads that cut through them (sequential reads in odd-sized chunks). */
const CACHE_ENTRIES = 4;

export interface ErofsCompressedOptions {
  blockSize: number;
  /** EROFS_FEATURE_INCOMPAT_ZERO_PADDING: LZ4 data is right-aligned in its pcluster. */
  zeroPadding: boolean;
}

export class ErofsCompressedSource implements Source {
  private readonly cache: { k: number; bytes: Uint8Array }[] = [];

  constructor(
    private readonly parent: Source,
    private readonly extents: ZExtents,
    readonly size: number,
    readonly path: string,
    private readonly options: ErofsCompressedOptions,
  ) {}

  /** Index of the extent holding byte `offset` (extents cover [0, size) without gaps). */
  private find(offset: number): number {
    const la = this.extents.la;
    let lo = 0, hi = this.extents.count - 1, ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (la[mid] <= offset) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const { la, llen, pa, plen } = this.extents;
    const end = offset + length;
    let k = this.find(offset);
    while (k < this.extents.count && la[k] < end) {
      // Batch: a run of extents whose pclusters follow each other in the parent.
      let j = k + 1;
      let batchEnd = pa[k] + plen[k];
      while (j < this.extents.count && la[j] < end && pa[j] === batchEnd && batchEnd - pa[k] + plen[j] <= MAX_BATCH_READ) {
        batchEnd += plen[j];
        j++;
      }
      const cachedAll = this.cachedRun(k, j);
      const raw = cachedAll ? null : await this.parent.read(pa[k], batchEnd - pa[k]);
      for (let e = k; e < j; e++) {
        const from = Math.max(offset, la[e]);
        const to = Math.min(end, la[e] + llen[e]);
        const cached = this.lookup(e);
        if (cached) {
          out.set(cached.subarray(from - la[e], to - la[e]), from - offset);
          continue;
        }
        const src = raw!.subarray(pa[e] - pa[k], pa[e] - pa[k] + plen[e]);
        if (from === la[e] && to === la[e] + llen[e]) {
          // The read covers the whole extent: decode straight into the output.
          this.decodeExtent(e, src, out.subarray(from - offset, to - offset));
        } else {
          const bytes = new Uint8Array(llen[e]);
          this.decodeExtent(e, src, bytes);
          this.remember(e, bytes);
          out.set(bytes.subarray(from - la[e], to - la[e]), from - offset);
        }
      }
      k = j;
    }
    return out;
  }

  private cachedRun(k: number, j: number): boolean {
    for (let e = k; e < j; e++) if (!this.lookup(e)) return false;
    return true;
  }

  private lookup(k: number): Uint8Array | null {
    for (const c of this.cache) if (c.k === k) return c.bytes;
    return null;
  }

  private remember(k: number, bytes: Uint8Array): void {
    this.cache.push({ k, bytes });
    if (this.cache.length > CACHE_ENTRIES) this.cache.shift();
  }

  /** Decodes extent `k` from its pcluster bytes `src` into `dst` (exactly llen bytes). */
  private decodeExtent(k: number, src: Uint8Array, dst: Uint8Array): void {
    const { kind, pa, la } = this.extents;
    const llen = dst.length;
    if (kind[k] === Z_KIND_LZ4) {
      let s = 0;
      if (this.options.zeroPadding) {
        // The compressed stream is right-aligned; the kernel skips leading zeros within the first block.
        const limit = Math.min(src.length, this.options.blockSize);
        while (s < limit && src[s] === 0) s++;
        if (s === limit) throw new FormatError(`erofs: pcluster of extent at ${la[k]} is all padding`, pa[k], this.parent.path);
      }
      // Partial decoding (LZ4_decompress_safe_partial): stop once the extent is full; deduplicated
      // extents may use only a prefix of their pcluster, and non-0PADDING pclusters carry trailing junk.
      const n = decodeLz4Block(src, s, src.length, { dst, start: 0, end: llen, dictStart: 0 }, true, pa[k], this.parent.path);
      if (n !== llen) {
        throw new FormatError(`erofs: pcluster decoded to ${n} bytes, extent at ${la[k]} needs ${llen}`, pa[k], this.parent.path);
      }
    } else if (kind[k] === Z_KIND_INTERLACED) {
      // The pcluster is rotated so each byte keeps its offset within the block: the head of the
      // extent is at the end of the pcluster.
      const bs = this.options.blockSize;
      const cur = Math.min(bs - (la[k] % bs), llen);
      if (cur > src.length) throw new FormatError(`erofs: interlaced pcluster of ${src.length} bytes too short`, pa[k], this.parent.path);
      dst.set(src.subarray(src.length - cur, src.length), 0);
      dst.set(src.subarray(0, llen - cur), cur);
    } else {
      dst.set(src.subarray(0, llen), 0);
    }
  }
}

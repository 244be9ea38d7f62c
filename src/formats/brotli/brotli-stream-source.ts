// A random-access Source over a brotli stream (RFC 7932), decoded forward with Node's built-in
// decoder (`zlib.createBrotliDecompress`) and cached in fixed-size chunks.
//
// Why not decode once into memory (DecodedSource)? A block OTA's `system.new.dat.br` expands to
// 2–4 GiB; holding it all is not acceptable, and nothing may be written to disk. Brotli has no
// random access and Node cannot snapshot a decoder's state, so this Source:
//   * keeps up to `maxCursors` live decoders ("cursors") parked at different stream positions;
//     a read is served by the cursor with the greatest position at or before it (forward reads
//     continue where the last one stopped), and only when every cursor is past the read does a
//     new decoder start from the beginning (a restart);
//   * caches decoded chunks in two tiers: chunks a read asked for go to an LRU "hot" tier
//     (ext4 group descriptors, inode tables and directory blocks are read again and again);
//     chunks a cursor merely decoded on its way forward go to a FIFO "cold" tier that is evicted
//     first, so a long forward skip does not flush the hot metadata.
// What ext4 walking does: mostly forward (new.dat holds blocks in ascending block order), with
// backward jumps to inode tables (hot, cached) and to files whose blocks sit behind the cursor
// (a restart when no cursor is behind them). Callers that read files in physical block order
// get a single pass.
//
// Memory bound: cacheBytes (decoded chunks) + cursorBudgetBytes (parked decoders: each costs its
// window, 2^WBITS ≤ 16 MiB since Node rejects large-window streams, + ~0.5 MiB of buffers; the
// count adapts to the window read from the stream header: 3 for lgwin 24, 14 for lgwin 22, as
// AOSP's build writes) + the caller's own read buffer. Defaults: 64 + 64 MiB live, whatever the
// stream's size. Measured
// (test/formats/brotli/measure-memory.ts, lgwin 24, ext4-like reads with backward jumps): peak RSS
// 173 MiB above baseline for a 512 MiB stream and 187 MiB for 1 GiB (the rest is garbage not yet
// collected); ~150–300 MiB/s decoded. A stream that fits in the cache is decoded exactly once.
// The cost is time, not memory: a backward read with no decoder behind it re-decodes from the
// start (the 1 GiB run decoded 4.4 GiB for 258 reads), so walkers should prefer block order.
import { createBrotliDecompress, type BrotliDecompress } from 'node:zlib';
import { Readable } from 'node:stream';
import { checkRange, type Source } from '../../io/source.js';
import { FormatError, TruncatedError, isRomscanError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';

const MiB = 1024 * 1024;

export interface BrotliStreamOptions {
  /** Cache granule in bytes: big enough to amortise map lookups, small enough to waste little. */
  chunkBytes?: number;
  /** Decoded bytes kept in the cache (hot + cold). */
  cacheBytes?: number;
  /**
   * Live decoders kept parked at different positions. Default: as many as fit in
   * `cursorBudgetBytes` given the stream's window (from its header), between 2 and 16.
   */
  maxCursors?: number;
  /** Memory for parked decoders when `maxCursors` is not given (each costs about its window). */
  cursorBudgetBytes?: number;
  /** Compressed bytes read from the parent per read call. */
  inputChunkBytes?: number;
}

/** Counters for tests and measurements. */
export interface BrotliStreamStats {
  /** Decoders started (the first one included). */
  decoders: number;
  /** Decoded bytes produced by all decoders. */
  decodedBytes: number;
  hits: number;
  misses: number;
  /** Largest cache size seen, in bytes. */
  peakCacheBytes: number;
}

export class BrotliStreamSource implements Source {
  readonly stats: BrotliStreamStats = { decoders: 0, decodedBytes: 0, hits: 0, misses: 0, peakCacheBytes: 0 };
  private readonly chunkBytes: number;
  private readonly cacheChunks: number;
  private maxCursors: number | undefined;
  private readonly cursorBudgetBytes: number;
  private readonly inputChunkBytes: number;
  private readonly hot = new Map<number, Uint8Array>();
  private readonly cold = new Map<number, Uint8Array>();
  private cursors: Cursor[] = [];
  /** Evicted cold chunks, reused as decode buffers: they were never handed to a caller. */
  private readonly spare: Uint8Array[] = [];
  private lock: Promise<unknown> = Promise.resolve();
  private tick = 0;

  /**
   * @param compressed the brotli stream
   * @param size the decoded size, known from outside (brotli does not record it); a stream that
   *   decodes shorter fails with TruncatedError when a read reaches the missing part
   */
  constructor(private readonly compressed: Source, readonly size: number, readonly path: string, options: BrotliStreamOptions = {}) {
    checkLimit('MAX_EXPANDED_BYTES', size, 'brotli decoded size', undefined, path);
    this.chunkBytes = options.chunkBytes ?? 1 * MiB;
    this.cacheChunks = Math.max(2, Math.floor((options.cacheBytes ?? 64 * MiB) / this.chunkBytes));
    this.maxCursors = options.maxCursors === undefined ? undefined : Math.max(1, options.maxCursors);
    this.cursorBudgetBytes = options.cursorBudgetBytes ?? 64 * MiB;
    this.inputChunkBytes = options.inputChunkBytes ?? 256 * 1024;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (length === 0) return new Uint8Array(0);
    const C = this.chunkBytes;
    const first = Math.floor(offset / C);
    const last = Math.floor((offset + length - 1) / C);
    if (first === last) {
      const c = await this.chunk(first);
      return c.subarray(offset - first * C, offset - first * C + length);
    }
    const out = new Uint8Array(length);
    for (let k = first; k <= last; k++) {
      const c = await this.chunk(k);
      const from = Math.max(offset, k * C);
      const to = Math.min(offset + length, k * C + c.length);
      out.set(c.subarray(from - k * C, to - k * C), from - offset);
    }
    return out;
  }

  /** Stops every decoder and drops the cache (the Source stays usable: it restarts on demand). */
  close(): void {
    for (const c of this.cursors) c.destroy();
    this.cursors = [];
    this.hot.clear();
    this.cold.clear();
  }

  private cached(k: number): Uint8Array | undefined {
    const h = this.hot.get(k);
    if (h) {
      this.hot.delete(k);
      this.hot.set(k, h);
      return h;
    }
    const c = this.cold.get(k);
    if (c) {
      this.cold.delete(k);
      this.put(this.hot, k, c);
    }
    return c;
  }

  private chunk(k: number): Promise<Uint8Array> {
    const hit = this.cached(k);
    if (hit) {
      this.stats.hits++;
      return Promise.resolve(hit);
    }
    // One decoder step at a time: cursors are stateful. The lock chain never rejects.
    const p = this.lock.then(() => this.decodeChunk(k));
    this.lock = p.catch(() => undefined);
    return p;
  }

  private async decodeChunk(k: number): Promise<Uint8Array> {
    const again = this.cached(k); // a concurrent read may have produced it while we waited
    if (again) {
      this.stats.hits++;
      return again;
    }
    this.stats.misses++;
    let cursor: Cursor | undefined;
    for (const c of this.cursors) if (c.index <= k && (!cursor || c.index > cursor.index)) cursor = c;
    if (!cursor) {
      if (this.maxCursors === undefined) {
        const head = await this.compressed.read(0, Math.min(2, this.compressed.size));
        const windowBytes = 2 ** brotliWindowBits(head) + 512 * 1024; // ring buffer + stream buffers
        this.maxCursors = Math.min(16, Math.max(2, Math.floor(this.cursorBudgetBytes / windowBytes)));
      }
      if (this.cursors.length >= this.maxCursors) {
        // Drop the least recently used decoder; its position is the one least likely to be wanted.
        let lru = this.cursors[0];
        for (const c of this.cursors) if (c.lastUsed < lru.lastUsed) lru = c;
        lru.destroy();
        this.cursors = this.cursors.filter((c) => c !== lru);
      }
      cursor = new Cursor(this.compressed, this.inputChunkBytes, this.path);
      this.cursors.push(cursor);
      this.stats.decoders++;
    }
    cursor.lastUsed = ++this.tick;
    try {
      // Bounded: k is below size / chunkBytes, and each step advances the cursor by one chunk.
      while (cursor.index < k) {
        const i = cursor.index;
        const c = await cursor.next(this.chunkLength(i), this.spare.pop());
        this.stats.decodedBytes += c.length;
        if (!this.hot.has(i)) this.put(this.cold, i, c);
      }
      const c = await cursor.next(this.chunkLength(k), this.spare.pop());
      this.stats.decodedBytes += c.length;
      this.cold.delete(k);
      this.put(this.hot, k, c);
      return c;
    } catch (e) {
      // A failed decoder is dead (corrupt or short stream); the next read starts a fresh one.
      cursor.destroy();
      this.cursors = this.cursors.filter((c) => c !== cursor);
      throw e;
    }
  }

  private chunkLength(k: number): number {
    return Math.min(this.chunkBytes, this.size - k * this.chunkBytes);
  }

  private put(tier: Map<number, Uint8Array>, k: number, c: Uint8Array): void {
    tier.set(k, c);
    // Evict cold (FIFO) before hot (LRU); Map iteration order is insertion order.
    while (this.hot.size + this.cold.size > this.cacheChunks) {
      const victimTier = this.cold.size > 0 ? this.cold : this.hot;
      const oldest = victimTier.keys().next().value as number;
      const victim = victimTier.get(oldest)!;
      victimTier.delete(oldest);
      // Cold chunks were never returned by read(), so nobody else holds them: recycle, which
      // keeps a long forward skip from producing a chunk of garbage per chunk decoded.
      if (victimTier === this.cold && victim.length === this.chunkBytes && this.spare.length < 2) this.spare.push(victim);
    }
    const bytes = (this.hot.size + this.cold.size) * this.chunkBytes;
    if (bytes > this.stats.peakCacheBytes) this.stats.peakCacheBytes = bytes;
  }
}

/**
 * WBITS from a brotli stream header (RFC 7932 §9.2): the decoder's ring buffer is 2^WBITS bytes.
 * Large-window streams (which Node rejects) and short input count as the largest normal window.
 */
export function brotliWindowBits(head: Uint8Array): number {
  if (head.length === 0) return 24;
  const b = head[0] | ((head[1] ?? 0) << 8);
  if ((b & 1) === 0) return 16;
  const n = (b >> 1) & 7;
  if (n !== 0) return 17 + n;
  const m = (b >> 4) & 7;
  if (m === 1) return 24; // large window marker
  return m === 0 ? 17 : 8 + m;
}

/** One live decoder, pulled chunk by chunk; stream back-pressure keeps its buffers small. */
class Cursor {
  /** Index of the next chunk this decoder will produce. */
  index = 0;
  lastUsed = 0;
  private readonly input: Readable;
  private readonly decoder: BrotliDecompress;
  private readonly iterator: AsyncIterator<Buffer>;
  private leftover: Buffer | null = null;
  private produced = 0;

  constructor(source: Source, inputChunkBytes: number, private readonly path: string) {
    this.input = Readable.from(readChunks(source, inputChunkBytes), { highWaterMark: 1 });
    this.decoder = createBrotliDecompress({ chunkSize: 64 * 1024 });
    this.input.on('error', (e) => this.decoder.destroy(e));
    this.input.pipe(this.decoder);
    this.iterator = this.decoder[Symbol.asyncIterator]();
  }

  /** The next `want` decoded bytes, as one chunk (into `reuse` when it has the right size). */
  async next(want: number, reuse?: Uint8Array): Promise<Uint8Array> {
    const out = reuse && reuse.length === want ? reuse : new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      let buf = this.leftover;
      this.leftover = null;
      if (!buf) {
        let r: IteratorResult<Buffer>;
        try {
          r = await this.iterator.next();
        } catch (e) {
          if (isRomscanError(e)) throw e;
          // zlib reports corrupt streams as plain Errors with a zlib code: translate at the boundary.
          const err = e as NodeJS.ErrnoException;
          throw new FormatError(`brotli: ${err.message}${err.code ? ` (${err.code})` : ''} after ${this.produced} decoded bytes`, undefined, this.path);
        }
        if (r.done) {
          throw new TruncatedError(`brotli stream ends after ${this.produced} decoded bytes`, undefined, this.path);
        }
        buf = r.value;
      }
      const n = Math.min(buf.length, want - filled);
      out.set(buf.subarray(0, n), filled);
      filled += n;
      this.produced += n;
      if (n < buf.length) this.leftover = buf.subarray(n);
    }
    this.index++;
    return out;
  }

  destroy(): void {
    this.input.unpipe(this.decoder);
    this.input.destroy();
    this.decoder.destroy();
  }
}

async function* readChunks(source: Source, chunkBytes: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < source.size; off += chunkBytes) {
    yield await source.read(off, Math.min(chunkBytes, source.size - off));
  }
}

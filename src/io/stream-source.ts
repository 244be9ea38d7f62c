// A random-access Source over a compressed stream that can only be decoded forward (brotli,
// raw deflate, linked-block lz4), with bounded memory whatever the decoded size.
//
// Why not decode once into memory (DecodedSource)? A block OTA's `system.new.dat.br` or a factory
// zip's deflated `system.img` / `super.img` expands to 1–4 GiB; holding it all is not acceptable,
// and nothing may be written to disk. These formats have no random access and Node cannot snapshot
// a decoder's state, so this Source:
//   * keeps several live decoders ("cursors") parked at different stream positions; a read is
//     served by the cursor with the greatest position at or before it (forward reads continue
//     where the last one stopped), and only when every cursor is past the read does a new decoder
//     start from the beginning (a restart). How many are kept follows from what one costs
//     (StreamCodec.stateBytes): a brotli decoder holds its window (up to 16 MiB), so 3–13 fit the
//     default budget; a deflate decoder holds 32 KiB plus buffers, so up to MAX_CURSORS do;
//   * caches decoded chunks in two tiers: chunks a read asked for go to an LRU "hot" tier
//     (ext4 group descriptors, inode tables and directory blocks are read again and again);
//     chunks a cursor merely decoded on its way forward go to a FIFO "cold" tier that is evicted
//     first, so a long forward skip does not flush the hot metadata.
// What ext4 walking does: mostly forward, with backward jumps to inode tables (hot, cached) and to
// files whose blocks sit behind every cursor (a restart). Callers that read in ascending offset
// order get a single pass (`prefersSequentialReads`).
//
// Memory bound: cacheBytes (decoded chunks) + cursorBudgetBytes (parked decoders with their
// buffers) + the caller's own read buffers. Defaults: 64 + 64 MiB live, whatever the stream's
// size. Measured (peak RSS above a fresh process's baseline, 2-CPU machine under load):
//   * zip entry via ZipArchive.open, Info-ZIP `zip -1` of a sparse image, a hashed forward pass then
//     an ext4-like walk (test/formats/zip/large-entry-memory.ts): 139 / 141 / 143 MiB for
//     512 MiB / 1 GiB / 2 GiB entries; inflate 450–560 MiB/s decoded, 100–170 MiB/s for the
//     hashed 64 KiB-read pass;
//   * brotli lgwin 24, 1 GiB (test/io/measure-stream-memory.ts): 196 MiB, ~230 MiB/s decoded;
//   * `extract` over an 844 MiB ext4 image deflated in a zip (test/formats/zip/large-entry-walk.ts):
//     one decoder, 434 MiB decoded, 2.7 s and 219 MiB peak RSS (raw image: 1.0 s, 124 MiB).
// A stream that fits in the cache is decoded exactly once. The cost is time, not memory: a
// backward read with no decoder behind it re-decodes from the start.
//
// Size checks (inflate-bomb protection): the decoded size comes from outside (a zip's central
// directory, a transfer list) and no decoder is ever asked for more than that. With `exactSize`,
// a stream that goes on past it is a LimitError when a decoder reaches the end; one that stops
// short is a TruncatedError when a read reaches the missing part; corrupt data is a FormatError.
import { Readable, type Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import { checkRange, type Source } from './source.js';
import { FormatError, LimitError, TruncatedError, isRomscanError } from './errors/index.js';
import { checkLimit } from './limits.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/**
 * Upper bound on parked decoders: the best one is found by a linear scan per miss, and past a few
 * dozen positions the cache, not another cursor, is what saves a restart.
 */
const MAX_CURSORS = 64;

/** A live forward decoder over one compressed stream, from its beginning. */
export interface StreamDecoder {
  /**
   * The next decoded bytes (any length), or null once the stream has ended. Corrupt input
   * rejects with a RomscanError, or with a zlib-style Error (`code`), which the Source translates.
   */
  next(): Promise<Uint8Array | null>;
  /** Stops decoding and lets go of its buffers. */
  destroy(): void;
}

/** What differs between compressed formats: how to start a decoder and what one costs. */
export interface StreamCodec {
  /** Used in error messages ("brotli", "deflate"). */
  readonly name: string;
  /** A decoder at the start of `compressed`, reading it `inputChunkBytes` at a time. */
  open(compressed: Source, inputChunkBytes: number): StreamDecoder;
  /**
   * Bytes one live decoder holds (window and internal state, not counting the input and output
   * buffers in flight), judged from the stream's first bytes (`head`, up to 16 bytes; may be shorter).
   */
  stateBytes(head: Uint8Array): number;
}

/**
 * A StreamDecoder over a Node Transform (zlib's inflate, brotli) fed `compressed` in chunks;
 * stream back-pressure keeps its buffers small while it is parked.
 */
export function transformDecoder(decoder: Transform, compressed: Source, inputChunkBytes: number): StreamDecoder {
  const input = Readable.from(readChunks(compressed, inputChunkBytes), { highWaterMark: 1 });
  input.on('error', (e) => decoder.destroy(e));
  input.pipe(decoder);
  const iterator: AsyncIterator<Buffer> = decoder[Symbol.asyncIterator]();
  return {
    async next() {
      const r = await iterator.next();
      return r.done ? null : r.value;
    },
    destroy() {
      input.unpipe(decoder);
      input.destroy();
      decoder.destroy();
    },
  };
}

export interface StreamSourceOptions {
  /** Cache granule in bytes: big enough to amortise map lookups, small enough to waste little. */
  chunkBytes?: number;
  /** Decoded bytes kept in the cache (hot + cold). */
  cacheBytes?: number;
  /**
   * Live decoders kept parked at different positions. Default: as many as fit in
   * `cursorBudgetBytes` given what one costs (StreamCodec.stateBytes plus buffers), 2..64.
   */
  maxCursors?: number;
  /** Memory for parked decoders when `maxCursors` is not given. */
  cursorBudgetBytes?: number;
  /** Compressed bytes read from the parent per read call. */
  inputChunkBytes?: number;
  /**
   * The stream must end exactly at `size` (default true): more is a LimitError. False where the
   * consumer stops reading by itself (recovery reads new.dat only as far as the commands need).
   */
  exactSize?: boolean;
  /** Called once, with the CRC-32 of all `size` bytes, the first time a decoder reaches the end. */
  onComplete?: (crc32: number) => void;
}

/** Counters for tests and measurements. */
export interface StreamSourceStats {
  /** Decoders started (the first one included). */
  decoders: number;
  /** Decoded bytes produced by all decoders. */
  decodedBytes: number;
  hits: number;
  misses: number;
  /** Largest cache size seen, in bytes. */
  peakCacheBytes: number;
  /** Most decoders alive at once. */
  peakCursors: number;
}

export class StreamDecodedSource implements Source {
  readonly stats: StreamSourceStats = { decoders: 0, decodedBytes: 0, hits: 0, misses: 0, peakCacheBytes: 0, peakCursors: 0 };
  /** Reads behind every parked decoder re-decode from the start: walkers should go in offset order. */
  readonly prefersSequentialReads = true;
  private readonly chunkBytes: number;
  private readonly chunkCount: number;
  private readonly cacheChunks: number;
  private maxCursors: number | undefined;
  private readonly cursorBudgetBytes: number;
  private readonly inputChunkBytes: number;
  private readonly exactSize: boolean;
  private onComplete: ((crc: number) => void) | undefined;
  private readonly hot = new Map<number, Uint8Array>();
  private readonly cold = new Map<number, Uint8Array>();
  private cursors: Cursor[] = [];
  /** Evicted cold chunks, reused as decode buffers: they were never handed to a caller. */
  private readonly spare: Uint8Array[] = [];
  private lock: Promise<unknown> = Promise.resolve();
  private tick = 0;

  /**
   * @param codec how to decode `compressed`
   * @param compressed the compressed stream (exactly its bytes: a zip entry's data, a .br file)
   * @param size the decoded size, known from outside (neither brotli nor raw deflate records it)
   */
  constructor(private readonly codec: StreamCodec, private readonly compressed: Source, readonly size: number,
    readonly path: string, options: StreamSourceOptions = {}) {
    checkLimit('MAX_EXPANDED_BYTES', size, `${codec.name} decoded size`, undefined, path);
    this.chunkBytes = options.chunkBytes ?? 1 * MiB;
    this.chunkCount = Math.ceil(size / this.chunkBytes);
    this.cacheChunks = Math.max(2, Math.floor((options.cacheBytes ?? 64 * MiB) / this.chunkBytes));
    this.maxCursors = options.maxCursors === undefined ? undefined : Math.max(1, options.maxCursors);
    this.cursorBudgetBytes = options.cursorBudgetBytes ?? 64 * MiB;
    this.inputChunkBytes = options.inputChunkBytes ?? 256 * KiB;
    this.exactSize = options.exactSize ?? true;
    this.onComplete = options.onComplete;
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
    this.spare.length = 0;
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
    if (!cursor) cursor = await this.startCursor();
    cursor.lastUsed = ++this.tick;
    try {
      // Bounded: k is below chunkCount, and each step advances the cursor by one chunk.
      while (cursor.index < k) {
        const i = cursor.index;
        const c = await this.step(cursor);
        if (!this.hot.has(i)) this.put(this.cold, i, c);
      }
      const c = await this.step(cursor);
      this.cold.delete(k);
      this.put(this.hot, k, c);
      return c;
    } catch (e) {
      // A failed decoder is dead (corrupt, short or long stream); the next read starts a fresh one.
      this.drop(cursor);
      throw e;
    }
  }

  private async startCursor(): Promise<Cursor> {
    if (this.maxCursors === undefined) {
      const head = await this.compressed.read(0, Math.min(16, this.compressed.size));
      // Per decoder: its state, plus about two input chunks (one being read, one queued in the
      // pipe) and two output buffers (zlib's 64 KiB chunks) in flight.
      const each = this.codec.stateBytes(head) + 2 * this.inputChunkBytes + 128 * KiB;
      this.maxCursors = Math.min(MAX_CURSORS, Math.max(2, Math.floor(this.cursorBudgetBytes / each)));
    }
    if (this.cursors.length >= this.maxCursors) {
      // Drop the least recently used decoder; its position is the one least likely to be wanted.
      let lru = this.cursors[0];
      for (const c of this.cursors) if (c.lastUsed < lru.lastUsed) lru = c;
      this.drop(lru);
    }
    const cursor = new Cursor(this.codec, this.compressed, this.inputChunkBytes, this.path, this.onComplete !== undefined);
    this.cursors.push(cursor);
    this.stats.decoders++;
    this.stats.peakCursors = Math.max(this.stats.peakCursors, this.cursors.length);
    return cursor;
  }

  /** The cursor's next chunk; at the end of the stream, checks the size and retires the cursor. */
  private async step(cursor: Cursor): Promise<Uint8Array> {
    const i = cursor.index;
    const c = await cursor.next(this.chunkLength(i), this.spare.pop());
    this.stats.decodedBytes += c.length;
    if (i + 1 === this.chunkCount) {
      if (this.exactSize) await cursor.expectEnd();
      const done = this.onComplete;
      if (done && cursor.crc !== undefined) {
        this.onComplete = undefined;
        done(cursor.crc);
      }
      this.drop(cursor); // nothing left to decode: free its window now
    }
    return c;
  }

  private drop(cursor: Cursor): void {
    cursor.destroy();
    this.cursors = this.cursors.filter((c) => c !== cursor);
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

/** One live decoder and where it stands, pulled one cache chunk at a time. */
class Cursor {
  /** Index of the next chunk this decoder will produce. */
  index = 0;
  lastUsed = 0;
  /** CRC-32 of everything produced so far, when asked for. */
  crc: number | undefined;
  private readonly decoder: StreamDecoder;
  private leftover: Uint8Array | null = null;
  private produced = 0;

  constructor(private readonly codec: StreamCodec, source: Source, inputChunkBytes: number, private readonly path: string, trackCrc: boolean) {
    this.crc = trackCrc ? 0 : undefined;
    this.decoder = codec.open(source, inputChunkBytes);
  }

  /** The next `want` decoded bytes, as one chunk (into `reuse` when it has the right size). */
  async next(want: number, reuse?: Uint8Array): Promise<Uint8Array> {
    const out = reuse && reuse.length === want ? reuse : new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      const buf = this.leftover ?? (await this.pull());
      this.leftover = null;
      if (!buf) throw new TruncatedError(`${this.codec.name} stream ends after ${this.produced} decoded bytes`, this.produced, this.path);
      const n = Math.min(buf.length, want - filled);
      out.set(buf.subarray(0, n), filled);
      filled += n;
      this.produced += n;
      if (n < buf.length) this.leftover = buf.subarray(n);
    }
    if (this.crc !== undefined) this.crc = crc32(out, this.crc);
    this.index++;
    return out;
  }

  /** Throws a LimitError unless the stream ends here (it decodes to more than declared). */
  async expectEnd(): Promise<void> {
    // Bounded: each pull consumes decoder output, and an ended stream returns null.
    let buf = this.leftover ?? (await this.pull());
    this.leftover = null;
    while (buf !== null && buf.length === 0) buf = await this.pull();
    if (buf !== null) {
      throw new LimitError(`${this.codec.name} stream decodes past its declared ${this.produced} bytes`, this.produced, this.path,
        { limit: 'declared size', value: this.produced + buf.length, max: this.produced });
    }
  }

  /** The decoder's next output, or null at the end of the stream. */
  private async pull(): Promise<Uint8Array | null> {
    try {
      return await this.decoder.next();
    } catch (e) {
      if (isRomscanError(e)) throw e;
      // zlib reports bad streams as plain Errors with a zlib code: translate at the boundary.
      const err = e as NodeJS.ErrnoException;
      const what = `${this.codec.name}: ${err.message}${err.code ? ` (${err.code})` : ''} after ${this.produced} decoded bytes`;
      // "unexpected end of file": the compressed data stops inside the stream.
      if (err.code === 'Z_BUF_ERROR') throw new TruncatedError(what, this.produced, this.path);
      throw new FormatError(what, this.produced, this.path);
    }
  }

  destroy(): void {
    this.decoder.destroy();
    this.leftover = null;
  }
}

async function* readChunks(source: Source, chunkBytes: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < source.size; off += chunkBytes) {
    yield await source.read(off, Math.min(chunkBytes, source.size - off));
  }
}

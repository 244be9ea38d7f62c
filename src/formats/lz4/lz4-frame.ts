// LZ4 Frame Format (lz4/doc/lz4_Frame_format.md, v1.6.x) and the legacy frame (`lz4 -l`), as in
// Samsung firmware's `*.img.lz4` members. A frame is: magic 0x184D2204, a descriptor (FLG, BD,
// optional content size and dictionary id, header checksum), data blocks (4-byte size, high bit =
// stored raw, optional XXH32 block checksum), an end mark and an optional content checksum.
// Frames may be concatenated and interleaved with skippable frames.
//
// The decoded bytes are a Source: for independent blocks (the lz4 CLI default) only the blocks a
// read touches are decoded, so a multi-GiB super.img.lz4 is never held in memory. Linked blocks
// (-BD) depend on the previous 64 KiB of output, so such frames are decoded forward: whole, once,
// up to MAX_BUFFERED_DECODE_BYTES (DecodedSource, content checksums verified), and past that as a
// stream with bounded memory (StreamDecodedSource with `lz4LinkedCodec`).
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit, LIMITS } from '../../io/limits.js';
import { checkRange, DecodedSource, type Source } from '../../io/source.js';
import { StreamDecodedSource, type StreamCodec, type StreamDecoder } from '../../io/stream-source.js';
import { decodeLz4Block, lz4BlockDecodedLength } from './lz4-block.js';
import { xxh32 } from './xxh32.js';

export const LZ4_FRAME_MAGIC = 0x184d2204;
export const LZ4_LEGACY_MAGIC = 0x184c2102;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
/** Legacy frames cut the input into 8 MiB blocks (lz4io.c LEGACY_BLOCKSIZE). */
const LEGACY_BLOCK_SIZE = 8 * 1024 * 1024;
/** LZ4_compressBound(LEGACY_BLOCK_SIZE): a larger legacy block size is the start of something else. */
const LEGACY_MAX_COMPRESSED = LEGACY_BLOCK_SIZE + Math.floor(LEGACY_BLOCK_SIZE / 255) + 16;
/** Linked blocks may refer this far back into earlier output. */
const LZ4_WINDOW = 64 * 1024;
/** Block headers are read through a window this big: runs of small blocks cost one read, big blocks no wasted bytes. */
const HEADER_WINDOW = 4096;
/** Compressed data of consecutive blocks is fetched in reads of up to this many bytes. */
const BATCH_READ = 16 * 1024 * 1024;
/** Decoded blocks kept for reads that come back to them (4 MiB blocks: 8 of them). */
const CACHE_BYTES = 32 * 1024 * 1024;

/** True when `head` starts with an LZ4 frame (or legacy frame) magic number. */
export function detectLz4Frame(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const m = (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
  return m === LZ4_FRAME_MAGIC || m === LZ4_LEGACY_MAGIC;
}

interface Lz4Block {
  /** Offset of the block data (after its 4-byte size) in the compressed source. */
  offset: number;
  compressedSize: number;
  raw: boolean;
  /** An XXH32 of the block data follows it. */
  checksum: boolean;
  /** Matches may refer to the previous blocks of the frame. */
  linked: boolean;
  maxSize: number;
  /** Index of the frame's first block, for linked decoding. */
  frameFirst: number;
  /** Decoded size; -1 until known. */
  size: number;
}

interface Lz4Frame {
  firstBlock: number;
  blockCount: number;
  contentSize: number | null;
  /** Offset of the content checksum, or -1. */
  contentChecksumAt: number;
}

export interface Lz4Layout {
  blocks: Lz4Block[];
  frames: Lz4Frame[];
  /** Decoded offset of each block, and the total decoded size at the end. */
  starts: Float64Array;
  size: number;
  /** Bytes after the last frame that are not a frame (tolerated, as the lz4 CLI does). */
  trailingBytes: number;
}

/** Reads an LZ4 frame file's structure and the decoded size of every block. */
export async function readLz4Layout(source: Source): Promise<Lz4Layout> {
  const win = new WindowReader(source);
  const blocks: Lz4Block[] = [];
  const frames: Lz4Frame[] = [];
  let pos = 0;
  let trailingBytes = 0;
  while (pos < source.size) {
    if (source.size - pos < 4) { trailingBytes = source.size - pos; break; }
    const magic = (await win.bytes(pos, 4, 'frame magic')).u32At(0);
    if (magic === LZ4_FRAME_MAGIC) {
      pos = await readFrame(win, pos, blocks, frames);
    } else if (magic === LZ4_LEGACY_MAGIC) {
      pos = await readLegacyFrame(win, pos, blocks, frames);
    } else if ((magic & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) {
      const n = (await win.bytes(pos + 4, 4, 'skippable frame size')).u32At(0);
      if (pos + 8 + n > source.size) throw new TruncatedError(`lz4: skippable frame of ${n} bytes past end`, pos, source.path);
      pos += 8 + n;
    } else if (frames.length === 0) {
      throw new FormatError(`lz4: bad frame magic 0x${magic.toString(16)}`, pos, source.path);
    } else {
      // The lz4 CLI stops with a warning at data that is not a frame; so do we (Odin appends nothing,
      // but repacked firmware sometimes carries padding).
      trailingBytes = source.size - pos;
      break;
    }
  }
  if (blocks.length === 0 && frames.length === 0) throw new FormatError('lz4: no frame', 0, source.path);
  await sizeBlocks(source, blocks, frames);
  const starts = new Float64Array(blocks.length + 1);
  for (let i = 0; i < blocks.length; i++) starts[i + 1] = starts[i] + blocks[i].size;
  return { blocks, frames, starts, size: starts[blocks.length], trailingBytes };
}

async function readFrame(win: WindowReader, start: number, blocks: Lz4Block[], frames: Lz4Frame[]): Promise<number> {
  const path = win.source.path;
  const d = await win.bytes(start + 4, 2, 'frame descriptor');
  const flg = d.u8At(0);
  const bd = d.u8At(1);
  if (flg >> 6 !== 1) throw new UnsupportedError(`lz4: frame version ${flg >> 6}`, start + 4, path);
  if (flg & 0x02) throw new FormatError('lz4: reserved FLG bit set', start + 4, path);
  if (bd & 0x8f) throw new FormatError(`lz4: reserved BD bits set (0x${bd.toString(16)})`, start + 5, path);
  const blockMaxId = (bd >> 4) & 7;
  if (blockMaxId < 4) throw new FormatError(`lz4: block maximum size id ${blockMaxId}`, start + 5, path);
  const maxSize = 1 << (2 * blockMaxId + 8);
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  if (flg & 0x01) throw new UnsupportedError('lz4: frame needs a dictionary (DictID)', start + 4, path, { feature: 'dictionary' });
  const descLen = 2 + (hasContentSize ? 8 : 0);
  const desc = await win.bytes(start + 4, descLen + 1, 'frame descriptor');
  const hc = desc.u8At(descLen);
  const expected = (xxh32(desc.bytes, 0, descLen) >>> 8) & 0xff;
  if (hc !== expected) throw new FormatError(`lz4: header checksum 0x${hc.toString(16)}, expected 0x${expected.toString(16)}`, start + 4 + descLen, path);
  let contentSize: number | null = null;
  if (hasContentSize) {
    desc.seek(2);
    contentSize = desc.u64le();
  }
  let pos = start + 4 + descLen + 1;
  const firstBlock = blocks.length;
  for (;;) {
    const word = (await win.bytes(pos, 4, 'block size')).u32At(0);
    pos += 4;
    if (word === 0) break; // EndMark
    const compressedSize = word & 0x7fffffff;
    // The format never lets a block, stored or compressed, exceed the frame's maximum block size.
    if (compressedSize > maxSize) throw new FormatError(`lz4: block of ${compressedSize} bytes over the ${maxSize}-byte maximum`, pos - 4, path);
    const end = pos + compressedSize + (blockChecksum ? 4 : 0);
    if (end > win.source.size) throw new TruncatedError(`lz4: block of ${compressedSize} bytes runs past end`, pos - 4, path);
    checkLimit('MAX_EXTENTS', blocks.length + 1, 'lz4 block count', pos - 4, path);
    blocks.push({
      offset: pos, compressedSize, raw: (word & 0x80000000) !== 0, checksum: blockChecksum, linked: !independent,
      maxSize, frameFirst: firstBlock, size: -1,
    });
    pos = end;
  }
  let contentChecksumAt = -1;
  if (contentChecksum) {
    if (pos + 4 > win.source.size) throw new TruncatedError('lz4: content checksum past end', pos, path);
    contentChecksumAt = pos;
    pos += 4;
  }
  frames.push({ firstBlock, blockCount: blocks.length - firstBlock, contentSize, contentChecksumAt });
  return pos;
}

async function readLegacyFrame(win: WindowReader, start: number, blocks: Lz4Block[], frames: Lz4Frame[]): Promise<number> {
  const path = win.source.path;
  let pos = start + 4;
  const firstBlock = blocks.length;
  // Legacy frames have no end mark: they run to the end of input or to the next magic number.
  while (pos + 4 <= win.source.size) {
    const word = (await win.bytes(pos, 4, 'legacy block size')).u32At(0);
    // A magic number (or padding) where a block size should be ends the legacy frame.
    if (word > LEGACY_MAX_COMPRESSED || word === 0) break;
    if (pos + 4 + word > win.source.size) throw new TruncatedError(`lz4: legacy block of ${word} bytes runs past end`, pos, path);
    checkLimit('MAX_EXTENTS', blocks.length + 1, 'lz4 block count', pos, path);
    blocks.push({ offset: pos + 4, compressedSize: word, raw: false, checksum: false, linked: false, maxSize: LEGACY_BLOCK_SIZE, frameFirst: firstBlock, size: -1 });
    pos += 4 + word;
  }
  frames.push({ firstBlock, blockCount: blocks.length - firstBlock, contentSize: null, contentChecksumAt: -1 });
  return pos;
}

/**
 * Fills in every block's decoded size. When a frame declares its content size and that equals
 * full blocks plus the last one (what every LZ4F writer, the lz4 CLI included, produces), only the
 * last block is read; since no block may exceed the maximum, the sum proves each was full.
 * Otherwise every block's sequence headers are walked once.
 */
async function sizeBlocks(source: Source, blocks: Lz4Block[], frames: Lz4Frame[]): Promise<void> {
  for (const f of frames) {
    if (f.blockCount === 0) {
      if (f.contentSize) throw new FormatError(`lz4: empty frame declares ${f.contentSize} bytes`, undefined, source.path);
      continue;
    }
    const last = blocks[f.firstBlock + f.blockCount - 1];
    for (let i = f.firstBlock; i < f.firstBlock + f.blockCount - 1; i++) {
      const b = blocks[i];
      b.size = b.raw ? b.compressedSize : b.maxSize;
    }
    await scanBlocks(source, blocks, f.firstBlock + f.blockCount - 1, f.firstBlock + f.blockCount);
    let sum = 0;
    for (let i = f.firstBlock; i < f.firstBlock + f.blockCount; i++) sum += blocks[i].size;
    if (f.contentSize !== null && sum === f.contentSize) continue;
    await scanBlocks(source, blocks, f.firstBlock, f.firstBlock + f.blockCount - 1);
    sum = 0;
    for (let i = f.firstBlock; i < f.firstBlock + f.blockCount; i++) sum += blocks[i].size;
    if (f.contentSize !== null && sum !== f.contentSize) {
      throw new FormatError(`lz4: blocks decode to ${sum} bytes, frame declares ${f.contentSize}`, last.offset, source.path);
    }
  }
}

/** Sets `size` of blocks [from, to) by walking their sequences; reads their data in large batches. */
async function scanBlocks(source: Source, blocks: Lz4Block[], from: number, to: number): Promise<void> {
  let i = from;
  while (i < to) {
    if (blocks[i].raw) {
      blocks[i].size = blocks[i].compressedSize;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < to && blocks[j].offset + blocks[j].compressedSize - blocks[i].offset <= BATCH_READ) j++;
    const base = blocks[i].offset;
    const data = await source.read(base, blocks[j - 1].offset + blocks[j - 1].compressedSize - base);
    for (let k = i; k < j; k++) {
      const b = blocks[k];
      if (b.raw) { b.size = b.compressedSize; continue; }
      const s = b.offset - base;
      b.size = lz4BlockDecodedLength(data, s, s + b.compressedSize, b.linked, base, source.path);
      if (b.size > b.maxSize) throw new FormatError(`lz4: block decodes to ${b.size} bytes, over the ${b.maxSize}-byte maximum`, b.offset, source.path);
    }
    i = j;
  }
}

/** Opens an LZ4 frame file as the Source of its decoded bytes. */
export async function openLz4Frame(source: Source): Promise<Source> {
  const layout = await readLz4Layout(source);
  if (layout.blocks.some((b) => b.linked)) {
    if (layout.size <= LIMITS.MAX_BUFFERED_DECODE_BYTES) return new DecodedSource(() => decodeAll(source, layout), layout.size, source.path);
    return new StreamDecodedSource(lz4LinkedCodec(layout), source, layout.size, source.path);
  }
  checkLimit('MAX_EXPANDED_BYTES', layout.size, 'lz4 decoded size', 0, source.path);
  return new Lz4BlockSource(source, layout);
}

/** Decodes everything in order (needed for linked blocks), checking content checksums. */
async function decodeAll(source: Source, layout: Lz4Layout): Promise<Uint8Array> {
  checkLimit('MAX_DECODED_BYTES', layout.size, 'lz4 decoded size', 0, source.path);
  const out = new Uint8Array(layout.size);
  const { blocks, starts } = layout;
  let i = 0;
  while (i < blocks.length) {
    let j = i + 1;
    while (j < blocks.length && blocks[j].offset + blocks[j].compressedSize - blocks[i].offset <= BATCH_READ) j++;
    const base = blocks[i].offset;
    const data = await source.read(base, blocks[j - 1].offset + blocks[j - 1].compressedSize + (blocks[j - 1].checksum ? 4 : 0) - base);
    for (let k = i; k < j; k++) {
      const b = blocks[k];
      const dictStart = b.linked ? Math.max(starts[b.frameFirst], starts[k] - LZ4_WINDOW) : starts[k];
      decodeBlockInto(source, b, data, b.offset - base, out, starts[k], dictStart);
    }
    i = j;
  }
  for (const f of layout.frames) {
    if (f.contentChecksumAt < 0 || f.blockCount === 0) continue;
    const stored = (await source.read(f.contentChecksumAt, 4));
    const want = (stored[0] | (stored[1] << 8) | (stored[2] << 16) | (stored[3] << 24)) >>> 0;
    const got = xxh32(out, starts[f.firstBlock], starts[f.firstBlock + f.blockCount]);
    if (got !== want) throw new FormatError(`lz4: content checksum 0x${got.toString(16)}, frame says 0x${want.toString(16)}`, f.contentChecksumAt, source.path);
  }
  return out;
}

/**
 * Linked-block frames as a forward-only stream for StreamDecodedSource: each block is decoded
 * behind the previous 64 KiB of its frame's output. Block checksums are verified; content
 * checksums are not (as for independent blocks read out of order), since that needs the whole
 * frame in one pass.
 */
export function lz4LinkedCodec(layout: Lz4Layout): StreamCodec {
  let largest = 0;
  for (const b of layout.blocks) largest = Math.max(largest, b.size);
  return {
    name: 'lz4',
    open: (source, inputChunkBytes) => lz4LinkedDecoder(source, layout, inputChunkBytes),
    // A parked decoder holds its last block (until the Source has copied it out) and the history.
    stateBytes: () => largest + LZ4_WINDOW,
  };
}

function lz4LinkedDecoder(source: Source, layout: Lz4Layout, inputChunkBytes: number): StreamDecoder {
  const { blocks } = layout;
  const none = new Uint8Array(0);
  let history: Uint8Array = none;
  let frame = -1;
  let k = 0;
  let data: Uint8Array = none;
  let base = 0;
  return {
    async next(): Promise<Uint8Array | null> {
      // Skips empty blocks: a decoded chunk of zero bytes would say nothing.
      while (k < blocks.length && blocks[k].size === 0) k++;
      if (k >= blocks.length) return null;
      const b = blocks[k];
      const end = b.offset + b.compressedSize + (b.checksum ? 4 : 0);
      if (b.offset < base || end > base + data.length) {
        // Batch the compressed data of the next blocks, up to inputChunkBytes (or one block).
        let last = end;
        for (let j = k + 1; j < blocks.length; j++) {
          const n = blocks[j];
          const e = n.offset + n.compressedSize + (n.checksum ? 4 : 0);
          if (e - b.offset > inputChunkBytes) break;
          last = e;
        }
        base = b.offset;
        data = await source.read(base, last - base);
      }
      if (b.frameFirst !== frame) {
        frame = b.frameFirst; // a new frame starts with no history
        history = none;
      }
      const dict = b.linked ? history : none;
      const out = new Uint8Array(dict.length + b.size);
      out.set(dict, 0);
      decodeBlockInto(source, b, data, b.offset - base, out, dict.length, 0);
      history = out.slice(Math.max(0, out.length - LZ4_WINDOW));
      k++;
      return out.subarray(dict.length);
    },
    destroy(): void {
      data = none;
      history = none;
      k = blocks.length;
    },
  };
}

/** Decodes block `b`, whose data starts at `data[at]`, into `out[start, start + b.size)`. */
function decodeBlockInto(source: Source, b: Lz4Block, data: Uint8Array, at: number, out: Uint8Array, start: number, dictStart: number): void {
  if (b.checksum) {
    const p = at + b.compressedSize;
    const want = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
    const got = xxh32(data, at, p);
    if (got !== want) throw new FormatError(`lz4: block checksum 0x${got.toString(16)}, stored 0x${want.toString(16)}`, b.offset + b.compressedSize, source.path);
  }
  if (b.raw) {
    out.set(data.subarray(at, at + b.compressedSize), start);
    return;
  }
  const n = decodeLz4Block(data, at, at + b.compressedSize, { dst: out, start, end: start + b.size, dictStart }, false, b.offset - at, source.path);
  if (n !== b.size) throw new FormatError(`lz4: block decoded to ${n} bytes, expected ${b.size}`, b.offset, source.path);
}

/** Decoded bytes of independent-block frames; decodes only the blocks a read touches. */
export class Lz4BlockSource implements Source {
  readonly size: number;
  readonly path: string;
  private readonly cache = new Map<number, Uint8Array>();
  private cacheBytes = 0;

  constructor(private readonly parent: Source, private readonly layout: Lz4Layout) {
    this.size = layout.size;
    this.path = parent.path;
  }

  private find(offset: number): number {
    const starts = this.layout.starts;
    let lo = 0, hi = this.layout.blocks.length - 1, ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= offset) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const { blocks, starts } = this.layout;
    const end = offset + length;
    let k = this.find(offset);
    while (k < blocks.length && starts[k] < end) {
      // Skip empty blocks; batch consecutive uncached blocks into one parent read.
      let j = k;
      while (j < blocks.length && starts[j] < end && !this.cache.has(j) && (j === k || blocks[j].offset + blocks[j].compressedSize - blocks[k].offset <= BATCH_READ)) j++;
      if (j === k) {
        const bytes = this.cache.get(k)!;
        this.copyOut(k, bytes, out, offset, end);
        k++;
        continue;
      }
      const base = blocks[k].offset;
      const last = blocks[j - 1];
      const data = await this.parent.read(base, last.offset + last.compressedSize + (last.checksum ? 4 : 0) - base);
      for (let e = k; e < j; e++) {
        const b = blocks[e];
        const from = Math.max(offset, starts[e]);
        const to = Math.min(end, starts[e] + b.size);
        if (from === starts[e] && to === starts[e] + b.size) {
          decodeBlockInto(this.parent, b, data, b.offset - base, out, from - offset, from - offset);
        } else {
          const bytes = new Uint8Array(b.size);
          decodeBlockInto(this.parent, b, data, b.offset - base, bytes, 0, 0);
          this.remember(e, bytes);
          this.copyOut(e, bytes, out, offset, end);
        }
      }
      k = j;
    }
    return out;
  }

  private copyOut(k: number, bytes: Uint8Array, out: Uint8Array, offset: number, end: number): void {
    const start = this.layout.starts[k];
    const from = Math.max(offset, start);
    const to = Math.min(end, start + bytes.length);
    out.set(bytes.subarray(from - start, to - start), from - offset);
  }

  private remember(k: number, bytes: Uint8Array): void {
    this.cache.set(k, bytes);
    this.cacheBytes += bytes.length;
    for (const [key, v] of this.cache) {
      if (this.cacheBytes <= CACHE_BYTES || key === k) break;
      this.cache.delete(key);
      this.cacheBytes -= v.length;
    }
  }
}

/** Small structure reads (frame and block headers) through a cached window of the source. */
class WindowReader {
  private base = 0;
  private window: Uint8Array = new Uint8Array(0);
  constructor(readonly source: Source) {}

  async bytes(pos: number, n: number, what: string): Promise<ByteReader> {
    if (pos + n > this.source.size) throw new TruncatedError(`lz4: ${what} past end`, pos, this.source.path);
    if (pos < this.base || pos + n > this.base + this.window.length) {
      this.base = pos;
      this.window = await this.source.read(pos, Math.min(Math.max(n, HEADER_WINDOW), this.source.size - pos));
    }
    return new ByteReader(this.window.subarray(pos - this.base, pos - this.base + n), pos, this.source.path);
  }
}

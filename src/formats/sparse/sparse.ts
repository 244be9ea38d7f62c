// Android sparse image (AOSP libsparse `sparse_format.h`, reader logic after `sparse_read.cpp`):
// a header, then chunks that each expand to a whole number of blocks — RAW (bytes follow),
// FILL (one 32-bit word repeated), DONT_CARE (nothing stored; reads as zeros) and CRC32
// (a checksum of what came before, no output). The expanded image is an ExtentSource over the
// sparse file itself, so nothing is copied or written out.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, TruncatedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { ExtentSource, type Extent, type Source } from '../../io/source.js';
import {
  CHUNK_TYPE_CRC32, CHUNK_TYPE_DONT_CARE, CHUNK_TYPE_FILL, CHUNK_TYPE_RAW, SPARSE_MAGIC,
  parseChunkHeader, parseSparseHeader, type SparseHeader,
} from './header.js';

/** True when `head` starts with the sparse magic (0xed26ff3a, little-endian). */
export function detectSparse(head: Uint8Array): boolean {
  return head.length >= 28 && head[0] === 0x3a && head[1] === 0xff && head[2] === 0x26 && head[3] === 0xed;
}

/** Chunk headers are read through a window this big, so runs of small chunks cost one read. */
const WINDOW_BYTES = 64 * 1024;

export interface SparseLayout {
  header: SparseHeader;
  extents: Extent[];
  expandedSize: number;
}

/** Reads the header and every chunk header; validates sizes against the header and the file. */
export async function readSparseLayout(source: Source): Promise<SparseLayout> {
  if (source.size < 28) throw new TruncatedError(`sparse: file of ${source.size} bytes is shorter than the header`, 0, source.path);
  const headBytes = await source.read(0, Math.min(source.size, WINDOW_BYTES));
  const header = parseSparseHeader(new ByteReader(headBytes, 0, source.path));
  const { blockSize, blockCount, chunkCount, chunkHeaderSize, fileHeaderSize } = header;
  const expandedSize = blockSize * blockCount;
  checkLimit('MAX_EXPANDED_BYTES', expandedSize, 'sparse expanded size', 12, source.path);
  checkLimit('MAX_EXTENTS', chunkCount, 'sparse chunk count', 20, source.path);
  // Every chunk needs at least its header in the file: a cheap bound before looping.
  if (fileHeaderSize + chunkCount * chunkHeaderSize > source.size) {
    throw new TruncatedError(`sparse: ${chunkCount} chunks cannot fit in ${source.size} bytes`, 20, source.path);
  }

  const extents: Extent[] = [];
  let win = headBytes;
  let winBase = 0;
  let offset = fileHeaderSize;
  let block = 0;
  for (let i = 0; i < chunkCount; i++) {
    if (offset + chunkHeaderSize > source.size) {
      throw new TruncatedError(`sparse: chunk ${i} header past end of file`, offset, source.path);
    }
    if (offset < winBase || offset + chunkHeaderSize > winBase + win.length) {
      winBase = offset;
      win = await source.read(offset, Math.min(WINDOW_BYTES, source.size - offset));
    }
    const r = new ByteReader(win, winBase, source.path).seek(offset - winBase);
    const { chunkType, chunkSizeBlocks, totalSize } = parseChunkHeader(r);
    const dataOffset = offset + chunkHeaderSize;
    const dataBytes = totalSize - chunkHeaderSize;
    const outBytes = chunkSizeBlocks * blockSize;
    if (block + chunkSizeBlocks > blockCount) {
      throw new FormatError(`sparse: chunk ${i} ends at block ${block + chunkSizeBlocks}, past total_blks ${blockCount}`, offset + 4, source.path);
    }
    switch (chunkType) {
      case CHUNK_TYPE_RAW:
        if (dataBytes !== outBytes) throw new FormatError(`sparse: RAW chunk ${i} total_sz ${totalSize} != ${chunkHeaderSize} + ${chunkSizeBlocks} blocks`, offset + 8, source.path);
        if (dataOffset + dataBytes > source.size) throw new TruncatedError(`sparse: RAW chunk ${i} data past end of file`, dataOffset, source.path);
        if (outBytes > 0) pushExtent(extents, { logical: block * blockSize, length: outBytes, kind: 'data', parentOffset: dataOffset });
        break;
      case CHUNK_TYPE_FILL: {
        if (dataBytes !== 4) throw new FormatError(`sparse: FILL chunk ${i} total_sz ${totalSize}`, offset + 8, source.path);
        const value = r.seek(dataOffset - winBase).u32le();
        // A zero fill is the same as a hole: leave it to the ExtentSource's gap handling.
        if (value !== 0 && outBytes > 0) pushExtent(extents, { logical: block * blockSize, length: outBytes, kind: 'fill', value });
        break;
      }
      case CHUNK_TYPE_DONT_CARE:
        if (dataBytes !== 0) throw new FormatError(`sparse: DONT_CARE chunk ${i} total_sz ${totalSize}`, offset + 8, source.path);
        break;
      case CHUNK_TYPE_CRC32:
        // libsparse checks it only when asked to (sparse_file_import(crc=true)); simg2img does not.
        if (dataBytes !== 4) throw new FormatError(`sparse: CRC32 chunk ${i} total_sz ${totalSize}`, offset + 8, source.path);
        break;
      default:
        throw new FormatError(`sparse: chunk ${i} has unknown type 0x${chunkType.toString(16)}`, offset, source.path);
    }
    block += chunkSizeBlocks;
    offset = dataOffset + dataBytes;
  }
  // libsparse (sparse_file_read_sparse) rejects an image whose chunks do not add up to total_blks.
  if (block !== blockCount) {
    throw new FormatError(`sparse: chunks cover ${block} blocks, header says ${blockCount}`, 16, source.path);
  }
  return { header, extents, expandedSize };
}

/** Merges a fill that continues the previous one with the same value (img2simg splits long runs). */
function pushExtent(extents: Extent[], e: Extent): void {
  const last = extents[extents.length - 1];
  if (last && last.logical + last.length === e.logical) {
    if (last.kind === 'data' && e.kind === 'data' && last.parentOffset + last.length === e.parentOffset) {
      extents[extents.length - 1] = { ...last, length: last.length + e.length };
      return;
    }
    if (last.kind === 'fill' && e.kind === 'fill' && last.value === e.value && last.length % 4 === 0) {
      extents[extents.length - 1] = { ...last, length: last.length + e.length };
      return;
    }
  }
  extents.push(e);
}

/** The expanded image as a Source over `source`. Its path is `source.path`: naming is the caller's. */
export async function openSparse(source: Source): Promise<Source> {
  const { extents, expandedSize } = await readSparseLayout(source);
  return new ExtentSource(source, extents, expandedSize, source.path);
}

export { SPARSE_MAGIC };

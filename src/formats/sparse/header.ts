// Android sparse image header and chunk header; layout from AOSP libsparse `sparse_format.h`.
import type { ByteReader } from '../../io/byte-reader.js';
import { FormatError, UnsupportedError } from '../../io/errors/index.js';

export const SPARSE_MAGIC = 0xed26ff3a;
export const V1_FILE_HEADER_SIZE = 28;
export const V1_CHUNK_HEADER_SIZE = 12;

export const CHUNK_TYPE_RAW = 0xcac1;
export const CHUNK_TYPE_FILL = 0xcac2;
export const CHUNK_TYPE_DONT_CARE = 0xcac3;
export const CHUNK_TYPE_CRC32 = 0xcac4;

export interface SparseHeader {
  fileHeaderSize: number;
  chunkHeaderSize: number;
  blockSize: number;
  blockCount: number;
  chunkCount: number;
}

/** `sparse_header_t`, read from the reader's position. */
export function parseSparseHeader(r: ByteReader): SparseHeader {
  const start = r.pos;
  const startOffset = r.offset;
  if (r.u32le() !== SPARSE_MAGIC) throw r.fail('sparse: bad magic', start);
  const major = r.u16le();
  r.u16le(); // minor: newer minors only append fields, which fileHeaderSize lets us skip
  if (major !== 1) throw new UnsupportedError(`sparse: major version ${major}`, startOffset + 4, r.path);
  const fileHeaderSize = r.u16le();
  const chunkHeaderSize = r.u16le();
  // libsparse rejects anything smaller than the v1 structs (it reads them whole).
  if (fileHeaderSize < V1_FILE_HEADER_SIZE || chunkHeaderSize < V1_CHUNK_HEADER_SIZE) {
    throw new FormatError(`sparse: header sizes ${fileHeaderSize}/${chunkHeaderSize}`, startOffset + 8, r.path);
  }
  const blockSize = r.u32le();
  // Every chunk length is counted in blocks, and libsparse requires a multiple of 4 (fill words).
  if (blockSize === 0 || blockSize % 4 !== 0) throw new FormatError(`sparse: block size ${blockSize}`, startOffset + 12, r.path);
  const blockCount = r.u32le();
  const chunkCount = r.u32le();
  r.u32le(); // image_checksum: libsparse writers leave it 0 and readers ignore it
  return { fileHeaderSize, chunkHeaderSize, blockSize, blockCount, chunkCount };
}

export interface ChunkHeader {
  chunkType: number;
  /** Output size of the chunk, in blocks. */
  chunkSizeBlocks: number;
  /** Bytes of this chunk in the sparse file, header included. */
  totalSize: number;
}

/** `chunk_header_t` at the reader's position (does not skip chunkHeaderSize padding). */
export function parseChunkHeader(r: ByteReader): ChunkHeader {
  const chunkType = r.u16le();
  r.u16le(); // reserved1
  const chunkSizeBlocks = r.u32le();
  const totalSize = r.u32le();
  return { chunkType, chunkSizeBlocks, totalSize };
}

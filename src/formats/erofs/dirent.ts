// EROFS directory blocks (Linux fs/erofs/dir.c, erofs_fs.h `struct erofs_dirent`): each block
// starts with an array of 12-byte dirents {nid u64, nameoff u16, file_type u8, reserved u8}; the
// first nameoff also gives the dirent count. Names are packed after the array, not NUL-terminated
// except possibly the last one of the block.
import type { ByteReader } from '../../io/byte-reader.js';
import { FormatError } from '../../io/errors/index.js';

export const EROFS_DIRENT_SIZE = 12;
export const EROFS_NAME_LEN = 255;

export interface ErofsDirent {
  nid: number;
  /** Raw name bytes (a view into the block). */
  name: Uint8Array;
  fileType: number;
}

/**
 * Parses one directory block: `r` holds the block, of which the first `maxsize` bytes are in use
 * (less than the block size only for the last block of the directory).
 */
export function parseErofsDirBlock(r: ByteReader, maxsize: number): ErofsDirent[] {
  const nameoff0 = r.u16At(8);
  if (nameoff0 < EROFS_DIRENT_SIZE || nameoff0 >= maxsize) {
    throw new FormatError(`erofs: dirent[0].nameoff ${nameoff0} in a ${maxsize}-byte directory block`, r.base + 8, r.path);
  }
  const count = Math.floor(nameoff0 / EROFS_DIRENT_SIZE);
  const out: ErofsDirent[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * EROFS_DIRENT_SIZE;
    const nid = readNid(r, at);
    const nameoff = r.u16At(at + 8);
    const fileType = r.u8At(at + 10);
    let namelen: number;
    if (i + 1 < count) {
      namelen = r.u16At(at + EROFS_DIRENT_SIZE + 8) - nameoff;
    } else {
      // The last name runs to the first NUL or the end of the used part of the block.
      namelen = 0;
      while (nameoff + namelen < maxsize && r.bytes[nameoff + namelen] !== 0) namelen++;
    }
    if (nameoff < nameoff0 || namelen <= 0 || namelen > EROFS_NAME_LEN || nameoff + namelen > maxsize) {
      throw new FormatError(`erofs: dirent ${i} name at ${nameoff} length ${namelen} outside block`, r.base + at + 8, r.path);
    }
    out.push({ nid, name: r.bytesAt(nameoff, namelen), fileType });
  }
  return out;
}

function readNid(r: ByteReader, at: number): number {
  const lo = r.u32At(at), hi = r.u32At(at + 4);
  if (hi >= 0x200000) throw new FormatError(`erofs: dirent nid 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} too large`, r.base + at, r.path);
  return hi * 0x1_0000_0000 + lo;
}

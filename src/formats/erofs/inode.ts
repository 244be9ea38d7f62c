// EROFS on-disk inodes (Linux fs/erofs/erofs_fs.h): `struct erofs_inode_compact` (32 bytes) and
// `struct erofs_inode_extended` (64 bytes), told apart by bit 0 of i_format; bits 1-3 give the
// data layout. Inline xattrs (i_xattr_icount) follow the inode and are skipped, never parsed.
import type { ByteReader } from '../../io/byte-reader.js';
import { FormatError, UnsupportedError } from '../../io/errors/index.js';

export const EROFS_INODE_FLAT_PLAIN = 0;
export const EROFS_INODE_COMPRESSED_FULL = 1;
export const EROFS_INODE_FLAT_INLINE = 2;
export const EROFS_INODE_COMPRESSED_COMPACT = 3;
export const EROFS_INODE_CHUNK_BASED = 4;

export const EROFS_INODE_COMPACT_SIZE = 32;
export const EROFS_INODE_EXTENDED_SIZE = 64;
/** `struct erofs_xattr_ibody_header` */
const XATTR_IBODY_HEADER_SIZE = 12;

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

const LAYOUT_NAMES = ['FLAT_PLAIN', 'COMPRESSED_FULL', 'FLAT_INLINE', 'COMPRESSED_COMPACT', 'CHUNK_BASED'];

export interface ErofsInode {
  nid: number;
  /** Absolute offset of the inode in the image. */
  offset: number;
  /** 32 (compact) or 64 (extended). */
  inodeSize: number;
  dataLayout: number;
  /** Bytes of inline xattrs after the inode (erofs_xattr_ibody_size). */
  xattrSize: number;
  mode: number;
  size: number;
  /** i_u: raw_blkaddr, compressed_blocks or chunk info (format in the low 16 bits). */
  iU: number;
  /** Absolute offset right after the inode and its inline xattrs: inline data, block map or lcluster indexes. */
  tailOffset: number;
}

export function dataLayoutName(layout: number): string {
  return LAYOUT_NAMES[layout] ?? `layout ${layout}`;
}

/**
 * Parses the inode at the start of `r` (at least 32 bytes; 64 for an extended inode).
 * `offset` is the inode's absolute position, used for `tailOffset`.
 */
export function parseErofsInode(r: ByteReader, nid: number, offset: number): ErofsInode {
  const iFormat = r.u16At(0);
  const extended = (iFormat & 1) === 1;
  const dataLayout = (iFormat >>> 1) & 7;
  const inodeSize = extended ? EROFS_INODE_EXTENDED_SIZE : EROFS_INODE_COMPACT_SIZE;
  r.need(inodeSize, 0, 'erofs inode');
  if (dataLayout > EROFS_INODE_CHUNK_BASED) {
    throw new UnsupportedError(`erofs: inode ${nid} data layout ${dataLayout}`, r.base, r.path, { feature: `layout ${dataLayout}` });
  }
  const xattrIcount = r.u16At(2);
  const mode = r.u16At(4);
  let size: number;
  if (extended) {
    const lo = r.u32At(8), hi = r.u32At(12);
    if (hi >= 0x200000) throw new FormatError(`erofs: inode ${nid} size 2^${32 + Math.floor(Math.log2(hi))} too large`, r.base + 8, r.path);
    size = hi * 0x1_0000_0000 + lo;
  } else {
    size = r.u32At(8);
  }
  const iU = r.u32At(16);
  const xattrSize = xattrIcount === 0 ? 0 : XATTR_IBODY_HEADER_SIZE + 4 * (xattrIcount - 1);
  return { nid, offset, inodeSize, dataLayout, xattrSize, mode, size, iU, tailOffset: offset + inodeSize + xattrSize };
}

// ext4 inode (kernel Documentation/filesystems/ext4/inodes.rst, struct ext4_inode).
import type { ByteReader } from '../../io/byte-reader.js';

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

// i_flags
export const EXT4_ENCRYPT_FL = 0x800;
export const EXT4_INDEX_FL = 0x1000;
export const EXT4_EXTENTS_FL = 0x80000;
export const EXT4_EA_INODE_FL = 0x200000;
export const EXT4_INLINE_DATA_FL = 0x10000000;

/** Where i_block[] starts inside the inode: 15 × 4 bytes of block map, extent root or inline data. */
export const I_BLOCK_POS = 0x28;
export const I_BLOCK_BYTES = 60;

export interface Inode {
  ino: number;
  /** Absolute offset of the inode in the image. */
  offset: number;
  mode: number;
  size: number;
  linksCount: number;
  /** i_blocks (lo + hi), in 512-byte units unless HUGE_FILE says otherwise; only compared with 0. */
  blocks: number;
  flags: number;
  fileAcl: number;
  /** The whole on-disk inode (s_inode_size bytes): i_block[] and in-inode xattrs. */
  raw: Uint8Array;
}

/** The 60 bytes of i_block[] (a view, made on demand: walks hold many inodes). */
export function iBlockOf(inode: Inode): Uint8Array {
  return inode.raw.subarray(I_BLOCK_POS, I_BLOCK_POS + I_BLOCK_BYTES);
}

/** Parses one inode of `inodeSize` bytes at the reader's window position `pos`. */
export function parseInode(r: ByteReader, pos: number, inodeSize: number, ino: number): Inode {
  r.need(inodeSize, pos, `inode ${ino}`);
  const sizeHi = r.u32At(pos + 0x6c);
  // i_size_high above 2^21 would be a file over 8 PiB: not representable, certainly corrupt.
  if (sizeHi >= 0x200000) throw r.fail(`ext4: inode ${ino} i_size_high 0x${sizeHi.toString(16)}`, pos + 0x6c);
  return {
    ino,
    offset: r.base + pos,
    mode: r.u16At(pos),
    size: r.u32At(pos + 0x4) + sizeHi * 0x1_0000_0000,
    linksCount: r.u16At(pos + 0x1a),
    blocks: r.u32At(pos + 0x1c) + r.u16At(pos + 0x74) * 0x1_0000_0000,
    flags: r.u32At(pos + 0x20),
    fileAcl: r.u32At(pos + 0x68) + r.u16At(pos + 0x76) * 0x1_0000_0000,
    raw: r.bytesAt(pos, inodeSize),
  };
}

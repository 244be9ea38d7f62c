// ext4 superblock (kernel Documentation/filesystems/ext4/super.rst, struct ext4_super_block).
import type { ByteReader } from '../../io/byte-reader.js';
import { FormatError, UnsupportedError } from '../../io/errors/index.js';

export const SUPERBLOCK_OFFSET = 1024;
export const EXT4_SUPER_MAGIC = 0xef53;

// s_feature_compat
export const COMPAT_SPARSE_SUPER2 = 0x200;
// s_feature_ro_compat
export const RO_COMPAT_SPARSE_SUPER = 0x1;
export const RO_COMPAT_HUGE_FILE = 0x8;
export const RO_COMPAT_BIGALLOC = 0x200;
export const RO_COMPAT_METADATA_CSUM = 0x400;
// s_feature_incompat
export const INCOMPAT_COMPRESSION = 0x1;
export const INCOMPAT_FILETYPE = 0x2;
export const INCOMPAT_RECOVER = 0x4;
export const INCOMPAT_JOURNAL_DEV = 0x8;
export const INCOMPAT_META_BG = 0x10;
export const INCOMPAT_EXTENTS = 0x40;
export const INCOMPAT_64BIT = 0x80;
export const INCOMPAT_EA_INODE = 0x400;
export const INCOMPAT_INLINE_DATA = 0x8000;
export const INCOMPAT_ENCRYPT = 0x10000;

export interface Ext4Superblock {
  inodesCount: number;
  blocksCount: number;
  firstDataBlock: number;
  blockSize: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  revLevel: number;
  firstIno: number;
  inodeSize: number;
  featureCompat: number;
  featureIncompat: number;
  featureRoCompat: number;
  /** Allocation unit: the block size, or the bigalloc cluster size. */
  clusterSize: number;
  /** Bytes per group descriptor: 32, or s_desc_size with the 64bit feature. */
  descSize: number;
  firstMetaBg: number;
  backupBgs: [number, number];
  groupCount: number;
  volumeName: string;
}

/** Parses the 1024-byte superblock; `r` is positioned at its start (absolute offset 1024). */
export function parseSuperblock(r: ByteReader): Ext4Superblock {
  const s = r.pos;
  r.need(1024, s, 'superblock');
  const magic = r.u16At(s + 0x38);
  if (magic !== EXT4_SUPER_MAGIC) throw r.fail(`ext4: bad superblock magic 0x${magic.toString(16)}`, s + 0x38);
  const inodesCount = r.u32At(s + 0x0);
  const featureCompat = r.u32At(s + 0x5c);
  const featureIncompat = r.u32At(s + 0x60);
  const featureRoCompat = r.u32At(s + 0x64);
  const is64 = (featureIncompat & INCOMPAT_64BIT) !== 0;
  const blocksCount = r.u32At(s + 0x4) + (is64 ? r.u32At(s + 0x150) * 0x1_0000_0000 : 0);
  const firstDataBlock = r.u32At(s + 0x14);
  const logBlockSize = r.u32At(s + 0x18);
  // The kernel accepts 1 KiB..64 KiB blocks (EXT4_MAX_BLOCK_LOG_SIZE = 16).
  if (logBlockSize > 6) throw r.fail(`ext4: s_log_block_size ${logBlockSize}`, s + 0x18);
  const blockSize = 1024 << logBlockSize;
  const blocksPerGroup = r.u32At(s + 0x20);
  const inodesPerGroup = r.u32At(s + 0x28);
  const revLevel = r.u32At(s + 0x4c);
  // Revision 0 (original ext2) has fixed 128-byte inodes and first inode 11.
  const firstIno = revLevel >= 1 ? r.u32At(s + 0x54) : 11;
  const inodeSize = revLevel >= 1 ? r.u16At(s + 0x58) : 128;
  if (inodeSize < 128 || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) !== 0) {
    throw r.fail(`ext4: s_inode_size ${inodeSize}`, s + 0x58);
  }
  // bigalloc allocates clusters of 2^n blocks; mapping and inode tables still count in blocks,
  // so a reader only needs the wider bound on blocks per group (one bitmap block of clusters).
  let clusterRatio = 1;
  if (featureRoCompat & RO_COMPAT_BIGALLOC) {
    const logClusterSize = r.u32At(s + 0x1c);
    if (logClusterSize < logBlockSize || logClusterSize - logBlockSize > 16) throw r.fail(`ext4: s_log_cluster_size ${logClusterSize}`, s + 0x1c);
    clusterRatio = 2 ** (logClusterSize - logBlockSize);
  }
  if (blocksPerGroup === 0 || blocksPerGroup > blockSize * 8 * clusterRatio) throw r.fail(`ext4: s_blocks_per_group ${blocksPerGroup}`, s + 0x20);
  if (inodesPerGroup === 0 || inodesPerGroup > blockSize * 8) throw r.fail(`ext4: s_inodes_per_group ${inodesPerGroup}`, s + 0x28);
  if (firstDataBlock >= blocksCount) throw r.fail(`ext4: s_first_data_block ${firstDataBlock} >= blocks count ${blocksCount}`, s + 0x14);
  let descSize = 32;
  if (is64) {
    descSize = r.u16At(s + 0xfe);
    // The kernel requires 64..1024 and a power of two with the 64bit feature.
    if (descSize < 64 || descSize > 1024 || (descSize & (descSize - 1)) !== 0) throw r.fail(`ext4: s_desc_size ${descSize}`, s + 0xfe);
  }
  if (featureIncompat & INCOMPAT_JOURNAL_DEV) throw new UnsupportedError('ext4: external journal device, not a filesystem', r.base + s + 0x60, r.path);
  if (featureIncompat & INCOMPAT_COMPRESSION) throw new UnsupportedError('ext4: ext2 compression feature', r.base + s + 0x60, r.path);
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (!(groupCount > 0)) throw new FormatError('ext4: no block groups', r.base + s + 0x4, r.path);
  let volumeName = '';
  for (let i = 0; i < 16; i++) {
    const c = r.u8At(s + 0x78 + i);
    if (c === 0) break;
    volumeName += String.fromCharCode(c);
  }
  return {
    inodesCount, blocksCount, firstDataBlock, blockSize, blocksPerGroup, inodesPerGroup, revLevel, firstIno, inodeSize,
    clusterSize: blockSize * clusterRatio, featureCompat, featureIncompat, featureRoCompat, descSize,
    firstMetaBg: r.u32At(s + 0x104),
    backupBgs: [r.u32At(s + 0x24c), r.u32At(s + 0x250)],
    groupCount, volumeName,
  };
}

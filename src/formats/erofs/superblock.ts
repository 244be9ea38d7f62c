// EROFS superblock (`struct erofs_super_block`, Linux fs/erofs/erofs_fs.h): 128 bytes at
// EROFS_SUPER_OFFSET (1024), little-endian.
import type { ByteReader } from '../../io/byte-reader.js';
import { FormatError, UnsupportedError } from '../../io/errors/index.js';

export const EROFS_SUPER_OFFSET = 1024;
export const EROFS_SUPER_MAGIC_V1 = 0xe0f5e1e2;
export const EROFS_SUPER_SIZE = 128;

export const EROFS_FEATURE_INCOMPAT_ZERO_PADDING = 0x01;
/** Shares its bit with BIG_PCLUSTER: compression configs follow the superblock. */
export const EROFS_FEATURE_INCOMPAT_COMPR_CFGS = 0x02;
export const EROFS_FEATURE_INCOMPAT_BIG_PCLUSTER = 0x02;
export const EROFS_FEATURE_INCOMPAT_CHUNKED_FILE = 0x04;
/** Shares its bit with COMPR_HEAD2. */
export const EROFS_FEATURE_INCOMPAT_DEVICE_TABLE = 0x08;
export const EROFS_FEATURE_INCOMPAT_ZTAILPACKING = 0x10;
/** Shares its bit with DEDUPE. */
export const EROFS_FEATURE_INCOMPAT_FRAGMENTS = 0x20;
export const EROFS_FEATURE_INCOMPAT_XATTR_PREFIXES = 0x40;
const EROFS_ALL_FEATURE_INCOMPAT = 0x7f;

/** Later kernels' incompatible features, named so an UnsupportedError can say which one. */
const LATER_INCOMPAT_NAMES: Record<number, string> = { 0x80: '48bit', 0x100: 'metabox' };

// Block sizes: the kernel accepts 512 B up to its page size; 64 KiB covers every page size in use.
const MIN_BLKSZBITS = 9;
const MAX_BLKSZBITS = 16;

export interface ErofsSuperblock {
  featureCompat: number;
  featureIncompat: number;
  blkszbits: number;
  blockSize: number;
  rootNid: number;
  inos: number;
  blocks: number;
  metaBlkaddr: number;
  xattrBlkaddr: number;
  /** available_compr_algs when COMPR_CFGS is set, else lz4_max_distance. */
  u1: number;
  extraDevices: number;
  packedNid: number;
}

/** Parses the superblock from a reader positioned at its first byte (absolute offset 1024). */
export function parseErofsSuperblock(r: ByteReader): ErofsSuperblock {
  const start = r.pos;
  r.need(EROFS_SUPER_SIZE, start, 'erofs superblock');
  const magic = r.u32le();
  if (magic !== EROFS_SUPER_MAGIC_V1) throw r.fail(`erofs: bad superblock magic 0x${magic.toString(16)}`, start);
  r.u32le(); // checksum (crc32c, only when COMPAT_SB_CHKSUM): the kernel's check is about torn writes, not format
  const featureCompat = r.u32le();
  const blkszbits = r.u8();
  r.u8(); // sb_extslots: only the compression configs (which we do not need) follow the extension slots
  const rootNid = r.u16le();
  const inos = r.u64le();
  r.skip(8 + 4); // build_time, build_time_nsec
  const blocks = r.u32le();
  const metaBlkaddr = r.u32le();
  const xattrBlkaddr = r.u32le();
  r.skip(16 + 16); // uuid, volume_name
  const featureIncompat = r.u32le();
  const u1 = r.u16le();
  const extraDevices = r.u16le();
  r.u16le(); // devt_slotoff
  const dirblkbits = r.u8();
  r.u8(); // xattr_prefix_count
  r.u32le(); // xattr_prefix_start
  const packedNid = r.u64le();

  if (blkszbits < MIN_BLKSZBITS || blkszbits > MAX_BLKSZBITS) {
    throw new FormatError(`erofs: blkszbits ${blkszbits} outside ${MIN_BLKSZBITS}..${MAX_BLKSZBITS}`, r.base + start + 12, r.path);
  }
  const unknown = featureIncompat & ~EROFS_ALL_FEATURE_INCOMPAT;
  if (unknown) {
    const names = Object.entries(LATER_INCOMPAT_NAMES).filter(([bit]) => unknown & Number(bit)).map(([, n]) => n);
    throw new UnsupportedError(`erofs: incompatible feature ${names.length ? names.join(', ') : `bits 0x${unknown.toString(16)}`}`,
      r.base + start + 80, r.path, { feature: names[0] ?? unknown });
  }
  // The kernel refuses a directory block size other than the filesystem block size.
  if (dirblkbits !== 0) throw new UnsupportedError(`erofs: dirblkbits ${dirblkbits}`, r.base + start + 90, r.path, { feature: 'dirblkbits' });
  return {
    featureCompat, featureIncompat, blkszbits, blockSize: 2 ** blkszbits, rootNid, inos, blocks,
    metaBlkaddr, xattrBlkaddr, u1, extraDevices, packedNid,
  };
}

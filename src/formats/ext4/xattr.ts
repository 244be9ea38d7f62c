// In-inode extended attributes (kernel Documentation/filesystems/ext4/attributes.rst): after
// the 128-byte base inode and i_extra_isize, a 4-byte magic then ext4_xattr_entry records whose
// value offsets count from the first entry. Only `system.data` (inline data) is needed here.
import { ByteReader } from '../../io/byte-reader.js';
import type { Inode } from './inode.js';

export const EXT4_XATTR_MAGIC = 0xea020000;
export const EXT4_XATTR_INDEX_SYSTEM = 7;
const GOOD_OLD_INODE_SIZE = 128;

/** Absolute location of an xattr value inside the inode table. */
export interface XattrValueLocation {
  offset: number;
  size: number;
}

/**
 * Finds `system.data` among the inode's in-body xattrs. Returns null when there is no in-body
 * xattr area or no such attribute; throws a FormatError when the area is malformed.
 */
export function findInlineDataXattr(inode: Inode, path: string): XattrValueLocation | null {
  const raw = inode.raw;
  if (raw.length <= GOOD_OLD_INODE_SIZE) return null;
  const r = new ByteReader(raw, inode.offset, path);
  const extra = r.u16At(GOOD_OLD_INODE_SIZE);
  // The kernel ignores in-body xattrs when i_extra_isize is odd-sized or leaves no room.
  if (extra % 4 !== 0 || GOOD_OLD_INODE_SIZE + extra + 4 > raw.length) return null;
  const hdr = GOOD_OLD_INODE_SIZE + extra;
  if (r.u32At(hdr) !== EXT4_XATTR_MAGIC) return null;
  const first = hdr + 4;
  let pos = first;
  // Each entry is at least 16 bytes, so the loop is bounded by the inode size.
  while (pos + 4 <= raw.length && r.u32At(pos) !== 0) {
    r.need(16, pos, 'xattr entry');
    const nameLen = r.u8At(pos);
    const nameIndex = r.u8At(pos + 1);
    const valueOffs = r.u16At(pos + 2);
    const valueInum = r.u32At(pos + 4);
    const valueSize = r.u32At(pos + 8);
    r.need(nameLen, pos + 16, 'xattr name');
    if (nameIndex === EXT4_XATTR_INDEX_SYSTEM && nameLen === 4 &&
        raw[pos + 16] === 0x64 && raw[pos + 17] === 0x61 && raw[pos + 18] === 0x74 && raw[pos + 19] === 0x61) {
      if (valueInum !== 0) throw r.fail('ext4: system.data stored in an EA inode', pos + 4);
      if (first + valueOffs + valueSize > raw.length) throw r.fail(`ext4: system.data value [${valueOffs}, +${valueSize}) outside inode`, pos + 2);
      return { offset: inode.offset + first + valueOffs, size: valueSize };
    }
    pos += (16 + nameLen + 3) & ~3;
  }
  return null;
}

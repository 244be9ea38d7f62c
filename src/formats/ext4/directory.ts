// Linear directory entries (kernel Documentation/filesystems/ext4/directory.rst,
// struct ext4_dir_entry_2). Hash-tree (htree) directories are read the same way: the dx root
// hides its index inside the ".." record's rec_len, and interior dx nodes are one empty record
// (inode 0, rec_len = block size), so a linear walk skips them exactly as the kernel's readdir
// fallback does. The metadata_csum tail is also an inode-0 record.

export interface DirEntry {
  inode: number;
  name: string;
  /** Absolute offset of the record, for anomalies. */
  offset: number;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Parses one directory block (or an inline-data region) into `out`. A malformed record ends
 * the block, as the kernel's ext4_check_dir_entry does, and is reported through `onError`.
 */
export function parseDirBlock(
  bytes: Uint8Array, offset: number, blockSize: number, hasFileType: boolean,
  out: DirEntry[], onError: (message: string, offset: number) => void,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const inode = view.getUint32(pos, true);
    let recLen = view.getUint16(pos + 4, true);
    // ext4_rec_len_from_disk: 64 KiB blocks cannot store their own length in 16 bits.
    if (blockSize >= 65536) recLen = recLen === 65535 || recLen === 0 ? blockSize : (recLen & 65532) | ((recLen & 3) << 16);
    const nameLen = hasFileType ? bytes[pos + 6] : view.getUint16(pos + 6, true);
    if (recLen < 8 || recLen % 4 !== 0 || pos + recLen > bytes.length || (inode !== 0 && 8 + nameLen > recLen)) {
      onError(`ext4: bad directory record (rec_len ${recLen}, name_len ${nameLen})`, offset + pos);
      return;
    }
    if (inode !== 0 && nameLen > 0) {
      const raw = bytes.subarray(pos + 8, pos + 8 + nameLen);
      const dot = raw[0] === 0x2e && (nameLen === 1 || (nameLen === 2 && raw[1] === 0x2e));
      if (!dot) {
        if (raw.includes(0x2f) || raw.includes(0)) onError('ext4: directory entry name contains "/" or NUL', offset + pos);
        else out.push({ inode, name: decoder.decode(raw), offset: offset + pos });
      }
    }
    pos += recLen;
  }
}

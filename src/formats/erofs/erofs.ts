// EROFS, the Enhanced Read-Only File System (on-disk format: Linux fs/erofs/erofs_fs.h; reading
// logic after fs/erofs/{inode,data,dir,zmap,decompressor}.c and erofs-utils lib/).
// Layout: a superblock at 1024; inodes at meta_blkaddr * block_size + nid * 32; file data flat
// (optionally with the last block inlined after the inode), chunk-based, or compressed in
// pclusters described by lcluster indexes. Only LZ4 compression is decoded (what Android builds
// use); other algorithms, fragments and extra devices raise UnsupportedError naming the feature.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, RomscanError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { BufferSource, ExtentSource, SliceSource, type Extent, type Source } from '../../io/source.js';
import type { Container, Entry } from '../container.js';
import { ErofsCompressedSource } from './compressed-source.js';
import { parseErofsDirBlock, type ErofsDirent } from './dirent.js';
import {
  EROFS_INODE_CHUNK_BASED, EROFS_INODE_COMPRESSED_COMPACT, EROFS_INODE_COMPRESSED_FULL, EROFS_INODE_FLAT_INLINE,
  EROFS_INODE_FLAT_PLAIN, EROFS_INODE_EXTENDED_SIZE, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, dataLayoutName, parseErofsInode,
  type ErofsInode,
} from './inode.js';
import {
  EROFS_FEATURE_INCOMPAT_ZERO_PADDING, EROFS_SUPER_MAGIC_V1, EROFS_SUPER_OFFSET, EROFS_SUPER_SIZE, parseErofsSuperblock,
  type ErofsSuperblock,
} from './superblock.js';
import { readZExtents } from './zmap.js';

const EROFS_CHUNK_FORMAT_BLKBITS_MASK = 0x001f;
const EROFS_CHUNK_FORMAT_INDEXES = 0x0020;
const EROFS_NULL_ADDR = 0xffffffff;
/** Linux PATH_MAX counts the NUL; longer symlink targets cannot be created or followed. */
const MAX_SYMLINK_BYTES = 4095;
/** Directory data is read this many bytes at a time (whole blocks). */
const DIR_READ_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8');

/** True when `head` holds the EROFS superblock magic at offset 1024. */
export function detectErofs(head: Uint8Array): boolean {
  if (head.length < EROFS_SUPER_OFFSET + 4) return false;
  const o = EROFS_SUPER_OFFSET;
  return ((head[o] | (head[o + 1] << 8) | (head[o + 2] << 16) | (head[o + 3] << 24)) >>> 0) === EROFS_SUPER_MAGIC_V1;
}

/** Opens an EROFS image: reads and checks the superblock and the root inode. */
export async function openErofs(source: Source): Promise<Container> {
  const sbBytes = await source.read(EROFS_SUPER_OFFSET, EROFS_SUPER_SIZE);
  const sb = parseErofsSuperblock(new ByteReader(sbBytes, EROFS_SUPER_OFFSET, source.path));
  const image = new ErofsImage(source, sb);
  const root = await image.readInode(sb.rootNid);
  if ((root.mode & S_IFMT) !== S_IFDIR) {
    throw new FormatError(`erofs: root inode ${sb.rootNid} is not a directory (mode 0o${root.mode.toString(8)})`, root.offset, source.path);
  }
  const container = new ErofsContainer(image, root);
  // A short image still lists what it holds; the missing tail fails only the files stored there.
  if (sb.blocks * sb.blockSize > source.size) {
    container.anomalies.push({ message: `erofs: image is ${source.size} bytes, superblock counts ${sb.blocks} blocks of ${sb.blockSize}`, path: source.path });
  }
  return container;
}

/** Inode and data access over one image. */
export class ErofsImage {
  constructor(readonly source: Source, readonly sb: ErofsSuperblock) {}

  get path(): string { return this.source.path; }

  async readInode(nid: number): Promise<ErofsInode> {
    const offset = this.sb.metaBlkaddr * this.sb.blockSize + nid * 32;
    const length = Math.min(EROFS_INODE_EXTENDED_SIZE, this.source.size - offset);
    if (!Number.isSafeInteger(offset) || length < 32) {
      throw new FormatError(`erofs: inode ${nid} at 0x${offset.toString(16)} is outside the image`, undefined, this.path);
    }
    const bytes = await this.source.read(offset, length);
    return parseErofsInode(new ByteReader(bytes, offset, this.path), nid, offset);
  }

  /** The inode's bytes as a Source reading in place (or decoding on demand for compressed files). */
  async openData(inode: ErofsInode, path: string): Promise<Source> {
    const { sb, source } = this;
    const bs = sb.blockSize;
    const size = inode.size;
    switch (inode.dataLayout) {
      case EROFS_INODE_FLAT_PLAIN:
        if (size === 0) return new BufferSource(new Uint8Array(0), path);
        return new SliceSource(source, inode.iU * bs, size, path);
      case EROFS_INODE_FLAT_INLINE: {
        // All blocks but the last are at raw_blkaddr; the last (partial or whole) follows the inode.
        const fullBlocks = Math.max(0, Math.ceil(size / bs) - 1);
        const tail = size - fullBlocks * bs;
        if (tail > 0 && (inode.tailOffset % bs) + tail > bs) {
          throw new FormatError(`erofs: inode ${inode.nid} inline tail of ${tail} bytes crosses a block`, inode.tailOffset, this.path);
        }
        const extents: Extent[] = [];
        if (fullBlocks > 0) extents.push({ logical: 0, length: fullBlocks * bs, kind: 'data', parentOffset: inode.iU * bs });
        if (tail > 0) extents.push({ logical: fullBlocks * bs, length: tail, kind: 'data', parentOffset: inode.tailOffset });
        return new ExtentSource(source, extents, size, path);
      }
      case EROFS_INODE_CHUNK_BASED:
        return this.openChunked(inode, path);
      case EROFS_INODE_COMPRESSED_FULL:
      case EROFS_INODE_COMPRESSED_COMPACT: {
        checkLimit('MAX_EXPANDED_BYTES', size, 'erofs compressed file size', inode.offset, this.path);
        const extents = await readZExtents(source, sb, inode);
        if (extents.count === 0) return new BufferSource(new Uint8Array(0), path);
        return new ErofsCompressedSource(source, extents, size, path, {
          blockSize: bs, zeroPadding: (sb.featureIncompat & EROFS_FEATURE_INCOMPAT_ZERO_PADDING) !== 0,
        });
      }
      default:
        throw new UnsupportedError(`erofs: inode ${inode.nid} ${dataLayoutName(inode.dataLayout)}`, inode.offset, this.path);
    }
  }

  private async openChunked(inode: ErofsInode, path: string): Promise<Source> {
    const { sb, source } = this;
    const format = inode.iU & 0xffff;
    if (format & ~(EROFS_CHUNK_FORMAT_BLKBITS_MASK | EROFS_CHUNK_FORMAT_INDEXES)) {
      throw new UnsupportedError(`erofs: inode ${inode.nid} chunk format 0x${format.toString(16)}`, inode.offset + 16, this.path);
    }
    const chunkSize = 2 ** (sb.blkszbits + (format & EROFS_CHUNK_FORMAT_BLKBITS_MASK));
    const size = inode.size;
    const count = Math.ceil(size / chunkSize);
    checkLimit('MAX_EXTENTS', count, 'erofs chunk count', inode.offset, this.path);
    const indexes = (format & EROFS_CHUNK_FORMAT_INDEXES) !== 0;
    const unit = indexes ? 8 : 4;
    const pos = Math.ceil(inode.tailOffset / unit) * unit;
    checkLimit('MAX_METADATA_BYTES', count * unit, 'erofs chunk index bytes', pos, this.path);
    const r = new ByteReader(await source.read(pos, count * unit), pos, this.path);
    // Device ids are masked to the devices the superblock declares, as the kernel does.
    const deviceMask = sb.extraDevices ? 2 ** Math.ceil(Math.log2(sb.extraDevices + 1)) - 1 : 0;
    const extents: Extent[] = [];
    for (let i = 0; i < count; i++) {
      let blkaddr: number;
      if (indexes) {
        const deviceId = r.u16At(i * 8 + 2) & deviceMask;
        blkaddr = r.u32At(i * 8 + 4);
        if (deviceId !== 0 && blkaddr !== EROFS_NULL_ADDR) {
          throw new UnsupportedError(`erofs: inode ${inode.nid} chunk ${i} on extra device ${deviceId}`, pos + i * 8, this.path, { feature: 'extra devices' });
        }
      } else {
        blkaddr = r.u32At(i * 4);
      }
      if (blkaddr === EROFS_NULL_ADDR) continue; // a hole reads as zeros
      const logical = i * chunkSize;
      const length = Math.min(chunkSize, size - logical);
      const parentOffset = blkaddr * sb.blockSize;
      const last = extents[extents.length - 1];
      if (last && last.kind === 'data' && last.logical + last.length === logical && last.parentOffset + last.length === parentOffset) {
        last.length += length;
      } else {
        extents.push({ logical, length, kind: 'data', parentOffset });
      }
    }
    return new ExtentSource(source, extents, size, path);
  }

  /** All dirents of a directory inode, "." and ".." included, in on-disk order. */
  async readDir(inode: ErofsInode): Promise<ErofsDirent[]> {
    const bs = this.sb.blockSize;
    // Real directories are far smaller (100k entries take ~4 MiB); a compressed directory could
    // otherwise expand to gigabytes of repeated dirents.
    checkLimit('MAX_METADATA_BYTES', inode.size, `erofs directory ${inode.nid} size`, inode.offset, this.path);
    const data = await this.openData(inode, this.path);
    const out: ErofsDirent[] = [];
    const step = Math.max(bs, Math.floor(DIR_READ_BYTES / bs) * bs);
    for (let base = 0; base < inode.size; base += step) {
      const n = Math.min(step, inode.size - base);
      const bytes = await data.read(base, n);
      for (let b = 0; b < n; b += bs) {
        const maxsize = Math.min(bs, n - b);
        // Offsets of inline or compressed directory data are not image offsets; name the
        // directory's inode for those errors instead.
        const r = new ByteReader(bytes.subarray(b, b + maxsize), inode.dataLayout === EROFS_INODE_FLAT_PLAIN ? inode.iU * bs + base + b : inode.offset, this.path);
        for (const d of parseErofsDirBlock(r, maxsize)) out.push(d);
        checkLimit('MAX_DIR_ENTRIES', out.length, `erofs directory ${inode.nid} entries`, inode.offset, this.path);
      }
    }
    return out;
  }

  /** A symlink's target as stored. */
  async readLink(inode: ErofsInode): Promise<string> {
    if (inode.size > MAX_SYMLINK_BYTES) {
      throw new FormatError(`erofs: symlink inode ${inode.nid} target of ${inode.size} bytes`, inode.offset, this.path);
    }
    const data = await this.openData(inode, this.path);
    return utf8.decode(await data.read(0, inode.size));
  }
}

interface Pending {
  prefix: string;
  dirents: ErofsDirent[];
  index: number;
}

class ErofsContainer implements Container {
  readonly format = 'erofs' as const;
  readonly anomalies: { message: string; offset?: number; path?: string }[] = [];

  constructor(private readonly image: ErofsImage, private readonly root: ErofsInode) {}

  get path(): string { return this.image.path; }

  async *entries(): AsyncIterable<Entry> {
    const image = this.image;
    const visited = new Set<number>([this.root.nid]);
    const stack: Pending[] = [{ prefix: '', dirents: await image.readDir(this.root), index: 0 }];
    let files = 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.index >= top.dirents.length) {
        stack.pop();
        continue;
      }
      const d = top.dirents[top.index++];
      const rawName = utf8.decode(d.name);
      if (rawName === '.' || rawName === '..') continue;
      const name = top.prefix + rawName;
      if (rawName.includes('/') || rawName.includes('\0')) {
        this.note(`erofs: skipped directory entry with a '/' or NUL in its name: ${JSON.stringify(name)}`, undefined);
        continue;
      }
      checkLimit('MAX_FS_FILES', ++files, 'erofs files', undefined, image.path);
      let inode: ErofsInode;
      try {
        inode = await image.readInode(d.nid);
      } catch (e) {
        this.skip(e, name);
        continue;
      }
      const type = inode.mode & S_IFMT;
      if (type === S_IFDIR) {
        if (visited.has(inode.nid)) {
          this.note(`erofs: directory ${name} (inode ${inode.nid}) already listed; not descending again`, inode.offset);
          continue;
        }
        visited.add(inode.nid);
        yield this.entry(name, inode, 'dir');
        try {
          stack.push({ prefix: `${name}/`, dirents: await image.readDir(inode), index: 0 });
        } catch (e) {
          this.skip(e, name);
        }
      } else if (type === S_IFREG) {
        yield this.entry(name, inode, 'file');
      } else if (type === S_IFLNK) {
        let target: string;
        try {
          target = await image.readLink(inode);
        } catch (e) {
          this.skip(e, name);
          continue;
        }
        yield { ...this.entry(name, inode, 'link'), linkTarget: target };
      }
      // Device nodes, FIFOs and sockets hold no data worth listing.
    }
  }

  private entry(name: string, inode: ErofsInode, type: Entry['type']): Entry {
    const image = this.image;
    const path = `${image.path}!/${name}`;
    return {
      name,
      size: type === 'dir' ? 0 : inode.size,
      type,
      mode: inode.mode & 0o7777,
      open: () => (type === 'file' ? image.openData(inode, path) : Promise.reject(new FormatError(`erofs: ${name} is not a regular file`, inode.offset, image.path))),
    };
  }

  private note(message: string, offset: number | undefined, path = this.image.path): void {
    this.anomalies.push({ message, offset, path });
  }

  /** A bad inode or directory below the root (corrupt, or asking for more than a limit) costs that entry only. */
  private skip(e: unknown, name: string): void {
    if (!(e instanceof RomscanError)) throw e;
    this.note(`erofs: skipped ${name}: ${e.message}`, e.offset, e.path);
  }
}

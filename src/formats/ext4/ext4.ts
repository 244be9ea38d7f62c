// ext2/ext3/ext4 filesystem images, after the kernel's Documentation/filesystems/ext4
// (super.rst, group_descr.rst, inodes.rst, ifork.rst, directory.rst, inlinedata.rst).
// Read-only and in place: every file becomes an ExtentSource over the image (holes and
// unwritten extents read as zeros). The walk starts at the root inode, is depth-bounded, keeps
// a visited set of directory inodes, and turns a corrupt directory or inode into an anomaly
// on the container rather than a failure of the whole image.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, RomscanError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { LIMITS, checkLimit } from '../../io/limits.js';
import { BufferSource, ExtentSource, type Extent, type Source } from '../../io/source.js';
import type { Container, Entry } from '../container.js';
import { readBlockMap, readExtentTree, type BlockDevice, type BlockRun } from './block-map.js';
import { parseDirBlock, type DirEntry } from './directory.js';
import {
  EXT4_ENCRYPT_FL, EXT4_EXTENTS_FL, EXT4_INLINE_DATA_FL, I_BLOCK_BYTES, I_BLOCK_POS,
  S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, iBlockOf, parseInode, type Inode,
} from './inode.js';
import {
  COMPAT_SPARSE_SUPER2, INCOMPAT_EA_INODE, INCOMPAT_FILETYPE, INCOMPAT_META_BG, INCOMPAT_RECOVER, RO_COMPAT_SPARSE_SUPER,
  SUPERBLOCK_OFFSET, parseSuperblock, type Ext4Superblock,
} from './superblock.js';
import { findInlineDataXattr } from './xattr.js';

export const EXT4_ROOT_INO = 2;
/** Longest symlink target: Linux's PATH_MAX. */
const MAX_SYMLINK_BYTES = 4096;
/** Largest single read when batching blocks or inodes: big enough to amortize, small enough to not hold much. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Inodes closer than this are fetched in one read (the gap is read and dropped). */
const INODE_GAP_BYTES = 64 * 1024;

/** True when `head` holds the ext2/3/4 superblock magic 0xEF53 at 1024 + 56. */
export function detectExt4(head: Uint8Array): boolean {
  return head.length >= SUPERBLOCK_OFFSET + 0x3a && head[SUPERBLOCK_OFFSET + 0x38] === 0x53 && head[SUPERBLOCK_OFFSET + 0x39] === 0xef;
}

export interface Ext4Anomaly {
  message: string;
  offset?: number;
  path?: string;
}

interface Batch {
  offset: number;
  bytes: Uint8Array;
  /** Indexes into the ranges this read covers. */
  members: number[];
}

/** Reads `ranges` (absolute byte ranges) as few reads as possible: neighbours closer than `maxGap` share one. */
async function readBatches(source: Source, ranges: { offset: number; length: number }[], maxGap: number): Promise<Batch[]> {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a].offset - ranges[b].offset);
  const plans: { offset: number; length: number; members: number[] }[] = [];
  let i = 0;
  while (i < order.length) {
    const start = ranges[order[i]].offset;
    let end = start + ranges[order[i]].length;
    let j = i + 1;
    while (j < order.length) {
      const r = ranges[order[j]];
      if (r.offset > end + maxGap || Math.max(end, r.offset + r.length) - start > MAX_BATCH_BYTES) break;
      end = Math.max(end, r.offset + r.length);
      j++;
    }
    plans.push({ offset: start, length: end - start, members: order.slice(i, j) });
    i = j;
  }
  return Promise.all(plans.map(async (p) => ({ offset: p.offset, bytes: await source.read(p.offset, p.length), members: p.members })));
}

/** Like readBatches, one view per range. */
async function readCoalesced(source: Source, ranges: { offset: number; length: number }[], maxGap: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(ranges.length);
  for (const b of await readBatches(source, ranges, maxGap)) {
    for (const k of b.members) out[k] = b.bytes.subarray(ranges[k].offset - b.offset, ranges[k].offset - b.offset + ranges[k].length);
  }
  return out;
}

/** ext2fs_bg_has_super: which groups carry a superblock + GDT backup. */
function groupHasSuper(sb: Ext4Superblock, group: number): boolean {
  if (group === 0) return true;
  if (sb.featureCompat & COMPAT_SPARSE_SUPER2) return group === sb.backupBgs[0] || group === sb.backupBgs[1];
  if (group <= 1 || !(sb.featureRoCompat & RO_COMPAT_SPARSE_SUPER)) return true;
  if (!(group & 1)) return false;
  for (const base of [3, 5, 7]) {
    let n = base;
    while (n < group) n *= base;
    if (n === group) return true;
  }
  return false;
}

/**
 * The kernel's descriptor_loc: where GDT block `i` lives. It follows the superblock's own block
 * (block 1 with 1 KiB blocks, else block 0 — which also covers 1 KiB bigalloc, where
 * s_first_data_block is 0); META_BG moves blocks from s_first_meta_bg on into their meta group.
 */
function descriptorBlock(sb: Ext4Superblock, i: number): number {
  const sbBlock = sb.blockSize === 1024 ? 1 : 0;
  if (!(sb.featureIncompat & INCOMPAT_META_BG) || i < sb.firstMetaBg) return sbBlock + 1 + i;
  const group = (sb.blockSize / sb.descSize) * i;
  let hasSuper = groupHasSuper(sb, group) ? 1 : 0;
  if (sb.blockSize === 1024 && i === 0 && sb.firstDataBlock === 0) hasSuper++;
  return sb.firstDataBlock + group * sb.blocksPerGroup + hasSuper;
}

export class Ext4Image implements Container, BlockDevice {
  readonly format = 'ext4' as const;
  readonly anomalies: Ext4Anomaly[] = [];
  readonly blockSize: number;
  readonly blocksCount: number;
  /** Highest valid inode number. */
  readonly maxIno: number;

  private constructor(
    readonly source: Source,
    readonly superblock: Ext4Superblock,
    /** Absolute byte offset of each group's inode table. */
    private readonly inodeTables: Float64Array,
  ) {
    this.blockSize = superblock.blockSize;
    this.blocksCount = superblock.blocksCount;
    this.maxIno = Math.min(superblock.inodesCount, superblock.groupCount * superblock.inodesPerGroup, inodeTables.length * superblock.inodesPerGroup);
  }

  get path(): string { return this.source.path; }

  /** Virtual path of an entry (anomalies carry full paths, like the report's). */
  private vpath(name: string): string {
    return name ? `${this.path}!/${name}` : this.path;
  }

  static async open(source: Source): Promise<Ext4Image> {
    if (source.size < SUPERBLOCK_OFFSET + 1024) throw new TruncatedError(`ext4: image of ${source.size} bytes has no superblock`, SUPERBLOCK_OFFSET, source.path);
    const sbBytes = await source.read(SUPERBLOCK_OFFSET, 1024);
    const sb = parseSuperblock(new ByteReader(sbBytes, SUPERBLOCK_OFFSET, source.path));
    // Only groups that hold inodes matter to a reader.
    const groups = Math.min(sb.groupCount, Math.ceil(sb.inodesCount / sb.inodesPerGroup));
    checkLimit('MAX_METADATA_BYTES', groups * sb.descSize, 'ext4 group descriptor table', SUPERBLOCK_OFFSET, source.path);
    const perBlock = sb.blockSize / sb.descSize;
    const gdtBlocks = Math.ceil(groups / perBlock);
    const ranges: { offset: number; length: number }[] = [];
    for (let i = 0; i < gdtBlocks; i++) {
      const b = descriptorBlock(sb, i);
      if ((b + 1) * sb.blockSize > source.size) throw new TruncatedError(`ext4: group descriptor block ${i} (block ${b}) past end of image`, b * sb.blockSize, source.path);
      ranges.push({ offset: b * sb.blockSize, length: sb.blockSize });
    }
    const gdt = await readCoalesced(source, ranges, 0);
    const tables = new Float64Array(groups);
    for (let g = 0; g < groups; g++) {
      const blk = gdt[Math.floor(g / perBlock)];
      const pos = (g % perBlock) * sb.descSize;
      const r = new ByteReader(blk, ranges[Math.floor(g / perBlock)].offset, source.path);
      const lo = r.u32At(pos + 0x8);
      const hi = sb.descSize >= 64 ? r.u32At(pos + 0x28) : 0;
      tables[g] = (hi * 0x1_0000_0000 + lo) * sb.blockSize;
    }
    const image = new Ext4Image(source, sb, tables);
    if (sb.featureIncompat & INCOMPAT_RECOVER) {
      // The kernel would replay the journal first; without it recent changes may be missing.
      image.anomalies.push({ message: 'ext4: journal needs recovery; reading the unreplayed filesystem', offset: SUPERBLOCK_OFFSET + 0x60 });
    }
    if (sb.blocksCount * sb.blockSize > source.size) {
      image.anomalies.push({ message: `ext4: image is ${source.size} bytes, filesystem claims ${sb.blocksCount * sb.blockSize}`, offset: SUPERBLOCK_OFFSET + 4 });
    }
    return image;
  }

  /** Reads whole blocks, coalescing runs of neighbours into one read each. */
  async readBlocks(blocks: number[]): Promise<Map<number, Uint8Array>> {
    const unique = [...new Set(blocks)];
    for (const b of unique) {
      if (!(b >= 0 && b < this.blocksCount)) throw new FormatError(`ext4: block ${b} outside the filesystem`, undefined, this.path);
    }
    const bufs = await readCoalesced(this.source, unique.map((b) => ({ offset: b * this.blockSize, length: this.blockSize })), 0);
    const map = new Map<number, Uint8Array>();
    unique.forEach((b, i) => map.set(b, bufs[i]));
    return map;
  }

  private inodeOffset(ino: number): number {
    const sb = this.superblock;
    if (!(ino >= 1 && ino <= this.maxIno)) throw new FormatError(`ext4: inode number ${ino} out of range (max ${this.maxIno})`, undefined, this.path);
    const g = Math.floor((ino - 1) / sb.inodesPerGroup);
    const table = this.inodeTables[g];
    const offset = table + ((ino - 1) % sb.inodesPerGroup) * sb.inodeSize;
    if (table === 0 || offset + sb.inodeSize > Math.min(this.source.size, sb.blocksCount * sb.blockSize)) {
      throw new FormatError(`ext4: inode ${ino} lies outside the image (group ${g} inode table at ${table})`, offset, this.path);
    }
    return offset;
  }

  async readInode(ino: number): Promise<Inode> {
    const offset = this.inodeOffset(ino);
    const bytes = await this.source.read(offset, this.superblock.inodeSize);
    return parseInode(new ByteReader(bytes, offset, this.path), 0, this.superblock.inodeSize, ino);
  }

  /** Reads many inodes in few reads; bad numbers become anomalies and are left out of the map. */
  async readInodes(inos: number[]): Promise<Map<number, Inode>> {
    const wanted: number[] = [];
    const ranges: { offset: number; length: number }[] = [];
    for (const ino of new Set(inos)) {
      try {
        ranges.push({ offset: this.inodeOffset(ino), length: this.superblock.inodeSize });
        wanted.push(ino);
      } catch (e) {
        this.note(e);
      }
    }
    const map = new Map<number, Inode>();
    // One ByteReader per coalesced read, not per inode: directories of 50 k entries are common.
    for (const batch of await readBatches(this.source, ranges, INODE_GAP_BYTES)) {
      const r = new ByteReader(batch.bytes, batch.offset, this.path);
      for (const i of batch.members) {
        try {
          map.set(wanted[i], parseInode(r, ranges[i].offset - batch.offset, this.superblock.inodeSize, wanted[i]));
        } catch (e) {
          this.note(e);
        }
      }
    }
    return map;
  }

  /** Records a RomscanError as an anomaly; anything else is a bug and is rethrown. */
  private note(e: unknown, path?: string): void {
    if (!(e instanceof RomscanError)) throw e;
    this.anomalies.push({ message: e.message, offset: e.offset, path });
  }

  /** Block runs of an extent-mapped or block-mapped inode, clipped to its size. */
  async blockRuns(inode: Inode): Promise<BlockRun[]> {
    const blockLimit = Math.ceil(inode.size / this.blockSize);
    if (blockLimit === 0) return [];
    return inode.flags & EXT4_EXTENTS_FL
      ? readExtentTree(this, iBlockOf(inode), inode.offset + I_BLOCK_POS, blockLimit)
      : readBlockMap(this, iBlockOf(inode), inode.offset + I_BLOCK_POS, blockLimit);
  }

  /** Byte extents of an inode's data in the image (inline data included). */
  async dataExtents(inode: Inode, path: string): Promise<Extent[]> {
    if (inode.flags & EXT4_INLINE_DATA_FL) {
      // inlinedata.rst: the first 60 bytes live in i_block, the rest in the system.data xattr.
      const extents: Extent[] = [];
      const first = Math.min(inode.size, I_BLOCK_BYTES);
      if (first > 0) extents.push({ logical: 0, length: first, kind: 'data', parentOffset: inode.offset + I_BLOCK_POS });
      if (inode.size > I_BLOCK_BYTES) {
        const x = findInlineDataXattr(inode, this.path);
        if (!x || x.size < inode.size - I_BLOCK_BYTES) {
          throw new FormatError(`ext4: inline inode ${inode.ino} of ${inode.size} bytes has ${x?.size ?? 0} bytes of system.data`, inode.offset, path);
        }
        extents.push({ logical: I_BLOCK_BYTES, length: inode.size - I_BLOCK_BYTES, kind: 'data', parentOffset: x.offset });
      }
      return extents;
    }
    const runs = await this.blockRuns(inode);
    const bs = this.blockSize;
    const extents: Extent[] = [];
    for (const run of runs) {
      const logical = run.logical * bs;
      const length = Math.min(run.count * bs, inode.size - logical);
      if (length > 0) extents.push({ logical, length, kind: 'data', parentOffset: run.physical * bs });
    }
    return extents;
  }

  /** The contents of a regular file (or symlink) inode, read in place. */
  async openInode(inode: Inode, path: string): Promise<Source> {
    checkLimit('MAX_EXPANDED_BYTES', inode.size, `size of inode ${inode.ino}`, inode.offset + 4, path);
    return new ExtentSource(this.source, await this.dataExtents(inode, path), inode.size, path);
  }

  /** Directory records of a directory inode ('.' and '..' left out), in on-disk order. */
  async readDirectory(inode: Inode, path: string): Promise<DirEntry[]> {
    const out: DirEntry[] = [];
    const hasFileType = (this.superblock.featureIncompat & INCOMPAT_FILETYPE) !== 0;
    const onError = (message: string, offset: number): void => { this.anomalies.push({ message, offset, path: this.vpath(path) }); };
    const limit = (): void => checkLimit('MAX_DIR_ENTRIES', out.length, `entries of directory ${path || '/'}`, inode.offset, this.path);
    if (inode.flags & EXT4_INLINE_DATA_FL) {
      // inlinedata.rst: i_block holds the parent inode number then records; system.data holds more records.
      parseDirBlock(iBlockOf(inode).subarray(4), inode.offset + I_BLOCK_POS + 4, I_BLOCK_BYTES - 4, hasFileType, out, onError);
      const x = findInlineDataXattr(inode, this.path);
      if (x && x.size > 0) {
        // The value lies inside the inode we already hold.
        const pos = x.offset - inode.offset;
        parseDirBlock(inode.raw.subarray(pos, pos + x.size), x.offset, x.size, hasFileType, out, onError);
      }
      return out;
    }
    const bs = this.blockSize;
    const runs = await this.blockRuns(inode);
    // One read per run of contiguous blocks (split only to bound memory), then parse block by block.
    const maxBlocks = Math.max(1, Math.floor(MAX_BATCH_BYTES / bs));
    for (const run of runs) {
      for (let done = 0; done < run.count; done += maxBlocks) {
        const n = Math.min(maxBlocks, run.count - done);
        const offset = (run.physical + done) * bs;
        const bytes = await this.source.read(offset, n * bs);
        for (let k = 0; k < n; k++) {
          parseDirBlock(bytes.subarray(k * bs, (k + 1) * bs), offset + k * bs, bs, hasFileType, out, onError);
          limit();
        }
      }
    }
    return out;
  }

  /** Symlink target as stored: in i_block (fast), inline data, or data blocks (slow). */
  async readLinkTarget(inode: Inode, path: string): Promise<string> {
    if (inode.size > MAX_SYMLINK_BYTES) throw new FormatError(`ext4: symlink of ${inode.size} bytes (over PATH_MAX)`, inode.offset + 4, path);
    let bytes: Uint8Array;
    // A fast symlink keeps its target in i_block. The kernel's ext4_inode_is_fast_symlink: an
    // inode owning no blocks besides its xattr block (one cluster); with the ea_inode feature,
    // whose xattr inodes are charged to i_blocks, any target shorter than i_block.
    let fast: boolean;
    if (this.superblock.featureIncompat & INCOMPAT_EA_INODE) {
      fast = inode.size > 0 && inode.size < I_BLOCK_BYTES;
    } else {
      const eaBlocks = inode.fileAcl !== 0 ? this.superblock.clusterSize >> 9 : 0;
      fast = !(inode.flags & EXT4_INLINE_DATA_FL) && inode.blocks - eaBlocks === 0;
    }
    if (fast && inode.size > I_BLOCK_BYTES) throw new FormatError(`ext4: fast symlink of ${inode.size} bytes`, inode.offset + 4, path);
    if (fast) {
      bytes = iBlockOf(inode).subarray(0, inode.size);
    } else {
      const src = await this.openInode(inode, path);
      bytes = await src.read(0, src.size);
    }
    // readlink(2) returns the string up to its first NUL (the kernel terminates the target at i_size).
    const nul = bytes.indexOf(0);
    return new TextDecoder('utf-8', { fatal: false }).decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
  }

  entries(): AsyncIterable<Entry> {
    return { [Symbol.asyncIterator]: () => this.walk() };
  }

  /** Children of a directory as entries, sorted by name, with their inodes read in one batch. */
  private async listChildren(dir: Inode, dirName: string): Promise<{ entry: Entry; inode: Inode }[]> {
    let records: DirEntry[];
    try {
      if (dir.flags & EXT4_ENCRYPT_FL) {
        throw new UnsupportedError('ext4: encrypted directory (names and contents are ciphertext)', dir.offset + 0x20, this.path);
      }
      records = await this.readDirectory(dir, dirName);
    } catch (e) {
      this.note(e, this.vpath(dirName));
      return [];
    }
    const inodes = await this.readInodes(records.map((d) => d.inode));
    records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: { entry: Entry; inode: Inode }[] = [];
    for (const rec of records) {
      const inode = inodes.get(rec.inode);
      if (!inode) continue; // already an anomaly
      if (inode.linksCount === 0 && inode.mode !== 0) {
        // ext4_iget refuses an inode with no links (-ESTALE) once the journal is replayed; an image
        // that still needs recovery shows such half-done states. Listed (as debugfs does), flagged.
        this.anomalies.push({ message: `ext4: entry points at inode ${inode.ino} with i_links_count 0`, offset: inode.offset, path: this.vpath(dirName ? `${dirName}/${rec.name}` : rec.name) });
      }
      const name = dirName ? `${dirName}/${rec.name}` : rec.name;
      try {
        // Only symlinks need I/O (a slow link's target); keep the common case free of awaits.
        const entry = (inode.mode & S_IFMT) === S_IFLNK ? await this.makeLinkEntry(inode, name) : this.makeEntry(inode, name);
        if (entry) out.push({ entry, inode });
      } catch (e) {
        this.note(e, this.vpath(name));
      }
    }
    return out;
  }

  private async makeLinkEntry(inode: Inode, name: string): Promise<Entry> {
    const path = `${this.path}!/${name}`;
    const linkTarget = await this.readLinkTarget(inode, path);
    const bytes = new TextEncoder().encode(linkTarget);
    return { name, size: inode.size, type: 'link', mode: inode.mode, linkTarget, open: async () => new BufferSource(bytes, path) };
  }

  private makeEntry(inode: Inode, name: string): Entry | null {
    const fmt = inode.mode & S_IFMT;
    const mode = inode.mode;
    if (fmt === S_IFREG) {
      return { name, size: inode.size, type: 'file', mode, open: () => this.openInode(inode, `${this.path}!/${name}`) };
    }
    if (fmt === S_IFDIR) {
      return { name, size: 0, type: 'dir', mode, open: async () => new BufferSource(new Uint8Array(0), `${this.path}!/${name}`) };
    }
    if (inode.mode === 0) {
      this.anomalies.push({ message: `ext4: entry points at unused inode ${inode.ino}`, offset: inode.offset, path: this.vpath(name) });
    }
    // Devices, fifos and sockets hold no bytes worth scanning.
    return null;
  }

  private async *walk(): AsyncGenerator<Entry> {
    this.anomalies.length = 0;
    const root = await this.readInode(EXT4_ROOT_INO);
    if ((root.mode & S_IFMT) !== S_IFDIR) throw new FormatError(`ext4: root inode mode 0${root.mode.toString(8)} is not a directory`, root.offset, this.path);
    const visited = new Set<number>([EXT4_ROOT_INO]);
    const stack: { items: { entry: Entry; inode: Inode }[]; next: number; depth: number }[] = [
      { items: await this.listChildren(root, ''), next: 0, depth: 1 },
    ];
    let count = 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next >= top.items.length) { stack.pop(); continue; }
      const { entry, inode } = top.items[top.next++];
      checkLimit('MAX_FS_FILES', ++count, 'files in ext4 image', undefined, this.path);
      yield entry;
      if (entry.type !== 'dir') continue;
      if (visited.has(inode.ino)) {
        // A directory hard link or a loop: the kernel forbids both; list it once.
        this.anomalies.push({ message: `ext4: directory inode ${inode.ino} reached twice`, offset: inode.offset, path: this.vpath(entry.name) });
        continue;
      }
      visited.add(inode.ino);
      if (top.depth >= LIMITS.MAX_FS_DEPTH) {
        this.anomalies.push({ message: `ext4: directory nesting over MAX_FS_DEPTH (${LIMITS.MAX_FS_DEPTH}); not descending`, offset: inode.offset, path: this.vpath(entry.name) });
        continue;
      }
      stack.push({ items: await this.listChildren(inode, entry.name), next: 0, depth: top.depth + 1 });
    }
  }
}

/** Opens an ext2/3/4 image: superblock and group descriptors now, directories as entries() walks. */
export async function openExt4(source: Source): Promise<Container> {
  return Ext4Image.open(source);
}

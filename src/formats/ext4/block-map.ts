// Logical → physical block mapping of an inode (kernel Documentation/filesystems/ext4/
// ifork.rst and blockmap.rst): an extent tree (ext4) or the legacy ext2/3 block map of
// 12 direct, one indirect, one double- and one triple-indirect pointer. Each tree level is
// read in one batch (`readBlocks` coalesces neighbouring blocks), never one await per pointer.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError } from '../../io/errors/index.js';
import { LIMITS, checkLimit } from '../../io/limits.js';

export const EXT4_EXT_MAGIC = 0xf30a;
/** ee_len above this marks an unwritten (preallocated) extent, which reads as zeros. */
const EXT_INIT_MAX_LEN = 32768;

/** `count` blocks from `logical` on are stored from block `physical` on. */
export interface BlockRun {
  logical: number;
  count: number;
  physical: number;
}

export interface BlockDevice {
  readonly blockSize: number;
  readonly blocksCount: number;
  readonly path: string;
  /** Reads whole blocks, batched; every block number must be < blocksCount. */
  readBlocks(blocks: number[]): Promise<Map<number, Uint8Array>>;
}

/** Appends a run, merging it with the previous one when both are contiguous. */
function pushRun(runs: BlockRun[], logical: number, count: number, physical: number, path: string): void {
  const last = runs[runs.length - 1];
  if (last && last.logical + last.count === logical && last.physical + last.count === physical) {
    last.count += count;
    return;
  }
  runs.push({ logical, count, physical });
  checkLimit('MAX_FILE_EXTENTS', runs.length, 'extents of one inode', undefined, path);
}

function checkPhysical(dev: BlockDevice, physical: number, count: number, offset: number, what: string): void {
  if (physical === 0 || physical + count > dev.blocksCount) {
    throw new FormatError(`ext4: ${what} points at blocks [${physical}, +${count}) outside the filesystem (${dev.blocksCount} blocks)`, offset, dev.path);
  }
}

/**
 * Walks an extent tree whose root is `root` (i_block, at absolute offset `rootOffset`).
 * Returns initialized extents in logical order; unwritten extents are left out (holes).
 * `blockLimit` is the number of blocks the file size covers: extents past it are dropped.
 */
export async function readExtentTree(dev: BlockDevice, root: Uint8Array, rootOffset: number, blockLimit: number): Promise<BlockRun[]> {
  const runs: BlockRun[] = [];
  let level: { bytes: Uint8Array; offset: number }[] = [{ bytes: root, offset: rootOffset }];
  let expectDepth = -1;
  let nextLogical = 0; // leaves must come in increasing logical order without overlap
  let nodes = 0;
  for (let d = 0; level.length > 0; d++) {
    if (d > LIMITS.MAX_EXTENT_DEPTH) checkLimit('MAX_EXTENT_DEPTH', d, 'extent tree depth', rootOffset, dev.path);
    const children: number[] = [];
    let depth = -1;
    for (const node of level) {
      const r = new ByteReader(node.bytes, node.offset, dev.path);
      if (r.u16At(0) !== EXT4_EXT_MAGIC) throw r.fail(`ext4: bad extent header magic 0x${r.u16At(0).toString(16)}`, 0);
      const entries = r.u16At(2);
      const max = r.u16At(4);
      depth = r.u16At(6);
      if (entries > max || 12 + max * 12 > node.bytes.length) throw r.fail(`ext4: extent header entries ${entries} max ${max} in ${node.bytes.length}-byte node`, 2);
      if (expectDepth >= 0 && depth !== expectDepth) throw r.fail(`ext4: extent node depth ${depth}, parent expects ${expectDepth}`, 6);
      if (depth > LIMITS.MAX_EXTENT_DEPTH) checkLimit('MAX_EXTENT_DEPTH', depth, 'extent tree depth', node.offset + 6, dev.path);
      for (let i = 0; i < entries; i++) {
        const p = 12 + i * 12;
        const eeBlock = r.u32At(p);
        if (depth > 0) {
          const leaf = r.u32At(p + 4) + r.u16At(p + 8) * 0x1_0000_0000;
          checkPhysical(dev, leaf, 1, node.offset + p + 4, 'extent index');
          // Index entries past the file's end can only hold extents we would drop anyway.
          if (eeBlock < blockLimit || i === 0) children.push(leaf);
          continue;
        }
        let len = r.u16At(p + 4);
        const unwritten = len > EXT_INIT_MAX_LEN;
        if (unwritten) len -= EXT_INIT_MAX_LEN;
        const start = r.u16At(p + 6) * 0x1_0000_0000 + r.u32At(p + 8);
        if (len === 0) throw r.fail('ext4: zero-length extent', p + 4);
        if (eeBlock < nextLogical) throw r.fail(`ext4: extent at logical block ${eeBlock} overlaps the previous one (ends ${nextLogical})`, p);
        nextLogical = eeBlock + len;
        if (unwritten || eeBlock >= blockLimit) continue;
        const count = Math.min(len, blockLimit - eeBlock);
        checkPhysical(dev, start, count, node.offset + p + 6, 'extent');
        pushRun(runs, eeBlock, count, start, dev.path);
      }
    }
    if (depth === 0 || children.length === 0) break;
    nodes += children.length;
    checkLimit('MAX_FILE_EXTENTS', nodes, 'extent tree nodes of one inode', rootOffset, dev.path);
    expectDepth = depth - 1;
    // Children are visited in index order (logical order); reads are batched by readBlocks.
    const blocks = await dev.readBlocks(children);
    level = children.map((b) => ({ bytes: blocks.get(b)!, offset: b * dev.blockSize }));
  }
  return runs;
}

const DIRECT_BLOCKS = 12;

/**
 * Walks a legacy block map (i_block[0..11] direct, [12] indirect, [13] double, [14] triple).
 * Zero pointers are holes. `blockLimit` is the number of blocks the file size covers.
 */
export async function readBlockMap(dev: BlockDevice, iBlock: Uint8Array, iBlockOffset: number, blockLimit: number): Promise<BlockRun[]> {
  const runs: BlockRun[] = [];
  const r = new ByteReader(iBlock, iBlockOffset, dev.path);
  const perBlock = dev.blockSize / 4;
  for (let i = 0; i < DIRECT_BLOCKS && i < blockLimit; i++) {
    const p = r.u32At(i * 4);
    if (p === 0) continue;
    checkPhysical(dev, p, 1, iBlockOffset + i * 4, 'block pointer');
    pushRun(runs, i, 1, p, dev.path);
  }
  // Pending pointer blocks: each covers `span` logical blocks from `logical`.
  let logicalBase = DIRECT_BLOCKS;
  let span = 1;
  for (let lvl = 1; lvl <= 3; lvl++) {
    span *= perBlock; // logical blocks under one pointer at this level's top
    const top = r.u32At((DIRECT_BLOCKS + lvl - 1) * 4);
    const base = logicalBase;
    logicalBase += span;
    if (top === 0 || base >= blockLimit) continue;
    checkPhysical(dev, top, 1, iBlockOffset + (DIRECT_BLOCKS + lvl - 1) * 4, 'indirect block pointer');
    let pending: { block: number; logical: number }[] = [{ block: top, logical: base }];
    let childSpan = span / perBlock; // logical blocks under one entry of the pending blocks
    for (let depth = lvl; depth >= 1; depth--) {
      const blocks = await dev.readBlocks(pending.map((x) => x.block));
      const next: { block: number; logical: number }[] = [];
      for (const { block, logical } of pending) {
        const pr = new ByteReader(blocks.get(block)!, block * dev.blockSize, dev.path);
        for (let i = 0; i < perBlock; i++) {
          const lg = logical + i * childSpan;
          if (lg >= blockLimit) break;
          const p = pr.u32At(i * 4);
          if (p === 0) continue;
          checkPhysical(dev, p, 1, block * dev.blockSize + i * 4, 'block pointer');
          if (depth === 1) pushRun(runs, lg, 1, p, dev.path);
          else next.push({ block: p, logical: lg });
        }
      }
      checkLimit('MAX_FILE_EXTENTS', next.length, 'indirect blocks of one inode', iBlockOffset, dev.path);
      pending = next;
      childSpan /= perBlock;
    }
  }
  return runs;
}

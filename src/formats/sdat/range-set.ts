// A block range set as written in transfer lists: "N,a1,b1,a2,b2,…" where N is the count of
// numbers that follow (always even) and each pair is a half-open block range [a, b).
// Rules copied from AOSP bootable/recovery `RangeSet::Parse` (otautil/rangeset.cpp): N must be
// non-zero, even and equal to the count of numbers; every range must have a < b.
import { FormatError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';

/** Half-open block range [start, end). */
export interface BlockRange {
  start: number;
  end: number;
}

/**
 * Largest block number we accept: 2^32 blocks of 4 KiB is 16 TiB, far past any partition;
 * keeping numbers below 2^32 also keeps every byte offset (block * 4096) an exact double.
 */
const MAX_BLOCK_NUMBER = 0xffff_ffff;

/**
 * Parses one range set. `offset` is the absolute position of `text` in the transfer list,
 * used in error messages.
 */
export function parseRangeSet(text: string, offset: number, path: string): BlockRange[] {
  const pieces = text.split(',');
  const count = parseBlockNumber(pieces[0], 'range count', offset, path);
  if (count === 0 || count % 2 !== 0) {
    throw new FormatError(`transfer list: range set count ${count} must be even and non-zero`, offset, path);
  }
  if (count !== pieces.length - 1) {
    throw new FormatError(`transfer list: range set says ${count} numbers but has ${pieces.length - 1}`, offset, path);
  }
  checkLimit('MAX_EXTENTS', count / 2, 'range set size', offset, path);
  const ranges: BlockRange[] = [];
  for (let i = 1; i < pieces.length; i += 2) {
    const start = parseBlockNumber(pieces[i], 'range start', offset, path);
    const end = parseBlockNumber(pieces[i + 1], 'range end', offset, path);
    if (start >= end) {
      throw new FormatError(`transfer list: empty or reversed range [${start}, ${end})`, offset, path);
    }
    ranges.push({ start, end });
  }
  return ranges;
}

/** Total blocks covered by a range set (ranges may not be sorted; overlaps are counted twice, as recovery does). */
export function rangeSetBlocks(ranges: readonly BlockRange[]): number {
  let n = 0;
  for (const r of ranges) n += r.end - r.start;
  return n;
}

/** A decimal block number: digits only (recovery's ParseUint rejects signs and spaces). */
export function parseBlockNumber(s: string | undefined, what: string, offset: number, path: string): number {
  if (s === undefined || !/^[0-9]{1,10}$/.test(s)) {
    throw new FormatError(`transfer list: ${what} ${JSON.stringify(s?.slice(0, 20) ?? '')} is not a block number`, offset, path);
  }
  const n = Number(s);
  if (n > MAX_BLOCK_NUMBER) throw new FormatError(`transfer list: ${what} ${n} too large`, offset, path);
  return n;
}

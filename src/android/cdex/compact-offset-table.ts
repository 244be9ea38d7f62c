// ART's CompactOffsetTable (art/libdexfile/dex/compact_offset_table.h, Android 9–11): a sparse
// map from an index (a method_idx) to a u32 offset, used for CompactDex debug info offsets and
// for the vdex 019/021 quickening info. Indices are grouped in blocks of 16; a u32 table gives
// each block's position, and a block is a big-endian u16 bit mask of which indices have a
// non-zero offset followed by one uleb128 delta per set bit. The offset of index i is
// minimum_offset + the sum of the deltas of the set bits up to and including bit i.

/** Indices per block (kElementsPerIndex): coupled with the 16-bit mask. */
const ELEMENTS_PER_INDEX = 16;

/**
 * The offset stored for `index`, or 0 when the table has none for it; a string names damage.
 * `dataBegin` is where the blocks' positions count from and `tableOffset` is where the u32
 * block table starts, relative to `dataBegin`. Nothing is read at or beyond `end`.
 */
export function readCompactOffset(bytes: Uint8Array, dataBegin: number, end: number, minimumOffset: number,
  tableOffset: number, index: number): number | string {
  const entryPos = dataBegin + tableOffset + 4 * Math.floor(index / ELEMENTS_PER_INDEX);
  if (!(index >= 0) || entryPos < 0 || entryPos + 4 > end) return `block table entry for index ${index} at 0x${entryPos.toString(16)} is outside the data`;
  const blockOff = (bytes[entryPos] | (bytes[entryPos + 1] << 8) | (bytes[entryPos + 2] << 16) | (bytes[entryPos + 3] << 24)) >>> 0;
  let p = dataBegin + blockOff;
  if (p + 2 > end) return `block 0x${blockOff.toString(16)} for index ${index} is outside the data`;
  const mask = (bytes[p] << 8) | bytes[p + 1];
  p += 2;
  const bit = index % ELEMENTS_PER_INDEX;
  if (!(mask & (1 << bit))) return 0;
  let count = popcount16(mask & ((2 << bit) - 1));
  let offset = minimumOffset;
  while (count-- > 0) {
    let v = 0, shift = 0, byte = 0x80;
    for (let k = 0; k < 5 && (byte & 0x80); k++, shift += 7) {
      if (p >= end) return `block 0x${blockOff.toString(16)} for index ${index} runs past the end`;
      byte = bytes[p++];
      v |= (byte & 0x7f) << shift;
    }
    if (byte & 0x80) return `block 0x${blockOff.toString(16)} for index ${index} has a bad uleb128`;
    offset = (offset + (v >>> 0)) >>> 0;
  }
  return offset;
}

function popcount16(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

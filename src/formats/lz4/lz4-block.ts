// Raw LZ4 block decoder, per the LZ4 Block Format Description (lz4/doc/lz4_Block_format.md):
// a block is a run of sequences, each a token (literal length high nibble, match length − 4 low
// nibble), optional length-extension bytes (runs of 255), the literals, a 16-bit little-endian
// match offset and optional match-length bytes; the last sequence has literals only.
//
// Written here rather than taken from lz4js because EROFS needs what lz4js lacks: a fixed output
// size with input that may carry padding or garbage after the real data (the kernel's
// LZ4_decompress_safe_partial), and bounds checks on every read and write of hostile input.
// lz4js (no bounds checks, no partial mode) decodes at about the same speed (~300 MB/s on lz4hc data).
import { FormatError } from '../../io/errors/index.js';

/** Literal and match runs at least this long are copied with set/copyWithin instead of a byte loop. */
const BULK_COPY_MIN = 16;

export interface Lz4BlockTarget {
  /** Output buffer; may hold earlier output before `start` that matches can refer to (linked blocks). */
  dst: Uint8Array;
  /** Where this block's output begins in `dst`. */
  start: number;
  /** End of the space this block may fill (exclusive). */
  end: number;
  /** Lowest position in `dst` a match may copy from: `start` for an independent block, earlier for linked ones. */
  dictStart: number;
}

/**
 * Decodes the LZ4 block `src[srcStart, srcEnd)` into `target.dst[start, end)` and returns the number
 * of bytes written.
 *
 * - `partial = false` (LZ4_decompress_safe): the block must end exactly at the end of the input and
 *   fit in the output; the caller checks the length it needs.
 * - `partial = true` (LZ4_decompress_safe_partial): decoding stops as soon as the output is full, so
 *   bytes after that point in the input (EROFS pcluster padding, the non-0PADDING layout) are ignored.
 *
 * Throws a FormatError at `srcBase + position` for anything malformed; never reads or writes outside
 * the given ranges.
 */
export function decodeLz4Block(
  src: Uint8Array, srcStart: number, srcEnd: number,
  target: Lz4BlockTarget, partial: boolean,
  srcBase = 0, path?: string,
): number {
  const { dst, start, end, dictStart } = target;
  if (srcStart < 0 || srcEnd > src.length || srcStart > srcEnd || start < 0 || end > dst.length || start > end || dictStart > start || dictStart < 0) {
    throw lz4Error('bad block bounds', Math.max(0, srcStart), srcBase, path);
  }
  let s = srcStart;
  let d = start;

  while (s < srcEnd) {
    if (partial && d >= end) break;
    const tokenAt = s;
    const token = src[s++];

    // Literals.
    let lit = token >>> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (s >= srcEnd) throw lz4Error('literal length runs past end of input', s, srcBase, path);
        b = src[s++];
        lit += b;
      }
    }
    if (lit !== 0) {
      if (lit > srcEnd - s) throw lz4Error(`literal run of ${lit} bytes past end of input`, tokenAt, srcBase, path);
      if (lit > end - d) {
        if (!partial) throw lz4Error(`literal run of ${lit} bytes overflows output`, tokenAt, srcBase, path);
        lit = end - d;
        dst.set(src.subarray(s, s + lit), d);
        return end - start;
      }
      if (lit < BULK_COPY_MIN) {
        do dst[d++] = src[s++]; while (--lit !== 0);
      } else {
        dst.set(src.subarray(s, s + lit), d);
        s += lit;
        d += lit;
      }
    }
    // The last sequence carries literals only.
    if (s >= srcEnd) break;
    if (partial && d >= end) break;

    // Match.
    if (srcEnd - s < 2) throw lz4Error('match offset past end of input', s, srcBase, path);
    const offset = src[s] | (src[s + 1] << 8);
    if (offset === 0) throw lz4Error('match offset 0', s, srcBase, path);
    if (offset > d - dictStart) throw lz4Error(`match offset ${offset} before start of output`, s, srcBase, path);
    s += 2;
    let len = (token & 15) + 4;
    if (len === 19) {
      let b = 255;
      while (b === 255) {
        if (s >= srcEnd) throw lz4Error('match length runs past end of input', s, srcBase, path);
        b = src[s++];
        len += b;
      }
    }
    if (len > end - d) {
      if (!partial) throw lz4Error(`match of ${len} bytes overflows output`, tokenAt, srcBase, path);
      len = end - d;
    }
    let m = d - offset;
    if (offset >= len && len >= BULK_COPY_MIN) {
      dst.copyWithin(d, m, m + len);
      d += len;
    } else if (offset === 1 && len >= BULK_COPY_MIN) {
      dst.fill(dst[m], d, d + len);
      d += len;
    } else {
      // Overlapping copy: the pattern repeats, so byte order matters. Four at a time while the
      // source stays at least four bytes behind (offset >= 4), which is the common case.
      const stop = d + len;
      if (offset >= 4) {
        while (d + 4 <= stop) {
          dst[d] = dst[m]; dst[d + 1] = dst[m + 1]; dst[d + 2] = dst[m + 2]; dst[d + 3] = dst[m + 3];
          d += 4;
          m += 4;
        }
      }
      while (d < stop) dst[d++] = dst[m++];
    }
  }
  return d - start;
}

function lz4Error(message: string, at: number, srcBase: number, path: string | undefined): FormatError {
  return new FormatError(`lz4: ${message}`, srcBase + at, path);
}

/**
 * The number of bytes the block `src[srcStart, srcEnd)` decodes to, found by walking its sequence
 * headers without producing output (several times faster than decoding). Checks the same structure
 * decodeLz4Block does, except the contents of a linked block's dictionary.
 */
export function lz4BlockDecodedLength(src: Uint8Array, srcStart: number, srcEnd: number, linked: boolean, srcBase = 0, path?: string): number {
  if (srcStart < 0 || srcEnd > src.length || srcStart > srcEnd) throw new FormatError('lz4: bad block bounds', srcBase + Math.max(0, srcStart), path);
  let s = srcStart;
  let n = 0;
  const fail = (msg: string, at: number): FormatError => lz4Error(msg, at, srcBase, path);
  while (s < srcEnd) {
    const tokenAt = s;
    const token = src[s++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= srcEnd) throw fail('literal length runs past end of input', s);
        b = src[s++];
        lit += b;
      } while (b === 255);
    }
    if (lit > srcEnd - s) throw fail(`literal run of ${lit} bytes past end of input`, tokenAt);
    s += lit;
    n += lit;
    if (s >= srcEnd) break;
    if (srcEnd - s < 2) throw fail('match offset past end of input', s);
    const offset = src[s] | (src[s + 1] << 8);
    if (offset === 0) throw fail('match offset 0', s);
    if (!linked && offset > n) throw fail(`match offset ${offset} before start of output`, s);
    s += 2;
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (s >= srcEnd) throw fail('match length runs past end of input', s);
        b = src[s++];
        len += b;
      } while (b === 255);
    }
    n += len + 4;
  }
  return n;
}

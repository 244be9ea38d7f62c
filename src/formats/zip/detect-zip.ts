// Zip detection from bytes (PKWARE APPNOTE 4.3.7 local header, 4.3.16 EOCD).
import { ByteReader } from '../../io/byte-reader.js';
import type { Source } from '../../io/source.js';
import { EOCD_SIZE, MAX_EOCD_SEARCH, findEocd, parseEocd } from './records.js';

/** True for a file starting with a local file header, or an empty zip (just an EOCD). */
export function detectZip(head: Uint8Array): boolean {
  if (head.length < 4 || head[0] !== 0x50 || head[1] !== 0x4b) return false;
  if (head[2] === 0x03 && head[3] === 0x04) return true;
  // An empty archive is nothing but its 22-byte EOCD (+ comment).
  return head[2] === 0x05 && head[3] === 0x06 && head.length >= EOCD_SIZE;
}

/**
 * True when the tail of `source` holds a plausible EOCD (its central directory lies before it).
 * Finds zips whose first bytes are something else: Janus dex+apk polyglots, self-extractors,
 * data prepended by a packer. Never throws on short or odd input.
 */
export async function hasZipEocd(source: Source): Promise<boolean> {
  if (source.size < EOCD_SIZE) return false;
  const tailLength = Math.min(source.size, MAX_EOCD_SEARCH);
  const tailBase = source.size - tailLength;
  const tail = await source.read(tailBase, tailLength);
  const found = findEocd(tail, source.size, source.path, []);
  if (!found || found.trailingBytes !== 0) return false;
  const e = parseEocd(new ByteReader(tail, tailBase, source.path), found.pos);
  if (e.cdOffset === 0xffffffff || e.cdSize === 0xffffffff || e.entryCount === 0xffff) return true; // zip64: openZip decides
  return e.cdOffset + e.cdSize <= tailBase + found.pos && (e.entryCount === 0 || e.cdSize >= 46 * e.entryCount);
}

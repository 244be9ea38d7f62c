// One 512-byte tar header block: POSIX ustar (IEEE Std 1003.1-1988 `struct posix_header`) with
// the GNU extensions GNU tar writes (base-256 numbers for sizes of 8 GiB and more, 'L'/'K' long
// names, 'S' sparse members). Numeric fields are NUL/space-terminated octal ASCII.
import type { ByteReader } from '../../io/byte-reader.js';
import { FormatError } from '../../io/errors/index.js';

export const TAR_BLOCK_SIZE = 512;

export const TYPE_REGULAR = '0';
export const TYPE_REGULAR_OLD = '\0';
export const TYPE_HARDLINK = '1';
export const TYPE_SYMLINK = '2';
export const TYPE_DIRECTORY = '5';
export const TYPE_CONTIGUOUS = '7';
export const TYPE_GNU_LONGNAME = 'L';
export const TYPE_GNU_LONGLINK = 'K';
export const TYPE_GNU_SPARSE = 'S';
export const TYPE_PAX_HEADER = 'x';
export const TYPE_PAX_GLOBAL = 'g';

export interface TarHeader {
  name: string;
  mode: number;
  size: number;
  typeflag: string;
  linkname: string;
  /** "ustar\0" (POSIX) or "ustar " (GNU); "" for a pre-POSIX (v7) header. */
  magic: string;
  prefix: string;
}

/** True when the 512 bytes are all zero (an end-of-archive marker). */
export function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) if (b[i] !== 0) return false;
  return true;
}

/** Checks chksum (octal sum of all header bytes with the field itself read as spaces). */
export function tarChecksumOk(b: Uint8Array): boolean {
  const stored = parseOctal(b, 148, 8);
  if (stored === null) return false;
  let unsigned = 0, signed = 0;
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i];
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  // Some old tars summed signed chars; GNU tar accepts both, so do we.
  return stored === unsigned || stored === signed;
}

/** Parses a header block whose checksum the caller has verified. */
export function parseTarHeader(r: ByteReader): TarHeader {
  const b = r.bytesAt(0, TAR_BLOCK_SIZE);
  const magic = cString(b, 257, 6);
  const ustar = magic.startsWith('ustar');
  const size = parseNumber(b, 124, 12);
  if (size === null) throw new FormatError(`tar: bad size field ${JSON.stringify(cString(b, 124, 12))}`, r.base + 124, r.path);
  return {
    name: cString(b, 0, 100),
    mode: parseOctal(b, 100, 8) ?? 0,
    size,
    typeflag: String.fromCharCode(b[156]),
    linkname: cString(b, 157, 100),
    magic,
    // GNU headers ("ustar  ") keep atime/ctime where POSIX has the prefix.
    prefix: ustar && magic === 'ustar' ? cString(b, 345, 155) : '',
  };
}

/** A NUL-terminated field as text (UTF-8 when valid, Latin-1 otherwise). */
export function cString(b: Uint8Array, at: number, n: number): string {
  let end = at;
  while (end < at + n && b[end] !== 0) end++;
  return decodeName(b.subarray(at, end));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
export function decodeName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let s = '';
    for (const c of bytes) s += String.fromCharCode(c);
    return s;
  }
}

/** Octal ASCII with optional leading spaces, ended by space or NUL; null when malformed. */
function parseOctal(b: Uint8Array, at: number, n: number): number | null {
  let i = at;
  const end = at + n;
  while (i < end && b[i] === 0x20) i++;
  let v = 0, digits = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c >= 0x30 && c <= 0x37) { v = v * 8 + (c - 0x30); digits++; } else break;
  }
  for (; i < end; i++) if (b[i] !== 0 && b[i] !== 0x20) return null;
  return digits === 0 ? 0 : v;
}

/** A numeric field: octal, or GNU base-256 (high bit of the first byte set) for large values. */
function parseNumber(b: Uint8Array, at: number, n: number): number | null {
  const first = b[at];
  if (first & 0x80) {
    if (first === 0xff) return null; // negative
    let v = first & 0x7f;
    for (let i = 1; i < n; i++) {
      v = v * 256 + b[at + i];
      if (v > Number.MAX_SAFE_INTEGER) return null;
    }
    return v;
  }
  return parseOctal(b, at, n);
}

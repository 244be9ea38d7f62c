// MUTF-8 ("modified UTF-8"), the encoding of DEX string_data_item (spec: "Dalvik executable
// format", section "MUTF-8 (Modified UTF-8) Encoding"). It differs from UTF-8 in two ways:
// U+0000 is written as the two bytes C0 80 (so a raw 00 byte always ends the string), and
// characters above U+FFFF are written as two 3-byte sequences, one per UTF-16 surrogate.
// Decoding to UTF-16 code units therefore yields JavaScript strings directly.

/** Outcome flags of one decode, so callers can record anomalies without us allocating any. */
export const MUTF8_OK = 0;
/** A byte sequence that is not valid MUTF-8 (decoded as U+FFFD, as ART's lenient decoder would not crash either). */
export const MUTF8_MALFORMED = 1;
/** A 4-byte UTF-8 sequence: not MUTF-8, but ART's utf.cc decodes it to a surrogate pair, so do we. */
export const MUTF8_FOUR_BYTE = 2;
/** No terminating 00 byte before the end of the window. */
export const MUTF8_UNTERMINATED = 4;

export interface Mutf8Result { value: string; flags: number; end: number }

const latin1Decoder = new TextDecoder('latin1');
type Latin1Slicer = { latin1Slice?: (start: number, end: number) => string };

/**
 * ASCII bytes [start, end) as a string. Node's Buffer#latin1Slice is ~4× faster than
 * TextDecoder for the short strings that fill DEX files, so callers that decode many strings
 * pass a Buffer view of their bytes. (TextDecoder('latin1') is windows-1252, equal to ASCII below 0x80.)
 */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  if (start === end) return '';
  const slice = (bytes as Latin1Slicer).latin1Slice;
  return slice ? slice.call(bytes, start, end) : latin1Decoder.decode(bytes.subarray(start, end));
}

/**
 * Decodes the NUL-terminated MUTF-8 string starting at `pos`, reading no further than `limit`.
 * ASCII strings (the vast majority in real DEX files) take a fast path: one scan for the
 * terminator and one native decode, no per-character work in JS. `bytes` may be a Buffer (faster).
 */
export function decodeMutf8(bytes: Uint8Array, pos: number, limit: number): Mutf8Result {
  let i = pos;
  // Fast path: find the terminator while checking that every byte is ASCII.
  while (i < limit) {
    const b = bytes[i];
    if (b === 0) {
      return { value: decodeAscii(bytes, pos, i), flags: MUTF8_OK, end: i };
    }
    if (b >= 0x80) break;
    i++;
  }
  if (i >= limit) {
    return { value: decodeAscii(bytes, pos, limit), flags: MUTF8_UNTERMINATED, end: limit };
  }
  return decodeStandard(bytes, pos, i, limit) ?? decodeSlow(bytes, pos, i, limit);
}

/** Strict UTF-8 that keeps a leading U+FEFF (a BOM is a character of the string here). */
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Non-ASCII dex strings that are also plain UTF-8 (no encoded NUL, no surrogate halves, nothing
 * overlong or malformed) decode to the same units natively. Returns undefined for the rest,
 * including unterminated and 4-byte forms whose flags decodeSlow reports. The MUTF-8 forms
 * (C0 80 for NUL, ED A0..BF for surrogates) and overlong leads are turned away before trying:
 * a strict decoder throws on them, and throwing costs more than decodeSlow.
 */
function decodeStandard(bytes: Uint8Array, pos: number, from: number, limit: number): Mutf8Result | undefined {
  let nul = from;
  while (nul < limit) {
    const c = bytes[nul];
    if (c === 0) break;
    if (c >= 0xf0 || c === 0xc0 || c === 0xc1) return undefined;
    if ((c === 0xed && bytes[nul + 1] >= 0xa0) || (c === 0xe0 && bytes[nul + 1] < 0xa0)) return undefined;
    nul++;
  }
  if (nul >= limit) return undefined;
  try {
    return { value: utf8Strict.decode(bytes.subarray(pos, nul)), flags: MUTF8_OK, end: nul };
  } catch {
    return undefined; // C0 80, encoded surrogates, overlong or malformed forms: not UTF-8
  }
}

/** UTF-16LE scratch for decodeSlow; a longer string gets a buffer of its own, so nothing large is kept. */
const unitBytes = Buffer.allocUnsafe(64 * 1024);
type Ucs2Slicer = { ucs2Slice(start: number, end: number): string };

function decodeSlow(bytes: Uint8Array, pos: number, asciiEnd: number, limit: number): Mutf8Result {
  let flags = MUTF8_OK;
  const prefix = decodeAscii(bytes, pos, asciiEnd);
  // No sequence consumes a 00 byte (it fails the continuation test), so the first one ends the
  // string. Each byte before it yields at most one UTF-16 unit (a 4-byte sequence two from four).
  let stop = asciiEnd;
  while (stop < limit && bytes[stop] !== 0) stop++;
  const need = 2 * (stop - asciiEnd);
  // Units are written as UTF-16LE bytes and become one string in one native call; ucs2Slice keeps
  // lone surrogates (MUTF-8 may hold them), where a UTF-16 TextDecoder would replace them.
  const out = need <= unitBytes.length ? unitBytes : Buffer.allocUnsafe(need);
  let o = 0;
  let i = asciiEnd;
  while (i < stop) {
    const a = bytes[i];
    let u: number;
    if (a < 0x80) { u = a; i++; }
    else if ((a & 0xe0) === 0xc0) {
      const b = i + 1 < limit ? bytes[i + 1] : 0;
      if ((b & 0xc0) !== 0x80) { u = 0xfffd; flags |= MUTF8_MALFORMED; i++; }
      else { u = ((a & 0x1f) << 6) | (b & 0x3f); i += 2; }
    } else if ((a & 0xf0) === 0xe0) {
      const b = i + 1 < limit ? bytes[i + 1] : 0;
      const c = i + 2 < limit ? bytes[i + 2] : 0;
      if ((b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) { u = 0xfffd; flags |= MUTF8_MALFORMED; i++; }
      else { u = ((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f); i += 3; }
    } else if ((a & 0xf8) === 0xf0) {
      const b = i + 1 < limit ? bytes[i + 1] : 0;
      const c = i + 2 < limit ? bytes[i + 2] : 0;
      const d = i + 3 < limit ? bytes[i + 3] : 0;
      if ((b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80 || (d & 0xc0) !== 0x80) { u = 0xfffd; flags |= MUTF8_MALFORMED; i++; }
      else {
        const cp = ((a & 0x07) << 18) | ((b & 0x3f) << 12) | ((c & 0x3f) << 6) | (d & 0x3f);
        if (cp > 0x10ffff || cp < 0x10000) { u = 0xfffd; flags |= MUTF8_MALFORMED; }
        else {
          const v = cp - 0x10000, high = 0xd800 | (v >> 10);
          out[o++] = high & 0xff; out[o++] = high >>> 8;
          u = 0xdc00 | (v & 0x3ff);
        }
        flags |= MUTF8_FOUR_BYTE;
        i += 4;
      }
    } else {
      // A stray continuation byte or 0xf8..0xff: not valid in any UTF-8 variant.
      u = 0xfffd; flags |= MUTF8_MALFORMED; i++;
    }
    out[o++] = u & 0xff; out[o++] = u >>> 8;
  }
  if (stop >= limit) flags |= MUTF8_UNTERMINATED;
  return { value: prefix + (out as unknown as Ucs2Slicer).ucs2Slice(0, o), flags, end: i };
}

// ResStringPool (chunk type RES_STRING_POOL_TYPE 0x0001), shared by binary XML and resources.arsc.
// Layout and checks follow AOSP libandroidfw ResourceTypes.cpp `ResStringPool::setTo` / `stringAt`.
// Android rejects a pool whose counts or offsets do not fit; we clamp, decode what can be decoded
// and record an anomaly, because a scanner should still see the strings a tampered file carries.
import type { Anomaly } from '../../io/anomaly.js';
import { checkLimit } from '../../io/limits.js';

export const RES_STRING_POOL_TYPE = 0x0001;
/** ResStringPool_header.flags */
export const SORTED_FLAG = 1 << 0;
export const UTF8_FLAG = 1 << 8;
/** sizeof(ResStringPool_header): ResChunk_header(8) + stringCount, styleCount, flags, stringsStart, stylesStart. */
export const STRING_POOL_HEADER_SIZE = 28;

/** Android records at most this many per-string complaints; more says nothing new and costs memory. */
const MAX_STRING_ANOMALIES = 16;

export interface StringPool {
  /** Number of string entries usable (after clamping a bogus stringCount). */
  readonly count: number;
  readonly utf8: boolean;
  /** The string at `index`, or null when the index or the string data is out of range. Decoded lazily, cached. */
  get(index: number): string | null;
  /** Every readable string, in index order. */
  all(): Iterable<string>;
  /**
   * The bytes the pool lies in (the whole window given to parseStringPool), for `span`. Code units
   * there are UTF-8 bytes when `utf8`, else UTF-16LE.
   */
  readonly bytes: Uint8Array;
  /**
   * Where string `index` lies in `bytes`, without decoding it: sets `out.start` and `out.end` to the
   * code units `get` decodes (same offsets, length prefixes and clamping) and returns true; false
   * exactly when `get` gives null. Records no anomalies (`get` does, once it is asked).
   */
  span(index: number, out: StringSpan): boolean;
}

/** A byte range [start, end) of a pool's `bytes`, filled in by StringPool.span (reused by the caller). */
export interface StringSpan { start: number; end: number }

const NO_BYTES = new Uint8Array(0);
const noString = () => null;
const noStrings = () => [];
const noSpan = () => false;

/** A pool with `count` entries of which none can be read. */
function unreadablePool(count: number, utf8: boolean, bytes: Uint8Array): StringPool {
  return { count, utf8, get: noString, all: noStrings, bytes, span: noSpan }; // parseStringPool's key order: one shape
}

export const EMPTY_STRING_POOL: StringPool = unreadablePool(0, false, NO_BYTES);

export function parseStringPool(
  bytes: Uint8Array, pos: number, available: number, base: number, path: string, stage: string, anomalies: Anomaly[],
): StringPool {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Node's Buffer decoders are several times faster than TextDecoder for many short strings.
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const abs = (p: number) => base + p;
  const note = (message: string, p: number) => anomalies.push({ stage, message: `string pool: ${message}`, offset: abs(p) });
  if (available < STRING_POOL_HEADER_SIZE) {
    note(`chunk of ${available} bytes is smaller than its header; no strings`, pos);
    return EMPTY_STRING_POOL;
  }
  const headerSize = dv.getUint16(pos + 2, true);
  let size = dv.getUint32(pos + 4, true);
  if (size > available) {
    note(`declared size ${size} runs past the ${available} bytes available; clamped`, pos + 4);
    size = available;
  }
  let stringCount = dv.getUint32(pos + 8, true);
  const styleCount = dv.getUint32(pos + 12, true);
  const flags = dv.getUint32(pos + 16, true);
  const stringsStart = dv.getUint32(pos + 20, true);
  const stylesStart = dv.getUint32(pos + 24, true);
  const utf8 = (flags & UTF8_FLAG) !== 0;
  const charSize = utf8 ? 1 : 2;
  // Android: headerSize must be >= sizeof(ResStringPool_header) (validate_chunk). Packers write odd
  // header sizes; the entry table follows headerSize, which is what Android reads, when it accepts it.
  let entriesPos = pos + headerSize;
  if (headerSize < STRING_POOL_HEADER_SIZE || headerSize > size) {
    note(`header size ${headerSize} is invalid (Android rejects the pool); using ${STRING_POOL_HEADER_SIZE}`, pos + 2);
    entriesPos = pos + STRING_POOL_HEADER_SIZE;
  }
  const end = pos + size;
  const maxEntries = Math.floor(Math.max(0, end - entriesPos) / 4);
  if (stringCount > maxEntries) {
    note(`stringCount ${stringCount} does not fit (room for ${maxEntries} offsets; Android rejects the pool); clamped`, pos + 8);
    stringCount = maxEntries;
  }
  checkLimit('MAX_STRING_POOL_ENTRIES', stringCount, 'string pool entries', abs(pos + 8), path);
  if (stringCount === 0) return unreadablePool(0, utf8, bytes);

  // The string data region, in bytes, relative to the window: [dataStart, dataEnd).
  const dataStart = pos + stringsStart;
  let dataEnd = end;
  if (stringsStart >= size) {
    note(`stringsStart ${stringsStart} is past the chunk end ${size}; strings unreadable`, pos + 20);
    return unreadablePool(stringCount, utf8, bytes);
  }
  if (styleCount > 0 && stylesStart > stringsStart && stylesStart < size) dataEnd = pos + stylesStart;
  else if (styleCount > 0) note(`stylesStart ${stylesStart} is not after stringsStart ${stringsStart}`, pos + 24);
  const poolChars = Math.floor((dataEnd - dataStart) / charSize);
  if (poolChars > 0) {
    const last = utf8 ? bytes[dataStart + poolChars - 1] : dv.getUint16(dataStart + (poolChars - 1) * 2, true);
    if (last !== 0) note('last string is not 0-terminated (Android rejects the pool)', dataStart + (poolChars - 1) * charSize);
  }

  const cache: (string | null | undefined)[] = new Array(Math.min(stringCount, 1 << 20));
  const bigCache = stringCount > cache.length ? new Map<number, string | null>() : null;
  let complaints = 0;
  const complain = (message: string, p: number) => {
    if (complaints++ < MAX_STRING_ANOMALIES) note(message, p);
  };

  const poolEnd = dataStart + poolChars * charSize;
  /** Set by locate: the UTF-16 length a UTF-8 string declares. */
  let declaredUtf16 = 0;
  /**
   * Puts the code units of string `index` into `out` (false when it has none). `report` is null
   * for span(): the same walk, without anomalies and without the terminator check.
   */
  const locate = (index: number, out: StringSpan, report: ((message: string, p: number) => void) | null): boolean => {
    const entryPos = entriesPos + index * 4;
    const off = dv.getUint32(entryPos, true);
    // Offsets are in bytes; Android divides by charSize and requires off < poolChars - 1.
    const unit = Math.floor(off / charSize);
    if (unit >= poolChars - 1) {
      report?.(`string #${index} offset ${off} is out of range`, entryPos);
      return false;
    }
    let p = dataStart + unit * charSize;
    const limit = poolEnd;
    if (utf8) {
      // Two lengths, each 1 or 2 bytes (high bit of the first byte = two-byte form): UTF-16 length, then UTF-8 byte length.
      if (p >= limit) { report?.(`string #${index} header out of range`, p); return false; }
      let u16len = bytes[p++];
      if (u16len & 0x80) { if (p >= limit) { report?.(`string #${index} header out of range`, p); return false; } u16len = ((u16len & 0x7f) << 8) | bytes[p++]; }
      if (p >= limit) { report?.(`string #${index} header out of range`, p); return false; }
      let u8len = bytes[p++];
      if (u8len & 0x80) { if (p >= limit) { report?.(`string #${index} header out of range`, p); return false; } u8len = ((u8len & 0x7f) << 8) | bytes[p++]; }
      if (p + u8len > limit) {
        report?.(`string #${index} extends past the pool end`, p);
        u8len = limit - p;
      } else if (report !== null && p + u8len < limit && bytes[p + u8len] !== 0) {
        report(`string #${index} is not 0-terminated`, p + u8len);
      }
      declaredUtf16 = u16len;
      out.start = p; out.end = p + u8len;
      return true;
    }
    // UTF-16: length is 1 or 2 units (high bit of the first unit = two-unit form).
    if (p + 2 > limit) { report?.(`string #${index} header out of range`, p); return false; }
    let len = dv.getUint16(p, true); p += 2;
    if (len & 0x8000) {
      if (p + 2 > limit) { report?.(`string #${index} header out of range`, p); return false; }
      len = ((len & 0x7fff) << 16) | dv.getUint16(p, true); p += 2;
    }
    if (p + len * 2 > limit) {
      report?.(`string #${index} extends past the pool end`, p);
      len = Math.floor((limit - p) / 2);
    } else if (report !== null && p + len * 2 + 2 <= limit && dv.getUint16(p + len * 2, true) !== 0) {
      report(`string #${index} is not 0-terminated`, p + len * 2);
    }
    out.start = p; out.end = p + len * 2;
    return true;
  };

  const at: StringSpan = { start: 0, end: 0 };
  const decode = (index: number): string | null => {
    if (!locate(index, at, complain)) return null;
    if (utf8) {
      // Invalid sequences become U+FFFD, as in Android's utf8_to_utf16 callers (which then reject the string).
      const s = buf.toString('utf8', at.start, at.end);
      if (s.length !== declaredUtf16) complain(`string #${index} UTF-16 length ${declaredUtf16} disagrees with decoded ${s.length}`, entriesPos + index * 4);
      return s;
    }
    // UTF-16LE code units as they are (lone surrogates included), like char16_t in Android.
    return buf.toString('utf16le', at.start, at.end);
  };

  const span = (index: number, out: StringSpan): boolean =>
    Number.isInteger(index) && index >= 0 && index < stringCount && locate(index, out, null);

  const get = (index: number): string | null => {
    if (!Number.isInteger(index) || index < 0 || index >= stringCount) return null;
    if (index < cache.length) {
      let v = cache[index];
      if (v === undefined) cache[index] = v = decode(index);
      return v;
    }
    let v = bigCache!.get(index);
    if (v === undefined) { v = decode(index); bigCache!.set(index, v); }
    return v;
  };

  return {
    count: stringCount,
    utf8,
    get,
    *all() {
      // A one-pass scan (endpoint search over a 20 MiB table) should not fill the cache.
      for (let i = 0; i < stringCount; i++) {
        const cached = i < cache.length ? cache[i] : bigCache!.get(i);
        const s = cached !== undefined ? cached : decode(i);
        if (s !== null) yield s;
      }
    },
    bytes,
    span,
  };
}

// Bounded raw-deflate (RFC 1951) decoding of one zip entry. The declared size is checked against
// a named limit and the deflate ratio before anything is allocated, and zlib is told never to
// produce more than the declared size, so a bomb costs at most `limit` bytes, never an OOM.
// Entries too big to hold (a factory zip's deflated system.img) are read through
// StreamDecodedSource with INFLATE_RAW_CODEC instead, which never decodes past the declared size.
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { FormatError, LimitError } from '../../io/errors/index.js';
import { checkLimit, type LimitName } from '../../io/limits.js';
import { transformDecoder, type StreamCodec } from '../../io/stream-source.js';

/** zlib inflate.c: inflate_fast runs only while at least 258 bytes of output room remain. */
const INFLATE_FAST_ROOM = 258;

/** zlib's inflate state is ~7 KiB plus the 32 KiB window deflate allows (RFC 1951 §2). */
const INFLATE_STATE_BYTES = 7 * 1024 + 32 * 1024;

/** Raw deflate as a forward-only stream codec: a parked decoder costs ~40 KiB, so many fit. */
export const INFLATE_RAW_CODEC: StreamCodec = {
  name: 'deflate',
  open: (compressed, inputChunkBytes) => transformDecoder(createInflateRaw({ chunkSize: 64 * 1024 }), compressed, inputChunkBytes),
  stateBytes: () => INFLATE_STATE_BYTES,
};

/**
 * Inflates `compressed` to exactly `expectedSize` bytes (the central directory's size, which
 * libziparchive also holds the output to: more or fewer bytes is kInconsistentInformation there,
 * a LimitError / FormatError here).
 */
export function inflateBounded(compressed: Uint8Array, expectedSize: number, limit: LimitName, offset: number, path: string): Uint8Array {
  checkLimit(limit, expectedSize, 'inflated entry size', offset, path);
  // Deflate cannot exceed ~1032:1, so a larger declared ratio is a crafted bomb, not data.
  if (expectedSize > 0) {
    if (compressed.length === 0) throw new FormatError(`zip: deflated entry of ${expectedSize} bytes has no compressed data`, offset, path);
    checkLimit('MAX_INFLATE_RATIO', Math.floor(expectedSize / compressed.length), 'inflate ratio', offset, path);
  }
  let out: Buffer;
  try {
    // maxOutputLength makes zlib stop (ERR_BUFFER_TOO_LARGE) instead of growing; the one byte of
    // slack tells "more than declared" apart from "exactly declared".
    // chunkSize: one output buffer of the declared size instead of 16 KiB chunks concatenated at
    // the end (a 40 MiB dex set inflates ~25 % faster), with the 258 bytes of room zlib's fast
    // decoding loop (inflate_fast) needs to the very end. The declared size is already bounded by
    // `limit` and the ratio check above, and untouched pages of a lying size are never committed.
    out = inflateRawSync(compressed, { maxOutputLength: expectedSize + 1, chunkSize: expectedSize + 1 + INFLATE_FAST_ROOM });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new LimitError(`zip: entry inflates past its declared ${expectedSize} bytes`, offset, path, { limit, value: expectedSize + 1, max: expectedSize });
    }
    throw new FormatError(`zip: inflate failed: ${(e as Error).message}`, offset, path);
  }
  if (out.length > expectedSize) {
    throw new LimitError(`zip: entry inflates past its declared ${expectedSize} bytes`, offset, path, { limit, value: out.length, max: expectedSize });
  }
  if (out.length < expectedSize) {
    throw new FormatError(`zip: entry inflates to ${out.length} bytes, central directory says ${expectedSize}`, offset, path);
  }
  // A plain Uint8Array view, like a stored entry's bytes: parsers then see one array type (a Buffer
  // is a subclass with its own map, and mixing both makes V8 deoptimize and recompile them).
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

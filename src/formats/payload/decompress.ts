// Decoders for payload.bin's compressed REPLACE operations, each bounded by the operation's
// destination size (update_engine writes decoded data into dst_extents and zero-pads a short
// tail, so more output than dst is corrupt and less is padding).
//   REPLACE_BZ → bzip2 (seek-bzip, pure JS)
//   REPLACE_XZ → xz (xz-decompress, WASM xz-embedded: the same decoder update_engine uses)
//   ZSTD       → zstd (fzstd, pure JS)
// Libraries report corrupt input with plain Errors: translated here, at the boundary, to FormatError.
import { createRequire } from 'node:module';
import { decompress as zstdDecompress } from 'fzstd';
import { FormatError, isRomscanError } from '../../io/errors/index.js';

const require = createRequire(import.meta.url);

interface ByteSink {
  writeByte(b: number): void;
}
interface ByteSource {
  readByte(): number;
  read(buffer: Uint8Array, bufOffset: number, length: number): number;
  seek(pos: number): void;
  eof(): boolean;
}
interface SeekBzip {
  decode(input: ByteSource, output: ByteSink, multistream?: boolean): unknown;
}
// Both are CommonJS without ESM named exports; seek-bzip ships no types. Loaded on first use:
// most scans meet no payload.bin, and xz-decompress pulls in web streams and its WASM at load.
let bunzip: SeekBzip | undefined;
let xz: typeof import('xz-decompress') | undefined;

/** Thrown inside a decoder's callback when output passes the bound; rethrown as FormatError. */
class OutputOverrun extends Error {}
/** Thrown when a decoder reads past its input (seek-bzip would otherwise read `undefined` as 0). */
class InputUnderrun extends Error {}

/** bzip2 → at most `max` bytes; the result is exactly `max` long, zero-padded. */
export function decodeBzip2(data: Uint8Array, max: number, offset: number, path: string): Uint8Array {
  const out = new Uint8Array(max);
  let pos = 0;
  const sink: ByteSink = {
    writeByte(b: number): void {
      if (pos >= max) throw new OutputOverrun();
      out[pos++] = b;
    },
  };
  let inPos = 0;
  const input: ByteSource = {
    readByte(): number {
      if (inPos >= data.length) throw new InputUnderrun();
      return data[inPos++];
    },
    // The header check reads 4 bytes at once; -1 at EOF, as seek-bzip's Stream contract says.
    read(buffer: Uint8Array, bufOffset: number, length: number): number {
      const n = Math.min(length, data.length - inPos);
      if (n <= 0) return -1;
      buffer.set(data.subarray(inPos, inPos + n), bufOffset);
      inPos += n;
      return n;
    },
    seek(p: number): void {
      inPos = p;
    },
    eof(): boolean {
      return inPos >= data.length;
    },
  };
  try {
    // Not multistream: delta_generator writes one bzip2 stream per operation.
    (bunzip ??= require('seek-bzip') as SeekBzip).decode(input, sink, false);
  } catch (e) {
    throw translate(e, 'bzip2', max, offset, path);
  }
  return out;
}

/** zstd → exactly `max` bytes (zero-padded). */
export function decodeZstd(data: Uint8Array, max: number, offset: number, path: string): Uint8Array {
  // fzstd clips output that overruns a given buffer without always saying so; the frame header's
  // Frame_Content_Size (RFC 8878 §3.1.1.1, written by libzstd's one-shot compression that
  // delta_generator uses) lets us reject an oversized frame instead. A frame without it that
  // overruns is clipped to dst (never more memory than dst). fzstd's streaming API would count
  // exactly but allocates the window the header asks for (up to 2 GiB): worse for hostile input.
  const declared = zstdFrameContentSize(data);
  if (declared !== undefined && declared > max) {
    throw new FormatError(`payload: zstd frame declares ${declared} bytes, its dst_extents hold ${max}`, offset, path);
  }
  const out = new Uint8Array(max);
  try {
    // With an output buffer given, fzstd never allocates from the frame's declared size.
    zstdDecompress(data, out);
  } catch (e) {
    throw translate(e, 'zstd', max, offset, path);
  }
  return out;
}

/** Frame_Content_Size of the first zstd frame, when the header records it. */
export function zstdFrameContentSize(d: Uint8Array): number | undefined {
  if (d.length < 6 || d[0] !== 0x28 || d[1] !== 0xb5 || d[2] !== 0x2f || d[3] !== 0xfd) return undefined;
  const fhd = d[4];
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictIdBytes = [0, 1, 2, 4][fhd & 3];
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictIdBytes;
  if (at + fcsBytes > d.length) return undefined; // fzstd reports the truncation
  let v = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + d[at + i];
  return fcsBytes === 2 ? v + 256 : v;
}

/** xz → exactly `max` bytes (zero-padded). */
export async function decodeXz(data: Uint8Array, max: number, offset: number, path: string): Promise<Uint8Array> {
  const out = new Uint8Array(max);
  let pos = 0;
  const input = new Blob([data]).stream();
  const reader = new (xz ??= require('xz-decompress') as typeof import('xz-decompress')).XzReadableStream(input).getReader();
  try {
    // Bounded: every chunk adds bytes and we stop once past `max`.
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      if (pos + r.value.length > max) throw new OutputOverrun();
      out.set(r.value, pos);
      pos += r.value.length;
    }
  } catch (e) {
    void reader.cancel().catch(() => undefined);
    throw translate(e, 'xz', max, offset, path);
  }
  return out;
}

function translate(e: unknown, codec: string, max: number, offset: number, path: string): Error {
  if (isRomscanError(e)) return e;
  if (e instanceof InputUnderrun) return new FormatError(`payload: ${codec} data ends early`, offset, path);
  if (e instanceof OutputOverrun) return new FormatError(`payload: ${codec} data decodes to more than the ${max} bytes of its dst_extents`, offset, path);
  if (e instanceof Error) return new FormatError(`payload: ${codec}: ${e.message}`, offset, path);
  return new FormatError(`payload: ${codec}: ${String(e)}`, offset, path);
}

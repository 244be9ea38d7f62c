// Random-access, stateless byte sources. Every layer (zip entry, sparse image, ext4 file,
// EROFS file, super partition…) takes a Source and yields Sources, so nested content is read
// in place and never written to disk.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TruncatedError, FormatError } from './errors/index.js';
import { checkLimit } from './limits.js';

export interface Source {
  /** Size in bytes. */
  readonly size: number;
  /** Virtual path, e.g. "update.zip!/system.img!/system/app/Foo/Foo.apk". */
  readonly path: string;
  /** Exactly `length` bytes starting at `offset`, or a TruncatedError. Never shares a cursor. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * True for sources decoded forward from a stream (brotli new.dat, big deflated zip entries):
   * backward reads are expensive, so readers should visit files in ascending offset order.
   */
  readonly prefersSequentialReads?: boolean;
}

/** Throws unless [offset, offset+length) lies inside a source of `size` bytes. */
export function checkRange(source: { size: number; path: string }, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > source.size) {
    throw new TruncatedError(`read of ${length} bytes past end (size ${source.size})`, offset, source.path);
  }
}

export class BufferSource implements Source {
  readonly size: number;
  constructor(readonly bytes: Uint8Array, readonly path: string) {
    this.size = bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** A file read by positional reads. Close it when the scan is done (`close()`). */
/**
 * A file on disk. Reads are synchronous calls behind the async interface: a scan waits for each
 * read anyway, and a libuv thread-pool hop per read waited behind V8's compiler threads for a
 * time slice on a busy machine (about 2 ms per APK of a directory scan, idle).
 */
export class FileSource implements Source {
  private constructor(private fd: number, readonly size: number, readonly path: string) {}

  static async open(file: string, path = file): Promise<FileSource> {
    const fd = openSync(file, 'r');
    try {
      return new FileSource(fd, fstatSync(fd).size, path);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (this.fd < 0) throw new Error(`read of a closed file: ${this.path}`); // a bug, not bad input
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    // A short read only happens at EOF or on a file that shrank under us: bounded by `length`.
    while (done < length) {
      const bytesRead = readSync(this.fd, buf, done, length - done, offset + done);
      if (bytesRead === 0) throw new TruncatedError(`file shrank while reading ${length} bytes`, offset + done, this.path);
      done += bytesRead;
    }
    // A plain Uint8Array view, as every other Source returns: parsers then see one array type
    // (a Buffer's subarrays are Buffers, with their own map, and mixing both makes V8 deoptimize).
    return new Uint8Array(buf.buffer, buf.byteOffset, length);
  }

  async close(): Promise<void> {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A window [offset, offset+size) of a parent Source. */
export class SliceSource implements Source {
  constructor(private readonly parent: Source, private readonly base: number, readonly size: number, readonly path: string) {
    if (base < 0 || size < 0 || base + size > parent.size) {
      throw new TruncatedError(`slice of ${size} bytes past end of parent (size ${parent.size})`, base, parent.path);
    }
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.parent.read(this.base + offset, length);
  }
}

/**
 * One logical range of an ExtentSource: bytes come from the parent at `parentOffset`,
 * or are a repeated 32-bit little-endian fill value, or zeros.
 */
export type Extent =
  | { logical: number; length: number; kind: 'data'; parentOffset: number }
  | { logical: number; length: number; kind: 'fill'; value: number }
  | { logical: number; length: number; kind: 'zero' };

/**
 * Maps a logical byte space onto extents of a parent (sparse chunks, ext4 extents, super.img
 * linear extents, transfer-list ranges, payload REPLACE ops). Gaps read as zeros.
 * Extents must be sorted by `logical` and not overlap (checked).
 */
export class ExtentSource implements Source {
  private readonly starts: Float64Array;
  constructor(private readonly parent: Source | null, private readonly extents: Extent[], readonly size: number, readonly path: string) {
    checkLimit('MAX_EXTENTS', extents.length, 'extent count', undefined, path);
    checkLimit('MAX_EXPANDED_BYTES', size, 'virtual size', undefined, path);
    this.starts = new Float64Array(extents.length);
    let end = 0;
    for (let i = 0; i < extents.length; i++) {
      const e = extents[i];
      if (e.logical < end || e.length < 0 || e.logical + e.length > size) {
        throw new FormatError(`extent ${i} [${e.logical}, +${e.length}) overlaps or exceeds size ${size}`, undefined, path);
      }
      if (e.kind === 'data' && (!parent || e.parentOffset < 0 || e.parentOffset + e.length > parent.size)) {
        throw new TruncatedError(`extent ${i} reads past end of parent`, e.kind === 'data' ? e.parentOffset : undefined, parent?.path ?? path);
      }
      this.starts[i] = e.logical;
      end = e.logical + e.length;
    }
  }

  /** Where the bytes start in the parent (the first data extent), for reading files in disk order. */
  get firstParentOffset(): number | null {
    for (const e of this.extents) if (e.kind === 'data') return e.parentOffset;
    return null;
  }

  /** Index of the last extent starting at or before `offset`, or -1. */
  private find(offset: number): number {
    let lo = 0, hi = this.starts.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] <= offset) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    let i = this.find(offset);
    // Fast path: the whole read falls inside one data extent — no copy.
    if (i >= 0) {
      const e = this.extents[i];
      if (e.kind === 'data' && offset + length <= e.logical + e.length) {
        return this.parent!.read(e.parentOffset + (offset - e.logical), length);
      }
    }
    const out = new Uint8Array(length);
    let pos = offset;
    const end = offset + length;
    if (i < 0) i = 0;
    // One piece at a time: extents may alias the same parent bytes (crafted images), so reading
    // them all at once would hold every piece and the output together.
    for (; i < this.extents.length && pos < end; i++) {
      const e = this.extents[i];
      const eEnd = e.logical + e.length;
      if (eEnd <= pos) continue;
      if (e.logical >= end) break;
      const from = Math.max(pos, e.logical);
      const to = Math.min(end, eEnd);
      const dst = from - offset;
      if (e.kind === 'data') {
        out.set(await this.parent!.read(e.parentOffset + (from - e.logical), to - from), dst);
      } else if (e.kind === 'fill' && e.value !== 0) {
        fillPattern(out, dst, to - from, e.value, from - e.logical);
      }
      pos = to;
    }
    return out;
  }
}

function fillPattern(out: Uint8Array, dst: number, length: number, value: number, phase: number): void {
  const pat = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
  for (let k = 0; k < length; k++) out[dst + k] = pat[(phase + k) & 3];
}

/**
 * A Source whose bytes come from decoding something (lz4, xz, brotli, inflate) all at once,
 * on first read, cached. `decode` must itself respect MAX_DECODED_BYTES.
 */
export class DecodedSource implements Source {
  private bytes: Promise<Uint8Array> | null = null;
  constructor(private readonly decode: () => Promise<Uint8Array>, readonly size: number, readonly path: string) {
    checkLimit('MAX_DECODED_BYTES', size, 'decoded size', undefined, path);
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    this.bytes ??= this.decode().then((b) => {
      if (b.length !== this.size) throw new FormatError(`decoded ${b.length} bytes, expected ${this.size}`, undefined, this.path);
      return b;
    });
    const b = await this.bytes;
    return b.subarray(offset, offset + length);
  }
}

/** Reads a whole (small) source, guarded by a named limit. */
export async function readAll(source: Source, limit: Parameters<typeof checkLimit>[0] = 'MAX_METADATA_BYTES'): Promise<Uint8Array> {
  checkLimit(limit, source.size, 'source size', undefined, source.path);
  return source.read(0, source.size);
}

// yauzl reads through this RandomAccessReader, so a zip nested in an image is parsed in place
// from our Source (no temp file, never the whole file in memory).
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Source } from '../../io/source.js';

/** Reads larger than this are streamed in pieces. */
const STREAM_CHUNK_BYTES = 1024 * 1024;

export class SourceRandomAccessReader extends yauzl.RandomAccessReader {
  /**
   * @param cache bytes already read at absolute `cache.offset` (the central directory), served
   *   without a Source round trip: yauzl reads each record with two small reads.
   */
  constructor(private readonly source: Source, private readonly cache?: { offset: number; bytes: Uint8Array }) {
    super();
  }

  private slice(offset: number, length: number): Promise<Uint8Array> {
    const c = this.cache;
    if (c && offset >= c.offset && offset + length <= c.offset + c.bytes.length) {
      return Promise.resolve(c.bytes.subarray(offset - c.offset, offset - c.offset + length));
    }
    return this.source.read(offset, length);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const self = this;
    return Readable.from((async function* () {
      for (let pos = start; pos < end; pos += STREAM_CHUNK_BYTES) {
        yield Buffer.from(await self.slice(pos, Math.min(STREAM_CHUNK_BYTES, end - pos)));
      }
    })(), { objectMode: false });
  }

  // yauzl's default read() goes through a stream per call; a direct read is much cheaper.
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    this.slice(position, length).then(
      (b) => { buffer.set(b, offset); callback(null, b.length); },
      (e: Error) => callback(e),
    );
  }
}

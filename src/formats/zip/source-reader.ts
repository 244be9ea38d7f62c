// yauzl reads through this RandomAccessReader, so a zip nested in an image is parsed in place
// from our Source (no temp file, never the whole file in memory). open-zip.ts loads this module
// (and yauzl with it) only for archives it does not walk in memory itself.
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Source } from '../../io/source.js';
import type { CentralDirectoryRecord } from './records.js';

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

/** Reads the central directory through yauzl; `cd` (already read) is served from memory. */
export function walkWithYauzl(source: Source, cdOffset: number, cd: Uint8Array): Promise<{ records: CentralDirectoryRecord[]; end: number }> {
  return new Promise((resolve, reject) => {
    const reader = new SourceRandomAccessReader(source, { offset: cdOffset, bytes: cd });
    yauzl.fromRandomAccessReader(reader, source.size, {
      lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: false,
    }, (err: Error | null, zip?: yauzl.ZipFile) => {
      if (err || !zip) { reject(err ?? new Error('yauzl: no zipfile')); return; }
      // @types/yauzl declares readEntryCursor as boolean; in yauzl it is the CD byte cursor.
      const z = zip as unknown as Omit<yauzl.ZipFile, "readEntryCursor"> & { readEntryCursor: number };
      const records: CentralDirectoryRecord[] = [];
      let cursor = z.readEntryCursor;
      z.on('entry', (e: yauzl.Entry) => {
        const name = e.fileName as unknown as Buffer; // decodeStrings: false → raw bytes
        const extra = (e as unknown as { extraFieldRaw: Buffer }).extraFieldRaw;
        records.push({
          offset: cursor, versionMadeBy: e.versionMadeBy, flags: e.generalPurposeBitFlag, method: e.compressionMethod,
          crc32: e.crc32, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize,
          localHeaderOffset: e.relativeOffsetOfLocalHeader, externalAttributes: e.externalFileAttributes,
          nameBytes: new Uint8Array(name), extra: new Uint8Array(extra),
        });
        cursor = z.readEntryCursor;
        z.readEntry();
      });
      z.once('end', () => { z.close(); resolve({ records, end: cursor }); });
      z.once('error', (e: Error) => { z.close(); reject(e); });
      z.readEntry();
    });
  });
}

// A zip archive as a firmware Container (OTA zips, factory zips, APKs nested in them).
// Names stay raw (including "../" or absolute ones): `extract` decides what is safe to write.
import type { Container, Entry } from '../container.js';
import type { Source } from '../../io/source.js';
import { openZip, zipEntryUnixMode } from './open-zip.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** Symlink targets longer than PATH_MAX are not links anyone can follow. */
const MAX_LINK_TARGET_BYTES = 4096;

export async function openZipContainer(source: Source): Promise<Container> {
  const zip = await openZip(source);
  return {
    format: 'zip',
    path: zip.path,
    get anomalies() { return zip.anomalies.map((a) => ({ message: a.message, offset: a.offset, path: zip.path })); },
    async *entries(): AsyncIterable<Entry> {
      for (const e of zip.entries) {
        const mode = zipEntryUnixMode(zip, e);
        if (mode !== undefined && (mode & S_IFMT) === S_IFLNK && !e.isDirectory && e.uncompressedSize <= MAX_LINK_TARGET_BYTES) {
          const target = new TextDecoder().decode(await zip.read(e, 'MAX_METADATA_BYTES'));
          yield { name: e.name, size: e.uncompressedSize, type: 'link', linkTarget: target, mode, open: () => zip.open(e) };
          continue;
        }
        yield {
          name: e.isDirectory ? e.name.replace(/\/+$/, '') : e.name,
          size: e.isDirectory ? 0 : e.uncompressedSize,
          type: e.isDirectory ? 'dir' : 'file',
          mode,
          open: () => zip.open(e),
        };
      }
    },
  };
}

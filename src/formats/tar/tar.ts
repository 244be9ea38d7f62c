// Tar archives (POSIX.1-2001 pax / ustar, GNU tar extensions), as Samsung ships firmware: `AP_*.tar.md5`
// is a GNU tar of `*.img.lz4` members followed by an md5sum line (Odin checks it; we ignore it).
// Members are read in place (SliceSource). Headers: see header.ts; pax extended headers ('x') carry
// `path`, `linkpath` and `size` records that override the next header's fields; GNU 'L'/'K' blocks
// carry long names.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { BufferSource, SliceSource, type Source } from '../../io/source.js';
import type { Container, Entry } from '../container.js';
import {
  TAR_BLOCK_SIZE, TYPE_CONTIGUOUS, TYPE_DIRECTORY, TYPE_GNU_LONGLINK, TYPE_GNU_LONGNAME, TYPE_GNU_SPARSE, TYPE_HARDLINK,
  TYPE_PAX_GLOBAL, TYPE_PAX_HEADER, TYPE_REGULAR, TYPE_REGULAR_OLD, TYPE_SYMLINK, decodeName, isZeroBlock, parseTarHeader,
  tarChecksumOk,
} from './header.js';

/** True when `head` starts with a ustar/GNU tar header whose checksum is right. */
export function detectTar(head: Uint8Array): boolean {
  if (head.length < TAR_BLOCK_SIZE) return false;
  if (!(head[257] === 0x75 && head[258] === 0x73 && head[259] === 0x74 && head[260] === 0x61 && head[261] === 0x72)) return false; // "ustar"
  return tarChecksumOk(head);
}

export async function openTar(source: Source): Promise<Container> {
  if (source.size < TAR_BLOCK_SIZE) throw new FormatError('tar: shorter than one header block', 0, source.path);
  const first = await source.read(0, TAR_BLOCK_SIZE);
  if (!tarChecksumOk(first)) throw new FormatError('tar: bad header checksum', 148, source.path);
  return new TarContainer(source);
}

class TarContainer implements Container {
  readonly format = 'tar' as const;
  readonly anomalies: { message: string; offset?: number; path?: string }[] = [];
  constructor(private readonly source: Source) {}

  get path(): string { return this.source.path; }

  async *entries(): AsyncIterable<Entry> {
    const source = this.source;
    const seen = new Map<string, { offset: number; size: number }>();
    let pos = 0;
    let longName: string | null = null;
    let longLink: string | null = null;
    let pax: Map<string, string> | null = null;
    let count = 0;
    while (pos + TAR_BLOCK_SIZE <= source.size) {
      const block = await source.read(pos, TAR_BLOCK_SIZE);
      if (isZeroBlock(block)) return; // end of archive; anything after (the .md5 line) is not ours
      if (!tarChecksumOk(block)) {
        const text = decodeName(block.subarray(0, 64));
        // `.tar.md5`: an md5sum line where the next header would be, when the writer left out the end blocks.
        if (!/^[0-9a-f]{32} {1,2}\S/.test(text)) this.note(`tar: ${source.size - pos} bytes of trailing data after the last member`, pos);
        return;
      }
      const h = parseTarHeader(new ByteReader(block, pos, source.path));
      const dataOffset = pos + TAR_BLOCK_SIZE;
      let size = h.size;
      if (pax?.has('size')) {
        const v = Number(pax.get('size'));
        if (!Number.isSafeInteger(v) || v < 0) throw new FormatError(`tar: pax size ${JSON.stringify(pax.get('size'))}`, pos, source.path);
        size = v;
      }
      // Hard links and directories carry no data whatever their size field says (POSIX).
      const dataSize = h.typeflag === TYPE_HARDLINK || h.typeflag === TYPE_DIRECTORY || h.typeflag === TYPE_SYMLINK ? 0 : size;
      const next = dataOffset + Math.ceil(dataSize / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;
      if (dataOffset + dataSize > source.size) {
        this.note(`tar: member ${JSON.stringify(h.name)} of ${dataSize} bytes is cut off (archive ends at ${source.size})`, pos);
        return;
      }
      pos = next;

      switch (h.typeflag) {
        case TYPE_GNU_LONGNAME:
        case TYPE_GNU_LONGLINK: {
          const bytes = await this.readExtended(dataOffset, dataSize);
          const nul = bytes.indexOf(0);
          const value = decodeName(nul >= 0 ? bytes.subarray(0, nul) : bytes);
          if (h.typeflag === TYPE_GNU_LONGNAME) longName = value; else longLink = value;
          continue;
        }
        case TYPE_PAX_HEADER:
          pax = parsePax(await this.readExtended(dataOffset, dataSize), dataOffset, source.path);
          continue;
        case TYPE_PAX_GLOBAL:
          continue; // global defaults (charset, comment); nothing we use
      }

      const rawName = pax?.get('path') ?? longName ?? (h.prefix ? `${h.prefix}/${h.name}` : h.name);
      const linkTarget = pax?.get('linkpath') ?? longLink ?? h.linkname;
      longName = longLink = null;
      pax = null;
      const isDir = h.typeflag === TYPE_DIRECTORY || (rawName.endsWith('/') && (h.typeflag === TYPE_REGULAR || h.typeflag === TYPE_REGULAR_OLD));
      const name = normalizeName(rawName);
      if (name === null) {
        this.note(`tar: skipped member with a '..' component: ${JSON.stringify(rawName)}`, dataOffset - TAR_BLOCK_SIZE);
        continue;
      }
      if (name === '') continue; // "./" itself
      checkLimit('MAX_FS_FILES', ++count, 'tar members', pos, source.path);
      const mode = h.mode & 0o7777;
      const path = `${source.path}!/${name}`;
      if (isDir) {
        yield { name, size: 0, type: 'dir', mode, open: () => Promise.reject(new FormatError(`tar: ${name} is a directory`, dataOffset - TAR_BLOCK_SIZE, source.path)) };
      } else if (h.typeflag === TYPE_REGULAR || h.typeflag === TYPE_REGULAR_OLD || h.typeflag === TYPE_CONTIGUOUS) {
        seen.set(name, { offset: dataOffset, size });
        yield { name, size, type: 'file', mode, open: async () => (size === 0 ? new BufferSource(new Uint8Array(0), path) : new SliceSource(source, dataOffset, size, path)) };
      } else if (h.typeflag === TYPE_HARDLINK) {
        // A hard link names an earlier member; it reads as that member's bytes.
        const target = normalizeName(linkTarget);
        const data = target !== null ? seen.get(target) : undefined;
        if (!data) {
          this.note(`tar: hard link ${JSON.stringify(name)} to unknown member ${JSON.stringify(linkTarget)}`, dataOffset - TAR_BLOCK_SIZE);
          continue;
        }
        yield { name, size: data.size, type: 'file', mode, open: async () => (data.size === 0 ? new BufferSource(new Uint8Array(0), path) : new SliceSource(source, data.offset, data.size, path)) };
      } else if (h.typeflag === TYPE_SYMLINK) {
        yield { name, size: 0, type: 'link', linkTarget, mode, open: () => Promise.reject(new FormatError(`tar: ${name} is a symlink`, dataOffset - TAR_BLOCK_SIZE, source.path)) };
      } else if (h.typeflag === TYPE_GNU_SPARSE) {
        this.note(`tar: skipped GNU sparse member ${JSON.stringify(name)} (unsupported)`, dataOffset - TAR_BLOCK_SIZE);
      }
      // Devices, FIFOs and other types hold nothing to scan.
    }
  }

  private readExtended(offset: number, size: number): Promise<Uint8Array> {
    checkLimit('MAX_METADATA_BYTES', size, 'tar extended header', offset, this.source.path);
    return this.source.read(offset, size);
  }

  private note(message: string, offset: number): void {
    this.anomalies.push({ message, offset, path: this.source.path });
  }
}

/**
 * Strips "./" and leading "/" and trailing "/"; null for names that climb out with "..".
 * (GNU tar strips leading "/" too, and refuses ".." members on extraction.)
 */
function normalizeName(name: string): string | null {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return null;
  return parts.join('/');
}

/** pax extended header records: "<length> <key>=<value>\n", length counting the whole record. */
function parsePax(bytes: Uint8Array, offset: number, path: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] === 0) break;
    let len = 0, j = i;
    while (j < bytes.length && bytes[j] >= 0x30 && bytes[j] <= 0x39) len = len * 10 + (bytes[j++] - 0x30);
    if (j === i || bytes[j] !== 0x20 || len <= j - i + 1 || i + len > bytes.length) {
      throw new FormatError('tar: malformed pax record', offset + i, path);
    }
    const record = decodeName(bytes.subarray(j + 1, i + len - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

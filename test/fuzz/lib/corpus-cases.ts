// Unmutated hostile files from the shared corpus as fuzz cases: every e2fsprogs test image (most
// deliberately corrupt ext2/3/4) and every corpus APK (many crafted against parsers). Workers read
// the files themselves (load-file.ts): unpacked, the e2fsprogs images come to ~1 GiB.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from './seeds.js';
import type { CaseSpec } from './runner.js';
import type { CaseMode } from './protocol.js';

export const E2FS_DIR = join(CORPUS, 'firmware-real/e2fsprogs');
export const APK_DIR = join(CORPUS, 'apk');

/** Unpacked size from the gzip trailer (ISIZE), the file size when raw, null for bzip2 (unknown without unpacking). */
export function unpackedSize(file: string): number | null {
  if (file.endsWith('.bz2')) return null;
  if (!file.endsWith('.gz')) return statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, statSync(file).size - 4);
    return b.readUInt32LE(0);
  } finally {
    closeSync(fd);
  }
}

const label = (file: string, mode: CaseMode) => `${file.slice(file.lastIndexOf('/') + 1)}${mode === 'both' ? '' : ` (${mode})`}`;

/**
 * e2fsprogs images, scan and extract as separate cases (each walk of f_many_subdirs' 65k folders
 * takes seconds, so together they would blur the per-case time bound), optionally only those
 * that unpack to at most `maxUnpackedBytes` (bzip2 ones are then left out).
 */
export function e2fsprogsCases(maxUnpackedBytes = Infinity): CaseSpec[] {
  if (!existsSync(E2FS_DIR)) return [];
  return readdirSync(E2FS_DIR).filter((n) => /\.image(\.gz|\.bz2)?$/.test(n)).sort()
    .map((n) => join(E2FS_DIR, n))
    .filter((f) => maxUnpackedBytes === Infinity || (unpackedSize(f) ?? Infinity) <= maxUnpackedBytes)
    .flatMap((file) => (['scan', 'extract'] as const).map((mode): CaseSpec => ({ format: 'ext4', seedIndex: 0, caseSeed: 0, file, mode, label: label(file, mode) })));
}

export function corpusApkCases(): CaseSpec[] {
  if (!existsSync(APK_DIR)) return [];
  return readdirSync(APK_DIR).filter((n) => n.endsWith('.apk')).sort()
    .map((n): CaseSpec => ({ format: 'apk', seedIndex: 0, caseSeed: 0, file: join(APK_DIR, n), mode: 'both', label: n }));
}

// Builds ext2/3/4 images with the real e2fsprogs tools (mke2fs -d, e2fsck -D, debugfs rdump)
// in a temp dir, so tests compare our reader against what e2fsprogs itself wrote and reads.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, symlinkSync, linkSync, writeFileSync, rmSync, readdirSync, lstatSync, readlinkSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { findTool, makeTempDir, removeDir } from './tools.js';
export { findTool, makeTempDir, removeDir };

/** Deterministic pseudo-random bytes (xorshift), so fixtures differ byte by byte but rebuild identically. */
export function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes a file with data islands at the given offsets and holes elsewhere (mke2fs -d keeps holes). */
function writeSparseFile(path: string, size: number, islands: { at: number; bytes: Uint8Array }[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const { at, bytes } of islands) writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
  execFileSync('truncate', ['-s', String(size), path]);
}

export interface TreeOptions {
  /** Entries in the big directory (htree once e2fsck -D indexes it). */
  bigDirEntries?: number;
  /** Add a >64 MiB sparse file (reaches the triple-indirect block with 1 KiB blocks). */
  huge?: boolean;
}

/** A source tree exercising what the reader must handle. */
export function makeTree(root: string, opts: TreeOptions = {}): void {
  mkdirSync(join(root, 'system/app/Foo'), { recursive: true });
  mkdirSync(join(root, 'system/etc'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  writeFileSync(join(root, 'system/build.prop'), 'ro.build.id=TEST\nro.product.model=Fixture\n');
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'tiny.txt'), 'x');
  writeFileSync(join(root, 'small-59.bin'), pseudoRandom(59, 1));
  writeFileSync(join(root, 'small-60.bin'), pseudoRandom(60, 2));
  writeFileSync(join(root, 'small-100.bin'), pseudoRandom(100, 3));
  writeFileSync(join(root, 'small-150.bin'), pseudoRandom(150, 31));
  writeFileSync(join(root, 'system/app/Foo/Foo.apk'), pseudoRandom(123_457, 4));
  writeFileSync(join(root, 'medium.bin'), pseudoRandom(700_001, 5)); // double-indirect with 1 KiB blocks
  // Many islands: more than 4 extents, so the extent tree needs depth 1.
  writeSparseFile(join(root, 'fragmented.bin'), 3_000_000,
    Array.from({ length: 12 }, (_, i) => ({ at: i * 250_000, bytes: pseudoRandom(5000 + i, 100 + i) })));
  writeSparseFile(join(root, 'holes.bin'), 1_000_000, [{ at: 500_000, bytes: pseudoRandom(10_000, 6) }]);
  if (opts.huge) {
    writeSparseFile(join(root, 'huge-sparse.bin'), 70 * 1024 * 1024,
      [{ at: 0, bytes: pseudoRandom(3000, 7) }, { at: 69 * 1024 * 1024, bytes: pseudoRandom(9000, 8) }]);
  }
  symlinkSync('build.prop', join(root, 'system/fast-link'));
  symlinkSync('/system/app/Foo/' + 'a-very-long-target-name-that-does-not-fit-in-sixty-bytes-of-i_block/Foo.apk', join(root, 'system/slow-link'));
  linkSync(join(root, 'system/build.prop'), join(root, 'system/etc/hardlink.prop'));
  writeFileSync(join(root, 'system/etc/unicodé ✓.txt'), 'utf-8 name');
  const n = opts.bigDirEntries ?? 0;
  if (n > 0) {
    mkdirSync(join(root, 'bigdir'));
    for (let i = 0; i < n; i++) writeFileSync(join(root, 'bigdir', `entry-with-a-longer-name-${String(i).padStart(5, '0')}`), `${i}\n`);
  }
}

export interface BuildOptions {
  /** e.g. ['-t', 'ext4', '-O', '^extent', '-b', '1024'] */
  mkfsArgs: string[];
  sizeKiB: number;
  /** Run `e2fsck -fyD` afterwards, which turns big directories into htrees. */
  indexDirs?: boolean;
}

/** Runs mke2fs -d over `tree`, writing `image`. */
export function buildExt4(tree: string, image: string, opts: BuildOptions): void {
  const mke2fs = findTool('mke2fs');
  if (!mke2fs) throw new Error('mke2fs not installed');
  rmSync(image, { force: true });
  execFileSync(mke2fs, ['-q', '-F', '-E', 'lazy_itable_init=0', ...opts.mkfsArgs, '-d', tree, image, `${opts.sizeKiB}k`], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MKE2FS_CONFIG: '/etc/mke2fs.conf', E2FSPROGS_FAKE_TIME: '1700000000' },
  });
  if (opts.indexDirs) {
    const e2fsck = findTool('e2fsck');
    if (!e2fsck) throw new Error('e2fsck not installed');
    // Exit code 1 means "errors corrected" (the re-indexing itself); 0 means nothing to do.
    const r = spawnSync(e2fsck, ['-fyD', image], { stdio: 'ignore' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`e2fsck -fyD exited ${r.status}`);
  }
}

export interface TreeItem {
  type: 'file' | 'dir' | 'link';
  size: number;
  sha256?: string;
  linkTarget?: string;
  /** Where the bytes are on disk (readTree only). */
  diskPath?: string;
}

/** `debugfs -R 'rdump / OUT'`: what e2fsprogs reads from the image, as a name → item map. */
export function debugfsRdump(image: string, out: string, timeoutMs = 60_000): Map<string, TreeItem> {
  const debugfs = findTool('debugfs');
  if (!debugfs) throw new Error('debugfs not installed');
  mkdirSync(out, { recursive: true });
  // debugfs itself can loop on some corrupt images (e2fsprogs' own corpus): bound it.
  execFileSync(debugfs, ['-R', `rdump / ${out}`, image], { stdio: ['ignore', 'ignore', 'ignore'], timeout: timeoutMs, killSignal: 'SIGKILL' });
  return readTree(out);
}

/** Walks a directory on disk into a name → item map (names '/'-joined, relative). */
export function readTree(root: string): Map<string, TreeItem> {
  const map = new Map<string, TreeItem>();
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = lstatSync(full);
      if (st.isSymbolicLink()) map.set(rel, { type: 'link', size: st.size, linkTarget: readlinkSync(full) });
      else if (st.isDirectory()) { map.set(rel, { type: 'dir', size: 0 }); walk(full, rel); }
      else if (st.isFile()) map.set(rel, { type: 'file', size: st.size, diskPath: full, sha256: createHash('sha256').update(readFileSync(full)).digest('hex') });
    }
  };
  walk(root, '');
  return map;
}

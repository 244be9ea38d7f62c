// Memory amplification: a file inside an image made of far more real data than the image holds
// (extents aliasing the same blocks). Found by hand during fuzzing; the scan must stay under the
// harness's RSS limit (APKs over MAX_POOLED_APK_BYTES are analysed in place, ExtentSource reads
// piece by piece).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS, corpusAvailable, loadSeeds, missingTools } from './lib/seeds.js';
import { formatSummary, runFuzz } from './lib/runner.js';

/**
 * An 8 MiB ext4 image whose system/app/Foo/Foo.apk (inode made by mke2fs from a real APK) is
 * rewritten to a two-level extent tree of 243 extents that all map the same 2000 blocks: a
 * 1.85 GiB file of real (non-zero) data from an 8 MiB image.
 */
function aliasedExtentsImage(dir: string): string {
  const tree = join(dir, 'tree/system/app/Foo');
  mkdirSync(tree, { recursive: true });
  copyFileSync(join(CORPUS, 'apk/TC-debug.apk'), join(tree, 'Foo.apk'));
  const img = join(dir, 'aliased-extents.img');
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-O', '^has_journal,^metadata_csum,^resize_inode', '-N', '64', '-d', join(dir, 'tree'), img, '8M'], { stdio: 'ignore' });
  const imap = execFileSync('debugfs', ['-R', 'imap /system/app/Foo/Foo.apk', img], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /located at block (\d+), offset 0x([0-9a-f]+)/.exec(imap);
  if (!m) throw new Error(`debugfs imap: ${imap}`);
  const inode = Number(m[1]) * 4096 + parseInt(m[2], 16);
  const leafBlock = 1800; // free in an 8 MiB image holding one small file
  const n = 243, len = 2000, size = n * len * 4096;
  const w = (at: number, bytes: Buffer) => writeSync(fd, bytes, 0, bytes.length, at);
  const fd = openSync(img, 'r+');
  try {
    const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
    w(inode + 4, u32(size % 2 ** 32));
    w(inode + 0x6c, u32(Math.floor(size / 2 ** 32)));
    const root = Buffer.alloc(24);
    root.writeUInt16LE(0xf30a, 0); root.writeUInt16LE(1, 2); root.writeUInt16LE(4, 4); root.writeUInt16LE(1, 6);
    root.writeUInt32LE(0, 12); root.writeUInt32LE(leafBlock, 16);
    w(inode + 0x28, root);
    const leaf = Buffer.alloc(12 + 12 * n);
    leaf.writeUInt16LE(0xf30a, 0); leaf.writeUInt16LE(n, 2); leaf.writeUInt16LE(340, 4);
    for (let i = 0; i < n; i++) {
      leaf.writeUInt32LE(i * len, 12 + 12 * i); leaf.writeUInt16LE(len, 16 + 12 * i); leaf.writeUInt32LE(16, 20 + 12 * i);
    }
    w(leafBlock * 4096, leaf);
  } finally {
    closeSync(fd);
  }
  return img;
}

test('does not blow up memory on an ext4 APK whose extents all alias the same blocks (8 MiB image → 1.85 GiB file)', {
  skip: (!corpusAvailable() || missingTools().length > 0) && 'corpus or e2fsprogs absent',
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-known-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = aliasedExtentsImage(dir);
  const s = await runFuzz({
    seeds: loadSeeds(0), cases: [{ format: 'ext4', seedIndex: 0, caseSeed: 0, file, mode: 'scan', label: 'aliased-extents.img' }],
    jobs: 1, timeoutMs: 10_000, rssLimitMb: 1024, saveDir: null,
  });
  assert.equal(s.failures.length, 0, formatSummary(s));
});

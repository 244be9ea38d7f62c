// Differential tests: every entry we list and every byte we read must match what e2fsprogs'
// own debugfs (rdump) extracts from images that mke2fs -d built.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { FileSource, BufferSource, type Source } from '../../../src/io/source.js';
import { openExt4, detectExt4 } from '../../../src/formats/ext4/index.js';
import type { Container } from '../../../src/formats/container.js';
import { RomscanError } from '../../../src/io/errors/index.js';
import { buildExt4, debugfsRdump, findTool, makeTempDir, makeTree, removeDir, type TreeItem } from '../../helpers/build-ext4.js';

const haveTools = !!(findTool('mke2fs') && findTool('debugfs') && findTool('e2fsck'));
const skip = haveTools ? false : 'e2fsprogs (mke2fs, debugfs, e2fsck) not installed';

async function listAll(c: Container): Promise<Map<string, TreeItem>> {
  const map = new Map<string, TreeItem>();
  for await (const e of c.entries()) {
    assert.ok(!e.name.startsWith('/') && !e.name.endsWith('/'), `bad name ${e.name}`);
    assert.ok(!map.has(e.name), `duplicate entry ${e.name}`);
    if (e.type === 'file') {
      const src = await e.open();
      assert.equal(src.size, e.size);
      const hash = createHash('sha256');
      // Read in uneven pieces to cross extent boundaries.
      for (let off = 0; off < src.size; off += 77_777) hash.update(await src.read(off, Math.min(77_777, src.size - off)));
      map.set(e.name, { type: 'file', size: e.size, sha256: hash.digest('hex') });
    } else if (e.type === 'link') {
      map.set(e.name, { type: 'link', size: e.size, linkTarget: e.linkTarget });
    } else {
      map.set(e.name, { type: 'dir', size: 0 });
    }
  }
  return map;
}

/**
 * debugfs 1.47 dumps the whole 60-byte i_block of an inline-data file shorter than 60 bytes (it
 * sizes the dump by the inline area, not i_size); the kernel and we stop at i_size.
 */
function debugfsInlineQuirk(o: TreeItem, t: TreeItem): boolean {
  if (!(t.type === 'file' && o.size < 60 && t.size === 60 && t.diskPath)) return false;
  const bytes = readFileSync(t.diskPath);
  assert.equal(createHash('sha256').update(bytes.subarray(0, o.size)).digest('hex'), o.sha256);
  assert.ok(bytes.subarray(o.size).every((b) => b === 0));
  return true;
}

function assertSameTree(ours: Map<string, TreeItem>, theirs: Map<string, TreeItem>): void {
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
  for (const [name, t] of theirs) {
    const o = ours.get(name)!;
    assert.equal(o.type, t.type, `${name}: type`);
    if (debugfsInlineQuirk(o, t)) continue;
    if (t.type === 'file') {
      assert.equal(o.size, t.size, `${name}: size`);
      assert.equal(o.sha256, t.sha256, `${name}: contents`);
    }
    if (t.type === 'link') assert.equal(o.linkTarget, t.linkTarget, `${name}: link target`);
  }
}

const VARIANTS: { name: string; mkfsArgs: string[]; sizeKiB: number; indexDirs?: boolean; huge?: boolean; bigDir?: number; debugfsWrite?: string }[] = [
  { name: 'ext4 defaults (extents, 4 KiB, 64bit, metadata_csum)', mkfsArgs: ['-t', 'ext4', '-b', '4096'], sizeKiB: 16384 },
  { name: 'ext4 without extents, 1 KiB blocks (block maps up to triple indirect)', mkfsArgs: ['-t', 'ext4', '-O', '^extent,^64bit', '-b', '1024'], sizeKiB: 16384, huge: true },
  { name: 'ext2', mkfsArgs: ['-t', 'ext2'], sizeKiB: 16384 },
  { name: 'ext3, 2 KiB blocks', mkfsArgs: ['-t', 'ext3', '-b', '2048'], sizeKiB: 16384 },
  { name: 'ext4 inline_data', mkfsArgs: ['-t', 'ext4', '-O', 'inline_data', '-I', '512'], sizeKiB: 16384 },
  { name: 'ext4 htree directory (e2fsck -D)', mkfsArgs: ['-t', 'ext4', '-b', '1024'], sizeKiB: 16384, indexDirs: true, bigDir: 1500 },
  { name: 'ext4 32-bit descriptors, 128-byte inodes', mkfsArgs: ['-t', 'ext4', '-O', '^64bit,^metadata_csum', '-I', '128'], sizeKiB: 16384 },
  { name: 'ext4 meta_bg', mkfsArgs: ['-t', 'ext4', '-b', '1024', '-O', 'meta_bg,^resize_inode'], sizeKiB: 40000 },
  // debugfs fallocate leaves unwritten (uninit) extents over the holes: they must read as zeros.
  { name: 'ext4 unwritten extents (debugfs fallocate)', mkfsArgs: ['-t', 'ext4', '-b', '4096'], sizeKiB: 16384, debugfsWrite: 'fallocate /holes.bin 0 200' },
  { name: 'ext4 64 KiB blocks', mkfsArgs: ['-t', 'ext4', '-b', '65536'], sizeKiB: 65536, bigDir: 50 },
];

describe('ext4 reader vs debugfs rdump', { skip }, () => {
  let dir = '';
  before(() => { dir = makeTempDir('ext4'); });
  after(() => { if (dir) removeDir(dir); });

  for (const v of VARIANTS) {
    test(v.name, async () => {
      const slug = v.name.replace(/[^a-z0-9]+/gi, '-');
      const tree = join(dir, `${slug}-tree`);
      const image = join(dir, `${slug}.img`);
      makeTree(tree, { bigDirEntries: v.bigDir ?? 0, huge: v.huge });
      buildExt4(tree, image, { mkfsArgs: v.mkfsArgs, sizeKiB: v.sizeKiB, indexDirs: v.indexDirs });
      if (v.debugfsWrite) {
        execFileSync(findTool('debugfs')!, ['-w', '-R', v.debugfsWrite, image], { stdio: 'ignore' });
        const ex = spawnSync(findTool('debugfs')!, ['-R', 'ex /holes.bin', image], { encoding: 'utf8' });
        // Fill the unwritten extents' blocks with junk: a reader that ignores the flag would return it.
        const bs = 4096;
        const fd = openSync(image, 'r+');
        let uninit = 0;
        for (const m of ex.stdout.matchAll(/\d+ -\s+\d+\s+(\d+) -\s+(\d+)\s+\d+ Uninit/g)) {
          const first = Number(m[1]), last = Number(m[2]);
          writeSync(fd, new Uint8Array((last - first + 1) * bs).fill(0xaa), 0, (last - first + 1) * bs, first * bs);
          uninit++;
        }
        closeSync(fd);
        assert.ok(uninit > 0, ex.stdout);
      }
      const theirs = debugfsRdump(image, join(dir, `${slug}-rdump`));
      const src = await FileSource.open(image, 'img');
      try {
        const head = await src.read(0, 4096);
        assert.equal(detectExt4(head), true);
        const c = await openExt4(src);
        assert.equal(c.format, 'ext4');
        const ours = await listAll(c);
        assertSameTree(ours, theirs);
        assert.deepEqual(c.anomalies, []);
        // Hard links: both names, same bytes.
        assert.equal(ours.get('system/etc/hardlink.prop')?.sha256, ours.get('system/build.prop')?.sha256);
        assert.equal(ours.get('system/fast-link')?.linkTarget, 'build.prop');
        if (v.bigDir) assert.equal([...ours.keys()].filter((k) => k.startsWith('bigdir/')).length, v.bigDir);
      } finally {
        await src.close();
      }
    });
  }

  test('htree flag is really set on the big directory', { skip: !findTool('debugfs') }, () => {
    const image = join(dir, 'ext4-htree-directory-e2fsck-D-.img');
    const r = spawnSync(findTool('debugfs')!, ['-R', 'stat /bigdir', image], { encoding: 'utf8' });
    assert.match(r.stdout, /Flags: 0x[0-9a-f]*1[0-9a-f]{3}\b/);
  });

  test('inline_data really used for small files and dirs', () => {
    const image = join(dir, 'ext4-inline-data.img');
    const r = spawnSync(findTool('debugfs')!, ['-R', 'stat /small-100.bin', image], { encoding: 'utf8' });
    assert.match(r.stdout, /Size of inline data: \d+/);
  });

  test('file sources are read in place and cross extent boundaries', async () => {
    const image = join(dir, 'ext4-defaults-extents-4-KiB-64bit-metadata-csum-.img');
    const src = await FileSource.open(image, 'img');
    try {
      const c = await openExt4(src);
      let reads = 0;
      const counting: Source = { size: src.size, path: src.path, read: (o, l) => { reads++; return src.read(o, l); } };
      const c2 = await openExt4(counting);
      reads = 0;
      for await (const e of c2.entries()) {
        if (e.name === 'medium.bin') {
          const f = await e.open();
          const b = await f.read(0, f.size);
          assert.equal(b.length, 700_001);
        }
      }
      assert.ok(reads < 200, `walk + one file took ${reads} reads`);
      assert.ok(c);
    } finally {
      await src.close();
    }
  });
});

describe('ext4 real images (AOSP update_engine sample_images)', () => {
  test('disk_ext2_*.img list and read like debugfs', { skip: skip || (findTool('tar') ? false : 'tar missing') }, async () => {
    const dir = makeTempDir('ue');
    try {
      spawnSync('tar', ['xjf', join(process.cwd(), '../shared/corpus/firmware-real/update_engine/sample_images.tar.bz2'), '-C', dir]);
      for (const name of ['disk_ext2_1k.img', 'disk_ext2_4k.img', 'disk_ext2_4k_empty.img', 'disk_ext2_unittest.img']) {
        const image = join(dir, name);
        const theirs = debugfsRdump(image, join(dir, `${name}-rdump`));
        const src = await FileSource.open(image, name);
        try {
          assertSameTree(await listAll(await openExt4(src)), theirs);
        } finally {
          await src.close();
        }
      }
    } finally {
      removeDir(dir);
    }
  });
});

describe('ext4 detection and typed errors', () => {
  test('detectExt4 needs the magic at 1024+56', () => {
    const head = new Uint8Array(2048);
    assert.equal(detectExt4(head), false);
    head[1024 + 56] = 0x53; head[1024 + 57] = 0xef;
    assert.equal(detectExt4(head), true);
    assert.equal(detectExt4(head.subarray(0, 1000)), false);
  });
  test('too small or bad magic is a RomscanError', async () => {
    await assert.rejects(openExt4(new BufferSource(new Uint8Array(100), 'x')), { code: 'E_TRUNCATED' });
    await assert.rejects(openExt4(new BufferSource(new Uint8Array(4096), 'x')), { code: 'E_FORMAT' });
  });
});

describe('ext4 hostile input', { skip }, () => {
  test('does not hang or throw non-RomscanErrors on truncations and bit flips of a real image', async () => {
    const dir = makeTempDir('ext4-fuzz');
    try {
      const tree = join(dir, 'tree');
      makeTree(tree, { bigDirEntries: 120 });
      const image = join(dir, 'fs.img');
      buildExt4(tree, image, { mkfsArgs: ['-t', 'ext4', '-b', '1024', '-O', 'inline_data', '-I', '256'], sizeKiB: 8192, indexDirs: true });
      const base = new Uint8Array(readFileSync(image));
      // Metadata lives in the first blocks (superblock, GDT, bitmaps, inode table, directories).
      const metaEnd = Math.min(base.length, 600 * 1024);
      const started = Date.now();
      let listed = 0, failed = 0;
      const tryOne = async (bytes: Uint8Array): Promise<void> => {
        try {
          const c = await openExt4(new BufferSource(bytes, 'fuzz.img'));
          for await (const e of c.entries()) {
            if (e.type !== 'file') continue;
            try {
              const s = await e.open();
              await s.read(0, Math.min(s.size, 1 << 20));
            } catch (err) {
              if (!(err instanceof RomscanError)) throw err;
            }
          }
          listed++;
        } catch (err) {
          if (!(err instanceof RomscanError)) throw err;
          failed++;
        }
      };
      for (const n of [0, 1000, 1024 + 100, 2048, 4096, 50_000, 300_000, base.length - 1]) await tryOne(base.subarray(0, n));
      let x = 99;
      for (let i = 0; i < 250; i++) {
        const b = base.slice();
        for (let k = 0; k < 8; k++) {
          x = (x * 1103515245 + 12345) >>> 0;
          b[x % metaEnd] ^= 1 << ((x >>> 24) & 7);
        }
        await tryOne(b);
      }
      assert.ok(listed > 0 && failed > 0, `listed ${listed} failed ${failed}`);
      assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    } finally {
      removeDir(dir);
    }
  });
});

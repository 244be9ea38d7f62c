// Differential tests: every entry we list and every byte we read must equal what erofs-utils'
// own reader (fsck.erofs --extract) produces from images mkfs.erofs built with the options
// Android uses (lz4 / lz4hc, big pclusters, tail packing, legacy indexes, chunked files, SELinux
// xattrs from file_contexts).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BufferSource, FileSource } from '../../../src/io/source.js';
import { detectErofs, openErofs } from '../../../src/formats/erofs/index.js';
import { assertSameTree, fsckExtract, findTool, listContainer, makeErofsTree, makeTempDir, mkfsErofs, removeDir, writeFileContexts, type TreeItem } from './helpers.js';

const haveTools = !!(findTool('mkfs.erofs') && findTool('fsck.erofs'));
const skip = haveTools ? false : 'erofs-utils (mkfs.erofs, fsck.erofs) not installed';


// Each variant hits a different on-disk path (checked once with dump.erofs / the inode layouts):
const VARIANTS: { name: string; options: (dir: string) => string[] }[] = [
  { name: 'uncompressed (FLAT_PLAIN + FLAT_INLINE)', options: () => [] },
  { name: 'no inline data (FLAT_PLAIN only)', options: () => ['-Enoinline_data'] },
  { name: 'extended inodes', options: () => ['-Eforce-inode-extended'] },
  { name: 'chunked, block map', options: () => ['--chunksize=4096'] },
  { name: 'chunked, chunk indexes', options: () => ['--chunksize=8192', '-Eforce-chunk-indexes'] },
  { name: 'lz4, compact 2B indexes', options: () => ['-zlz4'] },
  { name: 'lz4hc, compact indexes', options: () => ['-zlz4hc'] },
  { name: 'lz4hc, full (legacy) indexes', options: () => ['-zlz4hc', '-Elegacy-compress'] },
  { name: 'lz4hc, big pcluster 64K', options: () => ['-zlz4hc', '-C65536'] },
  { name: 'lz4hc,9, big pcluster 256K (BOARD_EROFS_PCLUSTER_SIZE)', options: () => ['-zlz4hc,9', '-C262144'] },
  { name: 'lz4hc + --chunksize 4096 (BOARD_EROFS_SHARE_DUP_BLOCKS)', options: () => ['-zlz4hc,9', '--chunksize=4096'] },
  { name: 'lz4hc, ztailpacking', options: () => ['-zlz4hc', '-Eztailpacking'] },
  { name: 'lz4hc,12, big pcluster 16K + ztailpacking', options: () => ['-zlz4hc,12', '-C16384', '-Eztailpacking'] },
  { name: 'lz4hc + file_contexts xattrs, compact inodes', options: (dir) => ['-zlz4hc', '-Eforce-inode-compact', `--file-contexts=${join(dir, 'file_contexts')}`] },
];

describe('erofs: differential against fsck.erofs --extract', { skip }, () => {
  let dir = '';
  before(() => {
    dir = makeTempDir('romscan-erofs-');
    makeErofsTree(join(dir, 'src'));
    writeFileContexts(join(dir, 'file_contexts'));
  });
  after(() => removeDir(dir));

  for (const [i, v] of VARIANTS.entries()) {
    test(v.name, async () => {
      const image = join(dir, `v${i}.img`);
      mkfsErofs(image, join(dir, 'src'), v.options(dir));
      const theirs = fsckExtract(image, join(dir, `out${i}`));
      const source = await FileSource.open(image);
      try {
        const head = await source.read(0, Math.min(65536, source.size));
        assert.ok(detectErofs(head));
        const container = await openErofs(source);
        assert.equal(container.format, 'erofs');
        // Read in pieces that straddle extents (odd variants), or in one read per file (even).
        const ours = await listContainer(container, i % 2 ? 77_777 : 1 << 30);
        assertSameTree(ours, theirs);
        assert.deepEqual(container.anomalies, []);
        // Symlinks are reported, with the target as stored.
        assert.equal([...ours.values()].filter((e) => e.type === 'link').length, 2);
      } finally {
        await source.close();
      }
    });
  }

  test('random-access reads inside a compressed file equal slices of the whole', async () => {
    const image = join(dir, 'ra.img');
    mkfsErofs(image, join(dir, 'src'), ['-zlz4hc', '-C16384', '-Eztailpacking']);
    const source = await FileSource.open(image);
    try {
      const c = await openErofs(source);
      for await (const e of c.entries()) {
        if (e.name !== 'system/priv-app/Bar/Bar.apk') continue;
        const s = await e.open();
        const whole = await s.read(0, s.size);
        let x = 12345;
        for (let k = 0; k < 200; k++) {
          x = (x * 1103515245 + 12345) >>> 0;
          const off = x % s.size;
          const len = Math.min(s.size - off, (x >>> 8) % 20000);
          assert.deepEqual(await s.read(off, len), whole.subarray(off, off + len));
        }
        await assert.rejects(s.read(s.size - 1, 2), { code: 'E_TRUNCATED' });
      }
    } finally {
      await source.close();
    }
  });
});

describe('erofs: detect', () => {
  test('rejects other data', () => {
    assert.equal(detectErofs(new Uint8Array(2048)), false);
    assert.equal(detectErofs(new Uint8Array(100)), false);
  });
  test('non-erofs input fails with a typed error', async () => {
    await assert.rejects(openErofs(new BufferSource(new Uint8Array(4096), 'zero.img')), { code: 'E_FORMAT' });
    await assert.rejects(openErofs(new BufferSource(new Uint8Array(100), 'tiny.img')), { code: 'E_TRUNCATED' });
  });
});

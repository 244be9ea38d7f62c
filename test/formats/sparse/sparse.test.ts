// Android sparse images: expanded bytes must equal simg2img's output; hostile input must end in a
// RomscanError (never another exception, never a hang).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource, FileSource, type Source } from '../../../src/io/source.js';
import { RomscanError } from '../../../src/io/errors/index.js';
import { detectSparse, openSparse, readSparseLayout } from '../../../src/formats/sparse/index.js';
import { openExt4 } from '../../../src/formats/ext4/index.js';
import { buildExt4, findTool, makeTempDir, makeTree, pseudoRandom, removeDir } from '../../helpers/build-ext4.js';
import { writeSparse, concat } from '../../helpers/write-sparse.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const img2simg = findTool('img2simg');
const simg2img = findTool('simg2img');
const skipTools = img2simg && simg2img && findTool('mke2fs') ? false : 'img2simg/simg2img/mke2fs not installed';

async function readWhole(s: Source): Promise<Uint8Array> {
  return s.read(0, s.size);
}

describe('sparse vs simg2img', { skip: skipTools }, () => {
  let dir = '';
  before(() => { dir = makeTempDir('sparse'); });
  after(() => { if (dir) removeDir(dir); });

  test('img2simg of an ext4 image expands to the same bytes as simg2img (and the original)', async () => {
    const tree = join(dir, 'tree');
    makeTree(tree, { bigDirEntries: 20 });
    const raw = join(dir, 'fs.img');
    buildExt4(tree, raw, { mkfsArgs: ['-t', 'ext4'], sizeKiB: 24576 });
    for (const bs of ['4096', '1024']) {
      const simg = join(dir, `fs.${bs}.simg`);
      execFileSync(img2simg!, [raw, simg, bs]);
      const back = join(dir, `fs.${bs}.back`);
      execFileSync(simg2img!, [simg, back]);
      const src = await FileSource.open(simg, 'fs.simg');
      try {
        assert.equal(detectSparse(await src.read(0, 28)), true);
        const layout = await readSparseLayout(src);
        assert.ok(layout.extents.length > 1);
        const expanded = await openSparse(src);
        assert.equal(expanded.path, 'fs.simg');
        const bytes = await readWhole(expanded);
        assert.equal(sha(bytes), sha(readFileSync(back)));
        assert.equal(sha(bytes), sha(readFileSync(raw)));
        // ext4 inside sparse reads end to end.
        const c = await openExt4(expanded);
        let found = false;
        for await (const e of c.entries()) {
          if (e.name === 'system/app/Foo/Foo.apk') {
            found = true;
            assert.equal(sha(await readWhole(await e.open())), sha(readFileSync(join(tree, 'system/app/Foo/Foo.apk'))));
          }
        }
        assert.ok(found);
      } finally {
        await src.close();
      }
    }
  });

  test('RAW, FILL, DONT_CARE and CRC32 chunks with a 16-byte chunk header match simg2img', async () => {
    const bs = 4096;
    const img = writeSparse(bs, [
      { type: 'raw', data: pseudoRandom(3 * bs, 9) },
      { type: 'fill', blocks: 2, value: 0xdeadbeef },
      { type: 'dontcare', blocks: 5 },
      { type: 'crc32', value: 0x12345678 },
      { type: 'fill', blocks: 1, value: 0 },
      { type: 'raw', data: pseudoRandom(bs, 10) },
      { type: 'fill', blocks: 3, value: 0x01020304 },
    ], { chunkHeaderSize: 16 });
    const f = join(dir, 'crafted.simg');
    writeFileSync(f, img);
    execFileSync(simg2img!, [f, `${f}.raw`]);
    const expanded = await openSparse(new BufferSource(img, 'crafted.simg'));
    assert.equal(expanded.size, 15 * bs);
    const whole = await readWhole(expanded);
    assert.equal(sha(whole), sha(readFileSync(`${f}.raw`)));
    // Unaligned reads across chunk boundaries agree with the whole.
    for (const [o, l] of [[3 * bs - 3, 10], [5 * bs - 1, bs + 2], [1, 15 * bs - 2], [14 * bs + 3, bs - 3]]) {
      assert.deepEqual(await expanded.read(o, l), whole.subarray(o, o + l));
    }
  });
});

describe('sparse validation', () => {
  const bs = 1024;
  const good = (): Uint8Array => writeSparse(bs, [{ type: 'raw', data: pseudoRandom(2 * bs, 1) }, { type: 'dontcare', blocks: 3 }]);

  test('detectSparse', () => {
    assert.equal(detectSparse(good()), true);
    assert.equal(detectSparse(new Uint8Array(64)), false);
    assert.equal(detectSparse(good().subarray(0, 10)), false);
  });

  test('chunks must add up to total_blks', async () => {
    const img = writeSparse(bs, [{ type: 'dontcare', blocks: 3 }], { totalBlocks: 4 });
    await assert.rejects(openSparse(new BufferSource(img, 'x')), { code: 'E_FORMAT' });
    const over = writeSparse(bs, [{ type: 'dontcare', blocks: 5 }], { totalBlocks: 4 });
    await assert.rejects(openSparse(new BufferSource(over, 'x')), { code: 'E_FORMAT' });
  });

  test('total_sz must match the chunk kind', async () => {
    const img = good();
    new DataView(img.buffer).setUint32(28 + 8, 12 + 2 * bs + 4, true);
    await assert.rejects(openSparse(new BufferSource(img, 'x')), { code: 'E_FORMAT' });
  });

  test('unknown chunk type, bad block size, major version', async () => {
    const a = good(); new DataView(a.buffer).setUint16(28, 0xcac9, true);
    await assert.rejects(openSparse(new BufferSource(a, 'x')), { code: 'E_FORMAT' });
    const b = good(); new DataView(b.buffer).setUint32(12, 1022, true);
    await assert.rejects(openSparse(new BufferSource(b, 'x')), { code: 'E_FORMAT' });
    const c = good(); new DataView(c.buffer).setUint16(4, 2, true);
    await assert.rejects(openSparse(new BufferSource(c, 'x')), { code: 'E_UNSUPPORTED' });
  });

  test('a chunk count the file cannot hold is refused before looping', async () => {
    const a = good(); new DataView(a.buffer).setUint32(20, 0xffffffff, true);
    await assert.rejects(openSparse(new BufferSource(a, 'x')), (e: unknown) => e instanceof RomscanError);
  });

  test('expanded size over MAX_EXPANDED_BYTES is a LimitError', async () => {
    const img = writeSparse(65536, [{ type: 'dontcare', blocks: 0xffffffff }]);
    await assert.rejects(openSparse(new BufferSource(img, 'x')), { code: 'E_LIMIT' });
  });

  test('does not hang on truncations and bit flips', async () => {
    const base = writeSparse(bs, [
      { type: 'raw', data: pseudoRandom(4 * bs, 2) }, { type: 'fill', blocks: 7, value: 0xabcdef01 },
      { type: 'dontcare', blocks: 9 }, { type: 'crc32', value: 1 }, { type: 'raw', data: pseudoRandom(bs, 3) },
    ]);
    const started = Date.now();
    let ok = 0, failed = 0;
    const tryOne = async (bytes: Uint8Array): Promise<void> => {
      try {
        const s = await openSparse(new BufferSource(bytes, 'fuzz'));
        // Read a bounded sample: a flipped total_blks may legitimately declare gigabytes of zeros.
        await s.read(0, Math.min(s.size, 64 * 1024));
        if (s.size > 0) await s.read(s.size - Math.min(s.size, 4096), Math.min(s.size, 4096));
        ok++;
      } catch (e) {
        if (!(e instanceof RomscanError)) throw e;
        failed++;
      }
    };
    for (let n = 0; n < base.length; n += 7) await tryOne(base.subarray(0, n));
    let x = 12345;
    for (let i = 0; i < 3000; i++) {
      const b = base.slice();
      x = (x * 1103515245 + 12345) >>> 0;
      const pos = x % 120; // flips in headers, where they matter
      b[pos] ^= 1 << ((x >>> 16) & 7);
      await tryOne(b);
    }
    assert.ok(ok > 0 && failed > 0);
    assert.ok(Date.now() - started < 10_000);
  });

  test('a whole image in one RAW chunk reads without copying the parent', async () => {
    const data = pseudoRandom(8 * bs, 4);
    const img = concat([writeSparse(bs, [{ type: 'raw', data }])]);
    const s = await openSparse(new BufferSource(img, 'x'));
    assert.deepEqual(await s.read(100, 5000), data.subarray(100, 5100));
  });
});

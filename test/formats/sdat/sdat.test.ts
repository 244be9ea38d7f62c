import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { BufferSource } from '../../../src/io/source.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { openExt4 } from '../../../src/formats/ext4/index.js';
import {
  openSdat, layoutSdat, parseTransferList, detectTransferList, parseRangeSet, pairBlockOtaEntries,
} from '../../../src/formats/sdat/index.js';

const CORPUS = new URL('../../../../shared/corpus/firmware-real/', import.meta.url).pathname;
const IRIS = join(CORPUS, 'iris_hp4024');
const OPPO = join(CORPUS, 'oppo-k3');
const haveCorpus = existsSync(join(IRIS, 'private.new.dat.br'));

function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const src = (s: string | Uint8Array, path = 'test.transfer.list') =>
  new BufferSource(typeof s === 'string' ? new TextEncoder().encode(s) : s, path);

describe('range sets', () => {
  test('parses pairs as half-open block ranges', () => {
    assert.deepEqual(parseRangeSet('4,0,10,19,20', 0, 'x'), [{ start: 0, end: 10 }, { start: 19, end: 20 }]);
  });
  for (const [bad, why] of [
    ['3,0,10,19', 'odd count'],
    ['4,0,10', 'count does not match'],
    ['2,10,10', 'empty range'],
    ['2,10,5', 'reversed range'],
    ['2,-1,5', 'sign'],
    ['0', 'zero count'],
    ['2,0,99999999999', 'too large'],
    ['x,1,2', 'not a number'],
  ]) {
    test(`rejects ${why}: ${bad}`, () => {
      assert.throws(() => parseRangeSet(bad, 7, 'x'), (e: unknown) => isRomscanError(e) && e.code === 'E_FORMAT' && e.offset === 7);
    });
  }
});

describe('transfer list', () => {
  test('version 1 has a two-line header', () => {
    const tl = parseTransferList('1\n20\nerase 2,0,20\nnew 2,0,4\nzero 2,4,20\n', 'x');
    assert.equal(tl.version, 1);
    assert.equal(tl.totalBlocks, 20);
    assert.equal(tl.stashEntries, undefined);
    assert.deepEqual(tl.commands.map((c) => c.name), ['erase', 'new', 'zero']);
  });
  test('versions 2–4 have stash lines', () => {
    for (const v of [2, 3, 4]) {
      const tl = parseTransferList(`${v}\n20\n0\n0\nnew 2,0,4\n`, 'x');
      assert.equal(tl.version, v);
      assert.equal(tl.stashEntries, 0);
      assert.equal(tl.stashMaxBlocks, 0);
      assert.equal(tl.commands.length, 1);
    }
  });
  test('rejects unknown versions and commands with the line offset', () => {
    assert.throws(() => parseTransferList('5\n20\n0\n0\n', 'x'), /unknown version 5/);
    assert.throws(() => parseTransferList('4\n20\n0\n0\nfrob 2,0,1\n', 'x'), (e: unknown) => isRomscanError(e) && e.offset === 9);
  });
  test('CRLF is accepted as an anomaly', () => {
    const tl = parseTransferList('4\r\n20\r\n0\r\n0\r\nnew 2,0,4\r\n', 'x');
    assert.equal(tl.commands.length, 1);
    assert.equal(tl.anomalies.length, 1);
  });
  test('detects transfer lists and nothing else', () => {
    assert.equal(detectTransferList('4\n2198\n0\n0\nerase 2,2198,5120\n'), true);
    assert.equal(detectTransferList('1\n10\nnew 2,0,1\n'), true);
    assert.equal(detectTransferList('4\n2198\nerase 2,2198,5120\n'), false);
    assert.equal(detectTransferList('PK\x03\x04'), false);
    assert.equal(detectTransferList(''), false);
    assert.equal(detectTransferList(new TextEncoder().encode('3\n5\n0\n0\nzero 2,0,5\n')), true);
  });

  test('real OPPO K3 system list: 1079 new commands (v4)', { skip: !existsSync(OPPO) && 'corpus absent' }, () => {
    const text = readFileSync(join(OPPO, 'system.transfer.list'), 'latin1');
    assert.equal(detectTransferList(text), true);
    const tl = parseTransferList(text, 'system.transfer.list');
    assert.equal(tl.version, 4);
    assert.equal(tl.commands.filter((c) => c.name === 'new').length, 1079);
    const layout = layoutSdat(tl, 'system.transfer.list');
    assert.equal(layout.size, 1458176 * 4096); // the largest block any range touches
    assert.equal(tl.totalBlocks, 1111389);
    // Every block written by `new` comes from exactly one new.dat block.
    const dataBytes = layout.extents.filter((e) => e.kind === 'data').reduce((n, e) => n + e.length, 0);
    assert.equal(dataBytes, layout.newDataBytes);
    // The same count, summed independently from the text: "new N,a,b,…" → Σ(b−a).
    let blocks = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith('new ')) continue;
      const nums = line.slice(4).split(',').slice(1).map(Number);
      for (let i = 0; i < nums.length; i += 2) blocks += nums[i + 1] - nums[i];
    }
    assert.equal(layout.newDataBytes, blocks * 4096);
  });

  test('all real corpus lists parse', { skip: !haveCorpus && 'corpus absent' }, () => {
    for (const f of [join(IRIS, 'system.transfer.list'), join(IRIS, 'vendor.transfer.list'), join(OPPO, 'vendor.transfer.list')]) {
      const tl = parseTransferList(readFileSync(f, 'latin1'), f);
      const layout = layoutSdat(tl, f);
      assert.ok(layout.size > 0);
      assert.equal(layout.anomalies.length, 0);
    }
  });
});

describe('block device', () => {
  test('new ranges map in order onto the stream; zero ranges read zeros; gaps read zeros', async () => {
    // 8 blocks: new writes blocks 5,6 then 0,1 (stream blocks 0..3), zero 2..4, block 7 only erased.
    const list = '4\n7\n0\n0\nerase 2,7,8\nnew 4,5,7,0,2\nzero 2,2,5\n';
    const stream = new Uint8Array(4 * 4096);
    for (let b = 0; b < 4; b++) stream.fill(0x10 + b, b * 4096, (b + 1) * 4096);
    const dev = await openSdat(src(list), new BufferSource(stream, 'x.new.dat'), false, 'x.img');
    assert.equal(dev.size, 8 * 4096);
    const all = await dev.read(0, dev.size);
    const blockByte = (b: number) => all[b * 4096 + 100];
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(blockByte), [0x12, 0x13, 0, 0, 0, 0x10, 0x11, 0]);
    // a read crossing data → zero → data
    const mid = await dev.read(2 * 4096 - 10, 4 * 4096);
    assert.equal(mid[0], 0x13);
    assert.equal(mid[20], 0);
  });

  test('brotli and plain new.dat give the same device', async () => {
    const list = '4\n6\n0\n0\nnew 4,0,2,4,6\nzero 2,2,4\n';
    const stream = new Uint8Array(4 * 4096).map((_, i) => (i * 7) & 0xff);
    const plain = await openSdat(src(list), new BufferSource(stream, 'x.new.dat'), false, 'x.img');
    const br = await openSdat(src(list), new BufferSource(brotliCompressSync(stream), 'x.new.dat.br'), true, 'x.img');
    assert.deepEqual(await br.read(0, br.size), await plain.read(0, plain.size));
  });

  test('later commands win where ranges overlap (as writes to a block device do)', async () => {
    const list = '4\n4\n0\n0\nnew 2,0,4\nzero 2,1,2\n';
    const stream = new Uint8Array(4 * 4096).fill(0xaa);
    const dev = await openSdat(src(list), new BufferSource(stream, 'x.new.dat'), false, 'x.img');
    const all = await dev.read(0, dev.size);
    assert.deepEqual([0, 1, 2, 3].map((b) => all[b * 4096]), [0xaa, 0, 0xaa, 0xaa]);
    assert.ok(dev.anomalies.some((a) => /twice/.test(a.message)));
    // the stream position of block 2 is unaffected by the zero in the middle
    assert.equal(dev.newDataBytes, 4 * 4096);
  });

  test('the size is the largest block any command touches, erase included', async () => {
    const dev = await openSdat(src('4\n6\n0\n0\nerase 2,0,100\nzero 2,0,6\n'), new BufferSource(new Uint8Array(0), 'x'), false, 'x.img');
    assert.equal(dev.size, 100 * 4096);
    assert.deepEqual(await dev.read(99 * 4096, 4096), new Uint8Array(4096));
  });

  test('incremental OTA commands are UnsupportedError', async () => {
    for (const cmd of ['move abc 2,0,1 1 2,5,6', 'bsdiff 0 10 aa bb 2,0,1 1 2,3,4', 'imgdiff 0 1 a b 2,0,1 1 2,3,4', 'stash abc 2,0,1', 'free abc']) {
      await assert.rejects(
        openSdat(src(`4\n10\n1\n1\n${cmd}\n`), new BufferSource(new Uint8Array(0), 'x'), false, 'x.img'),
        (e: unknown) => isRomscanError(e) && e.code === 'E_UNSUPPORTED' && /incremental OTA: needs source build/.test(e.message) && e.offset === 9,
      );
    }
  });

  test('short plain new.dat is a TruncatedError; short brotli stream fails on read', async () => {
    await assert.rejects(openSdat(src('4\n4\n0\n0\nnew 2,0,4\n'), new BufferSource(new Uint8Array(4096), 'x'), false, 'x.img'), /new.dat has 4096 bytes/);
    const dev = await openSdat(src('4\n4\n0\n0\nnew 2,0,4\n'), new BufferSource(brotliCompressSync(new Uint8Array(4096)), 'x.br'), true, 'x.img', { chunkBytes: 4096 });
    assert.equal((await dev.read(0, 4096)).length, 4096);
    await assert.rejects(dev.read(3 * 4096, 4096), (e: unknown) => isRomscanError(e) && e.code === 'E_TRUNCATED');
  });
});

describe('real block OTA: iris_hp4024 private partition', { skip: !haveCorpus && 'corpus absent' }, () => {
  const list = () => new BufferSource(readFileSync(join(IRIS, 'private.transfer.list')), 'iris.zip!/private.transfer.list');
  const br = () => new BufferSource(readFileSync(join(IRIS, 'private.new.dat.br')), 'iris.zip!/private.new.dat.br');

  test('rebuilds the 5120-block ext4 image whose bytes match the plain path', async () => {
    const dev = await openSdat(list(), br(), true, 'iris.zip!/private.new.dat.br');
    assert.equal(dev.size, 5120 * 4096); // erase 2,2198,5120 is the filesystem's free space
    assert.equal(dev.newDataBytes, 505 * 4096); // corpus note: decompressed size == 505 new blocks
    const sb = await dev.read(1024, 1024);
    assert.equal(sb[0x38] | (sb[0x39] << 8), 0xef53, 'ext4 superblock magic');
    const volume = new TextDecoder().decode(sb.subarray(0x78, 0x88)).replace(/\0+$/, '');
    assert.equal(volume, 'private');
    const blocksCount = sb[4] | (sb[5] << 8) | (sb[6] << 16) | (sb[7] << 24);
    const logBlockSize = sb[0x18];
    assert.equal(blocksCount * (1024 << logBlockSize), dev.size, 'filesystem fills the partition');

    // Plain path over the stream decoded by Node in one go: must agree byte for byte.
    const plain = await openSdat(list(), new BufferSource(brotliDecompressSync(readFileSync(join(IRIS, 'private.new.dat.br'))), 'p.new.dat'), false, 'p');
    assert.deepEqual(await dev.read(0, dev.size), await plain.read(0, plain.size));
  });

  test('e2fsck finds the rebuilt image clean and debugfs lists it', { skip: !hasTool('e2fsck') && 'e2fsck absent' }, async () => {
    const dev = await openSdat(list(), br(), true, 'iris.zip!/private.new.dat.br');
    const dir = mkdtempSync(join(tmpdir(), 'romscan-sdat-'));
    try {
      const img = join(dir, 'private.img');
      writeFileSync(img, await dev.read(0, dev.size));
      // -n: read only; exit 0 means no errors found (the oracle that the rebuild is right).
      execFileSync('e2fsck', ['-fn', img], { stdio: 'pipe' });
      const ls = execFileSync('debugfs', ['-R', 'ls -p /', img], { stdio: ['pipe', 'pipe', 'pipe'] }).toString();
      assert.match(ls, /lost\+found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ext4 reader walks the rebuilt image; every file matches debugfs rdump', async (t) => {
    const dev = await openSdat(list(), br(), true, 'iris.zip!/private.new.dat.br');
    const fs = await openExt4(dev);
    const files = new Map<string, Uint8Array>();
    for await (const e of fs.entries()) {
      if (e.type === 'file') {
        const s = await e.open();
        files.set(e.name, await s.read(0, s.size));
      }
    }
    // The partition holds a web UI (no APKs): miniepg/index.html among ~60 files.
    assert.ok(files.has('miniepg/index.html'), [...files.keys()].slice(0, 10).join(','));
    if (!hasTool('debugfs')) return t.skip('debugfs absent: listed only');
    const dir = mkdtempSync(join(tmpdir(), 'romscan-sdat-'));
    try {
      const img = join(dir, 'private.img');
      writeFileSync(img, await dev.read(0, dev.size));
      const out = join(dir, 'out');
      execFileSync('mkdir', [out]);
      execFileSync('debugfs', ['-R', `rdump / ${out}`, img], { stdio: 'pipe' });
      const expected = execFileSync('find', ['.', '-type', 'f'], { cwd: out }).toString().trim().split('\n').map((p) => p.slice(2)).sort();
      assert.deepEqual([...files.keys()].sort(), expected);
      for (const name of expected) assert.deepEqual(files.get(name), new Uint8Array(readFileSync(join(out, name))), name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('block OTA built now from an ext4 image (mke2fs -d, brotli CLI)', () => {
  test('the APK and build.prop inside read back through openSdat + openExt4', { skip: !(hasTool('mke2fs') && hasTool('brotli')) && 'mke2fs/brotli absent' }, async (t) => {
    const { makeTree, makeExt4 } = await import('../../fixtures/payload/build/build.js');
    const dir = mkdtempSync(join(tmpdir(), 'romscan-sdat-'));
    try {
      const files = makeTree(join(dir, 'root'));
      const image = makeExt4(join(dir, 'root'), join(dir, 'system.img'));
      const blocks = image.length / 4096;
      // Like blockimgdiff for a full OTA: nonzero runs → new (listed out of block order, split
      // into several commands), zero runs → zero, the tail past the last write → erase.
      const runs: { start: number; end: number; zero: boolean }[] = [];
      for (let b = 0; b < blocks - 8; b++) {
        const zero = image.subarray(b * 4096, (b + 1) * 4096).every((x) => x === 0);
        const last = runs[runs.length - 1];
        if (last && last.zero === zero && last.end === b) last.end = b + 1;
        else runs.push({ start: b, end: b + 1, zero });
      }
      const news = runs.filter((r) => !r.zero).reverse();
      const zeros = runs.filter((r) => r.zero);
      const stream: Uint8Array[] = [];
      const lines = ['4', String(blocks - 8), '0', '0', `erase 2,${blocks - 8},${blocks}`];
      for (let i = 0; i < news.length; i += 3) {
        const group = news.slice(i, i + 3);
        lines.push(`new ${group.length * 2},${group.map((r) => `${r.start},${r.end}`).join(',')}`);
        for (const r of group) stream.push(image.subarray(r.start * 4096, r.end * 4096));
      }
      if (zeros.length) lines.push(`zero ${zeros.length * 2},${zeros.map((r) => `${r.start},${r.end}`).join(',')}`);
      writeFileSync(join(dir, 'system.new.dat'), Buffer.concat(stream));
      execFileSync('brotli', ['-q', '6', '-f', join(dir, 'system.new.dat')]);
      const dev = await openSdat(src(lines.join('\n') + '\n', 'system.transfer.list'),
        new BufferSource(readFileSync(join(dir, 'system.new.dat.br')), 'system.new.dat.br'), true, 'ota.zip!/system.new.dat.br');
      assert.ok(Buffer.from(await dev.read(0, dev.size)).equals(Buffer.from(image)), 'device equals the mke2fs image');
      const fs = await openExt4(dev);
      const got = new Map<string, Uint8Array>();
      for await (const e of fs.entries()) if (e.type === 'file') got.set(e.name, await (await e.open()).read(0, e.size));
      for (const [name, data] of Object.entries(files)) assert.ok(got.has(name) && Buffer.from(got.get(name)!).equals(Buffer.from(data)), name);
      assert.ok([...got.keys()].some((n) => n.endsWith('.apk')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pairing block OTA zip entries', () => {
  test('pairs transfer lists with new.dat(.br) and patch.dat by prefix', () => {
    const pairs = pairBlockOtaEntries([
      'META-INF/com/google/android/updater-script',
      'system.transfer.list', 'system.new.dat.br', 'system.patch.dat',
      'vendor.new.dat', 'vendor.transfer.list',
      'product.transfer.list', // no data: left out
      'sub/odm.transfer.list', 'sub/odm.new.dat.br',
      'both.transfer.list', 'both.new.dat', 'both.new.dat.br',
    ]);
    assert.deepEqual(pairs, [
      { name: 'system', transferList: 'system.transfer.list', newDat: 'system.new.dat.br', brotli: true, patchDat: 'system.patch.dat' },
      { name: 'vendor', transferList: 'vendor.transfer.list', newDat: 'vendor.new.dat', brotli: false },
      { name: 'sub/odm', transferList: 'sub/odm.transfer.list', newDat: 'sub/odm.new.dat.br', brotli: true },
      { name: 'both', transferList: 'both.transfer.list', newDat: 'both.new.dat', brotli: false },
    ]);
  });
});

describe('hostile transfer lists', { skip: !haveCorpus && 'corpus absent' }, () => {
  /** Opens and reads a little: must return or throw a RomscanError. */
  async function exercise(list: Uint8Array, newDat: Uint8Array, compressed: boolean): Promise<void> {
    try {
      const dev = await openSdat(src(list), new BufferSource(newDat, 'h.new.dat'), compressed, 'h.img', { chunkBytes: 64 * 1024 });
      await dev.read(0, Math.min(dev.size, 64 * 1024));
      if (dev.size > 8192) await dev.read(dev.size - 8192, 8192);
    } catch (e) {
      if (!isRomscanError(e)) throw e;
    }
  }
  const lists = () => [
    readFileSync(join(IRIS, 'private.transfer.list')),
    readFileSync(join(OPPO, 'vendor.transfer.list')),
  ];

  test('does not hang or crash on truncations of real lists', { timeout: 20_000 }, async () => {
    const br = readFileSync(join(IRIS, 'private.new.dat.br'));
    for (const l of lists()) {
      for (let n = 0; n <= l.length; n += Math.max(1, Math.floor(l.length / 150))) await exercise(l.subarray(0, n), new Uint8Array(0), false);
    }
    // and of the brotli stream behind a good list
    const list = lists()[0];
    for (const n of [0, 1, 2, 10, 1000, 100_000, br.length >> 1, br.length - 1]) await exercise(list, br.subarray(0, n), true);
  });

  test('does not hang or crash on bit flips and digit edits of real lists', { timeout: 20_000 }, async () => {
    let seed = 5;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (const l of lists()) {
      for (let i = 0; i < 300; i++) {
        const b = Uint8Array.from(l);
        const at = rnd(b.length);
        const kind = rnd(4);
        if (kind === 0) b[at] ^= 1 << rnd(8);
        else if (kind === 1) b[at] = 0x30 + rnd(10); // a different digit: shifts ranges, counts
        else if (kind === 2) b[at] = [0x2c, 0x20, 0x0a][rnd(3)]; // separators
        else b.fill(0x39, at, Math.min(b.length, at + 1 + rnd(12))); // huge numbers
        // new.dat of zeros as long as the original list needs (bounded: ≤ 64 MiB for these lists)
        await exercise(b, new Uint8Array(0), false);
      }
    }
  });

  test('does not hang on a list that claims a huge device or many ranges', { timeout: 10_000 }, async () => {
    await assert.rejects(openSdat(src('4\n1\n0\n0\nzero 2,0,4294967295\n'), new BufferSource(new Uint8Array(0), 'x'), false, 'x'), (e: unknown) => isRomscanError(e) && e.code === 'E_LIMIT');
    // 20k single-block ranges written twice over (every block overlaps): the sweep stays O(n log n)
    const lines = ['4', '1', '0', '0'];
    for (let i = 0; i < 20_000; i++) lines.push(`new 2,${i},${i + 1}`);
    for (let i = 0; i < 20_000; i++) lines.push(`new 2,${i},${i + 1}`);
    const zeros = brotliCompressSync(new Uint8Array(40_000 * 4096), { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    const t0 = performance.now();
    await exercise(new TextEncoder().encode(lines.join('\n')), zeros, true);
    assert.ok(performance.now() - t0 < 5000);
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSource, type Source } from '../../../src/io/source.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { detectPayload, openPayload, OP } from '../../../src/formats/payload/index.js';
import { writePayload, fullPayloadFromImage, compress, OP_TYPE, type WritePartition } from '../../helpers/write-payload.js';
import { openExt4 } from '../../../src/formats/ext4/index.js';

const FIXTURES = new URL('../../fixtures/payload/', import.meta.url).pathname;
const CORPUS = new URL('../../../../shared/corpus/firmware-real/update_engine/', import.meta.url).pathname;
const fixture = () => new BufferSource(readFileSync(join(FIXTURES, 'ext4-full.payload.bin')), 'ota.zip!/payload.bin');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'ext4-full.json'), 'utf8')) as {
  partition: string; imageBytes: number; imageSha256: string; files: Record<string, string>;
};
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function hasTools(...names: string[]): boolean {
  try {
    for (const n of names) execFileSync('sh', ['-c', `command -v ${n}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Byte equality whatever the view type (Buffer vs Uint8Array). */
function sameBytes(a: Uint8Array, b: Uint8Array, msg?: string): void {
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), msg);
}

async function partitions(source: Source): Promise<Map<string, Source>> {
  const c = await openPayload(source);
  const out = new Map<string, Source>();
  for await (const e of c.entries()) out.set(e.name, await e.open());
  return out;
}

describe('payload.bin detection', () => {
  test('CrAU with major version 2 (or 1) only', () => {
    assert.equal(detectPayload(readFileSync(join(FIXTURES, 'ext4-full.payload.bin')).subarray(0, 64)), true);
    assert.equal(detectPayload(Buffer.from('CrAU\0\0\0\0\0\0\0\x01')), true);
    assert.equal(detectPayload(Buffer.from('CrAU\0\0\0\0\0\0\0\x03')), false);
    assert.equal(detectPayload(Buffer.from('CrAU')), false);
    assert.equal(detectPayload(Buffer.from('PK\x03\x04\0\0\0\0\0\0\0\x02')), false);
  });
});

describe('full payload over an ext4 image (committed fixture)', () => {
  test('rebuilds the partition byte for byte (sha256 recorded from the mke2fs output)', async () => {
    const c = await openPayload(fixture());
    assert.equal(c.format, 'payload');
    assert.equal(c.manifest.blockSize, 4096);
    const types = new Set(c.manifest.partitions[0].operations.map((o) => o.type));
    for (const t of [OP.REPLACE, OP.REPLACE_XZ, OP.REPLACE_BZ, OP.ZSTD, OP.ZERO, OP.DISCARD]) assert.ok(types.has(t), `fixture uses op ${t}`);
    const entries = [];
    for await (const e of c.entries()) entries.push(e);
    assert.deepEqual(entries.map((e) => [e.name, e.size, e.type]), [['system', expected.imageBytes, 'file']]);
    const s = await entries[0].open();
    assert.equal(s.path, 'ota.zip!/payload.bin!/system');
    const bytes = await s.read(0, s.size);
    assert.equal(sha256(bytes), expected.imageSha256);
    // and new_partition_info.hash agrees
    assert.equal(Buffer.from(c.manifest.partitions[0].newHash!).toString('hex'), expected.imageSha256);
  });

  test('random reads crossing operation boundaries equal slices of the whole', async () => {
    const s = (await partitions(fixture())).get('system')!;
    const whole = await s.read(0, s.size);
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 200; i++) {
      const off = rnd(s.size);
      const len = Math.min(s.size - off, 1 + rnd(40_000));
      sameBytes(await s.read(off, len), whole.subarray(off, off + len), `read ${off}+${len}`);
    }
    // concurrent reads share one decode per op
    const reads = await Promise.all([0, 4096, 70_000, 500_000, 1_000_000].map((o) => s.read(o, 8192)));
    reads.forEach((r, k) => sameBytes(r, whole.subarray([0, 4096, 70_000, 500_000, 1_000_000][k], [0, 4096, 70_000, 500_000, 1_000_000][k] + 8192)));
  });

  test('ext4 reader walks the rebuilt partition; files match their recorded sha256', async (t) => {
    const s = (await partitions(fixture())).get('system')!;
    const fs = await openExt4(s);
    const got: Record<string, string> = {};
    for await (const e of fs.entries()) {
      if (e.type !== 'file') continue;
      const f = await e.open();
      got[e.name] = sha256(await f.read(0, f.size));
    }
    assert.deepEqual(got, expected.files);
  });
});

describe('full payload built now (mke2fs, xz, bzip2, zstd)', () => {
  const tools = hasTools('mke2fs', 'xz', 'bzip2');
  test('every codec and chunk size rebuilds the original image', { skip: !tools && 'mke2fs/xz/bzip2 absent' }, async () => {
    const { makeTree, makeExt4 } = await import('../../fixtures/payload/build/build.js');
    const dir = mkdtempSync(join(tmpdir(), 'romscan-payload-'));
    try {
      makeTree(join(dir, 'root'));
      const image = makeExt4(join(dir, 'root'), join(dir, 'system.img'));
      const codecs = hasTools('zstd') ? (['zstd', 'bz2', 'xz', 'replace'] as const) : (['bz2', 'xz', 'replace'] as const);
      for (const chunk of [1, 3, 16]) {
        const payload = fullPayloadFromImage(image, 'system', [...codecs], chunk);
        const s = (await partitions(new BufferSource(payload, 'p.bin'))).get('system')!;
        assert.equal(sha256(await s.read(0, s.size)), sha256(image), `chunk ${chunk}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('real AOSP update_engine sample images rebuild through a payload', { skip: (!existsSync(CORPUS) || !hasTools('tar', 'bzip2', 'xz')) && 'corpus or tools absent' }, async () => {
    // A real payload.bin, if the corpus ever gets one, is checked below; the corpus has the
    // unit-test disk images update_engine's own payload tests use, so wrap those.
    const dir = mkdtempSync(join(tmpdir(), 'romscan-payload-'));
    try {
      execFileSync('tar', ['xjf', join(CORPUS, 'sample_images.tar.bz2'), '-C', dir]);
      const image = new Uint8Array(readFileSync(join(dir, 'disk_ext2_4k.img')));
      const payload = fullPayloadFromImage(image, 'root', ['xz', 'replace', 'bz2'], 64);
      const s = (await partitions(new BufferSource(payload, 'p.bin'))).get('root')!;
      assert.equal(s.size, image.length);
      assert.equal(sha256(await s.read(0, s.size)), sha256(image));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a real payload.bin from the corpus, if present', async (t) => {
    const files = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => detectPayload(readFileSync(join(CORPUS, f)).subarray(0, 12))) : [];
    if (files.length === 0) return t.skip('no real payload.bin in the corpus (firmware-real.json: none found upstream)');
    for (const f of files) {
      const c = await openPayload(new BufferSource(readFileSync(join(CORPUS, f)), f));
      for await (const e of c.entries()) {
        try {
          const s = await e.open();
          await s.read(0, Math.min(s.size, 4096));
        } catch (err) {
          assert.ok(isRomscanError(err), String(err));
        }
      }
    }
  });
});

describe('payload semantics', () => {
  const blk = (v: number, n = 1) => new Uint8Array(4096 * n).fill(v);

  test('REPLACE data shorter than its extents is zero-padded; gaps read as zeros', async () => {
    const p = writePayload([{ name: 'boot', size: 4 * 4096, ops: [{ type: OP_TYPE.REPLACE, data: new Uint8Array([1, 2, 3]), dst: [{ start: 2, num: 1 }] }] }]);
    const s = (await partitions(new BufferSource(p, 'p')))!.get('boot')!;
    const all = await s.read(0, s.size);
    assert.deepEqual([...all.subarray(2 * 4096, 2 * 4096 + 4)], [1, 2, 3, 0]);
    assert.equal(all.filter((x) => x !== 0).length, 3);
  });

  test('several partitions, size taken from the extents when new_partition_info is absent', async () => {
    const parts: WritePartition[] = [
      { name: 'system', ops: [{ type: OP_TYPE.REPLACE, data: blk(7, 2), dst: [{ start: 0, num: 2 }] }] },
      { name: 'vendor', ops: [{ type: OP_TYPE.ZERO, dst: [{ start: 0, num: 3 }] }] },
    ];
    const m = await partitions(new BufferSource(writePayload(parts), 'p'));
    assert.deepEqual([...m.keys()], ['system', 'vendor']);
    assert.equal(m.get('system')!.size, 8192);
    assert.equal(m.get('vendor')!.size, 3 * 4096);
  });

  test('overlapping operations: the later one wins, with an anomaly', async () => {
    const p = writePayload([{ name: 'x', ops: [
      { type: OP_TYPE.REPLACE, data: blk(1, 3), dst: [{ start: 0, num: 3 }] },
      { type: OP_TYPE.REPLACE, data: blk(2), dst: [{ start: 1, num: 1 }] },
    ] }]);
    const c = await openPayload(new BufferSource(p, 'p'));
    const [e] = await collect(c.entries());
    const all = await (await e.open()).read(0, 3 * 4096);
    assert.deepEqual([all[0], all[4096], all[8192]], [1, 2, 1]);
    assert.ok(c.anomalies.some((a) => /twice/.test(a.message)));
  });

  for (const type of [OP_TYPE.SOURCE_COPY, OP_TYPE.SOURCE_BSDIFF, OP_TYPE.PUFFDIFF, OP_TYPE.BROTLI_BSDIFF, OP_TYPE.ZUCCHINI, OP_TYPE.LZ4DIFF_BSDIFF, OP_TYPE.LZ4DIFF_PUFFDIFF, OP_TYPE.MOVE, OP_TYPE.BSDIFF]) {
    test(`delta operation ${type} → UnsupportedError for that partition only`, async () => {
      const p = writePayload([
        { name: 'system', ops: [{ type, data: new Uint8Array(10), src: [{ start: 0, num: 1 }], dst: [{ start: 0, num: 1 }] }] },
        { name: 'boot', ops: [{ type: OP_TYPE.REPLACE, data: blk(9), dst: [{ start: 0, num: 1 }] }] },
      ], { minorVersion: 8 });
      const c = await openPayload(new BufferSource(p, 'p'));
      const [sys, boot] = await collect(c.entries());
      await assert.rejects(sys.open(), (e: unknown) => isRomscanError(e) && e.code === 'E_UNSUPPORTED' && /delta payload: needs source build/.test(e.message));
      assert.equal((await (await boot.open()).read(0, 1))[0], 9);
    });
  }

  test('a REPLACE with src_extents is a delta too', async () => {
    const p = writePayload([{ name: 's', ops: [{ type: OP_TYPE.REPLACE, data: blk(1), src: [{ start: 0, num: 1 }], dst: [{ start: 0, num: 1 }] }] }]);
    const [e] = await collect((await openPayload(new BufferSource(p, 'p'))).entries());
    await assert.rejects(e.open(), /delta payload/);
  });

  test('data_sha256_hash mismatch on a compressed op is a FormatError on read', { skip: !hasTools('xz') && 'xz absent' }, async () => {
    const data = compress('xz', blk(5));
    const p = writePayload([{ name: 's', ops: [{ type: OP_TYPE.REPLACE_XZ, data, dst: [{ start: 0, num: 1 }], dataSha256: new Uint8Array(32) }] }]);
    const s = (await partitions(new BufferSource(p, 'p'))).get('s')!;
    await assert.rejects(s.read(0, 10), (e: unknown) => isRomscanError(e) && e.code === 'E_FORMAT' && /sha256/.test(e.message));
  });

  test('compressed data larger than its extents is a FormatError', { skip: !hasTools('xz', 'bzip2') && 'xz/bzip2 absent' }, async () => {
    const cases: [number, 'xz' | 'bz2' | 'zstd'][] = [[OP_TYPE.REPLACE_XZ, 'xz'], [OP_TYPE.REPLACE_BZ, 'bz2']];
    if (hasTools('zstd')) cases.push([OP_TYPE.ZSTD, 'zstd']);
    for (const [type, codec] of cases) {
      const p = writePayload([{ name: 's', ops: [{ type, data: compress(codec, blk(5, 2)), dst: [{ start: 0, num: 1 }] }] }]);
      const s = (await partitions(new BufferSource(p, 'p'))).get('s')!;
      await assert.rejects(s.read(0, 10), (e: unknown) => isRomscanError(e) && e.code === 'E_FORMAT', codec);
    }
  });

  test('header errors: bad magic, major version 1, manifest past the end', async () => {
    const good = writePayload([{ name: 's', ops: [] }]);
    const bad = Buffer.from(good);
    bad[0] = 0x58;
    await assert.rejects(openPayload(new BufferSource(bad, 'p')), (e: unknown) => isRomscanError(e) && e.code === 'E_FORMAT');
    await assert.rejects(openPayload(new BufferSource(writePayload([], { majorVersion: 1 }), 'p')), (e: unknown) => isRomscanError(e) && e.code === 'E_UNSUPPORTED');
    await assert.rejects(openPayload(new BufferSource(good.subarray(0, 30), 'p')), (e: unknown) => isRomscanError(e) && e.code === 'E_TRUNCATED');
  });

  test('REPLACE data past the end of the file: TruncatedError when that partition is opened', async () => {
    const p = writePayload([{ name: 's', ops: [{ type: OP_TYPE.REPLACE, data: blk(1), dst: [{ start: 0, num: 1 }] }] }]);
    const [e] = await collect((await openPayload(new BufferSource(p.subarray(0, p.length - 10), 'p'))).entries());
    await assert.rejects(e.open(), (err: unknown) => isRomscanError(err) && err.code === 'E_TRUNCATED');
  });
});

describe('hostile payloads', () => {
  /** Opens, lists and reads every partition: must return or throw a RomscanError. */
  async function exercise(bytes: Uint8Array): Promise<void> {
    try {
      const c = await openPayload(new BufferSource(bytes, 'h.bin'), { opCacheBytes: 1 << 20 });
      for await (const e of c.entries()) {
        try {
          const s = await e.open();
          // The whole partition when small, else its two ends: bounded work per case.
          if (s.size <= 1 << 20) await s.read(0, s.size);
          else {
            await s.read(0, 4096);
            await s.read(s.size - 4096, 4096);
          }
        } catch (err) {
          if (!isRomscanError(err)) throw err;
        }
      }
    } catch (err) {
      if (!isRomscanError(err)) throw err;
    }
  }

  const small = () => {
    // One op of each full type over 8 blocks: cheap to read in full for every mutation.
    const ops: WritePartition['ops'] = [
      { type: OP_TYPE.REPLACE, data: new Uint8Array(4096).fill(1), dst: [{ start: 0, num: 1 }] },
      { type: OP_TYPE.ZERO, dst: [{ start: 1, num: 1 }] },
      { type: OP_TYPE.DISCARD, dst: [{ start: 2, num: 1 }] },
    ];
    if (hasTools('xz')) ops.push({ type: OP_TYPE.REPLACE_XZ, data: compress('xz', new Uint8Array(4096).fill(3)), dst: [{ start: 3, num: 1 }] });
    if (hasTools('bzip2')) ops.push({ type: OP_TYPE.REPLACE_BZ, data: compress('bz2', new Uint8Array(4096).fill(4)), dst: [{ start: 4, num: 1 }] });
    if (hasTools('zstd')) ops.push({ type: OP_TYPE.ZSTD, data: compress('zstd', new Uint8Array(4096).fill(5)), dst: [{ start: 5, num: 2 }] });
    return writePayload([{ name: 'system', ops, size: 8 * 4096 }, { name: 'boot', ops: [{ type: OP_TYPE.ZERO, dst: [{ start: 0, num: 1 }] }] }]);
  };

  test('does not hang or crash on truncations of the committed fixture', { timeout: 20_000 }, async () => {
    const bytes = readFileSync(join(FIXTURES, 'ext4-full.payload.bin'));
    const cuts = new Set<number>();
    for (let n = 0; n < 64; n++) cuts.add(n);
    for (let n = 64; n < bytes.length; n = Math.floor(n * 1.3) + 7) cuts.add(n);
    for (const n of cuts) await exercise(bytes.subarray(0, n));
  });

  test('does not hang or crash on bit flips in header, manifest and blobs', { timeout: 20_000 }, async () => {
    const good = small();
    let seed = 99;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const manifestEnd = 24 + Number(Buffer.from(good).readBigUInt64BE(12));
    // every bit of the header, then random bits weighted to the manifest, then anywhere
    const flips: number[] = [];
    for (let bit = 0; bit < 24 * 8; bit++) flips.push(bit);
    for (let i = 0; i < 300; i++) flips.push(24 * 8 + rnd((manifestEnd - 24) * 8));
    for (let i = 0; i < 100; i++) flips.push(rnd(good.length * 8));
    for (const bit of flips) {
      const b = Uint8Array.from(good);
      b[bit >> 3] ^= 1 << (bit & 7);
      await exercise(b);
    }
    // and bytes replaced by 0xff runs (huge varints) at random manifest positions
    for (let i = 0; i < 100; i++) {
      const b = Uint8Array.from(good);
      const at = 24 + rnd(manifestEnd - 24);
      b.fill(0xff, at, Math.min(manifestEnd, at + 1 + rnd(12)));
      await exercise(b);
    }
  });

  test('does not hang on a manifest claiming a huge partition or many extents', { timeout: 10_000 }, async () => {
    const p = writePayload([{ name: 'big', size: 2 ** 52, ops: [{ type: OP_TYPE.ZERO, dst: [{ start: 2 ** 40, num: 2 ** 30 }] }] }]);
    await exercise(p);
    const c = await openPayload(new BufferSource(p, 'p'));
    const [e] = await collect(c.entries());
    await assert.rejects(e.open(), (err: unknown) => isRomscanError(err) && err.code === 'E_LIMIT');
  });
});




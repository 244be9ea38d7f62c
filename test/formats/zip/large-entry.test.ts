// Deflated entries bigger than MAX_BUFFERED_DECODE_BYTES (a factory zip's system.img) are read
// through StreamDecodedSource: the same bytes as inflating whole (differential against the data
// the archive was made from, and against an archive written by Info-ZIP `zip`), with the
// inflate-bomb checks (declared size, ratio, CRC anomaly) kept.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomFillSync } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import { BufferSource, DecodedSource, FileSource } from '../../../src/io/source.js';
import { LimitError, TruncatedError } from '../../../src/io/errors/index.js';
import { LIMITS } from '../../../src/io/limits.js';
import { StreamDecodedSource } from '../../../src/io/stream-source.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';
import { makeZip } from './make-zip.js';

const MiB = 1024 * 1024;
const has = (tool: string) => { try { execFileSync('sh', ['-c', `command -v ${tool}`]); return true; } catch { return false; } };
const eqBytes = (actual: Uint8Array, expected: Uint8Array, msg?: string) => assert.equal(Buffer.compare(Buffer.from(actual), Buffer.from(expected)), 0, msg);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function lcg(seed: number): (n: number) => number {
  let s = seed;
  return (n) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % n);
}

/** Like a mostly empty filesystem image: zero 4 KiB blocks with every 16th one random. */
function imageLike(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  const rnd = lcg(seed);
  for (let off = 0; off < size; off += 16 * 4096) {
    const block = b.subarray(off + 4096 * rnd(16), Math.min(size, off + 4096 * rnd(16) + 4096));
    randomFillSync(block);
  }
  return b;
}

const SIZE = LIMITS.MAX_BUFFERED_DECODE_BYTES + 3 * MiB + 123;
const data = imageLike(SIZE, 5);
const packed = new Uint8Array(deflateRawSync(data, { level: 1 }));

describe('zip: deflated entries over MAX_BUFFERED_DECODE_BYTES', () => {
  test('stream through StreamDecodedSource: random, backward and concurrent reads equal the data', async () => {
    const small = new TextEncoder().encode('small '.repeat(100));
    const zip = await openZip(new BufferSource(makeZip([
      { name: 'system.img', data, method: 8, payload: packed }, { name: 'small.txt', data: small, method: 8 },
    ]), 'image-x.zip'));
    const s = await zip.open(zip.find('system.img')!);
    assert.ok(s instanceof StreamDecodedSource, 'big entry streams');
    assert.ok((await zip.open(zip.find('small.txt')!)) instanceof DecodedSource, 'small entry stays buffered');
    assert.equal(s.path, 'image-x.zip!/system.img');
    assert.equal(s.size, SIZE);
    const rnd = lcg(9);
    for (let i = 0; i < 60; i++) {
      const off = rnd(SIZE);
      const len = Math.min(SIZE - off, 1 + rnd(300_000));
      eqBytes(await s.read(off, len), data.subarray(off, off + len), `read ${off}+${len}`);
    }
    for (let off = SIZE - 4096; off > 0; off -= 7 * MiB + 12345) eqBytes(await s.read(off, 4096), data.subarray(off, off + 4096), `back ${off}`);
    const offs = Array.from({ length: 24 }, () => rnd(SIZE - 65536));
    const got = await Promise.all(offs.map((o) => s.read(o, 65536)));
    got.forEach((g, i) => eqBytes(g, data.subarray(offs[i], offs[i] + 65536), `concurrent ${offs[i]}`));
    assert.equal(zip.anomalies.length, 0, zip.anomalies.map((a) => a.message).join('\n'));
    (s as StreamDecodedSource).close();
  });

  test('a wrong CRC-32 is an anomaly once a decoder has read the whole entry (Android does not check)', async () => {
    const zip = await openZip(new BufferSource(makeZip([{ name: 'system.img', data, method: 8, payload: packed, central: { crc32: 0x12345678 }, local: { crc32: 0x12345678 } }]), 'z'));
    const s = await zip.open(zip.entries[0]);
    await s.read(0, 10);
    assert.equal(zip.anomalies.length, 0);
    await s.read(SIZE - 10, 10);
    assert.match(zip.anomalies.map((a) => a.message).join('\n'), new RegExp(`CRC-32 is 0x${(crc32(data) >>> 0).toString(16).padStart(8, '0')}, central directory says 0x12345678`));
  });

  test('a stream longer than the central directory says is a LimitError; shorter is a TruncatedError', async () => {
    const lying = (uncompressedSize: number) => makeZip([{ name: 'system.img', data, method: 8, payload: packed, central: { uncompressedSize }, local: { uncompressedSize } }]);
    const less = await openZip(new BufferSource(lying(SIZE - 1000), 'z'));
    const s = await less.open(less.entries[0]);
    eqBytes(await s.read(0, 100), data.subarray(0, 100));
    await assert.rejects(s.read(SIZE - 2000, 10), LimitError);
    const more = await openZip(new BufferSource(lying(SIZE + 1000), 'z'));
    const t = await more.open(more.entries[0]);
    await assert.rejects(t.read(SIZE + 500, 10), TruncatedError);
    // The chunk holding the last real bytes also holds missing ones, so read an earlier one.
    eqBytes(await t.read(SIZE - 2 * MiB, 10), data.subarray(SIZE - 2 * MiB, SIZE - 2 * MiB + 10));
  });

  test('an impossible inflate ratio and data past the end of the archive fail at open()', async () => {
    const bomb = await openZip(new BufferSource(makeZip([{ name: 'b.img', data: new Uint8Array(10), method: 8, payload: new Uint8Array(1000), central: { uncompressedSize: 0xfff00000 } }]), 'bomb.zip'));
    await assert.rejects(bomb.open(bomb.entries[0]), (e: unknown) => e instanceof LimitError && /MAX_INFLATE_RATIO/.test(e.message));
    const cut = await openZip(new BufferSource(makeZip([{ name: 'c.img', data: new Uint8Array(10), method: 8, payload: new Uint8Array(1000), central: { uncompressedSize: 100 * MiB, compressedSize: 10 * MiB } }]), 'cut.zip'));
    await assert.rejects(cut.open(cut.entries[0]), TruncatedError);
  });

  test('an Info-ZIP `zip` archive of a sparse image reads back byte for byte', { skip: !has('zip') && 'zip CLI absent' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'romscan-bigzip-'));
    try {
      writeFileSync(join(dir, 'vendor.img'), data);
      execFileSync('zip', ['-q', '-1', join(dir, 'image.zip'), 'vendor.img'], { cwd: dir });
      const file = await FileSource.open(join(dir, 'image.zip'), 'image.zip');
      try {
        const zip = await openZip(file);
        const e = zip.find('vendor.img')!;
        assert.equal(e.method, 8);
        const s = await zip.open(e);
        assert.ok(s instanceof StreamDecodedSource);
        const h = createHash('sha256');
        for (let off = 0; off < s.size; off += 5 * MiB) h.update(await s.read(off, Math.min(5 * MiB, s.size - off)));
        assert.equal(h.digest('hex'), sha256(readFileSync(join(dir, 'vendor.img'))));
        assert.equal(zip.anomalies.length, 0);
      } finally {
        await file.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, constants } from 'node:zlib';
import { createHash } from 'node:crypto';
import { BufferSource } from '../../../src/io/source.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { BrotliStreamSource } from '../../../src/formats/brotli/brotli-stream-source.js';

const KiB = 1024;

/** Compressible but not trivial: blocks of pseudo-random bytes, some repeated, some zero. */
function sample(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 32) {
    const h = createHash('sha256').update(String(Math.floor(i / 4096) % 50)).update(String(i % 4096)).digest();
    b.set(h.subarray(0, Math.min(32, n - i)), i);
  }
  b.fill(0, n >> 2, n >> 1);
  return b;
}

function same(a: Uint8Array, b: Uint8Array, msg?: string): void {
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), msg);
}

const plain = sample(3 * 1024 * KiB + 123);
const br = brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 } });

describe('BrotliStreamSource', () => {
  test('a stream that fits the cache is decoded exactly once', async () => {
    const s = new BrotliStreamSource(new BufferSource(br, 'x.br'), plain.length, 'x.br');
    same(await s.read(0, plain.length), plain);
    same(await s.read(1_000_000, 5000), plain.subarray(1_000_000, 1_005_000));
    same(await s.read(17, 1), plain.subarray(17, 18));
    assert.equal(s.stats.decoders, 1);
    assert.equal(s.stats.decodedBytes, plain.length);
  });

  test('random reads with a tiny cache: right bytes, bounded cache, restarts counted', async () => {
    const s = new BrotliStreamSource(new BufferSource(br, 'x.br'), plain.length, 'x.br', { chunkBytes: 64 * KiB, cacheBytes: 256 * KiB, maxCursors: 2 });
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 150; i++) {
      const off = rnd(plain.length);
      const len = Math.min(plain.length - off, 1 + rnd(200 * KiB));
      same(await s.read(off, len), plain.subarray(off, off + len), `read ${off}+${len}`);
    }
    assert.ok(s.stats.peakCacheBytes <= 256 * KiB, `peak cache ${s.stats.peakCacheBytes}`);
    assert.ok(s.stats.decoders > 1, 'backward reads past the cache restart a decoder');
  });

  test('forward reads need one decoder; hot chunks survive a long forward skip', async () => {
    const s = new BrotliStreamSource(new BufferSource(br, 'x.br'), plain.length, 'x.br', { chunkBytes: 64 * KiB, cacheBytes: 512 * KiB, maxCursors: 2 });
    await s.read(0, 4096); // "superblock"
    for (let off = 100 * KiB; off < plain.length - 4096; off += 300 * KiB) {
      await s.read(off, 4096);
      await s.read(10, 100); // back to the "inode table": a hot hit, no restart
    }
    assert.equal(s.stats.decoders, 1);
  });

  test('a parked decoder serves reads behind the newest one', async () => {
    const s = new BrotliStreamSource(new BufferSource(br, 'x.br'), plain.length, 'x.br', { chunkBytes: 64 * KiB, cacheBytes: 128 * KiB, maxCursors: 2 });
    await s.read(2 * 1024 * KiB, 10); // decoder A parks near 2 MiB
    await s.read(64 * KiB, 10); // behind A: decoder B starts
    await s.read(2 * 1024 * KiB + 512 * KiB, 10); // ahead of A: A continues, no third start
    assert.equal(s.stats.decoders, 2);
  });

  test('concurrent reads are serialised correctly', async () => {
    const s = new BrotliStreamSource(new BufferSource(br, 'x.br'), plain.length, 'x.br', { chunkBytes: 32 * KiB, cacheBytes: 128 * KiB });
    const offs = [3_000_000, 10, 1_500_000, 700_000, 2_222_222, 5];
    const got = await Promise.all(offs.map((o) => s.read(o, 40_000)));
    got.forEach((g, i) => same(g, plain.subarray(offs[i], offs[i] + 40_000), String(offs[i])));
  });

  test('short and corrupt streams are typed errors, and the source stays usable', async () => {
    const short = new BrotliStreamSource(new BufferSource(br, 'x.br'), plain.length + 10_000, 'x.br', { chunkBytes: 64 * KiB });
    await assert.rejects(short.read(plain.length, 100), (e: unknown) => isRomscanError(e) && e.code === 'E_TRUNCATED');
    same(await short.read(0, 100), plain.subarray(0, 100));

    // Brotli has no checksum: a flipped bit may decode to other bytes. Plain garbage cannot.
    const bad = new TextEncoder().encode('garbage '.repeat(1000));
    const s = new BrotliStreamSource(new BufferSource(bad, 'bad.br'), plain.length, 'bad.br', { chunkBytes: 64 * KiB });
    await assert.rejects(s.read(0, plain.length), (e: unknown) => isRomscanError(e) && /brotli/.test(e.message));
    await assert.rejects(s.read(0, plain.length), (e: unknown) => isRomscanError(e));
  });

  test('does not hang or crash on truncations and bit flips of a brotli stream', { timeout: 20_000 }, async () => {
    const small = brotliCompressSync(plain.subarray(0, 200 * KiB));
    let seed = 3;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const cases: Uint8Array[] = [];
    for (let n = 0; n < small.length; n = Math.floor(n * 1.5) + 1) cases.push(small.subarray(0, n));
    for (let i = 0; i < 150; i++) {
      const b = Uint8Array.from(small);
      b[rnd(b.length)] ^= 1 << rnd(8);
      cases.push(b);
    }
    for (const c of cases) {
      const s = new BrotliStreamSource(new BufferSource(c, 'h.br'), 200 * KiB, 'h.br', { chunkBytes: 16 * KiB });
      try {
        await s.read(0, 200 * KiB);
      } catch (e) {
        if (!isRomscanError(e)) throw e;
      }
      s.close();
    }
  });
});

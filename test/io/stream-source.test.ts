// StreamDecodedSource, differential: every read (random, concurrent, backward, crossing chunks)
// must equal the same range of the fully decoded bytes, for both codecs it serves (brotli for
// block OTAs, raw deflate for big zip entries), whatever the cache and cursor limits.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, constants, crc32, deflateRawSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { BufferSource } from '../../src/io/source.js';
import { isRomscanError, LimitError, TruncatedError, FormatError } from '../../src/io/errors/index.js';
import { StreamDecodedSource, type StreamCodec, type StreamSourceOptions } from '../../src/io/stream-source.js';
import { BROTLI_CODEC } from '../../src/formats/brotli/brotli-codec.js';
import { INFLATE_RAW_CODEC } from '../../src/formats/zip/inflate.js';

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

function lcg(seed: number): (n: number) => number {
  let s = seed;
  return (n) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % n);
}

const plain = sample(3 * 1024 * KiB + 123);

interface Case { codec: StreamCodec; compress: (b: Uint8Array) => Uint8Array }
const CASES: Case[] = [
  { codec: BROTLI_CODEC, compress: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 } }) },
  { codec: INFLATE_RAW_CODEC, compress: (b) => deflateRawSync(b, { level: 6 }) },
];

for (const { codec, compress } of CASES) {
  const packed = compress(plain);
  const open = (opts: StreamSourceOptions = {}, size = plain.length, bytes: Uint8Array = packed) =>
    new StreamDecodedSource(codec, new BufferSource(bytes, `x.${codec.name}`), size, `x.${codec.name}!`, opts);

  describe(`StreamDecodedSource (${codec.name})`, () => {
    test('a stream that fits the cache is decoded exactly once', async () => {
      const s = open();
      same(await s.read(0, plain.length), plain);
      same(await s.read(1_000_000, 5000), plain.subarray(1_000_000, 1_005_000));
      same(await s.read(17, 1), plain.subarray(17, 18));
      assert.equal(s.stats.decoders, 1);
      assert.equal(s.stats.decodedBytes, plain.length);
    });

    test('contract: start, end, zero bytes, past the end', async () => {
      const s = open({ chunkBytes: 64 * KiB });
      same(await s.read(plain.length - 7, 7), plain.subarray(plain.length - 7));
      same(await s.read(0, 3), plain.subarray(0, 3));
      assert.equal((await s.read(plain.length, 0)).length, 0);
      await assert.rejects(s.read(plain.length - 3, 4), TruncatedError);
      await assert.rejects(s.read(-1, 2), TruncatedError);
    });

    test('random reads with a tiny cache: right bytes, bounded cache, restarts counted', async () => {
      const s = open({ chunkBytes: 64 * KiB, cacheBytes: 256 * KiB, maxCursors: 2 });
      const rnd = lcg(7);
      for (let i = 0; i < 150; i++) {
        const off = rnd(plain.length);
        const len = Math.min(plain.length - off, 1 + rnd(200 * KiB));
        same(await s.read(off, len), plain.subarray(off, off + len), `read ${off}+${len}`);
      }
      assert.ok(s.stats.peakCacheBytes <= 256 * KiB, `peak cache ${s.stats.peakCacheBytes}`);
      assert.ok(s.stats.peakCursors <= 2);
      assert.ok(s.stats.decoders > 1, 'backward reads past the cache restart a decoder');
    });

    test('backward reads (descending offsets) with default cursors: right bytes', async () => {
      const s = open({ chunkBytes: 32 * KiB, cacheBytes: 64 * KiB });
      for (let off = plain.length - 5000; off > 0; off -= 97 * KiB) same(await s.read(off, 5000), plain.subarray(off, off + 5000), String(off));
    });

    test('forward reads need one decoder; hot chunks survive a long forward skip', async () => {
      const s = open({ chunkBytes: 64 * KiB, cacheBytes: 512 * KiB, maxCursors: 2 });
      await s.read(0, 4096); // "superblock"
      for (let off = 100 * KiB; off < plain.length - 4096; off += 300 * KiB) {
        same(await s.read(off, 4096), plain.subarray(off, off + 4096));
        same(await s.read(10, 100), plain.subarray(10, 110)); // back to the "inode table": a hot hit, no restart
      }
      assert.equal(s.stats.decoders, 1);
    });

    test('a parked decoder serves reads behind the newest one', async () => {
      const s = open({ chunkBytes: 64 * KiB, cacheBytes: 128 * KiB, maxCursors: 2 });
      await s.read(2 * 1024 * KiB, 10); // decoder A parks near 2 MiB
      await s.read(64 * KiB, 10); // behind A: decoder B starts
      same(await s.read(2 * 1024 * KiB + 512 * KiB, 10), plain.subarray(2.5 * 1024 * KiB, 2.5 * 1024 * KiB + 10)); // A continues
      assert.equal(s.stats.decoders, 2);
    });

    test('concurrent reads, forward and backward, are serialised correctly', async () => {
      const s = open({ chunkBytes: 32 * KiB, cacheBytes: 128 * KiB, maxCursors: 3 });
      const rnd = lcg(11);
      const offs = [3_000_000, 10, 1_500_000, 700_000, 2_222_222, 5];
      for (let i = 0; i < 40; i++) offs.push(rnd(plain.length - 40_000));
      const got = await Promise.all(offs.map((o) => s.read(o, 40_000)));
      got.forEach((g, i) => same(g, plain.subarray(offs[i], offs[i] + 40_000), String(offs[i])));
    });

    test('onComplete gets the CRC-32 of the whole stream, once', async () => {
      const crcs: number[] = [];
      const s = open({ chunkBytes: 64 * KiB, cacheBytes: 128 * KiB, onComplete: (c) => crcs.push(c >>> 0) });
      await s.read(plain.length - 10, 10);
      await s.read(0, 10);
      await s.read(plain.length - 100_000, 10); // cache miss: a second decoder reaches the end
      assert.deepEqual(crcs, [crc32(plain) >>> 0]);
    });

    test('a stream longer than declared is a LimitError at the end (unless exactSize is off)', async () => {
      const declared = plain.length - 5000;
      const s = open({ chunkBytes: 64 * KiB }, declared);
      same(await s.read(0, 1000), plain.subarray(0, 1000)); // the start is fine
      await assert.rejects(s.read(declared - 10, 10), (e: unknown) => e instanceof LimitError && /past its declared/.test(e.message));
      const lax = open({ chunkBytes: 64 * KiB, exactSize: false }, declared);
      same(await lax.read(declared - 10, 10), plain.subarray(declared - 10, declared));
    });

    test('a stream shorter than declared is a TruncatedError where it stops, and the source stays usable', async () => {
      const s = open({ chunkBytes: 64 * KiB }, plain.length + 10_000);
      await assert.rejects(s.read(plain.length, 100), TruncatedError);
      same(await s.read(0, 100), plain.subarray(0, 100));
    });

    test('cut compressed data is a TruncatedError; garbage is a FormatError naming the codec', async () => {
      const cut = open({ chunkBytes: 64 * KiB }, plain.length, packed.subarray(0, packed.length >> 1));
      await assert.rejects(cut.read(0, plain.length), (e: unknown) => e instanceof TruncatedError || e instanceof FormatError);
      const bad = new TextEncoder().encode('garbage '.repeat(1000));
      const g = open({ chunkBytes: 64 * KiB }, plain.length, bad);
      await assert.rejects(g.read(0, plain.length), (e: unknown) => isRomscanError(e) && e.message.startsWith(`${codec.name}:`));
      await assert.rejects(g.read(0, plain.length), (e: unknown) => isRomscanError(e));
    });

    test('does not hang or crash on truncations and bit flips', { timeout: 20_000 }, async () => {
      const part = plain.subarray(0, 200 * KiB);
      const small = compress(part);
      const rnd = lcg(3);
      const cases: Uint8Array[] = [];
      for (let n = 0; n < small.length; n = Math.floor(n * 1.5) + 1) cases.push(small.subarray(0, n));
      for (let i = 0; i < 150; i++) {
        const b = Uint8Array.from(small);
        b[rnd(b.length)] ^= 1 << rnd(8);
        cases.push(b);
      }
      let ok = 0;
      for (const c of cases) {
        const s = open({ chunkBytes: 16 * KiB }, part.length, c);
        try {
          await s.read(0, part.length);
          await s.read(part.length - 1, 1);
          ok++;
        } catch (e) {
          if (!isRomscanError(e)) throw e;
        }
        s.close();
      }
      assert.ok(ok < cases.length, 'some mutations must fail');
    });
  });
}

describe('StreamDecodedSource cursor budget', () => {
  test('the number of parked decoders follows what one costs: many for deflate, few for a 16 MiB brotli window', async () => {
    const big = brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 24 } });
    const opts = { chunkBytes: 16 * KiB, cacheBytes: 32 * KiB };
    const br = new StreamDecodedSource(BROTLI_CODEC, new BufferSource(big, 'b'), plain.length, 'b', opts);
    const fl = new StreamDecodedSource(INFLATE_RAW_CODEC, new BufferSource(deflateRawSync(plain), 'd'), plain.length, 'd', opts);
    // Descending reads: each one is behind every parked decoder, so each starts a new one.
    let lowest = 0;
    for (let off = plain.length - 100; off > 0; off -= 100 * KiB) {
      await br.read(off, 100);
      await fl.read(off, 100);
      lowest = off;
    }
    assert.equal(br.stats.peakCursors, 3, '64 MiB budget / (16 MiB window + buffers)');
    assert.ok(fl.stats.peakCursors >= 30, `deflate kept ${fl.stats.peakCursors}`);
    // A parked deflate decoder is behind most reads now: walking forward again needs no restart.
    const before = fl.stats.decoders;
    for (let off = lowest + 50 * KiB; off < plain.length; off += 100 * KiB) same(await fl.read(off, 100), plain.subarray(off, off + 100));
    assert.equal(fl.stats.decoders, before);
    br.close();
    fl.close();
  });
});

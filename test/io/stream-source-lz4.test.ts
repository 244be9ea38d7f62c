// Linked-block LZ4 frames (`lz4 -BD`) have no random access either; past MAX_BUFFERED_DECODE_BYTES
// openLz4Frame streams them through StreamDecodedSource. Differential against the lz4 CLI's input:
// random and backward reads, blocks of every size, concatenated frames, block checksums.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { BufferSource } from '../../src/io/source.js';
import { isRomscanError } from '../../src/io/errors/index.js';
import { LIMITS } from '../../src/io/limits.js';
import { StreamDecodedSource } from '../../src/io/stream-source.js';
import { lz4LinkedCodec, openLz4Frame, readLz4Layout } from '../../src/formats/lz4/lz4-frame.js';

const has = (tool: string) => { try { execFileSync('sh', ['-c', `command -v ${tool}`]); return true; } catch { return false; } };
const skip = has('lz4') ? false : 'lz4 CLI absent';
const KiB = 1024;
const MiB = 1024 * KiB;
const eqBytes = (a: Uint8Array, b: Uint8Array, msg?: string) => assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(b)), 0, msg);

function lz4(args: string[], input: Uint8Array): Buffer {
  const r = spawnSync('lz4', ['-c', ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`lz4 ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function lcg(seed: number): (n: number) => number {
  let s = seed;
  return (n) => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % n);
}

/** Repetitive text (long matches reach into the previous block), noise (raw blocks) and zeros. */
function sample(n: number): Uint8Array {
  const b = new Uint8Array(n);
  const words = ['system', 'vendor', 'priv-app', 'lib64', 'framework', '.apk', '.so', '/', ' ', '\n'];
  const rnd = lcg(42);
  for (let i = 0; i < n; i++) b[i] = words[rnd(words.length)].charCodeAt(0);
  for (let i = n >> 3; i < n >> 2; i += 4) b[i] = rnd(256);
  b.fill(0, n >> 1, (n >> 1) + (n >> 3));
  return b;
}

describe('lz4 linked blocks through StreamDecodedSource', { skip }, () => {
  const plain = sample(3 * MiB + 777);

  for (const [label, args] of [['-B4 -BD', ['-B4', '-BD']], ['-B5 -BD -BX -9', ['-B5', '-BD', '-BX', '-9']]] as const) {
    test(`${label}: random, backward and concurrent reads equal the CLI's input`, async () => {
      const packed = lz4([...args], plain);
      const src = new BufferSource(packed, 'x.lz4');
      const layout = await readLz4Layout(src);
      assert.ok(layout.blocks.every((b) => b.linked));
      const s = new StreamDecodedSource(lz4LinkedCodec(layout), src, layout.size, 'x.lz4', { chunkBytes: 48 * KiB, cacheBytes: 192 * KiB, maxCursors: 3 });
      assert.equal(s.size, plain.length);
      const rnd = lcg(5);
      for (let i = 0; i < 80; i++) {
        const off = rnd(plain.length);
        const len = Math.min(plain.length - off, 1 + rnd(150 * KiB));
        eqBytes(await s.read(off, len), plain.subarray(off, off + len), `read ${off}+${len}`);
      }
      for (let off = plain.length - 3000; off > 0; off -= 211 * KiB) eqBytes(await s.read(off, 3000), plain.subarray(off, off + 3000), `back ${off}`);
      const offs = Array.from({ length: 20 }, () => rnd(plain.length - 10_000));
      (await Promise.all(offs.map((o) => s.read(o, 10_000)))).forEach((g, i) => eqBytes(g, plain.subarray(offs[i], offs[i] + 10_000)));
      eqBytes(await s.read(plain.length - 5, 5), plain.subarray(plain.length - 5));
      s.close();
    });
  }

  test('concatenated frames: history does not leak from one frame into the next', async () => {
    const a = plain.subarray(0, MiB + 5);
    const b = plain.subarray(MiB + 5);
    const packed = Buffer.concat([lz4(['-B4', '-BD'], a), lz4(['-B4', '-BD'], b)]);
    const src = new BufferSource(packed, 'cat.lz4');
    const layout = await readLz4Layout(src);
    const s = new StreamDecodedSource(lz4LinkedCodec(layout), src, layout.size, 'cat.lz4', { chunkBytes: 64 * KiB });
    eqBytes(await s.read(0, plain.length), plain);
  });

  test('a flipped byte in a block with a checksum is a typed error, never a crash', async () => {
    const packed = lz4(['-B4', '-BD', '-BX'], plain.subarray(0, 300 * KiB));
    const rnd = lcg(9);
    for (let i = 0; i < 40; i++) {
      const bad = Uint8Array.from(packed);
      bad[20 + rnd(bad.length - 40)] ^= 1 << rnd(8);
      try {
        const src = new BufferSource(bad, 'bad.lz4');
        const layout = await readLz4Layout(src);
        const s = new StreamDecodedSource(lz4LinkedCodec(layout), src, layout.size, 'bad.lz4', { chunkBytes: 16 * KiB });
        await s.read(0, s.size);
      } catch (e) {
        if (!isRomscanError(e)) throw e;
      }
    }
  });

  test(`openLz4Frame streams a linked frame over MAX_BUFFERED_DECODE_BYTES (${LIMITS.MAX_BUFFERED_DECODE_BYTES / MiB} MiB)`, async () => {
    const big = new Uint8Array(LIMITS.MAX_BUFFERED_DECODE_BYTES + 2 * MiB);
    big.set(plain, 5 * MiB);
    big.set(plain, big.length - plain.length);
    const s = await openLz4Frame(new BufferSource(lz4(['-B7', '-BD'], big), 'super.img.lz4'));
    assert.ok(s instanceof StreamDecodedSource);
    const h = createHash('sha256');
    for (let off = 0; off < s.size; off += 4 * MiB) h.update(await s.read(off, Math.min(4 * MiB, s.size - off)));
    assert.equal(h.digest('hex'), createHash('sha256').update(big).digest('hex'));
    eqBytes(await s.read(5 * MiB + 100, 1000), plain.subarray(100, 1100));
  });
});

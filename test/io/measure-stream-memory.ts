// Measures StreamDecodedSource's memory and speed on a large stream (not run by `npm test`):
//   node --expose-gc --import tsx test/io/measure-stream-memory.ts [brotli|deflate] [MiB=1024]
// The stream is compressed on the fly (brotli: quality 1, lgwin 24, the largest window Node
// accepts; deflate: level 1), so only the compressed bytes sit in memory before the reads start;
// then it reads like an ext4 walk (a hot metadata region, files forward, some backward jumps) and
// reports peak RSS above that baseline. For deflate inside a real zip see
// test/formats/zip/large-entry-memory.ts.
import { createBrotliCompress, createDeflateRaw, constants } from 'node:zlib';
import { createHash } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { BufferSource } from '../../src/io/source.js';
import { StreamDecodedSource } from '../../src/io/stream-source.js';
import { BROTLI_CODEC } from '../../src/formats/brotli/brotli-codec.js';
import { INFLATE_RAW_CODEC } from '../../src/formats/zip/inflate.js';

const MiB = 1024 * 1024;
const codecName = process.argv[2] ?? 'brotli';
const total = Number(process.argv[3] ?? 1024) * MiB;
const codec = codecName === 'deflate' ? INFLATE_RAW_CODEC : BROTLI_CODEC;

function* blocks(): Generator<Buffer> {
  // 1 MiB pieces: a third zeros, the rest hashed bytes (compresses ~ like a system image)
  for (let off = 0; off < total; off += MiB) {
    const b = Buffer.alloc(MiB);
    for (let i = 0; i < MiB; i += 4096) {
      if (((off + i) >> 12) % 3 === 0) continue;
      const h = createHash('sha256').update(String(off + i)).digest();
      for (let j = 0; j < 1024; j += 32) h.copy(b, i + j);
    }
    yield b;
  }
}

const chunks: Buffer[] = [];
const enc: Transform = codecName === 'deflate'
  ? createDeflateRaw({ level: 1 })
  : createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_LGWIN]: 24 } });
await new Promise<void>((resolve, reject) => {
  enc.on('data', (c: Buffer) => chunks.push(c)).on('end', resolve).on('error', reject);
  Readable.from(blocks()).pipe(enc);
});
const packed = Buffer.concat(chunks);
chunks.length = 0;
(globalThis as { gc?: () => void }).gc?.();
const base = process.memoryUsage().rss;
console.log(`${codec.name}: decoded ${total / MiB} MiB, compressed ${(packed.length / MiB).toFixed(1)} MiB, baseline rss ${(base / MiB).toFixed(0)} MiB`);

const s = new StreamDecodedSource(codec, new BufferSource(packed, 'big'), total, 'big');
let peak = 0;
let peakAb = 0;
const baseAb = process.memoryUsage().arrayBuffers;
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  peakAb = Math.max(peakAb, m.arrayBuffers);
}, 20);
const t0 = performance.now();
let seed = 1;
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
let reads = 0;
for (let off = 0; off < total - 64 * 1024; off += 8 * MiB + rnd(8 * MiB)) {
  await s.read(rnd(4 * MiB), 4096); // "inode table"
  await s.read(off, 64 * 1024); // "file"
  if (rnd(4) === 0) await s.read(Math.max(0, off - rnd(64 * MiB)), 4096); // a jump back
  reads += 3;
}
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
const secs = (performance.now() - t0) / 1000;
console.log(`reads ${reads}, ${secs.toFixed(1)} s, decoders started ${s.stats.decoders} (at most ${s.stats.peakCursors} alive), decoded ${(s.stats.decodedBytes / MiB).toFixed(0)} MiB (${(s.stats.decodedBytes / MiB / secs).toFixed(0)} MiB/s)`);
console.log(`peak cache ${(s.stats.peakCacheBytes / MiB).toFixed(0)} MiB, peak rss above baseline ${((peak - base) / MiB).toFixed(0)} MiB, peak ArrayBuffer bytes above baseline ${((peakAb - baseAb) / MiB).toFixed(0)} MiB`);
s.close();

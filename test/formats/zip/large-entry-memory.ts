// Peak memory and speed of reading a big deflated zip entry (a factory zip's system.img) through
// ZipArchive.open → StreamDecodedSource. Not run by `npm test` (large-entry-memory.test.ts runs a
// smaller case of the same measurement):
//   node --import tsx test/formats/zip/large-entry-memory.ts [MiB=1024] [level=1]
// It writes a sparse file shaped like a filesystem image (mostly unwritten, every 8th 4 KiB block
// random, every 8th a repeated text block), zips it with Info-ZIP `zip -<level>`, then, in a
// fresh child process (clean baseline), reads the entry (1) in one forward pass, hashing it against
// the file, and (2) like an ext4 walk: a hot metadata region, files forward, jumps back. Peak RSS
// is the kernel's high-water mark (VmHWM, reset through /proc/self/clear_refs before the reads).
import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../../src/io/source.js';
import { StreamDecodedSource } from '../../../src/io/stream-source.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';

const MiB = 1024 * 1024;

export interface MemoryResult {
  entryMiB: number;
  compressedMiB: number;
  baselineRssMiB: number;
  /** Peak RSS above the baseline, over both passes. */
  peakAboveBaselineMiB: number;
  sequentialMiBps: number;
  walkReads: number;
  walkSeconds: number;
  walkDecodedMiB: number;
  decoders: number;
  peakCursors: number;
  hashOk: boolean;
}

function status(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Builds the sparse image and its zip in `dir`; returns the zip's path and the image's sha256. */
export function buildImageZip(dir: string, mib: number, level = 1): { zip: string; sha256: string } {
  const img = join(dir, 'system.img');
  const fd = openSync(img, 'w');
  const block = Buffer.alloc(4096);
  const text = Buffer.alloc(4096, 'ro.build.fingerprint=google/oriole/oriole:14/UQ1A/1234:user/release-keys\n');
  ftruncateSync(fd, mib * MiB);
  for (let off = 0; off < mib * MiB; off += 8 * 4096) {
    randomFillSync(block);
    writeSync(fd, block, 0, 4096, off);
    writeSync(fd, text, 0, 4096, off + 3 * 4096);
  }
  closeSync(fd);
  const zip = join(dir, 'image.zip');
  execFileSync('zip', ['-q', `-${level}`, zip, 'system.img'], { cwd: dir });
  const h = createHash('sha256');
  const rfd = openSync(img, 'r');
  const buf = Buffer.alloc(8 * MiB);
  for (let off = 0; off < mib * MiB; off += buf.length) {
    const n = readSync(rfd, buf, 0, buf.length, off);
    h.update(buf.subarray(0, n));
  }
  closeSync(rfd);
  rmSync(img);
  return { zip, sha256: h.digest('hex') };
}

/** Child side: reads the entry and reports. */
export async function measure(zipPath: string, sha256: string): Promise<MemoryResult> {
  const file = await FileSource.open(zipPath);
  const zip = await openZip(file);
  const entry = zip.find('system.img')!;
  const s = (await zip.open(entry)) as StreamDecodedSource;
  if (!(s instanceof StreamDecodedSource)) throw new Error('entry did not stream');
  (globalThis as { gc?: () => void }).gc?.();
  const base = status('VmRSS');
  try { writeFileSync('/proc/self/clear_refs', '5'); } catch { /* older kernels: VmHWM then includes startup */ }
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, status('VmRSS')); }, 50);

  let t0 = performance.now();
  const h = createHash('sha256');
  for (let off = 0; off < s.size; off += 64 * 1024) h.update(await s.read(off, Math.min(64 * 1024, s.size - off)));
  const seqSecs = (performance.now() - t0) / 1000;
  const hashOk = h.digest('hex') === sha256;

  s.close();
  const statsBefore = { ...s.stats };
  t0 = performance.now();
  let seed = 1;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  let reads = 0;
  for (let off = 0; off < s.size - 256 * 1024; off += 4 * MiB + rnd(8 * MiB)) {
    await s.read(rnd(8 * MiB), 4096); // "inode table"
    await s.read(off, 64 * 1024 + rnd(192 * 1024)); // "file"
    if (rnd(3) === 0) await s.read(Math.max(0, off - rnd(128 * MiB)), 4096); // a file behind
    reads += 3;
  }
  const walkSecs = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, status('VmHWM'), status('VmRSS'));
  const result: MemoryResult = {
    entryMiB: s.size / MiB,
    compressedMiB: +(entry.compressedSize / MiB).toFixed(1),
    baselineRssMiB: Math.round(base / MiB),
    peakAboveBaselineMiB: Math.round((peak - base) / MiB),
    sequentialMiBps: Math.round(s.size / MiB / seqSecs),
    walkReads: reads,
    walkSeconds: +walkSecs.toFixed(1),
    walkDecodedMiB: Math.round((s.stats.decodedBytes - statsBefore.decodedBytes) / MiB),
    decoders: s.stats.decoders - statsBefore.decoders,
    peakCursors: s.stats.peakCursors,
    hashOk,
  };
  s.close();
  await file.close();
  return result;
}

/** Builds, then measures in a fresh `node` so the baseline holds only the runtime. */
export function buildAndMeasure(mib: number, level = 1): MemoryResult & { buildSeconds: number } {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-zipmem-'));
  try {
    const t0 = performance.now();
    const { zip, sha256 } = buildImageZip(dir, mib, level);
    const buildSeconds = +((performance.now() - t0) / 1000).toFixed(1);
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', import.meta.filename, '--child', zip, sha256], { encoding: 'utf8' });
    return { ...(JSON.parse(out) as MemoryResult), buildSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(await measure(process.argv[3], process.argv[4])));
  } else {
    const mib = Number(process.argv[2] ?? 1024);
    const r = buildAndMeasure(mib, Number(process.argv[3] ?? 1));
    console.log(JSON.stringify(r, null, 2));
  }
}

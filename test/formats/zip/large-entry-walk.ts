// End-to-end cost of walking an ext4 image that sits DEFLATED in a factory zip (Pixel image-*.zip
// style), compared with walking the same image raw. Not run by `npm test`:
//   node --import tsx test/formats/zip/large-entry-walk.ts [apps=200] [fillerMiB=300]
// Builds a tree of `apps` APK-sized files under system/app and system/priv-app interleaved with
// big non-APK files (libraries, media), makes an ext4 image with `mke2fs -d`, zips it with
// `zip -1`, then runs `extract` (list mode: walks, hashes every APK) on both in fresh processes and
// prints wall time and peak RSS (VmHWM) of each, plus the decoders StreamDecodedSource started.
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;

function status(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

if (process.argv[2] === '--child') {
  // Counts decoders through the class the zip reader uses, without touching the walker.
  const { StreamDecodedSource } = await import('../../../src/io/stream-source.js');
  const { extractInput } = await import('../../../src/extract/extract-files.js');
  const sources: InstanceType<typeof StreamDecodedSource>[] = [];
  const proto = StreamDecodedSource.prototype as unknown as { read: (o: number, l: number) => Promise<Uint8Array> };
  const read = proto.read;
  proto.read = function (this: InstanceType<typeof StreamDecodedSource>, o: number, l: number) {
    if (!sources.includes(this)) sources.push(this);
    return read.call(this, o, l);
  };
  const t0 = performance.now();
  const r = await extractInput(process.argv[3], null);
  const secs = (performance.now() - t0) / 1000;
  const decoders = sources.reduce((n, s) => n + s.stats.decoders, 0);
  const decodedMiB = Math.round(sources.reduce((n, s) => n + s.stats.decodedBytes, 0) / MiB);
  process.stdout.write(JSON.stringify({ files: r.files.length, errors: r.errors.length, seconds: +secs.toFixed(1), peakRssMiB: Math.round(status('VmHWM') / MiB), decoders, decodedMiB }));
} else {
  const apps = Number(process.argv[2] ?? 200);
  const fillerMiB = Number(process.argv[3] ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'romscan-zipwalk-'));
  try {
    const tree = join(dir, 'tree');
    const apk = readFileSync('samples/apk/Weather.apk');
    const pad = Buffer.alloc(2 * MiB);
    for (let i = 0; i < apps; i++) {
      const kind = i % 5 === 0 ? 'priv-app' : 'app';
      const d = join(tree, 'system', kind, `App${i}`);
      mkdirSync(d, { recursive: true });
      // The real APK (so the walker's zip reader accepts it) followed by incompressible padding.
      randomFillSync(pad, 0, (i % 4 + 1) * MiB / 2);
      writeFileSync(join(d, `App${i}.apk`), Buffer.concat([apk, pad.subarray(0, (i % 4 + 1) * MiB / 2)]));
      if (i % 10 === 0) {
        const lib = join(d, 'lib', 'arm64');
        mkdirSync(lib, { recursive: true });
        const big = Buffer.alloc(Math.max(1, Math.floor((fillerMiB * MiB) / Math.ceil(apps / 10))));
        randomFillSync(big, 0, big.length >> 1); // half random, half zeros
        writeFileSync(join(lib, `libapp${i}.so`), big);
      }
    }
    writeFileSync(join(tree, 'system', 'build.prop'), 'ro.product.model=Walk Test\n');
    const img = join(dir, 'system.img');
    const sizeMiB = Math.ceil((apps * 1.5 + fillerMiB) * 1.3) + 64;
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', tree, img, `${sizeMiB}M`]);
    rmSync(tree, { recursive: true });
    execFileSync('zip', ['-q', '-1', join(dir, 'image-test.zip'), 'system.img'], { cwd: dir });
    const run = (input: string) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', input], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    console.log(`ext4 image ${sizeMiB} MiB, zip ${(statSync(join(dir, 'image-test.zip')).size / MiB).toFixed(0)} MiB`);
    console.log('raw ext4       ', JSON.stringify(run(img)));
    console.log('deflated in zip', JSON.stringify(run(join(dir, 'image-test.zip'))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

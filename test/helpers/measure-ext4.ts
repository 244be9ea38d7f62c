// Throughput of reading every file of an ext4 image (mke2fs -d, ~200 MB of data) through
// openExt4 + FileSource, against `debugfs -R 'rdump / DIR'` on the same image (warm cache).
// Run: node --import tsx test/helpers/measure-ext4.ts [dataMB]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FileSource } from '../../src/io/source.js';
import { openExt4 } from '../../src/formats/ext4/index.js';
import { openSparse } from '../../src/formats/sparse/index.js';
import { buildExt4, findTool, makeTempDir, removeDir } from './build-ext4.js';

const dataMB = Number(process.argv[2] ?? 200);
const dir = makeTempDir('measure');
try {
  const tree = join(dir, 'tree');
  // 80 % of bytes in 4 MiB files (APKs, libs), 20 % in 20 KiB files (configs, small APKs).
  const big = Math.round((dataMB * 0.8) / 4);
  const small = Math.round((dataMB * 0.2 * 1024) / 20);
  for (let i = 0; i < big; i++) {
    mkdirSync(join(tree, `app/A${i}`), { recursive: true });
    writeFileSync(join(tree, `app/A${i}/A${i}.apk`), randomBytes(4 << 20));
  }
  for (let i = 0; i < small; i++) {
    const d = join(tree, `etc/d${i % 50}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.xml`), randomBytes(20 << 10));
  }
  const image = join(dir, 'fs.img');
  buildExt4(tree, image, { mkfsArgs: ['-t', 'ext4'], sizeKiB: Math.round(dataMB * 1.3 * 1024) + 32768 });
  const simg = join(dir, 'fs.simg');
  if (findTool('img2simg')) execFileSync(findTool('img2simg')!, [image, simg]);

  const readAll = async (path: string, sparse: boolean): Promise<{ ms: number; bytes: number; files: number }> => {
    const src = await FileSource.open(path, 'fs.img');
    try {
      const t0 = performance.now();
      const c = await openExt4(sparse ? await openSparse(src) : src);
      let bytes = 0, files = 0;
      for await (const e of c.entries()) {
        if (e.type !== 'file') continue;
        const s = await e.open();
        bytes += (await s.read(0, s.size)).length;
        files++;
      }
      return { ms: performance.now() - t0, bytes, files };
    } finally {
      await src.close();
    }
  };
  const rdump = (): number => {
    const out = join(dir, `rdump-${Date.now()}`);
    mkdirSync(out);
    const t0 = performance.now();
    execFileSync(findTool('debugfs')!, ['-R', `rdump / ${out}`, image], { stdio: 'ignore' });
    const ms = performance.now() - t0;
    removeDir(out);
    return ms;
  };
  await readAll(image, false); // warm the page cache
  const runs = [await readAll(image, false), await readAll(image, false), await readAll(image, false)];
  const best = runs.sort((a, b) => a.ms - b.ms)[0];
  const mb = best.bytes / 1e6;
  console.log(`romscan ext4: ${best.files} files, ${mb.toFixed(1)} MB in ${best.ms.toFixed(0)} ms = ${(mb / (best.ms / 1000)).toFixed(0)} MB/s`);
  if (findTool('img2simg')) {
    const s = [await readAll(simg, true), await readAll(simg, true)].sort((a, b) => a.ms - b.ms)[0];
    console.log(`romscan sparse→ext4: ${(s.bytes / 1e6 / (s.ms / 1000)).toFixed(0)} MB/s`);
  }
  rdump();
  const d = Math.min(rdump(), rdump());
  console.log(`debugfs rdump: ${mb.toFixed(1)} MB in ${d.toFixed(0)} ms = ${(mb / (d / 1000)).toFixed(0)} MB/s (includes writing files)`);
} finally {
  removeDir(dir);
}

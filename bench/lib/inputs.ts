// Bench inputs, all derived from the shared corpus with the real tools and cached in bench/work/:
// - the APK corpus itself (read in place),
// - a large multidex APK: every distinct, dexdump-valid dex of the corpus as classes.dex … classesN.dex
//   beside ApiDemos' manifest and resources,
// - ROM trees (system/app/<n>/<n>.apk, the corpus copied until a size is reached) and, per size,
//   an ext4 image (mke2fs -d), its sparse form (img2simg) and an EROFS lz4hc image (mkfs.erofs).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import yazl from 'yazl';
import yauzl from 'yauzl';

export interface CorpusApk { path: string; bytes: number }

export function listApks(dir: string): CorpusApk[] {
  return readdirSync(dir).filter((n) => n.endsWith('.apk')).sort()
    .map((n) => ({ path: join(dir, n), bytes: statSync(join(dir, n)).size }));
}

/** Every *.apk below `dir` (an image's tree), in path order. */
export function listApksUnder(dir: string): CorpusApk[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.apk')).sort()
    .map((n) => ({ path: join(dir, n), bytes: statSync(join(dir, n)).size }));
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): void {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.slice(-2000)}`);
}

async function readEntries(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(file, { lazyEntries: true, strictFileNames: false, validateEntrySizes: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out = new Map<string, Buffer>();
  await new Promise<void>((res, rej) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      zip.openReadStream(entry, (e, s) => {
        if (e) return rej(e);
        const parts: Buffer[] = [];
        s!.on('data', (d: Buffer) => parts.push(d)).on('end', () => { out.set(entry.fileName, Buffer.concat(parts)); zip.readEntry(); }).on('error', rej);
      });
    });
    zip.on('end', () => res()).on('error', rej);
    zip.readEntry();
  });
  zip.close();
  return out;
}

/** Reads one stored dex with dexdump to keep only dex files a real tool accepts (the corpus has hostile ones). */
function dexdumpAccepts(bytes: Buffer, scratch: string): boolean {
  const f = join(scratch, 'probe.dex');
  writeFileSync(f, bytes);
  const r = spawnSync('dexdump', ['-f', f], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * A large multidex APK built from the corpus: ApiDemos' non-dex entries, then every distinct dex
 * in the corpus that dexdump accepts, largest first, as classes.dex, classes2.dex, …
 */
export async function buildMultidexApk(corpusDir: string, workDir: string): Promise<string> {
  const out = join(workDir, 'multidex-large.apk');
  if (existsSync(out)) return out;
  log('building the large multidex APK from the corpus dexes');
  const scratch = join(workDir, 'scratch');
  mkdirSync(scratch, { recursive: true });
  const base = await readEntries(join(corpusDir, 'apidemos-debug.apk'));
  const dexes = new Map<string, Buffer>();
  for (const apk of listApks(corpusDir)) {
    let entries: Map<string, Buffer>;
    try {
      entries = await readEntries(apk.path);
    } catch {
      continue; // hostile zips: not a dex source
    }
    for (const [name, bytes] of entries) {
      if (!/^classes\d*\.dex$/.test(name) || bytes.length < 0x70) continue;
      const h = createHash('sha256').update(bytes).digest('hex');
      if (!dexes.has(h) && dexdumpAccepts(bytes, scratch)) dexes.set(h, bytes);
    }
  }
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of base) {
    if (name.endsWith('.dex') || name.startsWith('META-INF/')) continue;
    zip.addBuffer(bytes, name, { compress: name !== 'resources.arsc', mtime: new Date(0) });
  }
  [...dexes.values()].sort((a, b) => b.length - a.length).forEach((bytes, i) => {
    zip.addBuffer(bytes, i === 0 ? 'classes.dex' : `classes${i + 1}.dex`, { mtime: new Date(0) });
  });
  zip.end();
  const tmp = `${out}.tmp`;
  await new Promise<void>((res, rej) => {
    const ws = zip.outputStream.pipe(createWriteStream(tmp));
    ws.on('finish', () => res()).on('error', rej);
  });
  renameSync(tmp, out);
  rmSync(scratch, { recursive: true, force: true });
  return out;
}

export interface RomImages {
  sizeMiB: number;
  apks: number;
  contentBytes: number;
  tree: string;
  ext4: string;
  sparse: string;
  erofs: string;
}

const BUILD_PROP = [
  'ro.build.fingerprint=romscan/bench/bench:14/BENCH/1:user/release-keys',
  'ro.product.model=romscan bench',
  'ro.build.type=user',
  'ro.build.tags=release-keys',
  'ro.debuggable=0',
  '',
].join('\n');

/**
 * The APK tree for `sizeMiB` of content: the corpus copied (distinct names, real copies, so no
 * filesystem can share their blocks) until the size is reached. Smaller trees hard-link into
 * the largest one so the disk holds one copy.
 */
function buildTree(corpus: CorpusApk[], workDir: string, sizeMiB: number, linkFrom: string | null): { tree: string; apks: number; contentBytes: number } {
  const tree = join(workDir, `tree-${sizeMiB}`);
  const stamp = join(tree, '.complete');
  const target = sizeMiB * 1024 * 1024;
  const usable = corpus.filter((a) => a.bytes > 0);
  if (!existsSync(stamp)) {
    log(`building the ${sizeMiB} MiB APK tree`);
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(join(tree, 'system'), { recursive: true });
    writeFileSync(join(tree, 'system', 'build.prop'), BUILD_PROP);
    let total = 0;
    for (let copy = 0; total < target; copy++) {
      for (const apk of usable) {
        if (total >= target) break;
        const name = `${basename(apk.path, '.apk')}_${copy}`;
        const dir = join(tree, 'system', 'app', name);
        mkdirSync(dir, { recursive: true });
        const dest = join(dir, `${name}.apk`);
        const src = linkFrom ? join(linkFrom, 'system', 'app', name, `${name}.apk`) : null;
        if (src && existsSync(src)) linkSync(src, dest);
        else copyFileSync(apk.path, dest);
        total += apk.bytes;
      }
    }
    writeFileSync(stamp, '');
  }
  let apks = 0, contentBytes = 0;
  const appDir = join(tree, 'system', 'app');
  for (const d of readdirSync(appDir)) {
    apks++;
    contentBytes += statSync(join(appDir, d, `${d}.apk`)).size;
  }
  return { tree, apks, contentBytes };
}

function buildImages(tree: string, contentBytes: number, workDir: string, sizeMiB: number): { ext4: string; sparse: string; erofs: string } {
  const ext4 = join(workDir, `rom-${sizeMiB}.ext4.img`);
  const sparse = join(workDir, `rom-${sizeMiB}.sparse.img`);
  const erofs = join(workDir, `rom-${sizeMiB}.erofs-lz4hc.img`);
  if (!existsSync(ext4)) {
    log(`mke2fs -t ext4 -d (${sizeMiB} MiB)`);
    // Room for the content, one 4 KiB tail per file, metadata and journal: +12 % and 64 MiB.
    const blocks = Math.ceil((contentBytes * 1.12 + 64 * 1024 * 1024) / 4096);
    run('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-L', 'system', '-d', tree, `${ext4}.tmp`, String(blocks)]);
    renameSync(`${ext4}.tmp`, ext4);
  }
  if (!existsSync(sparse)) {
    log(`img2simg (${sizeMiB} MiB)`);
    run('img2simg', [ext4, `${sparse}.tmp`]);
    renameSync(`${sparse}.tmp`, sparse);
  }
  if (!existsSync(erofs)) {
    log(`mkfs.erofs -zlz4hc (${sizeMiB} MiB)`);
    run('mkfs.erofs', ['--quiet', '-zlz4hc', '-T0', '--all-root', `${erofs}.tmp`, tree]);
    renameSync(`${erofs}.tmp`, erofs);
  }
  return { ext4, sparse, erofs };
}

/** Builds (or reuses) trees and images for each size, largest first so smaller trees can hard-link. */
export function buildRomImages(corpusDir: string, workDir: string, sizesMiB: number[]): RomImages[] {
  const corpus = listApks(corpusDir);
  const sorted = [...sizesMiB].sort((a, b) => b - a);
  const out: RomImages[] = [];
  let largest: string | null = null;
  for (const sizeMiB of sorted) {
    const { tree, apks, contentBytes } = buildTree(corpus, workDir, sizeMiB, largest);
    largest ??= tree;
    out.push({ sizeMiB, apks, contentBytes, tree, ...buildImages(tree, contentBytes, workDir, sizeMiB) });
  }
  return out.sort((a, b) => a.sizeMiB - b.sizeMiB);
}

export function fileBytes(f: string): number {
  return statSync(f).size;
}

/** First line a tool prints about its version (stdout or stderr), for RESULTS.md. */
export function toolVersion(cmd: string, args: string[]): string {
  try {
    const r = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return r.split('\n')[0].trim();
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    return ((err.stdout || err.stderr) ?? '').split('\n').find((l) => l.trim())?.trim() ?? '?';
  }
}

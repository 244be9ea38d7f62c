// Seed inputs for the fuzzer: small real files. APKs come straight from the shared corpus;
// manifests, resource tables and dex files are taken out of them (with adm-zip, not our own zip
// reader); filesystem and container images are built with the real tools (mke2fs -d, img2simg,
// mkfs.erofs, lz4, brotli, GNU tar) and the AOSP-format writers in test/helpers (super, payload),
// into test/.cache/fuzz-seeds/ (built once, reused). Every build is pinned (fake time, fixed
// UUIDs and hash seeds), so the same seed and tool versions give the same bytes, and
// `seedDigest` lets a report show which seed set a run used.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';
import { writeSuper } from '../../helpers/write-super.js';
import { fullPayloadFromImage } from '../../helpers/write-payload.js';
import { buildZip } from './zip-model.js';

export const FORMATS = ['apk', 'axml', 'arsc', 'dex', 'ext4', 'sparse', 'erofs', 'super', 'payload', 'tar', 'lz4', 'sdat', 'ota'] as const;
/** Targets that misbehave on purpose, so tests can show the harness notices each kind of failure. */
export const CANARIES = ['canary-crash', 'canary-hang', 'canary-heap', 'canary-rss'] as const;
export type FuzzFormat = typeof FORMATS[number] | typeof CANARIES[number];

export interface Seed {
  format: FuzzFormat;
  name: string;
  bytes: Uint8Array;
}

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CORPUS = resolve(PROJECT_ROOT, '../shared/corpus');
const CACHE = join(PROJECT_ROOT, 'test/.cache/fuzz-seeds');
/** Bump when the build below changes, so stale caches are not reused. */
const BUILD_VERSION = 3;

/**
 * Small corpus APKs picked for variety: v1/v2/v3 signing, multidex, no manifest, Janus prefix,
 * duplicated permissions, mismatched methods, traversal names, odd EOCDs, tampered AXML.
 */
export const SEED_APKS = [
  'TC-debug.apk', 'fdroid-janus.apk', 'fdroid-urzip.apk', 'apksig-two-signers.apk', 'androguard-multidex.apk',
  'apkinspector-eocd_at_offset_1026.apk', 'apkinspector-minimal_zero_sized_end_ns.apk', 'apksig-mismatched-compression-method.apk',
  'apksig-v2-only-garbage-between-cd-and-eocd.apk', 'apktool-issue1589.apk', 'fdroid-issue-1128-poc1.apk', 'fdroid-issue-1128-poc3a.apk',
  'duplicate.permisssions_9999999.apk', 'apksig-v31-ec-p256-2-tgt-33-1-tgt-28-targetSdk-30.apk', 'apktool-dynamic_dex.apk',
  'androidmanifest-shortname.apk', 'apksig-v1-only-with-cr-in-entry-name.apk', 'fdroid-minimal_targetsdk_30_unsigned.apk',
];

/** The APK put inside filesystem images (small, has manifest, arsc, dex and a v1 signature). */
const IMAGE_APK = 'TC-debug.apk';

export function corpusAvailable(): boolean {
  return existsSync(join(CORPUS, 'apk', IMAGE_APK));
}

function tool(name: string): string | null {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin', '/usr/local/bin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

export function missingTools(): string[] {
  return ['mke2fs', 'img2simg', 'mkfs.erofs', 'lz4', 'brotli', 'tar', 'xz', 'bzip2', 'zstd'].filter((t) => !tool(t));
}

const FAKE_TIME = 1_700_000_000;
const run = (cmd: string, args: string[], opts: { cwd?: string; input?: Uint8Array } = {}): Buffer =>
  execFileSync(tool(cmd) ?? cmd, args, {
    cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, E2FSPROGS_FAKE_TIME: String(FAKE_TIME), SOURCE_DATE_EPOCH: String(FAKE_TIME), MKE2FS_CONFIG: '/etc/mke2fs.conf' },
  });

/** Deterministic filler bytes. */
function filler(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff; }
  return out;
}

/** A ROM-like tree: an APK where the walker looks, build.prop, a privapp XML, links, a many-entry dir. */
function makeRomTree(root: string): void {
  const apk = readFileSync(join(CORPUS, 'apk', IMAGE_APK));
  const dirs = ['system/app/Foo', 'system/priv-app/Bar', 'system/etc/permissions', 'system/framework', 'system/many'];
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'system/app/Foo/Foo.apk'), apk);
  writeFileSync(join(root, 'system/build.prop'), 'ro.build.id=FUZZ\nro.product.model=Seed\nro.debuggable=1\nro.build.tags=test-keys\n');
  writeFileSync(join(root, 'system/etc/permissions/privapp-permissions-fuzz.xml'),
    '<permissions><privapp-permissions package="com.example.bar"><permission name="android.permission.READ_PRIVILEGED_PHONE_STATE"/></privapp-permissions></permissions>\n');
  writeFileSync(join(root, 'system/framework/tiny.jar'), filler(300, 7));
  for (let i = 0; i < 40; i++) writeFileSync(join(root, 'system/many', `entry-${String(i).padStart(3, '0')}.txt`), `${i}\n`);
  writeFileSync(join(root, 'system/data.bin'), filler(9000, 3));
  symlinkSync('../app/Foo/Foo.apk', join(root, 'system/priv-app/Bar/Bar.apk'));
  symlinkSync('/system/app/Foo/' + 'x'.repeat(80), join(root, 'system/slow-link'));
  linkSync(join(root, 'system/build.prop'), join(root, 'system/etc/hardlink.prop'));
  const stamp = (dir: string): void => {
    for (const n of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, n.name);
      if (n.isDirectory()) stamp(p);
      if (!n.isSymbolicLink()) utimesSync(p, FAKE_TIME, FAKE_TIME);
    }
  };
  stamp(root);
}

function mkExt4(tree: string, out: string, args: string[], sizeKiB: number): Uint8Array {
  rmSync(out, { force: true });
  run('mke2fs', ['-q', '-F', '-U', '1b4e28ba-2fa1-11d2-883f-0016d3cca427', '-E', 'lazy_itable_init=0,hash_seed=2a4b1c6e-3d5f-4a7b-8c9d-0e1f2a3b4c5d',
    ...args, '-d', tree, out, `${sizeKiB}k`]);
  return readFileSync(out);
}

function mkErofs(tree: string, out: string, args: string[]): Uint8Array {
  rmSync(out, { force: true });
  run('mkfs.erofs', ['--quiet', '-T', String(FAKE_TIME), '-U', '1b4e28ba-2fa1-11d2-883f-0016d3cca427', ...args, out, tree]);
  return readFileSync(out);
}

/** Transfer list v4 writing the whole image with one `new` command (plus an erase, as real OTAs have). */
function transferListFor(blocks: number): string {
  return `4\n${blocks}\n0\n0\nerase 2,0,${blocks}\nnew 2,0,${blocks}\n`;
}

function buildImages(dir: string): void {
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  makeRomTree(tree);
  const w = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, name), bytes);

  // ext4: extents + 1 KiB blocks (mke2fs's "small" type), ext2 block maps, inline data, and a 4 KiB
  // variant sized for sparse/payload/super/sdat (whose block sizes are 4096).
  w('ext4-1k.img', mkExt4(tree, join(dir, 'a.img'), ['-t', 'ext4', '-b', '1024', '-N', '96', '-O', '^has_journal'], 384));
  w('ext2.img', mkExt4(tree, join(dir, 'a.img'), ['-t', 'ext2', '-b', '1024', '-N', '96'], 384));
  w('ext4-inline.img', mkExt4(tree, join(dir, 'a.img'), ['-t', 'ext4', '-b', '1024', '-N', '96', '-I', '256', '-O', 'inline_data,^has_journal'], 384));
  const ext4k = mkExt4(tree, join(dir, 'a.img'), ['-t', 'ext4', '-b', '4096', '-N', '96', '-O', '^has_journal,^resize_inode'], 512);
  w('ext4-4k.img', ext4k);
  run('img2simg', [join(dir, 'ext4-4k.img'), join(dir, 'ext4-4k.simg')]);

  w('erofs-plain.img', mkErofs(tree, join(dir, 'b.img'), []));
  w('erofs-lz4hc.img', mkErofs(tree, join(dir, 'b.img'), ['-zlz4hc']));

  const sup = writeSuper({
    partitions: [
      { name: 'system_a', data: ext4k, pieces: 3 },
      { name: 'vendor_a', data: readFileSync(join(dir, 'erofs-plain.img')) },
      { name: 'product_a', data: new Uint8Array(0) },
    ],
  });
  w('super.img', sup.image);

  w('payload.bin', fullPayloadFromImage(ext4k, 'system', ['replace', 'xz', 'bz2', 'zstd'], 8));

  // Samsung-style: tar of lz4-compressed images (one sparse, one raw).
  run('lz4', ['-q', '-f', '-B4', '--content-size', join(dir, 'ext4-4k.simg'), join(dir, 'system.img.ext4.lz4')]);
  run('lz4', ['-q', '-f', '-l', join(dir, 'ext4-1k.img'), join(dir, 'vendor.img.lz4')]);
  writeFileSync(join(dir, 'ext4-4k.lz4'), readFileSync(join(dir, 'system.img.ext4.lz4')));
  run('tar', ['--format=gnu', '--owner=0', '--group=0', `--mtime=@${FAKE_TIME}`, '-cf', join(dir, 'AP.tar'), '-C', dir, 'system.img.ext4.lz4', 'vendor.img.lz4']);

  // Block OTA: transfer list + brotli new.dat in a zip, as update zips carry them.
  const br = run('brotli', ['-c', '-q', '5'], { input: ext4k });
  w('sdat.zip', buildZip([
    { name: 'system.transfer.list', data: new TextEncoder().encode(transferListFor(ext4k.length / 4096)) },
    { name: 'system.new.dat.br', data: new Uint8Array(br) },
    { name: 'system.patch.dat', data: new Uint8Array(0) },
  ]));
  // A/B OTA zip with payload.bin stored (update_engine streams it, so it is never deflated).
  w('ota.zip', buildZip([
    { name: 'payload.bin', data: readFileSync(join(dir, 'payload.bin')) },
    { name: 'META-INF/com/android/metadata', data: new TextEncoder().encode('ota-type=AB\npre-device=fuzz\n'), deflate: true },
  ]));
}

/** Which cached file each image format uses as seeds. */
const IMAGE_SEEDS: Record<string, string[]> = {
  ext4: ['ext4-1k.img', 'ext2.img', 'ext4-inline.img', 'ext4-4k.img'],
  sparse: ['ext4-4k.simg'],
  erofs: ['erofs-plain.img', 'erofs-lz4hc.img'],
  super: ['super.img'],
  payload: ['payload.bin'],
  tar: ['AP.tar'],
  lz4: ['ext4-4k.lz4'],
  sdat: ['sdat.zip'],
  ota: ['ota.zip'],
};

/** Builds the image cache if needed and returns its folder. */
export function ensureImageCache(): string {
  const dir = join(CACHE, `v${BUILD_VERSION}`);
  if (existsSync(join(dir, 'done'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'build-'));
  try {
    buildImages(tmp);
    rmSync(join(tmp, 'tree'), { recursive: true, force: true });
    writeFileSync(join(tmp, 'done'), '');
    try { renameSync(tmp, dir); } catch { /* a parallel build won */ }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

function zipMembers(file: string, pick: (name: string) => boolean): { name: string; bytes: Uint8Array }[] {
  try {
    return new AdmZip(file).getEntries().filter((e) => pick(e.entryName)).map((e) => ({ name: e.entryName, bytes: new Uint8Array(e.getData()) }));
  } catch {
    return []; // adm-zip rejects some of the hostile corpus zips; they are APK seeds anyway
  }
}

/** Every seed, by format. Members bigger than `maxBytes` are left out to keep cases fast. */
export function loadSeeds(maxBytes = 2_000_000): Map<FuzzFormat, Seed[]> {
  const seeds = new Map<FuzzFormat, Seed[]>(FORMATS.map((f) => [f, []]));
  for (const c of CANARIES) seeds.set(c, [{ format: c, name: c, bytes: new Uint8Array(1) }]);
  const add = (format: FuzzFormat, name: string, bytes: Uint8Array) => {
    // A plain copy: Buffer#slice shares memory, and mutators slice their input.
    if (bytes.length > 0 && bytes.length <= maxBytes) seeds.get(format)!.push({ format, name, bytes: new Uint8Array(bytes) });
  };
  for (const apk of SEED_APKS) {
    const file = join(CORPUS, 'apk', apk);
    if (!existsSync(file)) continue;
    add('apk', apk, readFileSync(file));
    for (const m of zipMembers(file, (n) => n === 'AndroidManifest.xml' || n === 'resources.arsc' || /^classes\d*\.dex$/.test(n))) {
      add(m.name.endsWith('.xml') ? 'axml' : m.name.endsWith('.arsc') ? 'arsc' : 'dex', `${apk}!/${m.name}`, m.bytes);
    }
  }
  for (const f of ['masked-attribute-names.axml', 'unknown-chunk-before-pool.axml', 'second-application.axml', 'utf16-two-unit-length.axml']) {
    const p = join(PROJECT_ROOT, 'test/fixtures/axml/crafted', f);
    if (existsSync(p)) add('axml', f, readFileSync(p));
  }
  const dexFixture = join(PROJECT_ROOT, 'test/fixtures/dex/walker-all-formats.dex');
  if (existsSync(dexFixture)) add('dex', 'walker-all-formats.dex', readFileSync(dexFixture));
  if (missingTools().length === 0 && corpusAvailable()) {
    const dir = ensureImageCache();
    for (const [format, files] of Object.entries(IMAGE_SEEDS)) {
      for (const f of files) add(format as FuzzFormat, f, readFileSync(join(dir, f)));
    }
  }
  return seeds;
}

/** A short digest of every seed's bytes, printed with each run. */
export function seedDigest(seeds: Map<FuzzFormat, Seed[]>): string {
  const h = createHash('sha256');
  for (const [f, list] of seeds) for (const s of list) h.update(`${f}/${s.name}\0`).update(s.bytes);
  return h.digest('hex').slice(0, 12);
}

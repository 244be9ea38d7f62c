// One bad part never costs the rest: a ROM with a corrupt partition, a truncated APK and a
// damaged image still reports everything else, and each error sits at the virtual path of the
// part that failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanInput } from '../../src/scan/scan-input.js';
import { writeSuper } from '../helpers/write-super.js';
import { CORPUS, corpusAvailable, ensureImageCache, missingTools, PROJECT_ROOT } from './lib/seeds.js';

const skip = (!corpusAvailable() || missingTools().length > 0) && 'corpus or image tools absent';
const scan = (file: string) => scanInput(file, { signaturesDir: join(PROJECT_ROOT, 'signatures'), jobs: 2 });

test('super.img with one good, one corrupt and one truncated partition', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-partial-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cache = ensureImageCache();
  const good = readFileSync(join(cache, 'ext4-4k.img'));
  const corrupt = new Uint8Array(readFileSync(join(cache, 'erofs-plain.img')));
  corrupt[1024 + 12] = 40; // blkszbits: a 1 TiB block size no EROFS has
  const truncated = good.subarray(0, 64 * 1024);
  const file = join(dir, 'super.img');
  writeFileSync(file, writeSuper({ partitions: [
    { name: 'system_a', data: good }, { name: 'vendor_a', data: corrupt }, { name: 'product_a', data: truncated },
  ] }).image);

  const r = await scan(file);
  assert.deepEqual(r.apps.map((a) => a.path), ['super.img!/system_a!/system/app/Foo/Foo.apk']);
  assert.equal(r.apps[0].package, 'org.t0t0.androguard.TC');
  assert.equal(r.firmware?.buildProps['ro.build.id'], 'FUZZ');
  const byPath = new Map<string, string[]>();
  for (const e of r.errors) byPath.set(e.path ?? '', [...(byPath.get(e.path ?? '') ?? []), e.code ?? '']);
  assert.ok(byPath.get('super.img!/vendor_a')?.some((c) => c === 'E_FORMAT' || c === 'E_UNSUPPORTED'), JSON.stringify(r.errors));
  assert.ok([...byPath.keys()].some((p) => p.startsWith('super.img!/product_a')), JSON.stringify(r.errors));
  assert.ok(r.errors.every((e) => e.path?.startsWith('super.img!/vendor_a') || e.path?.startsWith('super.img!/product_a') || e.code === 'E_ANOMALY'), JSON.stringify(r.errors));
});

test('an unpacked ROM folder with a truncated APK and a damaged image', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-partial-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rom = join(dir, 'rom');
  for (const d of ['system/app/Good', 'system/app/Bad', 'system/priv-app/Urzip']) mkdirSync(join(rom, d), { recursive: true });
  copyFileSync(join(CORPUS, 'apk/TC-debug.apk'), join(rom, 'system/app/Good/Good.apk'));
  copyFileSync(join(CORPUS, 'apk/fdroid-urzip.apk'), join(rom, 'system/priv-app/Urzip/Urzip.apk'));
  writeFileSync(join(rom, 'system/app/Bad/Bad.apk'), readFileSync(join(CORPUS, 'apk/TC-debug.apk')).subarray(0, 6000));
  writeFileSync(join(rom, 'system/build.prop'), 'ro.build.id=PARTIAL\n');
  const img = new Uint8Array(readFileSync(join(ensureImageCache(), 'ext4-1k.img')));
  img.fill(0xff, 2048, 4096); // the group descriptor table
  writeFileSync(join(rom, 'vendor.img'), img);

  const r = await scan(rom);
  const apps = new Map(r.apps.map((a) => [a.path, a]));
  assert.equal(apps.get('rom/system/app/Good/Good.apk')?.package, 'org.t0t0.androguard.TC');
  assert.equal(apps.get('rom/system/priv-app/Urzip/Urzip.apk')?.privileged, true);
  assert.equal(r.firmware?.buildProps['ro.build.id'], 'PARTIAL');
  // The truncated APK: an app entry with its zip error, or a report error, at its own path.
  const bad = apps.get('rom/system/app/Bad/Bad.apk');
  const badErrors = [...(bad?.errors ?? []), ...r.errors.filter((e) => e.path === 'rom/system/app/Bad/Bad.apk')];
  assert.ok(badErrors.some((e) => e.code === 'E_FORMAT' || e.code === 'E_TRUNCATED'), JSON.stringify(badErrors));
  assert.ok(r.errors.some((e) => e.path?.startsWith('rom/vendor.img') && e.code !== 'E_ANOMALY'), JSON.stringify(r.errors));
});

// Differential test of the acceptance criterion: for every real vdex whose APK still carries
// classes.dex, the code facts read from the vdex (strings, classes, methods, endpoints and API
// call sites with their locations, the internal call graph) equal those read from the APK's dex,
// except for the container in the dex names. And a ROM directory laid out as on a device reports
// an odexed app's endpoints and API call sites from its vdex.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseVdex } from '../../../src/android/vdex/parse-vdex.js';
import { parseDex } from '../../../src/android/dex/dex-file.js';
import { collectCodeFacts } from '../../../src/analysis/code-facts.js';
import { CORPUS, hasTool } from '../dex/helpers.js';
import { corpusVdex } from './vdex-builders.js';
import { apkDexes, comparable, romAppFacts, WATCH } from './code-facts-helper.js';
import { readFileSync } from 'node:fs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'vdex');

const PAIRS = [
  { vdex: join(CORPUS, 'vdex', 'qrd8953_android8.1_CtRoamingSettings.vdex'), apk: join(CORPUS, 'vdex', 'qrd8953_android8.1_CtRoamingSettings.apk') },
  { vdex: join(CORPUS, 'vdex', 'qcom_android9_CNESettings.vdex'), apk: join(CORPUS, 'vdex', 'qcom_android9_CNESettings.apk') },
  // The same CNESettings APK is in vendor/ as a control app.
  { vdex: join(CORPUS, 'vdex', 'qcom_android9_CNESettings.vdex'), apk: join(CORPUS, 'vendor', 'control_qcom_CNESettings_android9.apk') },
  // The phone-home app of vendor/, with its vdex from the same ROM dump (test/fixtures/vdex/README.md).
  { vdex: join(FIXTURES, 'qrd8953_android8.1_AutoRegistration.vdex'), apk: join(CORPUS, 'vendor', 'PHONEHOME_qcom_autoregistration_v3.0_qrd8953_android8.1.apk') },
];

describe('vdex facts = APK dex facts', { skip: !hasTool('unzip') && 'unzip not installed' }, () => {
  for (const p of PAIRS) {
    test(`${p.apk.split('/').pop()} vs ${p.vdex.split('/').pop()}`, () => {
      const prefix = 'oat/arm64/X.vdex!/';
      const fromVdex = collectCodeFacts(parseVdex(new Uint8Array(readFileSync(p.vdex)), p.vdex, { dexNamePrefix: prefix }).dexes, WATCH);
      const fromApk = collectCodeFacts(apkDexes(p.apk), WATCH);
      assert.ok(fromApk.classNames.length > 10);
      assert.deepEqual(comparable(fromVdex, prefix), comparable(fromApk));
      for (const e of fromVdex.endpoints) for (const l of e.locations) assert.ok(l.dex.startsWith(prefix));
    });
  }
});

test('without unquickening, invoke-virtual-quick hides watched calls (getImei, getSubscriberId …)', () => {
  const v = new Uint8Array(readFileSync(join(FIXTURES, 'qrd8953_android8.1_AutoRegistration.vdex')));
  const size = new DataView(v.buffer).getUint32(28 + 32, true);
  const raw = collectCodeFacts([parseDex(v.slice(28, 28 + size), 'classes.dex', 'raw')], WATCH);
  const fixed = collectCodeFacts(parseVdex(v, 'x').dexes, WATCH);
  const apis = (f: typeof raw) => f.apis.map((a) => a.api);
  assert.ok(apis(fixed).includes('com.android.internal.telephony.Phone.getImei'));
  assert.ok(!apis(raw).includes('com.android.internal.telephony.Phone.getImei'));
  assert.ok(apis(raw).length < apis(fixed).length);
});

describe('a ROM directory laid out as on a device', { skip: !hasTool('unzip') && 'unzip not installed' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'romscan-rom-'));
  const put = (from: string, rel: string) => { mkdirSync(dirname(join(root, rel)), { recursive: true }); copyFileSync(from, join(root, rel)); };
  // Android 8.1: an APK that still has its dex, next to its vdex; Android 9: odexed APKs (no dex).
  put(join(CORPUS, 'vendor', 'PHONEHOME_qcom_autoregistration_v3.0_qrd8953_android8.1.apk'), 'system/app/AutoRegistration/AutoRegistration.apk');
  put(join(FIXTURES, 'qrd8953_android8.1_AutoRegistration.vdex'), 'system/app/AutoRegistration/oat/arm64/AutoRegistration.vdex');
  put(join(CORPUS, 'vdex', 'miui_jason_android9_BasicDreams.apk'), 'system/priv-app/BasicDreams/BasicDreams.apk');
  put(join(CORPUS, 'vdex', 'miui_jason_android9_BasicDreams.vdex'), 'system/priv-app/BasicDreams/oat/arm64/BasicDreams.vdex');
  put(join(CORPUS, 'vdex', 'nokia_tas_android9_WallpaperBackup.apk'), 'system/priv-app/WallpaperBackup/WallpaperBackup.apk');
  put(join(CORPUS, 'vdex', 'nokia_tas_android9_WallpaperBackup.vdex'), 'system/priv-app/WallpaperBackup/oat/arm/WallpaperBackup.vdex');
  // The phone-home app odexed: the APK without classes.dex (as ROMs ship it), code only in the vdex.
  put(join(FIXTURES, 'qrd8953_android8.1_AutoRegistration.vdex'), 'system/priv-app/AutoRegOdexed/oat/arm64/AutoRegOdexed.vdex');
  put(join(CORPUS, 'vdex', 'miui_jason_android9_BasicDreams.apk'), 'system/priv-app/AutoRegOdexed/AutoRegOdexed.apk');

  test('an odexed phone-home app reports its endpoint and identifier API call sites from the vdex', () => {
    const { facts, from } = romAppFacts(root, 'system/priv-app/AutoRegOdexed/AutoRegOdexed.apk');
    assert.equal(from, 'system/priv-app/AutoRegOdexed/oat/arm64/AutoRegOdexed.vdex');
    const dex = 'oat/arm64/AutoRegOdexed.vdex!/classes.dex';
    assert.deepEqual(facts.endpoints.map((e) => [e.value, e.locations]), [['http://zzhc.vnet.cn', [{ dex, class: 'com.qualcomm.qti.autoregistration.RegistrationTask', method: 'post' }]]]);
    const api = (name: string) => facts.apis.find((a) => a.api === name)?.locations;
    assert.deepEqual(api('com.android.internal.telephony.Phone.getImei'), [{ dex, class: 'com.qualcomm.qti.service.DeviceInfoPool', method: 'getImei' }]);
    assert.deepEqual(api('com.android.internal.telephony.Phone.getMeid'), [{ dex, class: 'com.qualcomm.qti.service.DeviceInfoPool', method: 'getMeid' }]);
    assert.ok(api('android.telephony.TelephonyManager.getSimSerialNumber'));
    assert.ok(api('org.apache.http.client.HttpClient.execute'));
  });

  test('an APK that carries classes.dex is read from it, with the same facts as its vdex', () => {
    const own = romAppFacts(root, 'system/app/AutoRegistration/AutoRegistration.apk');
    assert.equal(own.from, 'system/app/AutoRegistration/AutoRegistration.apk');
    const odexed = romAppFacts(root, 'system/priv-app/AutoRegOdexed/AutoRegOdexed.apk');
    assert.deepEqual(comparable(odexed.facts, 'oat/arm64/AutoRegOdexed.vdex!/'), comparable(own.facts));
  });

  test('odexed Android 9 apps (CompactDex, any arch) get classes from their vdex', () => {
    const dreams = romAppFacts(root, 'system/priv-app/BasicDreams/BasicDreams.apk');
    assert.equal(dreams.from, 'system/priv-app/BasicDreams/oat/arm64/BasicDreams.vdex');
    assert.ok(dreams.facts.classNames.includes('com.android.dreams.basic.Colors'));
    const wb = romAppFacts(root, 'system/priv-app/WallpaperBackup/WallpaperBackup.apk');
    assert.equal(wb.from, 'system/priv-app/WallpaperBackup/oat/arm/WallpaperBackup.vdex');
    assert.deepEqual(wb.facts.dex.map((d) => d.name), ['oat/arm/WallpaperBackup.vdex!/classes.dex']);
  });

  test('cleanup', () => { rmSync(root, { recursive: true, force: true }); });
});

test('corpus vdex files without an APK dex still give facts (boot-QPerformance)', () => {
  const f = collectCodeFacts(parseVdex(corpusVdex('qrd8953_android8.1_boot-QPerformance.vdex'), 'x').dexes, WATCH);
  assert.ok(f.classNames.length === 6);
});

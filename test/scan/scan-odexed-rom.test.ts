// Issue 8: an odexed app in a ROM directory laid out as on a device
// (system/app/X/X.apk + system/app/X/oat/arm64/X.vdex) is analysed from its vdex.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { scanInput } from '../../src/scan/scan-input.js';

process.env.ROMSCAN_STRICT = '1';
const corpus = '../shared/corpus/vdex';
const dir = mkdtempSync(join(tmpdir(), 'romscan-odex-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function place(file: string, app: string, part: 'app' | 'priv-app', stripDex = false) {
  const base = join(dir, 'rom', 'system', part, app);
  mkdirSync(join(base, 'oat', 'arm64'), { recursive: true });
  if (stripDex) {
    // What an odexed build does: the APK keeps manifest and resources, the code lives in the vdex.
    const zip = new AdmZip(join(corpus, `${file}.apk`));
    zip.deleteFile('classes.dex');
    zip.writeZip(join(base, `${app}.apk`));
  } else {
    copyFileSync(join(corpus, `${file}.apk`), join(base, `${app}.apk`));
  }
  copyFileSync(join(corpus, `${file}.vdex`), join(base, 'oat', 'arm64', `${app}.vdex`));
}

test('odexed apps get their code facts from oat/<arch>/<name>.vdex', async () => {
  place('miui_jason_android9_BasicDreams', 'BasicDreams', 'app');
  place('nokia_tas_android9_WallpaperBackup', 'WallpaperBackup', 'priv-app');
  place('qrd8953_android8.1_CtRoamingSettings', 'CtRoamingSettings', 'app');
  place('qrd8953_android8.1_CtRoamingSettings', 'CtRoamingOdexed', 'app', true);
  const old = join(dir, 'rom', 'system', 'app', 'qcrilmsgtunnel');
  mkdirSync(join(old, 'arm'), { recursive: true });
  copyFileSync('test/fixtures/oat/lollipop_android5.1_qcrilmsgtunnel.apk', join(old, 'qcrilmsgtunnel.apk'));
  copyFileSync('test/fixtures/oat/lollipop_android5.1_qcrilmsgtunnel.odex', join(old, 'arm', 'qcrilmsgtunnel.odex'));
  const report = await scanInput(join(dir, 'rom'), { signaturesDir: 'signatures', jobs: 2 });
  assert.deepEqual(report.errors, []);
  const dreams = report.apps.find((a) => a.path.endsWith('BasicDreams.apk'))!;
  assert.ok(dreams.dex.length > 0, 'dex summaries from the vdex');
  assert.ok(dreams.dex.every((d) => d.name.startsWith('oat/arm64/BasicDreams.vdex!/classes')), JSON.stringify(dreams.dex));
  assert.ok(dreams.dex[0].classes > 0 && dreams.dex[0].methods > 0);
  const backup = report.apps.find((a) => a.path.endsWith('WallpaperBackup.apk'))!;
  assert.ok(backup.dex.length > 0);
  const locs = [...backup.endpoints, ...backup.apis].flatMap((x) => x.locations);
  assert.ok(locs.every((l) => l.dex.startsWith('oat/arm64/WallpaperBackup.vdex!/')), JSON.stringify(locs.slice(0, 3)));
  // An APK that still carries classes.dex is read from its own dex.
  const roaming = report.apps.find((a) => a.path.endsWith('CtRoamingSettings.apk'))!;
  assert.deepEqual(roaming.dex.map((d) => d.name), ['classes.dex']);
  // Android 5 layout: <app>/arm/<app>.odex, an OAT 045 ELF with the dex inside.
  const lollipop = report.apps.find((a) => a.path.endsWith('qcrilmsgtunnel.apk'))!;
  assert.ok(lollipop.dex.length > 0 && lollipop.dex[0].name.startsWith('arm/qcrilmsgtunnel.odex!/'), JSON.stringify(lollipop.dex));
  assert.ok(lollipop.dex[0].classes > 0);
  // The same app odexed: the API call site now comes from the vdex, same class and method.
  const odexed = report.apps.find((a) => a.path.endsWith('CtRoamingOdexed.apk'))!;
  const strip = (x: { api: string; locations: { dex: string; class: string; method: string }[] }[]) =>
    x.map((a) => ({ api: a.api, locations: a.locations.map((l) => `${l.class}.${l.method}`).sort() }));
  assert.ok(odexed.apis.length > 0);
  assert.deepEqual(strip(odexed.apis), strip(roaming.apis));
  assert.ok(odexed.apis.flatMap((a) => a.locations).every((l) => l.dex === 'oat/arm64/CtRoamingOdexed.vdex!/classes.dex'));
});

test('endpoints in ROM config files and daemons are reported at firmware level with their file', async () => {
  const rom = join(dir, 'rom2');
  mkdirSync(join(rom, 'system', 'etc'), { recursive: true });
  mkdirSync(join(rom, 'vendor', 'bin'), { recursive: true });
  writeFileSync(join(rom, 'system', 'etc', 'gps.conf'), 'XTRA_SERVER_1=http://xtrapath1.izatcloud.net/xtra3grc.bin\nNTP_SERVER=time.izatcloud.net\n');
  writeFileSync(join(rom, 'system', 'etc', 'apns-conf.xml'), '<apns><apn mmsc="http://mmsc.example.net/mms"/></apns>');
  // A daemon: printable runs inside binary bytes.
  writeFileSync(join(rom, 'vendor', 'bin', 'regd'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.from('\0\0http://zzhc.vnet.cn:9998/\0\x01\x02')]));
  const report = await scanInput(rom, { signaturesDir: 'signatures', jobs: 1 });
  const eps = new Map((report.firmware?.endpoints ?? []).map((e) => [e.value, e.locations.map((l) => l.dex)]));
  assert.deepEqual(eps.get('http://xtrapath1.izatcloud.net/xtra3grc.bin'), ['rom2/system/etc/gps.conf']);
  assert.deepEqual(eps.get('http://zzhc.vnet.cn:9998/'), ['rom2/vendor/bin/regd']);
  assert.equal(eps.has('http://mmsc.example.net/mms'), false, 'the APN list is left out');
});

test('an odexed phone-home app gets the same findings as the same app carrying its dex', async () => {
  // The app with dex is judged from what its worker found in its code; the odexed one at the end,
  // once its vdex code is merged in (scan/apk-task.ts toAppResult, rules/evaluate-app.ts).
  const apk = '../shared/corpus/vendor/PHONEHOME_qcom_autoregistration_v3.0_qrd8953_android8.1.apk';
  const vdex = 'test/fixtures/vdex/qrd8953_android8.1_AutoRegistration.vdex';
  const rom = join(dir, 'rom3');
  const base = (app: string) => join(rom, 'system', 'priv-app', app);
  mkdirSync(base('AutoReg'), { recursive: true });
  copyFileSync(apk, join(base('AutoReg'), 'AutoReg.apk'));
  mkdirSync(join(base('AutoRegOdexed'), 'oat', 'arm64'), { recursive: true });
  const zip = new AdmZip(apk);
  zip.deleteFile('classes.dex');
  zip.writeZip(join(base('AutoRegOdexed'), 'AutoRegOdexed.apk'));
  copyFileSync(vdex, join(base('AutoRegOdexed'), 'oat', 'arm64', 'AutoRegOdexed.vdex'));
  for (const jobs of [1, 2]) {
    const report = await scanInput(rom, { signaturesDir: 'signatures', jobs });
    // The rules that read the code (rewriting the APK without its dex drops its v2 signature, which others see).
    const fromCode = new Set(['phone-home', 'reads-personal-data', 'tracker-sdk']);
    const findings = (name: string) => JSON.stringify(report.apps.find((a) => a.path.endsWith(`/${name}.apk`))!.findings
      .filter((f) => fromCode.has(f.rule))).replaceAll(`oat/arm64/${name}.vdex!/`, '');
    const own = findings('AutoReg');
    assert.match(own, /"rule":"phone-home"/);
    assert.match(own, /linked \(class level\): com\.qualcomm\.qti\.autoregistration\.RegistrationTask → /);
    assert.equal(findings('AutoRegOdexed'), own, `--jobs ${jobs}`);
  }
});

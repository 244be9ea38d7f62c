import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBuildProp } from '../../src/firmware/rom-config/build-prop.js';
import { evaluateApp } from '../../src/rules/evaluate-app.js';
import { evaluateFirmware } from '../../src/rules/evaluate-firmware.js';
import { loadSignatures } from '../../src/rules/signatures.js';
import { ACTIVATION_CALLS, activationApp, benignApp, blankApp, blankReport, calls } from './helpers.js';

const sigs = loadSignatures();
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'rules');
const props = (file: string) => parseBuildProp(readFileSync(join(fixtures, file), 'utf8'));

describe('evaluateFirmware', () => {
  test('the QRD msm8953 userdebug/test-keys build', () => {
    const system = props('qrd8953-system.build.prop');
    const vendor = props('qrd8953-vendor.build.prop');
    const report = blankReport({ firmware: { containers: [], buildProps: { ...vendor, ...system }, partitions: { system, vendor } } });
    const fs = evaluateFirmware(report, sigs);
    assert.deepEqual(fs.map((f) => [f.rule, f.severity]), [['build-test-keys', 'high'], ['build-type-debug', 'medium']]);
    assert.deepEqual(fs[0]!.evidence.slice(0, 3), [
      'ro.build.tags=test-keys',
      'ro.build.fingerprint=Android/msm8953_64/msm8953_64:8.1.0/OPM1.171019.026/lnxbui09070644:userdebug/test-keys',
      'ro.vendor.build.fingerprint=Android/msm8953_64/msm8953_64:8.1.0/OPM1.171019.026/lnxbui09070644:userdebug/test-keys',
    ]);
    // Security patch 2018-07-05 on a 2018-09-07 build is 64 days: not stale.
    assert.equal(fs.find((f) => f.rule === 'security-patch-age'), undefined);
  });

  test('debuggable, insecure adb, stale patch, mock location', () => {
    const report = blankReport({ firmware: { containers: [], buildProps: {
      'ro.debuggable': '1', 'ro.secure': '0', 'ro.adb.secure': '0', 'persist.sys.usb.config': 'mtp,adb',
      'ro.build.version.security_patch': '2017-01-01', 'ro.build.date.utc': '1546300800', 'ro.allow.mock.location': '1', 'ro.build.type': 'user',
    } } });
    const got = Object.fromEntries(evaluateFirmware(report, sigs).map((f) => [f.rule, f]));
    assert.equal(got['ro-debuggable']!.severity, 'high');
    assert.equal(got['ro-secure-off']!.severity, 'high');
    assert.deepEqual(got['adb-insecure']!.evidence, ['ro.adb.secure=0', 'persist.sys.usb.config=mtp,adb']);
    assert.equal(got['security-patch-age']!.severity, 'medium');
    assert.match(got['security-patch-age']!.evidence[1]!, /patch level 730 days older than the build/);
    assert.equal(got['mock-location-allowed']!.severity, 'low');
    assert.equal(got['build-type-debug'], undefined);
  });

  test('a clean user build gets nothing; an APK report (firmware null) gets nothing', () => {
    const report = blankReport({ firmware: { containers: [], buildProps: { 'ro.build.tags': 'release-keys', 'ro.build.type': 'user', 'ro.debuggable': '0', 'ro.secure': '1' } } });
    assert.deepEqual(evaluateFirmware(report, sigs), []);
    assert.deepEqual(evaluateFirmware(blankReport({ firmware: null, apps: [activationApp()] }), sigs), []);
  });

  test('framework-res signed with the AOSP platform key is critical', () => {
    const framework = blankApp({ package: 'android', path: 'rom.zip!/system/framework/framework-res.apk', certificates: [{ sha256: 'C8A2E9BCCF597C2FB6DC66BEE293FC13F2FC47EC77BC6B2B0D52C11F51192AB8', subject: 'CN=Android' }] });
    const f = evaluateFirmware(blankReport({ apps: [framework] }), sigs);
    // The per-app summary steps down to info: the critical finding already covers every app.
    assert.deepEqual(f.map((x) => [x.rule, x.severity, x.package]), [['platform-test-key', 'critical', 'android'], ['apps-test-key-signed', 'info', undefined]]);
  });

  test('pre-installed apps on AOSP test keys are summarised once at ROM level', () => {
    const cert = { sha256: 'c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8', subject: 'CN=Android' };
    const apps = [
      blankApp({ package: 'com.a', path: 'rom!/system/app/A/A.apk', certificates: [cert], sharedUserId: 'android.uid.phone' }),
      blankApp({ package: 'com.b', path: 'rom!/system/app/B/B.apk', certificates: [{ sha256: 'a40da80a59d170caa950cf15c18c454d47a39b26989d8b640ecd745ba71bf5dc', subject: 'CN=Android' }] }),
      blankApp({ package: 'com.c', path: 'rom!/system/app/C/C.apk', certificates: [{ sha256: '0'.repeat(64), subject: 'CN=Vendor' }] }),
    ];
    const f = evaluateFirmware(blankReport({ apps }), sigs).find((x) => x.rule === 'apps-test-key-signed')!;
    assert.equal(f.severity, 'high');
    assert.equal(f.title, '2 pre-installed apps signed with public AOSP test keys');
    assert.deepEqual(f.evidence.slice(0, 2), ['com.a at rom!/system/app/A/A.apk: platform key (privileged/system)', 'com.b at rom!/system/app/B/B.apk: testkey key']);
    const onlyTestkey = evaluateFirmware(blankReport({ apps: [apps[1]!] }), sigs).find((x) => x.rule === 'apps-test-key-signed')!;
    assert.equal(onlyTestkey.severity, 'medium');
  });

  test('a regional activation client is summarised at ROM level with the region props', () => {
    const app = activationApp({ path: 'rom.zip!/system/app/Reg/Reg.apk' });
    app.findings = evaluateApp(app, { classNames: [], calls: calls(ACTIVATION_CALLS), inFirmware: true }, sigs);
    const benign = benignApp({ path: 'rom.zip!/system/app/News/News.apk' });
    benign.findings = evaluateApp(benign, { classNames: [], calls: calls([]), inFirmware: true }, sigs);
    const report = blankReport({ apps: [app, benign], firmware: { containers: [], buildProps: { 'ro.product.locale': 'zh-CN' } } });
    const f = evaluateFirmware(report, sigs).find((x) => x.rule === 'activation-client-present')!;
    assert.equal(f.severity, 'critical');
    assert.equal(f.title, 'Activation / phone-home client present: com.x.reg');
    assert.deepEqual(f.evidence, ['com.x.reg at rom.zip!/system/app/Reg/Reg.apk: phone-home critical', 'region: ro.product.locale=zh-CN']);
    assert.equal(f.path, 'rom.zip!/system/app/Reg/Reg.apk');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffReports, innerPath } from '../../src/diff/diff-reports.js';
import { renderDiffJson } from '../../src/diff/render-diff-json.js';
import { renderDiffMd } from '../../src/diff/render-diff-md.js';
import { renderDiffText } from '../../src/diff/render-diff-text.js';
import type { Report } from '../../src/report/model.js';
import { api, at, blankApp, blankReport, url } from '../rules/helpers.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'diff');
function golden(name: string, actual: string): void {
  const file = join(fixtures, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

/** Global and regional builds of one ROM: the regional one adds an activation client. */
function pair(): [Report, Report] {
  const settings = (over = {}) => blankApp({
    path: 'global.zip!/system/priv-app/Settings/Settings.apk', package: 'com.android.settings', versionCode: 28, versionName: '9',
    privileged: true, platformSigned: true, partition: 'system', sharedUserId: 'android.uid.system',
    permissions: { requested: ['android.permission.INTERNET'], declared: [] },
    components: [{ type: 'receiver', name: 'com.android.settings.Boot', exported: false, actions: ['android.intent.action.BOOT_COMPLETED'] }],
    certificates: [{ sha256: '1'.repeat(64), subject: 'CN=Vendor' }],
    ...over,
  });
  const a = blankReport({
    input: { name: 'global.zip', kind: 'firmware', sha256: '1'.repeat(64) },
    firmware: { containers: [], buildProps: { 'ro.product.name': 'phone_global', 'ro.build.version.security_patch': '2019-01-05', 'ro.product.locale': 'en-US' } },
    apps: [
      settings(),
      blankApp({ path: 'global.zip!/system/app/Old/Old.apk', package: 'com.vendor.old', versionCode: 1 }),
      blankApp({ path: 'global.zip!/system/app/Dup/Dup.apk', package: 'com.dup', versionCode: 1 }),
    ],
    findings: [{ rule: 'build-type-debug', severity: 'medium', title: 'Debug build type (userdebug/eng) shipped', evidence: ['ro.build.type=userdebug'] }],
  });
  const b = blankReport({
    input: { name: 'regional.zip', kind: 'firmware', sha256: '2'.repeat(64) },
    firmware: { containers: [], buildProps: { 'ro.product.name': 'phone_cn', 'ro.build.version.security_patch': '2019-01-05', 'ro.product.locale.region': 'CN' } },
    apps: [
      settings({
        path: 'regional.zip!/system/priv-app/Settings/Settings.apk', versionCode: 29, versionName: '9.1',
        permissions: { requested: ['android.permission.INTERNET', 'android.permission.READ_PHONE_STATE'], declared: [] },
        components: [{ type: 'receiver', name: 'com.android.settings.Boot', exported: true, actions: ['android.intent.action.BOOT_COMPLETED', 'android.intent.action.SIM_STATE_CHANGED'] }, { type: 'service', name: 'com.android.settings.Sync', exported: false, actions: [] }],
        endpoints: [url('http://stats.vendor.cn/s', at('com.android.settings.S', 'send'))],
        certificates: [{ sha256: 'c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8', subject: 'CN=Android' }],
        apis: [api('android.telephony.TelephonyManager.getImei', at('com.android.settings.S', 'collect'))],
      }),
      blankApp({ path: 'regional.zip!/system/app/Reg/Reg.apk', package: 'com.qualcomm.qti.autoregistration', versionCode: 3, versionName: '3.0',
        findings: [{ rule: 'phone-home', severity: 'high', title: 'Phone-home behaviour', evidence: ['sends to http://zzhc.vnet.cn'] }] }),
      blankApp({ path: 'regional.zip!/system/app/Dup/Dup.apk', package: 'com.dup', versionCode: 1 }),
      blankApp({ path: 'regional.zip!/data/app/Dup/Dup.apk', package: 'com.dup', versionCode: 2 }),
    ],
    findings: [
      { rule: 'build-type-debug', severity: 'medium', title: 'Debug build type (userdebug/eng) shipped', evidence: ['ro.build.type=userdebug'] },
      { rule: 'activation-client-present', severity: 'high', title: 'Activation / phone-home client present: com.qualcomm.qti.autoregistration', evidence: ['x'] },
    ],
  });
  return [a, b];
}

describe('diffReports', () => {
  test('reports exactly the differences', () => {
    const [a, b] = pair();
    const d = diffReports(a, b);
    assert.deepEqual(d.apps.added.map((x) => [x.package, x.path]), [
      ['com.dup', 'regional.zip!/data/app/Dup/Dup.apk'],
      ['com.qualcomm.qti.autoregistration', 'regional.zip!/system/app/Reg/Reg.apk'],
    ]);
    assert.deepEqual(d.apps.removed.map((x) => x.package), ['com.vendor.old']);
    assert.equal(d.apps.changed.length, 1);
    const c = d.apps.changed[0]!;
    assert.equal(c.package, 'com.android.settings');
    assert.deepEqual(c.changes, {
      versionCode: [28, 29],
      versionName: ['9', '9.1'],
      permissions: { added: ['android.permission.READ_PHONE_STATE'], removed: [] },
      endpoints: { added: ['http://stats.vendor.cn/s'], removed: [] },
      apis: { added: ['android.telephony.TelephonyManager.getImei'], removed: [] },
      certificates: { added: ['c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8 CN=Android'], removed: ['1111111111111111111111111111111111111111111111111111111111111111 CN=Vendor'] },
      components: {
        added: ['service com.android.settings.Sync'], removed: [],
        changed: ['receiver com.android.settings.Boot: exported false → true', 'receiver com.android.settings.Boot: actions +android.intent.action.SIM_STATE_CHANGED'],
      },
    });
    assert.deepEqual(d.findings.added.map((f) => [f.rule, f.severity, f.package ?? null]), [
      ['activation-client-present', 'high', null],
      ['phone-home', 'high', 'com.qualcomm.qti.autoregistration'],
    ]);
    assert.deepEqual(d.findings.removed, []);
    assert.deepEqual(d.buildProps.changed, {
      'ro.product.locale': ['en-US', null],
      'ro.product.locale.region': [null, 'CN'],
      'ro.product.name': ['phone_global', 'phone_cn'],
    });
    assert.deepEqual(d.summary, { appsAdded: 2, appsRemoved: 1, appsChanged: 1, findingsAdded: 2, findingsRemoved: 0, buildPropsChanged: 3, worstAdded: 'high' });
  });

  test('a report against itself has no differences; swapping sides swaps added and removed', () => {
    const [a, b] = pair();
    const same = diffReports(a, a);
    assert.deepEqual([same.apps, same.findings, same.buildProps], [{ added: [], removed: [], changed: [] }, { added: [], removed: [] }, { changed: {} }]);
    const ab = diffReports(a, b);
    const ba = diffReports(b, a);
    assert.deepEqual(ba.apps.added.map((x) => x.package), ab.apps.removed.map((x) => x.package));
    assert.deepEqual(ba.findings.removed.map((f) => f.rule), ab.findings.added.map((f) => f.rule));
    assert.deepEqual(ba.apps.changed[0]!.changes.versionCode, [29, 28]);
    assert.ok(renderDiffText(same).endsWith('no differences\n'));
  });

  test('JSON shape per INTERFACE.md', () => {
    const d = JSON.parse(renderDiffJson(diffReports(...pair())));
    assert.equal(d.schemaVersion, 1);
    for (const k of ['added', 'removed', 'changed']) assert.ok(Array.isArray(d.apps[k]));
    assert.ok(Array.isArray(d.findings.added) && Array.isArray(d.findings.removed));
    assert.equal(typeof d.buildProps.changed, 'object');
    assert.deepEqual(d.apps.changed[0].changes.permissions, { added: ['android.permission.READ_PHONE_STATE'], removed: [] });
  });

  test('inner paths line up inputs of different names', () => {
    assert.equal(innerPath('a.zip!/system.img!/app/X.apk'), 'system.img!/app/X.apk');
    assert.equal(innerPath('X.apk'), 'X.apk');
  });

  test('text and markdown goldens', () => {
    const d = diffReports(...pair());
    golden('global-vs-regional.golden.txt', renderDiffText(d));
    golden('global-vs-regional.golden.md', renderDiffMd(d));
  });
});

// End to end on the committed demo ROMs (built by samples/build.sh with mke2fs, img2simg, aapt,
// smali, apksigner): the activation client must be caught, the benign app must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanInput } from '../../src/scan/scan-input.js';
import { diffReports } from '../../src/diff/diff-reports.js';
import type { AppReport, Report } from '../../src/report/model.js';

process.env.ROMSCAN_STRICT = '1';
const signaturesDir = 'signatures';
const regionalPath = 'samples/rom/demo-regional/image-demo-regional.zip';
const globalPath = 'samples/rom/demo-global/image-demo-global.zip';

let regional: Report;
let global: Report;
const byPackage = (r: Report, pkg: string): AppReport => {
  const app = r.apps.find((a) => a.package === pkg);
  assert.ok(app, `${pkg} in report`);
  return app;
};
const rank = ['info', 'low', 'medium', 'high', 'critical'];

test('scans both demo ROMs through zip → sparse → ext4 without errors', async () => {
  regional = await scanInput(regionalPath, { signaturesDir, jobs: 2 });
  global = await scanInput(globalPath, { signaturesDir, jobs: 1 });
  for (const r of [regional, global]) {
    assert.equal(r.input.kind, 'firmware');
    assert.deepEqual(r.errors, []);
    const formats = new Set(r.firmware!.containers.map((c) => c.format));
    for (const f of ['zip', 'sparse', 'ext4']) assert.ok(formats.has(f), `container ${f}`);
  }
  assert.equal(regional.apps.length, global.apps.length + 1);
});

test('virtual paths name the chain of containers', () => {
  const app = byPackage(regional, 'com.example.selfregister');
  assert.equal(app.path, 'image-demo-regional.zip!/system.img!/system/priv-app/SelfRegister/SelfRegister.apk');
  assert.equal(app.partition, 'system');
});

test('the activation client gets a high-or-worse finding with class-level evidence', () => {
  const app = byPackage(regional, 'com.example.selfregister');
  assert.equal(app.privileged, true);
  assert.deepEqual(app.grants?.defaultGranted, ['android.permission.ACCESS_FINE_LOCATION', 'android.permission.READ_PHONE_STATE']);
  const high = app.findings.filter((f) => rank.indexOf(f.severity) >= rank.indexOf('high'));
  assert.ok(high.length > 0, 'a high finding');
  const evidence = high.flatMap((f) => f.evidence).join('\n');
  assert.match(evidence, /com\.example\.selfregister\.Registrar\.collect/);
  assert.match(evidence, /http:\/\/zzhc\.vnet\.cn:9998\//);
  assert.match(evidence, /BOOT_COMPLETED/);
});

test('the benign https app gets nothing high', () => {
  for (const r of [regional, global]) {
    const app = byPackage(r, 'com.example.weather');
    assert.deepEqual(app.findings.filter((f) => rank.indexOf(f.severity) >= rank.indexOf('high')), []);
  }
});

test('platform signature is recognised from framework-res.apk', () => {
  assert.equal(byPackage(regional, 'com.example.demo.settings').platformSigned, true);
  assert.equal(byPackage(regional, 'com.example.weather').platformSigned, false);
});

test('build.prop is read per partition and merged', () => {
  assert.equal(regional.firmware!.buildProps['ro.product.locale'], 'zh-CN');
  assert.ok(regional.firmware!.partitions?.system);
  assert.ok(regional.firmware!.partitions?.vendor);
});

test('the regional-vs-global diff reports the added client and the build.prop changes only', () => {
  const d = diffReports(global, regional);
  assert.deepEqual(d.apps.added.map((a) => a.package), ['com.example.selfregister']);
  assert.deepEqual(d.apps.removed, []);
  assert.deepEqual(d.apps.changed, []);
  assert.ok(Object.keys(d.buildProps.changed).includes('ro.product.locale'));
  assert.ok(d.findings.added.length > 0);
  assert.deepEqual(d.findings.removed, []);
});

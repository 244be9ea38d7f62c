// Frame tests: the real Browser in ink-testing-library at 80×24, driven through stdin, one
// describe per screen. Frames are compared by content (exact lines where layout matters).
import React from 'react';
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../../src/tui/model/build-model.js';
import { textWidth } from '../../../src/tui/text.js';
import { makeDiff, makeReport, makeSmallReport } from '../fixtures/make-report.js';
import { KEY, mount } from '../helpers.js';

const small = () => buildModel({ report: makeSmallReport(), names: ['rom-global.zip'] });
const withDiff = () => buildModel({ report: makeSmallReport(), base: makeReport(10, { region: 'CN' }), diff: makeDiff(), names: ['cn.zip', 'global.zip'] });

function assertFits(lines: string[], cols: number, rows: number) {
  assert.ok(lines.length <= rows - 1, `${lines.length} lines for ${rows} rows`);
  for (const l of lines) assert.ok(textWidth(l) <= cols, `line wider than ${cols}: ${JSON.stringify(l)}`);
}

describe('overview screen', () => {
  test('device, counts by partition and privilege, severities, top risky apps, errors', async () => {
    const ui = await mount(small());
    const f = ui.frame();
    const lines = ui.lines();
    assert.match(lines[0]!, /^romscan\s+1 Overview\s+2 Apps 12\s+3 Findings 7 .*rom-global\.zip$/);
    assert.match(f, /Model\s+Phone X/);
    assert.match(f, /Brand\s+Acme/);
    assert.match(f, /Fingerprint\s+Acme\/phonex\/phonex:13\/TQ3A\/GL:user\/release-keys/);
    assert.match(f, /Region\s+GL/);
    assert.match(f, /Android\s+13 \(SDK 33\)/);
    assert.match(f, /Security patch\s+2023-05-05/);
    assert.match(f, /by partition\s+product 3 {2}· {2}system 3 {2}· {2}system_ext 3 {2}· {2}vendor 3/);
    assert.match(f, /by privilege\s+platform 2 {2}· {2}privileged 2 {2}· {2}preinstalled 8 {2}· {2}user 0/);
    assert.match(lines.at(-2)!, /^ Overview\s+1\/\d+$/);
    assert.match(lines.at(-1)!, /j\/k move.*\? help {2}q quit/);
    // The rest is below the fold: G goes to the end, where the errors are.
    await ui.press('G');
    const end = ui.frame();
    assert.match(end, /ERRORS {2}1 in containers, 1 in 1 apps/);
    assert.match(end, /container: vendor\.img: bad superblock magic/);
    assert.match(end, /app com\.vendor0\.app00000 {2}dex: classes3\.dex: bad magic/);
    await ui.press('g', '/');
    await ui.type('TOP RISKY');
    await ui.press(KEY.enter, 'j');
    const top = ui.frame();
    assert.match(top, /TOP RISKY APPS {2}Enter opens/);
    assert.match(top, /critical 3 {2}· {2}high 2/);
    assert.match(top, /105 CRIT com\.vendor0\.app00000 {2}system · platform · 1 finding/);
    await ui.press(KEY.enter);
    assert.match(ui.lines().at(-2)!, /Overview › com\.vendor0\.app00000 › Findings/);
    ui.unmount();
  });
});

describe('apps screen', () => {
  test('list sorted by risk with its columns, and the position in the status bar', async () => {
    const ui = await mount(small());
    await ui.press('2');
    const lines = ui.lines();
    assert.equal(lines[1], '↓risk sev   package                                 partition  privilege   find');
    assert.match(lines[2]!, /^ {2}105 CRIT com\.vendor0\.app00000 +system +platform +1$/);
    assert.match(lines[3]!, /^ {2}101 CRIT com\.vendor7\.app00007 +system_ext +preinstalled +2$/);
    assert.match(lines.at(-2)!, /^ Apps +1\/12$/);
    assert.match(lines.at(-1)!, /Enter open {2}\/ search {2}s sort {2}f filter/);
    ui.unmount();
  });
  test('/ filters as you type, Enter keeps the filter, Esc clears it', async () => {
    const ui = await mount(small());
    await ui.press('2', '/');
    await ui.type('app0001');
    let lines = ui.lines();
    assert.match(lines.at(-2)!, /^ \/app0001▏ +1\/2$/);
    const shown = lines.slice(2, 21).filter((l) => l.trim());
    // Still in risk order: app 11 is platform-signed (risk 5), app 10 privileged (risk 3).
    assert.deepEqual(shown.map((l) => /com\.\S+/.exec(l)![0]), ['com.vendor11.app00011', 'com.vendor10.app00010']);
    await ui.press(KEY.enter);
    lines = ui.lines();
    assert.match(lines.at(-2)!, /2 of 12 apps/);
    await ui.press('j');
    assert.match(ui.lines().at(-2)!, /Apps {2}\[“app0001”\]/);
    await ui.press(KEY.esc);
    assert.match(ui.lines().at(-2)!, /^ Apps +\d+\/12$/);
    ui.unmount();
  });
  test('s opens the sort menu; n sorts by name', async () => {
    const ui = await mount(small());
    await ui.press('2', 's');
    const f = ui.frame();
    assert.match(f, /Sort apps by/);
    assert.match(f, /● r {2}risk \(riskiest first\)/);
    await ui.press('n');
    const lines = ui.lines();
    assert.doesNotMatch(ui.frame(), /Sort apps by/);
    assert.match(lines[1]!, /↓package/);
    assert.match(lines[2]!, /com\.vendor0\.app00000/);
    assert.match(lines[3]!, /com\.vendor1\.app00001/);
    assert.match(lines[4]!, /com\.vendor10\.app00010/);
    ui.unmount();
  });
  test('f quick filters: privileged only, then severity high or worse', async () => {
    const ui = await mount(small());
    await ui.press('2', 'f');
    assert.match(ui.frame(), /Filter apps[\s\S]*p {2}privileged or platform-signed only/);
    await ui.press('p');
    let names = ui.lines().slice(2, 21).filter((l) => /com\./.test(l)).map((l) => /com\.\S+/.exec(l)![0]);
    assert.deepEqual(names, ['com.vendor0.app00000', 'com.vendor11.app00011', 'com.vendor10.app00010', 'com.vendor5.app00005']);
    await ui.press('f', 'x', 'f', 'h');
    names = ui.lines().slice(2, 21).filter((l) => /com\./.test(l)).map((l) => /com\.\S+/.exec(l)![0]);
    assert.deepEqual(names, ['com.vendor0.app00000', 'com.vendor7.app00007', 'com.vendor6.app00006', 'com.vendor3.app00003']);
    ui.unmount();
  });
});

describe('app detail screen', () => {
  // 120 columns, so that content lines are not wrapped and each check reads one line.
  async function openApp0() {
    const ui = await mount(small(), { cols: 120 });
    await ui.press('2', KEY.enter);
    return ui;
  }
  test('manifest facts, with the sections listed on the left', async () => {
    const ui = await openApp0();
    const f = ui.frame();
    const lines = ui.lines();
    assert.match(lines[1]!, /^ com\.vendor0\.app00000 +│ Manifest/);
    for (const s of ['Manifest', 'Permissions  5', 'Components  2', 'Endpoints  2', 'API calls  1', 'Certificates  1', 'Findings  1', 'Errors  3']) {
      assert.ok(lines.some((l) => l.startsWith(s)), `left pane lists ${s}`);
    }
    assert.match(f, /Package +com\.vendor0\.app00000/);
    assert.match(f, /Label +Register/);
    assert.match(f, /Privilege +platform/);
    assert.match(f, /Shared user id +android\.uid\.system/);
    assert.match(f, /Debuggable +yes/);
    assert.match(lines.at(-2)!, /Apps › com\.vendor0\.app00000 › Manifest/);
    ui.unmount();
  });
  test('permissions grouped by protection level, pre-granted marked', async () => {
    const ui = await openApp0();
    await ui.press('j');
    const f = ui.frame();
    assert.match(f, /DANGEROUS {2}2\n.*│ {4}android\.permission\.READ_PHONE_STATE {2}\[pre-granted\]/);
    assert.match(f, /android\.permission\.RECEIVE_SMS/);
    assert.match(f, /UNKNOWN LEVEL/); // READ_PRIVILEGED_PHONE_STATE: not declared in this report, not in the built-in list
    assert.match(f, /READ_PRIVILEGED_PHONE_STATE {2}\[privapp allowlist\]/);
    assert.match(f, /NORMAL {2}1[\s\S]*android\.permission\.INTERNET/);
    ui.unmount();
  });
  test('components with exported marks and actions; endpoints with their call sites', async () => {
    const ui = await openApp0();
    await ui.press('j', 'j');
    let f = ui.frame();
    assert.match(f, /ACTIVITIES {2}1/);
    assert.match(f, /E com\.vendor0\.app00000\.Main {2}exported/);
    assert.match(f, /action android\.intent\.action\.BOOT_COMPLETED/);
    await ui.press('j');
    f = ui.frame();
    assert.match(f, /http:\/\/zzhc\.vnet\.cn:9998\/ {2}url · zzhc\.vnet\.cn/);
    assert.match(f, /at com\.vendor0\.app00000\.Register\.sendImei {2}classes2\.dex/);
    await ui.press('j');
    f = ui.frame();
    assert.match(f, /android\.telephony\.TelephonyManager\.getDeviceId {2}\[imei\] {2}1 call site/);
    assert.match(f, /at com\.vendor0\.app00000\.Id\.imei/);
    ui.unmount();
  });
  test('certificates, findings with evidence, errors and anomalies', async () => {
    const ui = await openApp0();
    await ui.press('j', 'j', 'j', 'j', 'j');
    let f = ui.frame();
    assert.match(f, /CERTIFICATE 1 {2}v1, v2/);
    assert.match(f, /Subject +CN=Android, O=Android/);
    assert.match(f, /Valid +2008-02-29 → 2035-07-17/);
    await ui.press('j');
    f = ui.frame();
    assert.match(f, /CRIT phone-home {2}Sends the IMEI to zzhc\.vnet\.cn/);
    assert.match(f, /- TelephonyManager\.getDeviceId in com\.vendor0\.app00000\.Register\.sendImei/);
    await ui.press('j');
    f = ui.frame();
    assert.match(f, /dex: classes3\.dex: bad magic {2}at 0x0/);
    assert.match(f, /manifest: duplicate <application> element ignored {2}at 0x2c0/);
    assert.match(f, /! v1 signature does not cover META-INF\/extra\.txt/);
    ui.unmount();
  });
  test('Tab moves into the content pane; Esc goes back to the list where it was', async () => {
    const ui = await openApp0();
    await ui.press(KEY.tab, 'j', 'j');
    assert.match(ui.lines().at(-2)!, /Manifest +3\/\d+$/);
    await ui.press(KEY.esc);
    assert.match(ui.lines().at(-2)!, /^ Apps +1\/12$/);
    ui.unmount();
  });
});

describe('findings screen', () => {
  test('grouped by rule, worst first; Enter on a finding opens its app', async () => {
    const ui = await mount(small());
    await ui.press('3');
    const lines = ui.lines();
    assert.match(lines[1]!, /^ Rules \(\d+\) +│ phone-home · 1/);
    assert.match(lines[2]!, /^CRIT +1 phone-home +│CRIT com\.vendor0\.app00000/);
    assert.match(ui.frame(), /HIGH +1 firmware-test…│/);
    await ui.press(KEY.enter, KEY.enter);
    assert.match(ui.lines().at(-2)!, /Findings › com\.vendor0\.app00000 › Findings/);
    await ui.press(KEY.esc);
    assert.match(ui.lines().at(-2)!, /^ Findings +1\/5$/, 'back on the findings, in the right-hand pane, where Enter was pressed');
    ui.unmount();
  });
});

describe('diff screen', () => {
  test('added / removed / changed apps with their changes, and build.prop changes', async () => {
    const ui = await mount(withDiff());
    assert.match(ui.lines()[0]!, /4 Diff/);
    await ui.press('4');
    let f = ui.frame();
    assert.match(f, /1 Added apps +│\+ com\.vendor1\.app00001/);
    assert.match(f, /1 Removed apps/);
    await ui.press('j', 'j');
    f = ui.frame();
    assert.match(f, /~ com\.vendor0\.app00000/);
    assert.match(f, /permissions {2}\+1 -0/);
    assert.match(f, /\+ android\.permission\.READ_SMS/);
    assert.match(f, /versionCode {2}1 → 2/);
    await ui.press('j');
    // Wrapped at the pane's width (55 columns at 80×24): the app goes to the next row.
    assert.match(ui.frame(), /\+ CRIT phone-home {2}Sends IMEI to zzhc\.vnet\.cn\n.*│ {2}\(com\.vendor0\.app00000\)/);
    await ui.press('j', 'j');
    f = ui.frame();
    assert.match(f, /│ro\.product\.locale\.region\n.*│ {2}- GL\n.*│ {2}\+ CN/);
    await ui.press('g', KEY.enter, KEY.enter);
    assert.match(ui.lines().at(-2)!, /Diff › com\.vendor1\.app00001 › Manifest/);
    ui.unmount();
  });
  test('without a diff, 4 explains how to get one', async () => {
    const ui = await mount(small());
    assert.doesNotMatch(ui.lines()[0]!, /4 Diff/);
    await ui.press('4');
    assert.match(ui.lines().at(-2)!, /no diff loaded: start with {2}romscan tui --diff A B/);
    ui.unmount();
  });
});

describe('help, sizes, and bad input', () => {
  test('? shows the keys; Esc closes', async () => {
    const ui = await mount(small());
    await ui.press('?');
    assert.match(ui.frame(), /KEYS[\s\S]*Tab {2}← → {2}h l +switch between the left and right panes/);
    await ui.press(KEY.esc);
    assert.match(ui.frame(), /DEVICE/);
    ui.unmount();
  });
  test('every screen fits 80×24 and follows a resize', async () => {
    const ui = await mount(withDiff());
    for (const keys of [[], ['2'], ['2', KEY.enter], ['2', KEY.enter, 'j'], ['3'], ['4'], ['?'], ['2', 'f']]) {
      await ui.press(KEY.esc, KEY.esc, '1', ...keys);
      assertFits(ui.lines(), 80, 24);
    }
    await ui.press(KEY.esc, KEY.esc, '2');
    await ui.resize(100, 30);
    assert.equal(ui.lines().length, 29);
    assert.match(ui.lines()[1]!, /package {30,}partition/);
    await ui.resize(50, 12);
    assertFits(ui.lines(), 50, 12);
    assert.equal(ui.lines().length, 11);
    await ui.resize(30, 6);
    assert.match(ui.frame(), /terminal too small \(30×6\)/);
    ui.unmount();
  });
  test('an empty report and a broken one browse without crashing', async () => {
    const empty = await mount(buildModel({ report: { schemaVersion: 1, tool: { name: 'romscan', version: '0' }, input: { name: 'x.apk', kind: 'apk', sha256: null }, firmware: null, apps: [], findings: [], errors: [] } }));
    assert.match(empty.frame(), /no firmware: a single APK was scanned/);
    await empty.press('2');
    assert.match(empty.frame(), /this report has no apps/);
    await empty.press(KEY.enter, '3');
    assert.match(empty.frame(), /no findings/);
    empty.unmount();
    const broken = await mount(buildModel({ report: { schemaVersion: 1, apps: [{ package: 42, findings: 'x' }, 7, { path: 'a.apk', label: '\x1b[31mred\x1b[0m' }] } }));
    await broken.press('G');
    assert.match(broken.frame(), /report: 1 app entries are not objects/);
    await broken.press('2', 'j', KEY.enter);
    // The ESC in the label is shown as text, never sent to the terminal.
    assert.match(broken.frame(), /Label +\\x1b\[31mred\\x1b\[0m/);
    await broken.press('G');
    assert.match(broken.frame(), /no errors/);
    broken.unmount();
  });
});

describe('export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-tui-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  test('e → j writes the filtered app list as JSON; e → m writes Markdown; the status bar shows the path', async () => {
    const ui = await mount(small(), { exportDir: dir });
    await ui.press('2', '/');
    await ui.type('vendor1');
    await ui.press(KEY.enter, 'e');
    assert.match(ui.frame(), /Export this view as/);
    await ui.press('j');
    // The file is written on libuv's thread pool: wait by the clock, not by event-loop turns,
    // and fail here rather than read a file still being written.
    const { waitForTimer } = await import('../helpers.js');
    await waitForTimer(() => /exported to/.test(ui.frame()));
    assert.match(ui.frame(), /exported to/);
    const status = ui.lines().at(-2)!;
    const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
    assert.match(file, /^romscan-apps-\d{8}-\d{6}\.json$/);
    assert.ok(status.includes(file), status);
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { shown: number; search: string; apps: { package: string }[] };
    assert.equal(data.search, 'vendor1');
    assert.deepEqual(data.apps.map((a) => a.package).sort(), ['com.vendor1.app00001', 'com.vendor10.app00010', 'com.vendor11.app00011']);
    await ui.press(KEY.enter, 'e', 'm');
    const exportedMd = () => /^exported to .*\.md$/.test(ui.state().message?.text ?? '');
    await waitForTimer(exportedMd);
    assert.ok(exportedMd(), ui.state().message?.text);
    const md = readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.md'))!), 'utf8');
    assert.match(md, /^# com\.vendor\d+\.app\d+/);
    assert.match(md, /## Permissions/);
    ui.unmount();
  });
});

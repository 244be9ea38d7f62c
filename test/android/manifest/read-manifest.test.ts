import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAxml } from '../../../src/android/axml/index.js';
import { parseArsc } from '../../../src/android/arsc/index.js';
import { buildClassName, protectionLevelToString, readManifest, type Manifest } from '../../../src/android/manifest/index.js';
import { doc, el, T, writeAxml, type WAttr, type WNode } from '../axml/axml-writer.js';
import { writeArsc } from '../arsc/arsc-writer.js';

const CRAFTED = join(import.meta.dirname, '../../fixtures/axml/crafted');
const fixture = (name: string) => readManifest(parseAxml(new Uint8Array(readFileSync(join(CRAFTED, name))), name), null);
const A = { label: 0x01010001, name: 0x01010003, permission: 0x01010006, protectionLevel: 0x01010009, sharedUserId: 0x0101000b, persistent: 0x0101000d,
  debuggable: 0x0101000f, exported: 0x01010010, authorities: 0x01010018, targetActivity: 0x01010202, minSdkVersion: 0x0101020c, versionCode: 0x0101021b,
  versionName: 0x0101021c, targetSdkVersion: 0x01010270, maxSdkVersion: 0x01010271, testOnly: 0x01010272, allowBackup: 0x01010280,
  usesCleartextTraffic: 0x010104ec, networkSecurityConfig: 0x01010527 };
const str = (name: keyof typeof A, v: string): WAttr => ({ name, resId: A[name], type: T.STRING, str: v });
const int = (name: keyof typeof A, v: number): WAttr => ({ name, resId: A[name], type: T.INT, data: v });
const bool = (name: keyof typeof A, v: boolean): WAttr => ({ name, resId: A[name], type: T.BOOL, data: v ? 0xffffffff : 0 });
const ref = (name: keyof typeof A, id: number): WAttr => ({ name, resId: A[name], type: T.REF, data: id });
const pkg = (v: string): WAttr => ({ ns: null, name: 'package', type: T.STRING, str: v });
const filter = (...actions: string[]) => el('intent-filter', [], ...actions.map((a) => el('action', [str('name', a)])));

function manifest(attrs: WAttr[], ...children: WNode[][]): Uint8Array {
  // Framework attributes must appear in resource-id order, as aapt writes them (see attr()).
  const sorted = (as: WAttr[]) => [...as].sort((x, y) => (x.resId ?? 0) - (y.resId ?? 0));
  const fix = (nodes: WNode[]): WNode[] => nodes.map((n) => (n.kind === 'start' ? { ...n, attrs: sorted(n.attrs) } : n));
  return writeAxml(fix(doc(el('manifest', [pkg('com.ex'), ...attrs], ...children))));
}
const read = (bytes: Uint8Array, arsc: Uint8Array | null = null): Manifest => readManifest(parseAxml(bytes, 'AndroidManifest.xml'), arsc ? parseArsc(arsc, 'resources.arsc') : null);

describe('readManifest on crafted evasion fixtures', () => {
  const plain = fixture('plain.axml');
  test('plain: every field', () => {
    const { anomalies, ...m } = plain;
    assert.deepEqual(anomalies, []);
    assert.deepEqual(m, {
      package: 'com.crafted.app', versionCode: 42, versionCodeMajor: null, versionName: '4.2', minSdk: 21, targetSdk: 30, maxSdk: null,
      label: 'Crafted', sharedUserId: null, requestedPermissions: ['android.permission.INTERNET', 'android.permission.READ_PHONE_STATE'],
      impliedPermissions: [], declaredPermissions: [],
      components: [
        { type: 'activity', name: 'com.crafted.app.Main', exported: true, actions: ['android.intent.action.MAIN'], exportedExplicit: false, permission: null },
        { type: 'service', name: 'com.crafted.app.Svc', exported: true, actions: ['com.crafted.START'], exportedExplicit: false, permission: null },
        { type: 'receiver', name: 'com.other.Boot', exported: false, actions: ['android.intent.action.BOOT_COMPLETED'], exportedExplicit: true, permission: null },
        { type: 'provider', name: 'com.crafted.app.Prov', exported: false, actions: [], exportedExplicit: false, permission: null, authorities: 'com.crafted.prov' },
      ],
      flags: { debuggable: true, allowBackup: null, usesCleartextTraffic: null, networkSecurityConfig: null, persistent: false, testOnly: false },
      applicationName: null,
    });
  });
  // Tricks Android tolerates: the model must come out exactly as for the plain file.
  for (const f of ['plain-utf8.axml', 'masked-attribute-names.axml', 'dummy-attributes.axml', 'file-header-size-16.axml', 'pool-header-size-36.axml',
    'node-header-size-24.axml', 'attribute-stride-24.axml', 'zero-sized-end-namespace.axml', 'unknown-chunk-before-pool.axml',
    'unknown-chunk-after-pool.axml', 'unknown-node-between-elements.axml', 'trailing-garbage.axml', 'cdata-text.axml', 'second-application.axml']) {
    test(`${f}: same model as plain`, () => {
      const m = fixture(f);
      const strip = ({ anomalies: _a, label: _l, ...rest }: Manifest) => rest;
      assert.deepEqual(strip(m), strip(plain));
      if (f !== 'plain-utf8.axml') assert.equal(m.label, 'Crafted');
    });
  }
  test('masked names are noticed', () => {
    assert.ok(fixture('masked-attribute-names.axml').anomalies.length === 0);
    const d = parseAxml(new Uint8Array(readFileSync(join(CRAFTED, 'masked-attribute-names.axml'))), 'm');
    assert.ok(d.anomalies.some((a) => /does not match its resource id 0x1010003 \(name\)/.test(a.message)), JSON.stringify(d.anomalies));
  });
  test('second <application> is ignored, as Android does', () => {
    assert.ok(fixture('second-application.axml').anomalies.some((a) => /more than one <application>/.test(a.message)));
  });
  test('unsorted attributes: Android does not see android:name after exported, so the activity is dropped', () => {
    const m = fixture('unsorted-attributes.axml');
    assert.deepEqual(m.components.map((c) => c.name), ['com.crafted.app.Svc', 'com.other.Boot', 'com.crafted.app.Prov']);
    assert.ok(m.anomalies.some((a) => /<activity> without android:name/.test(a.message)));
  });
  test('no resource map: found by name, flagged as invisible to Android', () => {
    const m = fixture('no-resource-map.axml');
    assert.equal(m.versionCode, 42);
    assert.ok(m.anomalies.some((a) => /has no resource id/.test(a.message)));
  });
  test('resource map after the first node: Android stops at it, nothing is read', () => {
    const m = fixture('resource-map-after-first-node.axml');
    assert.equal(m.package, null);
    assert.ok(m.anomalies.some((a) => /no root element/.test(a.message)));
  });
});

describe('readManifest rules (PackageParser)', () => {
  test('buildClassName', () => {
    assert.equal(buildClassName('com.ex', '.Foo'), 'com.ex.Foo');
    assert.equal(buildClassName('com.ex', 'Foo'), 'com.ex.Foo');
    assert.equal(buildClassName('com.ex', 'org.other.Foo'), 'org.other.Foo');
    assert.equal(buildClassName('com.ex', 'Foo$Bar'), 'com.ex.Foo$Bar');
  });

  test('exported defaults: intent filters below API 31, providers below API 17, filters without actions', () => {
    const app = (target: number) => manifest([],
      el('uses-sdk', [int('minSdkVersion', 14), int('targetSdkVersion', target)]),
      el('application', [],
        el('activity', [str('name', '.WithFilter')], filter('a.B')),
        el('activity', [str('name', '.EmptyFilter')], el('intent-filter', [])),
        el('activity', [str('name', '.Plain')]),
        el('receiver', [str('name', '.Explicit'), bool('exported', true)]),
        el('provider', [str('name', '.Prov'), str('authorities', 'a;b')]),
        el('activity-alias', [str('name', '.Alias'), str('targetActivity', 'Plain')], filter('x.Y')),
      ));
    const exported = (m: Manifest) => Object.fromEntries(m.components.map((c) => [c.name.slice(7), c.exported]));
    assert.deepEqual(exported(read(app(16))), { WithFilter: true, EmptyFilter: false, Plain: false, Explicit: true, Prov: true, Alias: true });
    assert.deepEqual(exported(read(app(30))), { WithFilter: true, EmptyFilter: false, Plain: false, Explicit: true, Prov: false, Alias: true });
    const m31 = read(app(31));
    assert.deepEqual(exported(m31), { WithFilter: false, EmptyFilter: false, Plain: false, Explicit: true, Prov: false, Alias: false });
    assert.ok(m31.anomalies.some((a) => /Android 12\+ refuses to install/.test(a.message)));
    const alias = m31.components.find((c) => c.type === 'activity-alias')!;
    assert.equal(alias.targetActivity, 'com.ex.Plain');
    assert.equal(m31.components.find((c) => c.type === 'provider')!.authorities, 'a;b');
  });

  test('component permission falls back to the application permission', () => {
    const m = read(manifest([], el('application', [str('permission', 'com.ex.APP')],
      el('service', [str('name', '.S1')]), el('service', [str('name', '.S2'), str('permission', 'com.ex.OWN')]))));
    assert.deepEqual(m.components.map((c) => c.permission), ['com.ex.APP', 'com.ex.OWN']);
  });

  test('permissions: unique in document order, only under <manifest>, no resource references', () => {
    const m = read(manifest([],
      el('uses-permission', [str('name', 'android.permission.INTERNET')]),
      el('uses-permission-sdk-23', [str('name', 'android.permission.CAMERA')]),
      el('uses-permission', [str('name', 'android.permission.INTERNET')]),
      el('uses-permission-sdk-m', [str('name', 'android.permission.SEND_SMS')]),
      el('uses-permission', [ref('name', 0x7f020000)]),
      el('permission', [str('name', 'com.ex.permission.X'), int('protectionLevel', 0x12)]),
      el('permission', [str('name', 'Short')]),
      el('application', [], el('uses-permission', [str('name', 'android.permission.READ_SMS')])),
    ));
    assert.deepEqual(m.requestedPermissions, ['android.permission.INTERNET', 'android.permission.CAMERA', 'android.permission.SEND_SMS']);
    assert.deepEqual(m.declaredPermissions, [{ name: 'com.ex.permission.X', protectionLevel: 'signature|privileged' }, { name: 'com.ex.Short', protectionLevel: 'normal' }]);
    assert.ok(m.anomalies.some((a) => /getNonResourceString/.test(a.message)));
    assert.ok(m.anomalies.some((a) => /outside <manifest> level/.test(a.message)));
  });

  test('protection levels', () => {
    assert.equal(protectionLevelToString(0), 'normal');
    assert.equal(protectionLevelToString(1), 'dangerous');
    assert.equal(protectionLevelToString(3), 'signature|privileged');
    assert.equal(protectionLevelToString(0x2 | 0x10 | 0x20 | 0x8000), 'signature|privileged|development|vendorPrivileged');
    assert.equal(protectionLevelToString(0x10000000 | 2), 'signature|0x10000000');
  });

  test('SDK defaults and codenames; versionCode is the unsigned low 32 bits', () => {
    const none = read(manifest([int('versionCode', -1)]));
    assert.deepEqual([none.minSdk, none.targetSdk, none.maxSdk, none.versionCode], [1, 1, null, 0xffffffff]);
    assert.deepEqual(none.impliedPermissions, ['android.permission.WRITE_EXTERNAL_STORAGE', 'android.permission.READ_PHONE_STATE', 'android.permission.READ_EXTERNAL_STORAGE']);
    const minOnly = read(manifest([], el('uses-sdk', [int('minSdkVersion', 19), int('maxSdkVersion', 28)])));
    assert.deepEqual([minOnly.minSdk, minOnly.targetSdk, minOnly.maxSdk], [19, 19, 28]);
    const code = read(manifest([], el('uses-sdk', [{ name: 'minSdkVersion', resId: A.minSdkVersion, type: T.STRING, str: 'Tiramisu' }])));
    assert.deepEqual([code.minSdk, code.targetSdk], [10000, 10000]);
    const twice = read(manifest([], el('uses-sdk', [int('minSdkVersion', 5)]), el('uses-sdk', [int('minSdkVersion', 9)])));
    assert.equal(twice.minSdk, 9, 'the last <uses-sdk> wins');
  });

  test('references resolve through the resource table; flags', () => {
    const arsc = writeArsc({
      typeNames: ['attr', 'string', 'xml', 'bool'],
      types: [
        { typeId: 2, entries: [{ key: 'app_name', value: { type: 3, str: 'My App' } }, { key: 'vn', value: { type: 1, data: 0x7f020002 } }, { key: 'vn2', value: { type: 3, str: '9.9' } }] },
        { typeId: 3, entries: [{ key: 'nsc', value: { type: 3, str: 'res/xml/network_security_config.xml' } }] },
        { typeId: 4, entries: [{ key: 'dbg', value: { type: 0x12, data: 1 } }] },
      ],
    });
    const bytes = manifest([ref('versionName', 0x7f020001), str('sharedUserId', 'android.uid.system')],
      el('application', [ref('label', 0x7f020000), ref('debuggable', 0x7f040000), bool('allowBackup', false), bool('usesCleartextTraffic', true),
        ref('networkSecurityConfig', 0x7f030000), bool('persistent', true), bool('testOnly', true), str('name', '.App')]));
    const m = read(bytes, arsc);
    assert.equal(m.label, 'My App');
    assert.equal(m.versionName, '9.9');
    assert.equal(m.sharedUserId, 'android.uid.system');
    assert.equal(m.applicationName, 'com.ex.App');
    assert.deepEqual(m.flags, { debuggable: true, allowBackup: false, usesCleartextTraffic: true, networkSecurityConfig: 'res/xml/network_security_config.xml', persistent: true, testOnly: true });
    const noTable = read(bytes);
    assert.equal(noTable.label, null);
    assert.equal(noTable.flags.networkSecurityConfig, '@0x7f030000');
    assert.ok(noTable.anomalies.some((a) => /no resource table/.test(a.message)));
  });

  test('actions are read by namespace and name, as ParsedIntentInfoUtils does', () => {
    const masked: WAttr = { name: 'name', poolName: 'xx', resId: A.name, type: T.STRING, str: 'hidden.ACTION' };
    const m = read(manifest([], el('application', [], el('receiver', [str('name', '.R')], el('intent-filter', [], el('action', [masked]), el('action', [str('name', 'seen.ACTION')]))))));
    assert.deepEqual(m.components[0].actions, ['seen.ACTION']);
    assert.ok(m.anomalies.some((a) => /Android looks it up by name/.test(a.message)));
  });

  test('a document whose root is not <manifest>', () => {
    const m = read(writeAxml(doc(el('resources', []))));
    assert.equal(m.package, null);
    assert.ok(m.anomalies.some((a) => /not <manifest>/.test(a.message)));
  });
});

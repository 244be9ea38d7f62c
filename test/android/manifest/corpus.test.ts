// Differential test: our manifest model against the oracles recorded for every corpus APK
// (`aapt dump badging`, `aapt dump xmltree`, androguard where aapt failed), and live against
// `aapt dump badging` for the real system/vendor apps in the corpus.
//
// Every disagreement is either normalised here with the reason (Android's behaviour decides) or
// fails the test; the agreement numbers are printed as diagnostics.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apkEntry } from './apk-entry.js';
import { parseAxml } from '../../../src/android/axml/index.js';
import { parseArsc } from '../../../src/android/arsc/index.js';
import { readManifest, type Manifest } from '../../../src/android/manifest/index.js';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus');
const APK_DIR = join(CORPUS, 'apk');
const COMPONENT_TYPES = ['activity', 'activity-alias', 'service', 'receiver', 'provider'] as const;

function load(apk: string): Manifest | null {
  const mx = apkEntry(apk, 'AndroidManifest.xml');
  if (mx === null) return null;
  const ar = apkEntry(apk, 'resources.arsc');
  return readManifest(parseAxml(mx, 'AndroidManifest.xml'), ar ? parseArsc(ar, 'resources.arsc') : null);
}

/** aapt prints versionCode='' / versionName='' when the attribute is absent. */
const blankToNull = (v: string | undefined) => (v === undefined || v === '' ? null : v);
/** A non-numeric SDK in badging is a codename, which Android reads as CUR_DEVELOPMENT (10000). */
const sdk = (v: string) => (/^\d+$/.test(v) ? Number(v) : 10000);

/** Disagreements where Android's behaviour says the oracle is wrong; each must still occur. */
const EXPLAINED: [RegExp, string][] = [
  [/^apktool-framework\.apk impliedPermissions: ours \[\] oracle \["android.permission.READ_EXTERNAL_STORAGE","android.permission.READ_PHONE_STATE","android.permission.WRITE_EXTERNAL_STORAGE"\]$/,
    'targetSdkVersion is the codename "VanillaIceCream"; aapt reads it as 0 and adds the pre-DONUT permissions, Android reads a codename as CUR_DEVELOPMENT (10000) and adds none'],
];

describe('manifest model vs corpus oracles', { skip: !existsSync(APK_DIR) && 'corpus not present' }, () => {
  const files = existsSync(APK_DIR) ? readdirSync(APK_DIR).filter((f) => f.endsWith('.apk')).sort() : [];

  test('badging fields, permissions and components agree with aapt (or androguard)', () => {
    const counts: Record<string, [number, number]> = {};
    const disagreements: string[] = [];
    const check = (file: string, field: string, ours: unknown, theirs: unknown) => {
      const c = (counts[field] ??= [0, 0]);
      c[1]++;
      if (JSON.stringify(ours) === JSON.stringify(theirs)) c[0]++;
      else disagreements.push(`${file} ${field}: ours ${JSON.stringify(ours)} oracle ${JSON.stringify(theirs)}`);
    };
    let parsed = 0, noManifest = 0;
    for (const f of files) {
      const exp = JSON.parse(readFileSync(join(APK_DIR, 'expected', `${f}.json`), 'utf8'));
      const m = load(join(APK_DIR, f));
      if (m === null) {
        // Only APKs without a manifest entry (or an empty zip) may come back empty.
        assert.ok(!exp.zip?.has_manifest, `${f}: manifest not extracted`);
        noManifest++;
        continue;
      }
      parsed++;
      const b = exp.badging ?? {};
      if (b.package !== undefined) {
        check(f, 'package', m.package, b.package);
        check(f, 'versionCode', m.versionCode === null ? null : String(m.versionCode), blankToNull(b.versionCode));
        check(f, 'versionName', m.versionName, blankToNull(b.versionName));
        // aapt prints no sdkVersion without <uses-sdk>; Android's default minSdkVersion is 1.
        check(f, 'minSdk', m.minSdk, b.minSdk === undefined ? 1 : sdk(b.minSdk));
        // aapt prints targetSdkVersion only when given; Android's default is the minSdkVersion.
        check(f, 'targetSdk', m.targetSdk, b.targetSdk === undefined ? m.minSdk : sdk(b.targetSdk));
        // `label` is aapt's application-label line; without it aapt says nothing we can compare.
        if (b.label !== undefined) check(f, 'label', m.label, b.label);
      }
      const x = exp.manifest?.aapt_xmltree?.package ? exp.manifest.aapt_xmltree : exp.manifest?.androguard;
      if (x?.package) {
        // Android keeps one entry per requested permission (PackageParser: `if (!contains(name)) add`);
        // the oracle lists duplicates as written.
        check(f, 'requestedPermissions', m.requestedPermissions, [...new Set(x.uses_permissions)]);
        check(f, 'declaredPermissions', m.declaredPermissions.map((d) => d.name), x.declared_permissions);
        for (const t of COMPONENT_TYPES) {
          const ours = m.components.filter((c) => c.type === t);
          check(f, `components.${t}`, ours.map((c) => c.name), x.components[t].map((c: { name: string }) => c.name));
          // The oracle records exported only where the manifest states it.
          x.components[t].forEach((c: { name: string; exported?: boolean | null }, i: number) => {
            if (typeof c.exported === 'boolean' && ours[i]) check(f, 'exported(explicit)', ours[i].exported, c.exported);
          });
          ours.forEach((c, i) => {
            const actions = x.components[t][i]?.actions;
            if (Array.isArray(actions)) check(f, 'actions', c.actions, [...new Set(actions)]);
          });
        }
      }
      // badging's uses-permission lines add the implied permissions Android grants old targetSdk values
      // (but leave out uses-permission-sdk-23, printed on lines of their own).
      if (Array.isArray(b.uses_permissions) && b.package !== undefined) {
        const theirsImplied = [...new Set(b.uses_permissions as string[])].filter((p) => !m.requestedPermissions.includes(p));
        check(f, 'impliedPermissions', [...m.impliedPermissions].sort(), theirsImplied.sort());
      }
    }
    for (const [k, [ok, n]] of Object.entries(counts)) console.log(`# agreement ${k}: ${ok}/${n}`);
    console.log(`# manifests parsed: ${parsed}, without manifest: ${noManifest}`);
    assert.deepEqual(disagreements.filter((d) => !EXPLAINED.some(([re]) => re.test(d))), [], 'unexplained disagreements');
    for (const [re, why] of EXPLAINED) assert.ok(disagreements.some((d) => re.test(d)), `explained disagreement no longer occurs: ${re} (${why})`);
    assert.ok(parsed >= 85, `parsed ${parsed} manifests`);
  });

  test('label is read from the XML string pool even where aapt prints none (apktool-issue1730)', () => {
    // aapt 0.2-debian prints `application: label=''` for this literal label (it looks the XML string index
    // up in the resource table's pool); Android's TypedArray reads the XML pool and shows the text.
    const m = load(join(APK_DIR, 'apktool-issue1730.apk'));
    assert.equal(m?.label, 'Empty Android App');
  });

  test('zero-sized end namespace: parsed like Android (apkinspector)', () => {
    const mx = apkEntry(join(APK_DIR, 'apkinspector-minimal_zero_sized_end_ns.apk'), 'AndroidManifest.xml')!;
    const doc = parseAxml(mx, 'AndroidManifest.xml');
    assert.equal(doc.root?.name, 'manifest');
    assert.ok(doc.anomalies.some((a) => /node 0x101: size 0x0/.test(a.message)), JSON.stringify(doc.anomalies));
    const m = readManifest(doc, parseArsc(apkEntry(join(APK_DIR, 'apkinspector-minimal_zero_sized_end_ns.apk'), 'resources.arsc')!, 'r'));
    assert.equal(m.package, 'com.erev0s.minimal');
    assert.equal(m.label, 'erev0s.com - Minimal');
    assert.deepEqual(m.components.map((c) => [c.name, c.exported]), [['com.erev0s.minimal.MainActivity', true]]);
  });
});

/** `aapt dump badging` parsed into the fields we compare. */
function badging(apk: string): { package?: string; versionCode?: string; versionName?: string; minSdk?: string; targetSdk?: string; label?: string; perms: string[] } | null {
  let out: string;
  try {
    out = execFileSync('aapt', ['dump', 'badging', apk], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  const r: ReturnType<typeof badging> = { perms: [] };
  const pkg = /^package: name='([^']*)' versionCode='([^']*)' versionName='([^']*)'/m.exec(out);
  if (!pkg) return null;
  [r.package, r.versionCode, r.versionName] = [pkg[1], pkg[2], pkg[3]];
  r.minSdk = /^sdkVersion:'([^']*)'/m.exec(out)?.[1];
  r.targetSdk = /^targetSdkVersion:'([^']*)'/m.exec(out)?.[1];
  r.label = /^application-label:'([^']*)'/m.exec(out)?.[1];
  for (const mm of out.matchAll(/^uses-permission: name='([^']*)'/gm)) r.perms.push(mm[1]);
  return r;
}

function hasAapt(): boolean {
  try { execFileSync('aapt', ['version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

describe('manifest model vs live aapt on real system and vendor apps', () => {
  const dirs = [join(CORPUS, 'vendor'), join(CORPUS, 'firmware-real/iris_hp4024/system-apks')];
  const apks: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const e of readdirSync(d, { recursive: true, withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith('.apk')) apks.push(join(e.parentPath, e.name));
    }
  }
  test('package, versions, SDKs, label, permissions', { skip: (!hasAapt() && 'aapt not installed') || (apks.length === 0 && 'corpus not present') }, () => {
    let agree = 0, total = 0;
    const disagreements: string[] = [];
    for (const apk of apks.sort()) {
      const b = badging(apk);
      const m = load(apk);
      if (b === null || m === null) { disagreements.push(`${apk}: aapt ${b !== null} ours ${m !== null}`); continue; }
      const pairs: [string, unknown, unknown][] = [
        ['package', m.package, b.package],
        ['versionCode', m.versionCode === null ? null : String(m.versionCode), blankToNull(b.versionCode)],
        ['versionName', m.versionName, blankToNull(b.versionName)],
        ['minSdk', m.minSdk, b.minSdk === undefined ? 1 : sdk(b.minSdk)],
        ['targetSdk', m.targetSdk, b.targetSdk === undefined ? m.minSdk : sdk(b.targetSdk)],
        ['permissions', [...m.requestedPermissions, ...m.impliedPermissions].sort(), [...new Set(b.perms)].sort()],
      ];
      if (b.label !== undefined) pairs.push(['label', m.label ?? m.package, b.label]);
      for (const [k, ours, theirs] of pairs) {
        total++;
        if (JSON.stringify(ours) === JSON.stringify(theirs)) agree++;
        else disagreements.push(`${apk} ${k}: ours ${JSON.stringify(ours)} aapt ${JSON.stringify(theirs)}`);
      }
    }
    console.log(`# live aapt agreement on ${apks.length} system/vendor apps: ${agree}/${total}`);
    assert.deepEqual(disagreements, []);
  });
});

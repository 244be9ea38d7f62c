// Evasion findings over real parser output: crafted APKs (test/fixtures/evasion, built from a
// corpus APK by build/build-evasion.ts, with what aapt / apksigner / Python zipfile say about each
// recorded in expected.json), the corpus's own evasion APKs (Janus PoC, certificate confusion,
// mismatched methods, traversal signature names), and the whole corpus as a false-positive check.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource } from '../../src/io/source.js';
import { analyzeApk } from '../../src/scan/analyze-apk.js';
import { parseAxml } from '../../src/android/axml/parse-axml.js';
import { readManifest } from '../../src/android/manifest/index.js';
import { evasionFindings, EVASION_RULES } from '../../src/rules/evasion.js';
import type { AppReport } from '../../src/report/model.js';
import { blankApp } from './helpers.js';

const FIXTURES = new URL('../fixtures/evasion/', import.meta.url).pathname;
const CORPUS = new URL('../../../shared/corpus/', import.meta.url).pathname;
const haveCorpus = existsSync(join(CORPUS, 'apk/fdroid-janus.apk'));
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, {
  aaptPackage: string | null; aaptError: string | null; aaptPermissions: string[]; apksignerVerifies: boolean; apksignerV1: boolean;
  pythonZipfile: { manifestBytes?: number; readError?: string; names?: number; unique?: number };
}>;

async function app(file: string): Promise<AppReport> {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return (await analyzeApk(new BufferSource(readFileSync(file), name), { watch: new Map() })).app;
}

const summary = (a: AppReport) => evasionFindings(a).map((f) => `${f.rule}:${f.severity}`).sort();

describe('crafted evasion APKs', () => {
  test('Janus: a dex in front of a v1-signed zip is apk-janus, high; apksigner still verifies it, libziparchive refuses it', async () => {
    const x = expected['janus-dex-prepended.apk'];
    assert.equal(x.apksignerV1, true);
    assert.match(x.aaptError!, /offset zero has invalid LFH signature/);
    const a = await app(join(FIXTURES, 'janus-dex-prepended.apk'));
    assert.deepEqual(summary(a), ['apk-janus:high']);
    const f = evasionFindings(a)[0];
    assert.match(f.evidence[0], /^8668 bytes sit in front of the first zip entry/); // the dex is 8668 bytes
    assert.ok(f.references!.includes('https://nvd.nist.gov/vuln/detail/CVE-2017-13156'));
    // What the zip part says (the APK Android verified): the original package.
    assert.equal(a.package, 'org.t0t0.androguard.TC');
  });

  test('Janus on an APK that only v2+ covers, or that no vulnerable Android installs, is medium', () => {
    const anomalies = [{ stage: 'zip', message: 'file does not start with a local file header (100 bytes before the first entry, Janus-style prefix; Android with the 2017 security patches refuses it)', offset: 0 }];
    const v2only = blankApp({ anomalies, signing: { schemes: ['v2'], signed: true, problems: [] } });
    const newOnly = blankApp({ anomalies, minSdk: 28, signing: { schemes: ['v1', 'v2'], signed: true, problems: [] } });
    const old = blankApp({ anomalies, minSdk: 21, signing: { schemes: ['v1', 'v2'], signed: true, problems: [] } });
    assert.deepEqual([v2only, newOnly, old].map(summary), [['apk-janus:medium'], ['apk-janus:medium'], ['apk-janus:high']]);
  });

  for (const [file, entry] of [['zip-duplicate-manifest.apk', 'AndroidManifest.xml'], ['zip-duplicate-dex.apk', 'classes.dex']] as const) {
    test(`duplicate ${entry}: apk-duplicate-entries, high; romscan reads the first copy, Python zipfile the last`, async () => {
      const x = expected[file];
      assert.equal(x.aaptError, `Zip: Found duplicate entry ${entry}`);
      assert.equal(x.pythonZipfile.names! - x.pythonZipfile.unique!, 1);
      const a = await app(join(FIXTURES, file));
      assert.deepEqual(summary(a), ['apk-duplicate-entries:high']);
      assert.match(evasionFindings(a)[0].evidence[0], new RegExp(`1 duplicated name\\(s\\): "${entry.replace('.', '\\.')}"`));
      assert.equal(a.package, 'org.t0t0.androguard.TC');
      if (entry === 'AndroidManifest.xml') assert.equal(x.pythonZipfile.manifestBytes, 2560); // Python sees the crafted copy
      if (entry === 'classes.dex') assert.equal(a.dex.length, 1);
    });
  }

  test('encryption flag on every entry: apk-zip-tampering; Android (aapt) ignores it, Python zipfile refuses', async () => {
    const x = expected['zip-encrypted-flag.apk'];
    assert.equal(x.pythonZipfile.readError, 'RuntimeError');
    const a = await app(join(FIXTURES, 'zip-encrypted-flag.apk'));
    assert.deepEqual(summary(a), ['apk-zip-tampering:medium']);
    assert.equal(a.package, x.aaptPackage);
    assert.deepEqual(a.permissions.requested.filter((p) => x.aaptPermissions.includes(p)).sort(), [...new Set(a.permissions.requested)].sort());
  });

  test('local header method differs from the central directory: apk-zip-tampering; Android reads the central one', async () => {
    const a = await app(join(FIXTURES, 'zip-local-header-method-mismatch.apk'));
    assert.deepEqual(summary(a), ['apk-zip-tampering:medium']);
    assert.equal(a.package, expected['zip-local-header-method-mismatch.apk'].aaptPackage);
    assert.ok(evasionFindings(a)[0].evidence.some((e) => /local header says compression method 0, central directory says 8/.test(e)));
  });

  test('a manifest whose size field lies: manifest-tampering (Android rejects it: aapt "Bad XML block")', async () => {
    assert.match(expected['manifest-wrong-file-size.apk'].aaptError!, /Bad XML block/);
    const a = await app(join(FIXTURES, 'manifest-wrong-file-size.apk'));
    assert.deepEqual(summary(a), ['manifest-tampering:medium']);
  });

  for (const file of ['manifest-masked-attribute-names.apk', 'manifest-unsorted-attributes.apk']) {
    test(`${file}: the report shows what aapt (ResXMLTree) reads`, async () => {
      const a = await app(join(FIXTURES, file));
      const x = expected[file];
      assert.equal(a.package, x.aaptPackage);
      assert.deepEqual([...a.permissions.requested].sort(), x.aaptPermissions);
    });
  }
});

describe('manifest tricks, from the AXML parser', () => {
  /** The anomalies analyze-apk should forward for a manifest: the AXML parser's and the manifest model's. */
  const manifestAnomalies = (file: string) => {
    const doc = parseAxml(readFileSync(file), 'AndroidManifest.xml');
    return [...doc.anomalies, ...readManifest(doc, null).anomalies];
  };
  const AXML = new URL('../fixtures/axml/', import.meta.url).pathname;

  const cases: [string, string][] = [
    ['crafted/masked-attribute-names.axml', 'manifest-tampering:medium'],
    ['crafted/dummy-attributes.axml', 'manifest-tampering:medium'],
    ['crafted/unsorted-attributes.axml', 'manifest-tampering:medium'],
    ['crafted/second-application.axml', 'manifest-tampering:medium'],
    ['crafted/no-resource-map.axml', 'manifest-tampering:medium'],
    ['crafted/resource-map-after-first-node.axml', 'manifest-tampering:medium'],
    ['crafted/unknown-chunk-before-pool.axml', 'manifest-tampering:low'],
    ['crafted/trailing-garbage.axml', 'manifest-tampering:low'],
    ['crafted/zero-sized-end-namespace.axml', 'manifest-tampering:low'],
    ['androguard/AndroidManifestLiapp.xml', 'manifest-tampering:medium'],
    ['androguard/AndroidManifest_NamespaceInAttributeName.xml', 'manifest-tampering:medium'],
    ['androguard/AndroidManifest_StringNotTerminated.xml', 'manifest-tampering:medium'],
    ['androguard/AndroidManifest_WrongChunkStart.xml', 'manifest-tampering:low'],
  ];
  for (const [file, want] of cases) {
    test(`${file} → ${want}`, () => {
      assert.deepEqual(summary(blankApp({ anomalies: manifestAnomalies(join(AXML, file)) })), [want]);
    });
  }

  test('ordinary manifests (aapt-built, and odd but honest ones) give nothing', () => {
    for (const file of ['crafted/plain.axml', 'crafted/plain-utf8.axml', 'crafted/attribute-stride-24.axml', 'crafted/utf16-two-unit-length.axml',
      'androguard/AndroidManifest.xml', 'androguard/AndroidManifest-Chinese.xml', 'androguard/AndroidManifestUTF8Strings.xml']) {
      assert.deepEqual(summary(blankApp({ anomalies: manifestAnomalies(join(AXML, file)) })), [], file);
    }
  });

  test('evidence is capped and says what Android does', () => {
    const [f] = evasionFindings(blankApp({ anomalies: manifestAnomalies(join(AXML, 'androguard/AndroidManifest_NamespaceInAttributeName2.xml')) }));
    assert.equal(f.evidence.length, 9);
    assert.match(f.evidence[8], /^… and \d+ more$/);
    assert.match(f.evidence[0], /PackageManager, which goes by resource ids/);
  });

  test('manifest anomalies reach the app report through analyze-apk', async () => {
    assert.deepEqual(summary(await app(join(FIXTURES, 'manifest-masked-attribute-names.apk'))), ['manifest-tampering:medium']);
    assert.deepEqual(summary(await app(join(FIXTURES, 'manifest-unsorted-attributes.apk'))), ['manifest-tampering:medium']);
  });
});

describe('corpus evasion APKs', { skip: !haveCorpus && 'corpus absent' }, () => {
  /** Every corpus APK that carries a known trick, and what it is; everything else must give nothing. */
  const KNOWN: Record<string, string[]> = {
    'fdroid-janus.apk': ['apk-janus:high'],
    'apksig-mismatched-compression-method.apk': ['apk-zip-tampering:medium'],
    'apksig-v2-only-garbage-between-cd-and-eocd.apk': ['apk-zip-tampering:low'],
    'apktool-issue1589.apk': ['apk-signature-confusion:medium'],
    'fdroid-issue-1128-poc3a.apk': ['apk-signature-confusion:high'],
    'apkinspector-minimal_zero_sized_end_ns.apk': ['manifest-tampering:low'],
  };

  test('the corpus: exactly the known evasion APKs raise evasion findings (no false positives)', async () => {
    const got: Record<string, string[]> = {};
    for (const dir of ['apk', 'vendor']) {
      for (const f of readdirSync(join(CORPUS, dir)).filter((n) => n.endsWith('.apk'))) {
        const s = summary(await app(join(CORPUS, dir, f)));
        if (s.length) got[f] = s;
      }
    }
    assert.deepEqual(got, KNOWN);
  });

  test('fdroid-issue-1128 poc3a: the certificate tools pin is not the signer', async () => {
    const a = await app(join(CORPUS, 'apk/fdroid-issue-1128-poc3a.apk'));
    const [f] = evasionFindings(a);
    assert.ok(f.evidence.some((e) => /signer certificate is #2 of 2/.test(e)));
    assert.ok(f.references!.includes('https://gitlab.com/fdroid/fdroidserver/-/issues/1128'));
  });

  test('zero-sized end namespace (apkInspector) is manifest tampering', async () => {
    assert.deepEqual(summary(await app(join(CORPUS, 'apk/apkinspector-minimal_zero_sized_end_ns.apk'))), ['manifest-tampering:low']);
  });
});

test('every rule has a title', () => {
  assert.deepEqual(Object.keys(EVASION_RULES).sort(), ['apk-duplicate-entries', 'apk-janus', 'apk-signature-confusion', 'apk-zip-tampering', 'manifest-tampering']);
});

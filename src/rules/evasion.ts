// Evasion findings: parser-confusion tricks an APK carries on purpose. The parsers accept what
// Android accepts, read it the way Android does (so the report already shows what Android sees),
// and record each oddity as an anomaly; this module turns the anomalies that are known tricks into
// findings. It is a pure function of the AppReport, so it can run in the scan or over a saved
// report. Anomalies are matched by the parsers' own wording (zip: src/formats/zip, axml:
// src/android/axml, manifest: src/android/manifest, signature: src/android/apk); the tests run the
// real parsers over crafted APKs, so a reworded message fails a test rather than a finding going
// silently missing.
import type { AppReport, Finding, Severity } from '../report/model.js';

export const EVASION_RULES = {
  'apk-janus': 'Data prepended to the APK (Janus, CVE-2017-13156)',
  'apk-duplicate-entries': 'APK holds duplicate zip entries (readers disagree on which copy counts)',
  'apk-zip-tampering': 'Zip structure crafted so tools and Android read the APK differently',
  'manifest-tampering': 'Binary AndroidManifest.xml crafted to mislead analysis tools',
  'apk-signature-confusion': 'Signature block crafted so verifiers disagree on the signer',
} as const;
export type EvasionRule = keyof typeof EVASION_RULES;

const REF = {
  janusCve: 'https://nvd.nist.gov/vuln/detail/CVE-2017-13156',
  bulletin201712: 'https://source.android.com/docs/security/bulletin/2017-12-01',
  masterKeyCve: 'https://nvd.nist.gov/vuln/detail/CVE-2013-4787',
  libziparchive: 'https://android.googlesource.com/platform/system/libziparchive/+/refs/heads/main/zip_archive.cc',
  resXmlTree: 'https://android.googlesource.com/platform/frameworks/base/+/refs/heads/main/libs/androidfw/ResourceTypes.cpp',
  apkInspector: 'https://github.com/erev0s/apkInspector',
  androguardAxml: 'https://github.com/androguard/androguard/blob/master/androguard/core/axml/__init__.py',
  fdroid1128: 'https://gitlab.com/fdroid/fdroidserver/-/issues/1128',
  apkSigning: 'https://source.android.com/docs/security/features/apksigning',
};

/** Evidence lists are capped: a tampered file may repeat one trick hundreds of times. */
const MAX_EVIDENCE = 8;

/** Android releases that load a Janus dex: 5.0 (API 21) up to 8.0 (API 26) before the 2017-12 patch. */
const JANUS_FIXED_SDK = 27;

/** Entries whose second copy would change what runs or what is verified. */
const SENSITIVE_ENTRY = /^(AndroidManifest\.xml|classes\d*\.dex|resources\.arsc|META-INF\/.*|lib\/.*\.so)$/;

type Anomaly = NonNullable<AppReport['anomalies']>[number];

interface Pattern {
  stage: string | RegExp;
  match: RegExp;
  /** 'strong' tricks make tools and Android disagree about content; 'weak' ones only break strict readers. */
  weight: 'strong' | 'weak';
}

/** Zip oddities that are tricks (anything else the zip reader notes is ordinary sloppiness). */
const ZIP_TRICKS: Pattern[] = [
  { stage: 'zip', match: /local header says compression method/, weight: 'strong' },
  { stage: 'zip', match: /local header name( length)? .*(differs from|!=) the central directory|local header name length/, weight: 'strong' },
  { stage: 'zip', match: /local header sizes\/crc .* differ from the central directory/, weight: 'strong' },
  { stage: 'zip', match: /runs into the central directory/, weight: 'strong' },
  { stage: 'zip', match: /has the encryption flag set/, weight: 'strong' },
  { stage: 'zip', match: /uses compression method \d+ \(libziparchive cannot extract it\)/, weight: 'strong' },
  { stage: 'zip', match: /is not valid UTF-8 or contains NUL/, weight: 'strong' },
  { stage: 'zip', match: /^EOCD signature at .* is not followed by its comment/, weight: 'strong' },
  { stage: 'zip', match: /^stored entry .* has compressed size .* != uncompressed/, weight: 'strong' },
  { stage: 'zip', match: /disagree on the data-descriptor flag/, weight: 'weak' },
  { stage: 'zip', match: /bytes between the central directory and the EOCD/, weight: 'weak' },
  { stage: 'zip', match: /extraneous bytes after the EOCD comment|EOCD comment length .* runs .* past end of file/, weight: 'weak' },
  { stage: 'zip', match: /^EOCD disk numbers|^EOCD entries on this disk/, weight: 'weak' },
  { stage: 'zip', match: /^yauzl rejected the archive/, weight: 'weak' },
];

/**
 * Manifest tricks that hide or fake values: a name-keyed reader (androguard's older versions,
 * apktool, many scanners) sees one manifest and PackageManager, which looks attributes up by
 * resource id and stops where ResXMLTree stops, sees another.
 */
const MANIFEST_MASKING: Pattern[] = [
  { stage: 'axml', match: /does not match its resource id/, weight: 'strong' },
  { stage: 'axml', match: /follows a larger or equal resource id; Android does not see it/, weight: 'strong' },
  { stage: 'axml', match: /a second top-level element; Android reads only the first/, weight: 'strong' },
  { stage: 'axml', match: /Android stops parsing here/, weight: 'strong' },
  { stage: 'manifest', match: /has no resource id; Android looks manifest attributes up by id and would not see it/, weight: 'strong' },
  { stage: 'manifest', match: /name is found only by resource id \(its name string is masked\)/, weight: 'strong' },
  { stage: 'manifest', match: /more than one <application>; Android uses only the first/, weight: 'strong' },
  { stage: 'manifest', match: /directly under <manifest> is ignored by Android|outside <manifest> level is ignored by Android/, weight: 'strong' },
  { stage: 'manifest', match: /more than one <uses-sdk>; the last one wins/, weight: 'weak' },
];

/** Any other AXML oddity in the manifest is structural tampering (bad chunk sizes, unknown chunks, broken pools). */
const MANIFEST_STRUCTURE: Pattern = { stage: 'axml', match: /./, weight: 'weak' };

const SIGNATURE_TRICKS: Pattern[] = [
  { stage: 'signature', match: /signer certificate is #\d+ of \d+; tools that take the first certificate report/, weight: 'strong' },
  { stage: 'signature', match: /signature block name .* has path components/, weight: 'weak' },
];

const matches = (a: Anomaly, p: Pattern) => (typeof p.stage === 'string' ? a.stage === p.stage : p.stage.test(a.stage)) && p.match.test(a.message);

function cite(a: Anomaly): string {
  return a.offset !== undefined ? `${a.message} (at 0x${a.offset.toString(16)})` : a.message;
}

function cap(lines: string[]): string[] {
  const unique = [...new Set(lines)];
  return unique.length <= MAX_EVIDENCE ? unique : [...unique.slice(0, MAX_EVIDENCE), `… and ${unique.length - MAX_EVIDENCE} more`];
}

function finding(rule: EvasionRule, severity: Severity, evidence: string[], references: string[]): Finding {
  return { rule, severity, title: EVASION_RULES[rule], evidence: cap(evidence), references: [...new Set(references)].sort() };
}

export function evasionFindings(app: AppReport): Finding[] {
  const anomalies = app.anomalies ?? [];
  if (!anomalies.length) return [];
  const out: Finding[] = [];
  const schemes = app.signing?.schemes ?? [];
  const v1 = app.signing === undefined || schemes.includes('v1') || !app.signing.signed;

  const janus = anomalies.filter((a) => a.stage === 'zip' && /Janus-style prefix/.test(a.message));
  if (janus.length) {
    const bytes = /\((\d+) bytes before the first entry/.exec(janus[0].message)?.[1];
    const reachable = v1 && (app.minSdk === null || app.minSdk < JANUS_FIXED_SDK);
    out.push(finding('apk-janus', reachable ? 'high' : 'medium', [
      `${bytes ?? 'some'} bytes sit in front of the first zip entry: the file is both something else (a dex file, in the Janus attack) and a valid zip`,
      `signing: ${schemes.length ? schemes.join('+') : 'none'}; minSdk ${app.minSdk ?? 'unknown'}`,
      reachable
        ? 'Android 5.0-8.0 without the 2017-12 security patch verifies only the zip part of a v1-signed APK and runs a dex file placed in front of it'
        : 'only the APK Signature Scheme v2+ covers the prefix, or no vulnerable Android can install it (minSdk >= 27): install fails rather than running the prefix',
      'romscan reads the zip part, as patched Android would if it accepted the file',
    ], [REF.janusCve, REF.bulletin201712, REF.apkSigning]));
  }

  const dups = anomalies.filter((a) => a.stage === 'zip' && /^duplicate entry name /.test(a.message));
  if (dups.length) {
    const names = dups.map((a) => {
      try { return JSON.parse(/^duplicate entry name (".*?") \(/.exec(a.message)?.[1] ?? '""') as string; } catch { return ''; }
    });
    const sensitive = names.filter((n) => SENSITIVE_ENTRY.test(n));
    out.push(finding('apk-duplicate-entries', sensitive.length ? 'high' : 'medium', [
      `${names.length} duplicated name(s): ${cap(names.map((n) => JSON.stringify(n))).join(', ')}`,
      'Android 4.4+ refuses to install an APK with duplicate entries (libziparchive kDuplicateEntry); before the 2013 fix the signature verifier and the installer read different copies ("Master Key", CVE-2013-4787), and zip libraries still disagree (first or last copy)',
      'romscan reads the first copy, as libziparchive lookups do',
      ...dups.map(cite),
    ], [REF.masterKeyCve, REF.libziparchive]));
  }

  const zip = anomalies.filter((a) => ZIP_TRICKS.some((p) => matches(a, p)));
  if (zip.length) {
    const strong = zip.some((a) => ZIP_TRICKS.some((p) => p.weight === 'strong' && matches(a, p)));
    out.push(finding('apk-zip-tampering', strong ? 'medium' : 'low', [
      strong
        ? 'local and central headers, flags or methods disagree: tools that trust the local header (or give up on "encrypted" or unknown-method entries) see other content than Android, which reads the central directory'
        : 'the zip is malformed in ways Android tolerates and strict readers (apksig, Python zipfile, some analysers) reject',
      ...zip.map(cite),
    ], [REF.libziparchive, REF.apkInspector]));
  }

  const masking = anomalies.filter((a) => MANIFEST_MASKING.some((p) => matches(a, p)));
  const structure = anomalies.filter((a) => matches(a, MANIFEST_STRUCTURE) && !masking.includes(a));
  if (masking.length || structure.length) {
    const strong = masking.some((a) => MANIFEST_MASKING.some((p) => p.weight === 'strong' && matches(a, p)));
    out.push(finding('manifest-tampering', strong ? 'medium' : 'low', [
      strong
        ? 'attribute names, order or elements are crafted so a reader that goes by names sees other values than PackageManager, which goes by resource ids; the report shows what Android sees'
        : 'chunk sizes, string pools or chunk types are malformed in ways Android\'s ResXMLTree tolerates and analysis tools often do not',
      ...masking.map(cite),
      ...structure.map(cite),
    ], [REF.resXmlTree, REF.androguardAxml, REF.apkInspector]));
  }

  const sig = anomalies.filter((a) => SIGNATURE_TRICKS.some((p) => matches(a, p)));
  if (sig.length) {
    const strong = sig.some((a) => matches(a, SIGNATURE_TRICKS[0]));
    out.push(finding('apk-signature-confusion', strong ? 'high' : 'medium', [
      strong
        ? 'the v1 signature block holds several certificates and the signer is not the first: tools that pin "the" certificate by taking the first one trust the wrong key'
        : 'a signature file name with path components: Android\'s verifier reads it, apksig and other tools do not, so they disagree about whether the APK is signed',
      ...sig.map(cite),
    ], [REF.fdroid1128, REF.apkSigning]));
  }
  return out;
}

// ROM-level rules over a whole Report: how the build is signed and configured (build.prop of every
// partition) and what the per-app findings add up to (a regional activation client is present).
// Run after evaluateApp has filled each app's findings.
import type { AppReport, Finding, Report, Severity } from '../report/model.js';
import { maxSeverity } from './severity.js';
import type { Signatures } from './signatures.js';

export const FIRMWARE_RULES = {
  'build-test-keys': 'Build signed with test keys',
  'platform-test-key': 'Platform signed with the public AOSP platform key',
  'ro-debuggable': 'ro.debuggable=1: every app is debuggable and adb can run as root',
  'ro-secure-off': 'ro.secure=0: adb shell runs as root',
  'adb-insecure': 'adb does not require authorisation or is on by default',
  'build-type-debug': 'Debug build type (userdebug/eng) shipped',
  'security-patch-age': 'Security patch level is older than the build',
  'mock-location-allowed': 'Mock locations allowed by default',
  'activation-client-present': 'Regional activation / phone-home client present',
  'apps-test-key-signed': 'Pre-installed apps signed with public AOSP test keys',
} as const;
export type FirmwareRule = keyof typeof FIRMWARE_RULES;

const BUILD_SECURITY_REF = 'https://source.android.com/docs/core/ota/sign_builds';
const PROPS_REF = 'https://source.android.com/docs/core/architecture/configuration/add-system-properties';
const DAY_MS = 86_400_000;

function f(rule: FirmwareRule, severity: Severity, evidence: string[], references: string[], extra: Partial<Finding> = {}, title?: string): Finding {
  return { rule, severity, title: title ?? FIRMWARE_RULES[rule], evidence, references, ...extra };
}

/** Every (partition, key, value) with `key` matching, from the merged props and each partition's. */
function propsMatching(report: Report, re: RegExp): { where: string; key: string; value: string }[] {
  const out: { where: string; key: string; value: string }[] = [];
  const seen = new Set<string>();
  const add = (where: string, props: Record<string, string>): void => {
    for (const [key, value] of Object.entries(props)) {
      if (!re.test(key)) continue;
      const id = `${key}=${value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ where, key, value });
    }
  };
  add('build.prop', report.firmware?.buildProps ?? {});
  for (const [part, props] of Object.entries(report.firmware?.partitions ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) add(part, props);
  return out.sort((a, b) => (a.key + a.value < b.key + b.value ? -1 : 1));
}

function show(p: { where: string; key: string; value: string }): string {
  return `${p.key}=${p.value}${p.where === 'build.prop' ? '' : ` (${p.where})`}`;
}

function buildProps(report: Report): Finding[] {
  const out: Finding[] = [];
  const tags = propsMatching(report, /^ro\.([a-z_]+\.)?build\.tags$/).filter((p) => /\btest-keys\b/.test(p.value));
  const fps = propsMatching(report, /^ro\.([a-z_]+\.)?build\.fingerprint$/).filter((p) => /test-keys\s*$/.test(p.value));
  if (tags.length || fps.length) {
    out.push(f('build-test-keys', 'high', [...tags, ...fps].map(show).concat('test-keys builds are signed with keys whose private halves are public in AOSP'), [BUILD_SECURITY_REF]));
  }
  const debuggable = propsMatching(report, /^ro\.debuggable$/).filter((p) => p.value === '1');
  if (debuggable.length) out.push(f('ro-debuggable', 'high', debuggable.map(show), [PROPS_REF, 'https://source.android.com/docs/security/features/selinux/build']));
  const secure = propsMatching(report, /^ro\.secure$/).filter((p) => p.value === '0');
  if (secure.length) out.push(f('ro-secure-off', 'high', secure.map(show), ['https://android.googlesource.com/platform/packages/modules/adb/+/refs/heads/main/daemon/main.cpp']));
  const adb = [
    ...propsMatching(report, /^ro\.adb\.secure$/).filter((p) => p.value === '0'),
    ...propsMatching(report, /^(persist\.sys\.usb\.config|persist\.vendor\.usb\.config|ro\.sys\.usb\.config)$/).filter((p) => /\badb\b/.test(p.value)),
  ];
  if (adb.length) out.push(f('adb-insecure', 'medium', adb.map(show), ['https://developer.android.com/tools/adb#Enabling']));
  const type = propsMatching(report, /^ro\.([a-z_]+\.)?build\.type$/).filter((p) => p.value === 'userdebug' || p.value === 'eng');
  if (type.length) out.push(f('build-type-debug', 'medium', type.map(show), ['https://source.android.com/docs/setup/build/building#choose-a-target']));
  const mock = propsMatching(report, /^ro\.allow\.mock\.location$/).filter((p) => p.value === '1');
  if (mock.length) out.push(f('mock-location-allowed', 'low', mock.map(show), [PROPS_REF]));
  out.push(...patchAge(report));
  return out;
}

function patchAge(report: Report): Finding[] {
  const props = report.firmware?.buildProps ?? {};
  const patch = props['ro.build.version.security_patch'] ?? props['ro.vendor.build.security_patch'];
  const dateUtc = props['ro.build.date.utc'] ?? props['ro.system.build.date.utc'] ?? props['ro.vendor.build.date.utc'];
  if (!patch || !dateUtc) return [];
  const patchMs = Date.parse(`${patch.trim()}T00:00:00Z`);
  const buildMs = Number(dateUtc) * 1000;
  if (!Number.isFinite(patchMs) || !Number.isFinite(buildMs) || buildMs <= 0) return [];
  const days = Math.floor((buildMs - patchMs) / DAY_MS);
  // A patch level a quarter behind its own build date means months of known holes at release.
  if (days <= 90) return [];
  const built = new Date(buildMs).toISOString().slice(0, 10);
  return [f('security-patch-age', days > 365 ? 'medium' : 'low',
    [`ro.build.version.security_patch=${patch}`, `built ${built} (ro.build.date.utc=${dateUtc}): patch level ${days} days older than the build`],
    ['https://source.android.com/docs/security/bulletin'])];
}

function platformKey(report: Report, sigs: Signatures): Finding[] {
  const framework = report.apps.filter((a) => a.package === 'android');
  const out: Finding[] = [];
  for (const app of framework) {
    const hit = app.certificates.map((c) => sigs.certificates.find((s) => s.sha256 === c.sha256.toLowerCase())).find(Boolean);
    if (!hit) continue;
    out.push(f('platform-test-key', 'critical', [
      `${app.path} (framework-res, package android) is signed with the ${hit.name} (${hit.sha256})`,
      'any app signed with the public AOSP platform key is platform-signed on this ROM and may take sharedUserId android.uid.system',
    ], [hit.reference, BUILD_SECURITY_REF], { path: app.path, package: 'android' }));
  }
  return out;
}

const REGION_PROPS = [
  'ro.product.locale', 'ro.product.locale.region', 'persist.sys.locale', 'persist.sys.country',
  'ro.csc.country_code', 'ro.csc.countryiso_code', 'ro.product.region', 'ro.config.region',
];

function activationClients(report: Report, sigs: Signatures): Finding[] {
  const kinds = new Set(['activation', 'fota']);
  const hits: { app: AppReport; severity: Severity; why: string }[] = [];
  for (const app of report.apps) {
    const related = app.findings.filter((x) => (x.rule === 'phone-home' && (x.severity === 'medium' || x.severity === 'high' || x.severity === 'critical'))
      || (x.rule === 'known-component' && sigs.packages.some((p) => p.package === app.package && kinds.has(p.kind))));
    const sev = maxSeverity(related);
    if (!sev) continue;
    hits.push({ app, severity: sev, why: related.map((x) => `${x.rule} ${x.severity}`).join(', ') });
  }
  if (!hits.length) return [];
  const props = report.firmware?.buildProps ?? {};
  const region = REGION_PROPS.filter((k) => props[k] !== undefined).map((k) => `${k}=${props[k]}`);
  const evidence = hits.map((h) => `${h.app.package ?? '(unknown)'} at ${h.app.path}: ${h.why}`);
  if (region.length) evidence.push(`region: ${region.join(', ')}`);
  // The sources about the component and its hosts, not the API documentation the app rule cites.
  const refs = [...new Set(hits.flatMap((h) => h.app.findings.filter((x) => x.rule === 'phone-home' || x.rule === 'known-component' || x.rule === 'known-host')
    .flatMap((x) => x.references ?? []).filter((r) => !r.startsWith('https://developer.android.com/'))))].sort();
  const names = [...new Set(hits.map((h) => h.app.package ?? h.app.path))].sort();
  return [f('activation-client-present', maxSeverity(hits)!, evidence, refs.length ? refs : [BUILD_SECURITY_REF],
    hits.length === 1 ? { path: hits[0]!.app.path, package: hits[0]!.app.package ?? undefined } : {},
    `Activation / phone-home client present: ${names.join(', ')}`)];
}

/** Power an app holds on the device, for ROM-level evidence. */
function powerful(app: AppReport): boolean {
  return app.privileged || app.platformSigned || (app.sharedUserId !== null && /^android\.uid\./.test(app.sharedUserId) && app.sharedUserId !== 'android.uid.shared');
}

function testKeyApps(report: Report, sigs: Signatures, platformFlagged: boolean): Finding[] {
  const certs = new Map(sigs.certificates.map((c) => [c.sha256, c]));
  const hits: { app: AppReport; keys: string[] }[] = [];
  for (const app of report.apps) {
    const keys = [...new Set(app.certificates.map((c) => certs.get(c.sha256.toLowerCase())?.key).filter((k): k is string => !!k))].sort();
    if (keys.length) hits.push({ app, keys });
  }
  if (!hits.length) return [];
  const strong = hits.filter((h) => powerful(h.app) || h.keys.includes('platform'));
  // With framework-res itself on the public platform key the critical finding already says it all.
  const severity: Severity = platformFlagged ? 'info' : strong.length ? 'high' : 'medium';
  const shown = [...strong, ...hits.filter((h) => !strong.includes(h))];
  const evidence = shown.slice(0, 20).map((h) => `${h.app.package ?? '(unknown)'} at ${h.app.path}: ${h.keys.join(', ')} key${powerful(h.app) ? ' (privileged/system)' : ''}`);
  if (shown.length > 20) evidence.push(`… and ${shown.length - 20} more`);
  evidence.push('the private halves of these keys are published in AOSP: anyone can sign an update to these apps or a new app sharing their uid');
  const refs = [...new Set(hits.flatMap((h) => h.keys.map((k) => sigs.certificates.find((c) => c.key === k)!.reference)))].sort();
  return [f('apps-test-key-signed', severity, evidence, [...refs, BUILD_SECURITY_REF], {}, `${hits.length} pre-installed app${hits.length > 1 ? 's' : ''} signed with public AOSP test keys`)];
}

/** Firmware-level findings; an APK-only report (firmware null) gets none. */
export function evaluateFirmware(report: Report, sigs: Signatures): Finding[] {
  if (!report.firmware) return [];
  const platform = platformKey(report, sigs);
  return [...platform, ...buildProps(report), ...testKeyApps(report, sigs, platform.length > 0), ...activationClients(report, sigs)];
}

// One app, section by section: manifest facts, permissions by protection level, components,
// endpoints with the code that uses them, identifier API call sites, certificates, findings, errors.
import type { AppReport, CodeLocation } from '../../report/model.js';
import { formatBytes } from '../text.js';
import type { AppRow, TuiModel } from './build-model.js';
import { line, seg, type Line, type Seg } from './line.js';
import { SEVERITY_LABEL, SEVERITY_TONE } from './overview-lines.js';
import { PERMISSION_GROUPS, permissionGroup, type PermissionGroup } from './permission-levels.js';

export const DETAIL_SECTIONS = ['Manifest', 'Permissions', 'Components', 'Endpoints', 'API calls', 'Certificates', 'Findings', 'Errors'] as const;
export const FINDINGS_SECTION = 6;
export const ERRORS_SECTION = 7;

/** Number shown beside each section name in the left pane (null: no count). */
export function sectionCounts(app: AppReport): (number | null)[] {
  return [
    null,
    app.permissions.requested.length + app.permissions.declared.length,
    app.components.length,
    app.endpoints.length,
    app.apis.length,
    app.certificates.length,
    app.findings.length,
    app.errors.length + (app.anomalies?.length ?? 0) + (app.signing?.problems.length ?? 0),
  ];
}

const yesNo = (v: boolean | null | undefined): string => (v === null || v === undefined ? '—' : v ? 'yes' : 'no');
const none = (what: string): Line => line(seg(`  no ${what}`, 'muted'));
const kv = (k: string, v: string | null, tone?: 'bad' | 'warn' | 'good'): Line =>
  ({ ...line(seg(`  ${k.padEnd(20)}`, 'muted'), v === null ? seg('—', 'muted') : seg(v, tone)), hang: 22 });

function locationLines(locs: readonly CodeLocation[], indent: string): Line[] {
  return locs.map((l) => line(seg(`${indent}at `, 'muted'), seg(`${l.class}.${l.method}`), seg(`  ${l.dex}`, 'muted')));
}

function manifest(row: AppRow): Line[] {
  const a = row.app;
  const f = a.flags;
  const out: Line[] = [
    kv('Package', a.package), kv('Label', a.label),
    kv('Version', a.versionName === null && a.versionCode === null ? null : `${a.versionName ?? '?'} (${a.versionCode ?? '?'})`),
    kv('SDK min/target/max', `${a.minSdk ?? '—'} / ${a.targetSdk ?? '—'} / ${a.maxSdk ?? '—'}`),
    kv('Path', a.path), kv('Size', formatBytes(a.bytes)), kv('SHA-256', a.sha256 || null),
    kv('Partition', row.partition), kv('Privilege', row.privilege, row.privilege === 'platform' || row.privilege === 'privileged' ? 'warn' : undefined),
    kv('Platform-signed', yesNo(a.platformSigned), a.platformSigned ? 'warn' : undefined),
    kv('Shared user id', a.sharedUserId, a.sharedUserId === 'android.uid.system' ? 'bad' : undefined),
  ];
  if (f) {
    out.push(kv('Debuggable', yesNo(f.debuggable), f.debuggable ? 'bad' : undefined),
      kv('Allow backup', yesNo(f.allowBackup)), kv('Cleartext traffic', yesNo(f.usesCleartextTraffic), f.usesCleartextTraffic ? 'warn' : undefined),
      kv('Network sec config', f.networkSecurityConfig), kv('Persistent', yesNo(f.persistent), f.persistent ? 'warn' : undefined));
    if (f.testOnly !== undefined) out.push(kv('Test only', yesNo(f.testOnly)));
  }
  if (a.signing) out.push(kv('Signature schemes', a.signing.schemes.join(', ') || (a.signing.signed ? '?' : 'unsigned'), a.signing.signed ? undefined : 'bad'));
  out.push(line(''), line(seg('DEX', 'heading', true)));
  if (!a.dex.length) out.push(none('dex files'));
  for (const d of a.dex) {
    out.push(line(seg(`  ${d.name}`), seg(`  ${d.classes} classes · ${d.methods} methods · ${d.strings} strings${d.version ? ` · v${d.version}` : ''}`, 'muted')));
  }
  return out;
}

const GROUP_TITLE: Record<PermissionGroup, string> = {
  dangerous: 'DANGEROUS', privileged: 'PRIVILEGED (signature|privileged)', signature: 'SIGNATURE',
  special: 'SPECIAL (appop, development, internal)', normal: 'NORMAL', unknown: 'UNKNOWN LEVEL (not declared in this ROM)',
};

function permissions(model: TuiModel, a: AppReport): Line[] {
  const out: Line[] = [];
  const pre = new Set(a.grants?.defaultGranted ?? []);
  const privapp = new Set(a.grants?.privapp ?? []);
  const groups = new Map<PermissionGroup, string[]>();
  for (const p of a.permissions.requested) {
    const g = permissionGroup(model.permissionLevels.get(p));
    (groups.get(g) ?? groups.set(g, []).get(g)!).push(p);
  }
  out.push(line(seg('REQUESTED', 'heading', true), seg(`  ${a.permissions.requested.length}`, 'muted')));
  if (!a.permissions.requested.length) out.push(none('requested permissions'));
  for (const g of PERMISSION_GROUPS) {
    const names = groups.get(g);
    if (!names) continue;
    const tone = g === 'dangerous' ? 'bad' : g === 'privileged' ? 'warn' : undefined;
    out.push(line(seg(`  ${GROUP_TITLE[g]}`, tone ?? 'muted', true), seg(`  ${names.length}`, 'muted')));
    for (const n of [...names].sort()) {
      const segs: Seg[] = [seg(`    ${n}`, tone)];
      if (pre.has(n)) segs.push(seg('  [pre-granted]', 'bad', true));
      if (privapp.has(n)) segs.push(seg('  [privapp allowlist]', 'warn'));
      out.push(line(...segs));
    }
  }
  if (a.permissions.declared.length) {
    out.push(line(''), line(seg('DECLARED', 'heading', true), seg(`  ${a.permissions.declared.length}`, 'muted')));
    for (const d of a.permissions.declared) {
      out.push(line(seg(`    ${d.name}`), seg(`  ${d.protectionLevel || '?'}`, 'muted')));
    }
  }
  const extraGrants = [...pre].filter((p) => !a.permissions.requested.includes(p));
  if (extraGrants.length) {
    out.push(line(''), line(seg('PRE-GRANTED BUT NOT REQUESTED', 'heading', true)));
    for (const p of extraGrants) out.push(line(seg(`    ${p}`, 'muted')));
  }
  return out;
}

const PLURAL: Record<string, string> = {
  activity: 'ACTIVITIES', 'activity-alias': 'ACTIVITY ALIASES', service: 'SERVICES', receiver: 'RECEIVERS', provider: 'PROVIDERS',
};

function components(a: AppReport): Line[] {
  if (!a.components.length) return [none('components')];
  const out: Line[] = [];
  const types = ['activity', 'activity-alias', 'service', 'receiver', 'provider'];
  const sorted = [...a.components].sort((x, y) => types.indexOf(x.type) - types.indexOf(y.type) || Number(y.exported) - Number(x.exported));
  let last = '';
  for (const c of sorted) {
    if (c.type !== last) {
      if (last) out.push(line(''));
      out.push(line(seg(PLURAL[c.type] ?? c.type.toUpperCase(), 'heading', true), seg(`  ${a.components.filter((x) => x.type === c.type).length}`, 'muted')));
      last = c.type;
    }
    const segs: Seg[] = [seg(c.exported ? '  E ' : '    ', c.permission ? 'warn' : 'bad', true), seg(c.name)];
    if (c.exported) segs.push(seg(c.permission ? `  exported, needs ${c.permission}` : '  exported', c.permission ? 'warn' : 'bad'));
    else if (c.permission) segs.push(seg(`  needs ${c.permission}`, 'muted'));
    if (c.authorities) segs.push(seg(`  authorities ${c.authorities}`, 'muted'));
    if (c.targetActivity) segs.push(seg(`  → ${c.targetActivity}`, 'muted'));
    out.push(line(...segs));
    for (const act of c.actions) out.push(line(seg('      action ', 'muted'), seg(act, 'accent')));
  }
  return out;
}

function endpoints(a: AppReport): Line[] {
  if (!a.endpoints.length) return [none('endpoints')];
  const out: Line[] = [];
  for (const e of a.endpoints) {
    out.push(line(seg('  '), seg(e.value, e.scheme === 'http' ? 'warn' : 'accent'),
      seg(`  ${[e.kind, e.host && e.host !== e.value ? e.host : null].filter(Boolean).join(' · ')}`, 'muted')));
    out.push(...locationLines(e.locations, '      '));
  }
  return out;
}

function apis(a: AppReport): Line[] {
  if (!a.apis.length) return [none('watched API calls')];
  const out: Line[] = [];
  for (const x of a.apis) {
    out.push(line(seg('  '), seg(x.api, 'accent'), seg(x.category ? `  [${x.category}]` : '', 'warn'), seg(`  ${x.locations.length} call site${x.locations.length === 1 ? '' : 's'}`, 'muted')));
    out.push(...locationLines(x.locations, '      '));
  }
  return out;
}

function certificates(a: AppReport): Line[] {
  if (!a.certificates.length) return [none('certificates')];
  const out: Line[] = [];
  a.certificates.forEach((c, i) => {
    if (i) out.push(line(''));
    out.push(line(seg(`CERTIFICATE ${i + 1}`, 'heading', true), seg(c.schemes?.length ? `  ${c.schemes.join(', ')}` : '', 'muted')));
    out.push(kv('Subject', c.subject || null), kv('Issuer', c.issuer ?? null), kv('SHA-256', c.sha256 || null),
      kv('Serial', c.serial ?? null), kv('Valid', c.notBefore || c.notAfter ? `${c.notBefore ?? '?'} → ${c.notAfter ?? '?'}` : null));
  });
  if (a.signing?.problems.length) {
    out.push(line(''), line(seg('SIGNING PROBLEMS', 'heading', true)));
    for (const p of a.signing.problems) out.push(line(seg('  ! ', 'bad'), seg(p)));
  }
  return out;
}

export function findingLines(f: AppReport['findings'][number], indent = '  '): Line[] {
  const out: Line[] = [line(seg(indent), seg(SEVERITY_LABEL[f.severity].padEnd(5), SEVERITY_TONE[f.severity], true), seg(f.rule, 'accent'), seg(`  ${f.title}`))];
  for (const e of f.evidence) out.push(line(seg(`${indent}     - `, 'muted'), seg(e)));
  for (const r of f.references ?? []) out.push(line(seg(`${indent}     ref `, 'muted'), seg(r, 'muted')));
  return out;
}

function findings(a: AppReport): Line[] {
  if (!a.findings.length) return [none('findings')];
  const rank = ['info', 'low', 'medium', 'high', 'critical'];
  return [...a.findings].sort((x, y) => rank.indexOf(y.severity) - rank.indexOf(x.severity)).flatMap((f) => findingLines(f));
}

function errors(a: AppReport): Line[] {
  const out: Line[] = [];
  const offset = (o: number | undefined) => (o === undefined ? '' : `  at 0x${o.toString(16)}`);
  out.push(line(seg('ERRORS', 'heading', true), seg(`  ${a.errors.length}`, 'muted')));
  if (!a.errors.length) out.push(none('errors'));
  for (const e of a.errors) out.push(line(seg(`  ${e.stage}: `, 'bad'), seg(e.message), seg(`${e.code ? `  [${e.code}]` : ''}${offset(e.offset)}`, 'muted')));
  const anomalies = a.anomalies ?? [];
  out.push(line(''), line(seg('ANOMALIES', 'heading', true), seg(`  ${anomalies.length}`, 'muted')));
  if (!anomalies.length) out.push(none('anomalies'));
  for (const x of anomalies) out.push(line(seg(`  ${x.stage}: `, 'warn'), seg(x.message), seg(offset(x.offset), 'muted')));
  if (a.signing?.problems.length) {
    out.push(line(''), line(seg('SIGNING PROBLEMS', 'heading', true)));
    for (const p of a.signing.problems) out.push(line(seg('  ! ', 'bad'), seg(p)));
  }
  return out;
}

export function appDetailLines(model: TuiModel, row: AppRow, section: number): Line[] {
  switch (section) {
    case 0: return manifest(row);
    case 1: return permissions(model, row.app);
    case 2: return components(row.app);
    case 3: return endpoints(row.app);
    case 4: return apis(row.app);
    case 5: return certificates(row.app);
    case 6: return findings(row.app);
    default: return errors(row.app);
  }
}

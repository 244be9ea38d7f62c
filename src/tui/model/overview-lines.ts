// The overview screen as lines: device, input, app counts, findings by severity, the riskiest
// apps (Enter opens them) and the report's own errors.
import type { Report, Severity } from '../../report/model.js';
import { SEVERITIES } from '../../report/model.js';
import { formatBytes } from '../text.js';
import { PRIVILEGES, sortedIndices, type TuiModel } from './build-model.js';
import { line, seg, type Line, type Seg } from './line.js';

const TOP_RISKY = 10;

/** A build property, falling back to the per-partition variants Android 10+ writes (ro.product.system.model …). */
export function buildProp(props: Record<string, string>, ...names: string[]): string | null {
  for (const name of names) {
    if (props[name]) return props[name]!;
    const m = /^ro\.(product|build)\.(.+)$/.exec(name);
    if (!m) continue;
    for (const part of ['system', 'vendor', 'product', 'odm', 'system_ext']) {
      const v = props[`ro.${m[1]}.${part}.${m[2]}`];
      if (v) return v;
    }
  }
  return null;
}

export interface DeviceFacts {
  model: string | null; brand: string | null; fingerprint: string | null; region: string | null;
  android: string | null; sdk: string | null; patch: string | null;
}

export function deviceFacts(report: Report): DeviceFacts {
  const p = report.firmware?.buildProps ?? {};
  const locale = buildProp(p, 'ro.product.locale');
  return {
    model: buildProp(p, 'ro.product.model'),
    brand: buildProp(p, 'ro.product.brand', 'ro.product.manufacturer'),
    fingerprint: buildProp(p, 'ro.build.fingerprint'),
    // Vendors spell the sales region differently; the locale's country is the last resort.
    region: buildProp(p, 'ro.product.locale.region', 'ro.csc.countryiso_code', 'ro.csc.country_code', 'ro.miui.region',
      'ro.vendor.oplus.regionmark', 'ro.oppo.regionmark', 'ro.product.country', 'ro.build.region')
      ?? (locale && /[-_]([A-Za-z]{2})$/.exec(locale)?.[1]?.toUpperCase()) ?? null,
    android: buildProp(p, 'ro.build.version.release', 'ro.build.version.release_or_codename'),
    sdk: buildProp(p, 'ro.build.version.sdk'),
    patch: buildProp(p, 'ro.build.version.security_patch', 'ro.vendor.build.security_patch'),
  };
}

export const SEVERITY_TONE: Record<Severity, Severity> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', info: 'info' };
export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'CRIT', high: 'HIGH', medium: 'MED', low: 'LOW', info: 'INFO' };

function kv(key: string, value: string | null, width = 16): Line {
  return { ...line(seg(`  ${key.padEnd(width)}`, 'muted'), value === null ? seg('—', 'muted') : seg(value)), hang: width + 2 };
}

function counts(entries: [string, number][]): Seg[] {
  const out: Seg[] = [];
  entries.forEach(([k, n], i) => {
    if (i) out.push(seg('  ·  ', 'muted'));
    out.push(seg(`${k} `, 'muted'), seg(String(n), undefined, n > 0));
  });
  return out;
}

export function overviewLines(model: TuiModel): Line[] {
  const r = model.report;
  const out: Line[] = [];
  const h = (t: string, extra?: string) => out.push(line(seg(t, 'heading', true), ...(extra ? [seg(`  ${extra}`, 'muted')] : [])));

  h('DEVICE');
  if (!r.firmware) {
    out.push(line(seg(`  no firmware: ${r.input.kind === 'apk' ? 'a single APK was scanned' : 'no build.prop found'}`, 'muted')));
  } else {
    const d = deviceFacts(r);
    out.push(kv('Model', d.model), kv('Brand', d.brand), kv('Fingerprint', d.fingerprint), kv('Region', d.region),
      kv('Android', d.android === null ? null : `${d.android}${d.sdk ? ` (SDK ${d.sdk})` : ''}`), kv('Security patch', d.patch));
  }
  out.push(line(''));
  h('INPUT');
  out.push(kv('Name', r.input.name), kv('Kind', r.input.kind), kv('SHA-256', r.input.sha256));
  if (r.firmware) {
    const formats = [...new Set(r.firmware.containers.map((c) => c.format))].sort();
    out.push(kv('Containers', `${r.firmware.containers.length}${formats.length ? ` (${formats.join(', ')})` : ''}`));
  }
  if (model.diff && model.base) out.push(kv('Compared with', model.base.input.name));
  out.push(line(''));

  h('APPS', `${model.rows.length} total, ${formatBytes(model.rows.reduce((n, a) => n + a.app.bytes, 0))}`);
  const byPartition = new Map<string, number>();
  for (const a of model.rows) byPartition.set(a.partition, (byPartition.get(a.partition) ?? 0) + 1);
  const parts = [...byPartition.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  out.push(line(seg('  by partition    ', 'muted'), ...(parts.length ? counts(parts) : [seg('—', 'muted')])));
  out.push(line(seg('  by privilege    ', 'muted'),
    ...counts(PRIVILEGES.map((p) => [p, model.rows.filter((a) => a.privilege === p).length] as [string, number]))));
  const withFindings = model.rows.filter((a) => a.findingCount > 0).length;
  out.push(line(seg('  with findings   ', 'muted'), seg(String(withFindings), undefined, withFindings > 0)));
  out.push(line(''));

  h('FINDINGS', `${model.findingTotal} in ${model.findingGroups.length} rules`);
  const sevSegs: Seg[] = [seg('  ')];
  [...SEVERITIES].reverse().forEach((s, i) => {
    if (i) sevSegs.push(seg('  ·  ', 'muted'));
    const n = model.severityCounts[s];
    sevSegs.push(seg(`${s} `, n ? SEVERITY_TONE[s] : 'muted'), seg(String(n), n ? SEVERITY_TONE[s] : 'muted', n > 0));
  });
  out.push(line(...sevSegs));
  out.push(line(''));

  const top = sortedIndices(model, 'risk').slice(0, TOP_RISKY).filter((i) => model.rows[i]!.risk > 0);
  h('TOP RISKY APPS', top.length ? 'Enter opens' : undefined);
  if (!top.length) out.push(line(seg('  no app has findings', 'muted')));
  for (const i of top) {
    const a = model.rows[i]!;
    out.push({
      segs: [
        seg(`  ${String(a.risk).padStart(5)} `, 'muted'),
        a.worst ? seg(SEVERITY_LABEL[a.worst].padEnd(5), SEVERITY_TONE[a.worst], true) : seg('     '),
        seg(a.name, 'accent'),
        seg(`  ${a.partition} · ${a.privilege} · ${a.findingCount} finding${a.findingCount === 1 ? '' : 's'}`, 'muted'),
      ],
      target: { source: 'report', index: i, section: 6 },
    });
  }
  out.push(line(''));

  const appErrors = model.rows.reduce((n, a) => n + a.app.errors.length, 0);
  const appsWithErrors = model.rows.filter((a) => a.app.errors.length > 0);
  h('ERRORS', `${r.errors.length} in containers, ${appErrors} in ${appsWithErrors.length} apps`);
  for (const p of model.problems) out.push(line(seg('  report: ', 'bad'), seg(p)));
  for (const e of r.errors) {
    out.push(line(seg(`  ${e.stage}: `, 'bad'), seg(e.message), seg(e.path ? `  (${e.path})` : '', 'muted')));
  }
  for (const a of appsWithErrors.slice(0, 50)) {
    out.push({
      segs: [seg('  app ', 'bad'), seg(a.name, 'accent'), seg(`  ${a.app.errors[0]!.stage}: ${a.app.errors[0]!.message}`),
        seg(a.app.errors.length > 1 ? ` (+${a.app.errors.length - 1} more)` : '', 'muted')],
      target: { source: 'report', index: a.index, section: 7 },
    });
  }
  if (appsWithErrors.length > 50) out.push(line(seg(`  … ${appsWithErrors.length - 50} more apps with errors`, 'muted')));
  if (!r.errors.length && !appErrors && !model.problems.length) out.push(line(seg('  none', 'muted')));
  return out;
}

// Every finding of a report in one list (firmware-level first, then per app), each tagged with the
// app it belongs to, ordered worst first. Shared by the text, Markdown and SARIF renderers.
import type { AppReport, Finding, Report } from './model.js';
import { SEVERITIES } from './model.js';

export interface LocatedFinding {
  finding: Finding;
  /** The app the finding is about, or null for a firmware-level finding without an app. */
  app: AppReport | null;
  /** Virtual path of the app (or the finding's own path), or null. */
  path: string | null;
  package: string | null;
}

export function collectFindings(report: Report): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  for (const f of report.findings) {
    const app = f.path ? report.apps.find((a) => a.path === f.path) ?? null : null;
    out.push({ finding: f, app, path: f.path ?? null, package: f.package ?? app?.package ?? null });
  }
  for (const app of report.apps) {
    for (const f of app.findings) out.push({ finding: f, app, path: app.path, package: app.package });
  }
  const rank = (f: Finding): number => SEVERITIES.indexOf(f.severity);
  // Stable sort: worst first; within a severity keep the report's order (firmware, then apps).
  return out.map((x, i) => ({ x, i }))
    .sort((a, b) => rank(b.x.finding) - rank(a.x.finding) || a.i - b.i)
    .map(({ x }) => x);
}

export function severityCounts(findings: readonly { finding: Finding }[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const { finding } of findings) counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
  return counts;
}

/** The build.prop values a reader wants first, in a fixed order. */
export const HEADLINE_PROPS = [
  'ro.product.brand', 'ro.product.model', 'ro.product.name', 'ro.product.device', 'ro.build.fingerprint',
  'ro.build.version.release', 'ro.build.version.security_patch', 'ro.build.type', 'ro.build.tags',
  'ro.product.locale', 'ro.product.locale.region',
];

/** Value of a property from the merged props, falling back to the partition-specific variants
 * (ro.product.model → ro.product.system.model, ro.product.vendor.model, …) that Android 10+ uses. */
export function prop(props: Record<string, string>, name: string): string | undefined {
  if (props[name] !== undefined) return props[name];
  const m = /^ro\.(product|build)\.(.+)$/.exec(name);
  if (!m) return undefined;
  for (const part of ['system', 'vendor', 'product', 'odm', 'system_ext']) {
    const v = props[`ro.${m[1]}.${part}.${m[2]}`];
    if (v !== undefined) return v;
  }
  return undefined;
}

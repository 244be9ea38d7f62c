// Everything the views derive from a finished report, computed once when the browser opens: one
// row per app (risk, partition, privilege, a lowercase search key), findings grouped by rule,
// and caches for sort orders and pane lines. The report never changes while the TUI runs, so the
// reducer can keep this object in its state and treat it as a constant.
import type { AppReport, Finding, Report, Severity } from '../../report/model.js';
import { SEVERITIES } from '../../report/model.js';
import { sanitize } from '../text.js';
import type { Line } from './line.js';
import { normalizeDiff, type TuiDiff } from './normalize-diff.js';
import { normalizeReport } from './normalize-report.js';
import { buildPermissionLevels } from './permission-levels.js';

export type Privilege = 'platform' | 'privileged' | 'preinstalled' | 'user';
export const PRIVILEGES: Privilege[] = ['platform', 'privileged', 'preinstalled', 'user'];

export interface AppRow {
  index: number;
  app: AppReport;
  /** Display strings, already sanitised. */
  name: string;
  label: string;
  partition: string;
  privilege: Privilege;
  risk: number;
  worst: Severity | null;
  findingCount: number;
  /** Lowercase package + label + path, for filter-as-you-type. */
  haystack: string;
  sortName: string;
}

export interface FindingItem { finding: Finding; source: 'report' | 'base'; appIndex: number | null; where: string }
export interface FindingGroup { rule: string; severity: Severity; title: string; items: FindingItem[] }

export type SortKey = 'risk' | 'name' | 'partition' | 'privilege';
export const SORT_KEYS: SortKey[] = ['risk', 'name', 'partition', 'privilege'];

export interface TuiModel {
  report: Report;
  base: Report | null;
  diff: TuiDiff | null;
  /** The diff as given, exported as is. */
  diffRaw: unknown;
  /** Input names as given on the command line (one, or base and new for a diff). */
  names: string[];
  rows: AppRow[];
  baseRows: AppRow[];
  findingGroups: FindingGroup[];
  findingTotal: number;
  severityCounts: Record<Severity, number>;
  permissionLevels: Map<string, string>;
  /** What normalisation had to fill in (shown on the overview as errors of the report itself). */
  problems: string[];
  /** Memo tables; filled lazily, never invalidated (the report is immutable). */
  sortCache: Map<string, number[]>;
  lineCache: Map<string, Line[]>;
}

/** Risk = findings weighted by severity, plus a little for privilege; documented in the help screen. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 100, high: 30, medium: 10, low: 3, info: 1 };
export const PRIVILEGE_WEIGHT: Record<Privilege, number> = { platform: 5, privileged: 3, preinstalled: 0, user: 0 };

const PARTITIONS = new Set(['system', 'system_ext', 'product', 'vendor', 'odm', 'oem', 'data', 'preload', 'cust', 'vendor_dlkm', 'odm_dlkm', 'apex']);

/** The partition an app came from: the report's own field, else the first path segment or container that names one. */
export function partitionOf(app: AppReport): string | null {
  if (app.partition) return app.partition;
  for (const raw of app.path.split(/!\/|\//)) {
    // "system.new.dat.br", "vendor.img.lz4", "system_a" all name a partition.
    const s = raw.replace(/(\.(img|new|dat|br|raw|sparse|ext4|erofs|lz4|bin))+$/, '').replace(/_[ab]$/, '');
    if (PARTITIONS.has(s) || /^my_[a-z]+$/.test(s)) return s;
  }
  return null;
}

export function privilegeOf(app: AppReport, partition: string | null): Privilege {
  if (app.platformSigned) return 'platform';
  if (app.privileged) return 'privileged';
  return partition && partition !== 'data' ? 'preinstalled' : 'user';
}

export function worstSeverity(findings: readonly Finding[]): Severity | null {
  let best = -1;
  for (const f of findings) best = Math.max(best, SEVERITIES.indexOf(f.severity));
  return best < 0 ? null : SEVERITIES[best]!;
}

function buildRows(report: Report): AppRow[] {
  return report.apps.map((app, index) => {
    const partition = partitionOf(app);
    const privilege = privilegeOf(app, partition);
    let risk = PRIVILEGE_WEIGHT[privilege];
    for (const f of app.findings) risk += SEVERITY_WEIGHT[f.severity] ?? 0;
    const name = sanitize(app.package ?? app.path.split('/').pop() ?? app.path);
    const label = app.label ? sanitize(app.label) : '';
    return {
      index, app, name, label, partition: partition ?? '-', privilege, risk,
      worst: worstSeverity(app.findings), findingCount: app.findings.length,
      haystack: `${app.package ?? ''}\u0000${app.label ?? ''}\u0000${app.path}`.toLowerCase(),
      sortName: name.toLowerCase(),
    };
  });
}

function groupFindings(report: Report): FindingGroup[] {
  const byPath = new Map<string, number>();
  report.apps.forEach((a, i) => { if (!byPath.has(a.path)) byPath.set(a.path, i); });
  const groups = new Map<string, FindingGroup>();
  const add = (finding: Finding, appIndex: number | null, where: string) => {
    let g = groups.get(finding.rule);
    if (!g) { g = { rule: finding.rule, severity: finding.severity, title: finding.title, items: [] }; groups.set(finding.rule, g); }
    if (SEVERITIES.indexOf(finding.severity) > SEVERITIES.indexOf(g.severity)) g.severity = finding.severity;
    g.items.push({ finding, source: 'report', appIndex, where });
  };
  for (const f of report.findings) {
    const i = f.path !== undefined ? byPath.get(f.path) ?? null : null;
    add(f, i, f.package ?? (i !== null ? report.apps[i]!.package : null) ?? f.path ?? 'firmware');
  }
  report.apps.forEach((a, i) => { for (const f of a.findings) add(f, i, a.package ?? a.path); });
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const out = [...groups.values()];
  for (const g of out) g.items.sort((a, b) => rank(b.finding.severity) - rank(a.finding.severity));
  return out.sort((a, b) => rank(b.severity) - rank(a.severity) || b.items.length - a.items.length || (a.rule < b.rule ? -1 : 1));
}

export interface ModelInput {
  report: unknown;
  base?: unknown;
  diff?: unknown;
  names?: string[];
  /** Extra permission → protection level entries (from signatures/permissions.json). */
  permissionLevels?: Record<string, string>;
}

export function buildModel(input: ModelInput): TuiModel {
  const { report, problems } = normalizeReport(input.report);
  const base = input.base !== undefined && input.base !== null ? normalizeReport(input.base) : null;
  if (base) problems.push(...base.problems.map((p) => `base report: ${p}`));
  const findingGroups = groupFindings(report);
  const severityCounts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let findingTotal = 0;
  for (const g of findingGroups) for (const it of g.items) { severityCounts[it.finding.severity]++; findingTotal++; }
  return {
    report,
    base: base?.report ?? null,
    diff: input.diff !== undefined && input.diff !== null ? normalizeDiff(input.diff) : null,
    diffRaw: input.diff ?? null,
    names: input.names ?? [report.input.name],
    rows: buildRows(report),
    baseRows: base ? buildRows(base.report) : [],
    findingGroups,
    findingTotal,
    severityCounts,
    permissionLevels: buildPermissionLevels(base ? [report, base.report] : [report], input.permissionLevels),
    problems,
    sortCache: new Map(),
    lineCache: new Map(),
  };
}

// Plain code-unit order of lowercased names: package names are ASCII, and Intl.Collator is ten
// times slower on a 10,000-app first sort.
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** App indices in sort order (ascending sense of the key; the reducer reverses for descending). */
export function sortedIndices(model: TuiModel, key: SortKey): number[] {
  const hit = model.sortCache.get(key);
  if (hit) return hit;
  const rows = model.rows;
  const byName = (a: AppRow, b: AppRow) => cmpStr(a.sortName, b.sortName) || cmpStr(a.app.path, b.app.path);
  const cmp: Record<SortKey, (a: AppRow, b: AppRow) => number> = {
    // Riskiest first is the natural reading of "sort by risk", so ascending here means risk descending.
    risk: (a, b) => b.risk - a.risk || byName(a, b),
    name: byName,
    partition: (a, b) => cmpStr(a.partition, b.partition) || byName(a, b),
    privilege: (a, b) => PRIVILEGES.indexOf(a.privilege) - PRIVILEGES.indexOf(b.privilege) || byName(a, b),
  };
  const order = rows.map((r) => r.index).sort((a, b) => cmp[key](rows[a]!, rows[b]!));
  model.sortCache.set(key, order);
  return order;
}

/** Memoised line builder; the cache is bounded because widths change on every resize. */
export function cachedLines(model: TuiModel, key: string, build: () => Line[]): Line[] {
  const hit = model.lineCache.get(key);
  if (hit) return hit;
  const lines = build();
  if (model.lineCache.size > 256) model.lineCache.clear();
  model.lineCache.set(key, lines);
  return lines;
}

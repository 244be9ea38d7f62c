// The current view as a file: JSON for scripts, Markdown for tickets. Lists export what the list
// shows (after search, filters and sort); an app or a rule exports everything, not just the rows
// on screen. Pure: the export hook does the writing.
import { DETAIL_SECTIONS, appDetailLines } from '../model/app-detail-lines.js';
import type { AppRow, TuiModel } from '../model/build-model.js';
import { DIFF_SECTIONS, diffItemLines } from '../model/diff-lines.js';
import { findingItemLines } from '../model/findings-lines.js';
import { lineText, type Line } from '../model/line.js';
import { deviceFacts, overviewLines } from '../model/overview-lines.js';
import { detailRow, topDetail, currentView } from '../state/panes.js';
import type { ExportFormat, State } from '../state/state.js';

export interface ExportOutput { view: string; ext: 'json' | 'md'; content: string }

function fence(text: string): string {
  // A fence longer than any backtick run inside, so evidence containing ``` cannot end the block early.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
}

function block(lines: readonly Line[]): string {
  return fence(lines.map(lineText).join('\n'));
}

const cell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

function appSummary(r: AppRow) {
  return {
    package: r.app.package, label: r.app.label, path: r.app.path, versionName: r.app.versionName, versionCode: r.app.versionCode,
    partition: r.partition, privilege: r.privilege, risk: r.risk, worstSeverity: r.worst, findings: r.findingCount,
  };
}

function overview(m: TuiModel, format: ExportFormat): string {
  if (format === 'md') return `# romscan overview: ${m.report.input.name}\n\n${block(overviewLines(m))}\n`;
  const byPartition: Record<string, number> = {};
  const byPrivilege: Record<string, number> = {};
  for (const r of m.rows) {
    byPartition[r.partition] = (byPartition[r.partition] ?? 0) + 1;
    byPrivilege[r.privilege] = (byPrivilege[r.privilege] ?? 0) + 1;
  }
  const top = [...m.rows].sort((a, b) => b.risk - a.risk).filter((r) => r.risk > 0).slice(0, 10);
  return JSON.stringify({
    input: m.report.input, device: deviceFacts(m.report), apps: { total: m.rows.length, byPartition, byPrivilege },
    findings: { total: m.findingTotal, bySeverity: m.severityCounts, rules: m.findingGroups.length },
    topRiskyApps: top.map(appSummary), errors: m.report.errors, reportProblems: m.problems,
  }, null, 2);
}

function apps(s: State, format: ExportFormat): string {
  const rows = s.apps.rows.map((i) => s.model.rows[i]!);
  const view = { sort: s.apps.sort, reversed: s.apps.reversed, filters: s.apps.filters, search: s.apps.query };
  if (format === 'json') return JSON.stringify({ ...view, total: s.model.rows.length, shown: rows.length, apps: rows.map(appSummary) }, null, 2);
  const out = [`# romscan apps: ${s.model.report.input.name}`, '',
    `${rows.length} of ${s.model.rows.length} apps; sort ${view.sort}${view.reversed ? ' (reversed)' : ''}${view.search ? `; search “${view.search}”` : ''}`, '',
    '| risk | worst | package | label | partition | privilege | findings | path |', '|---:|---|---|---|---|---|---:|---|'];
  for (const r of rows) {
    out.push(`| ${r.risk} | ${r.worst ?? ''} | ${cell(r.name)} | ${cell(r.label)} | ${cell(r.partition)} | ${r.privilege} | ${r.findingCount} | ${cell(r.app.path)} |`);
  }
  return `${out.join('\n')}\n`;
}

function detail(s: State, format: ExportFormat): { name: string; content: string } {
  const d = topDetail(s)!;
  const row = detailRow(s, d);
  if (!row) throw new Error('the app is not in the report');
  const name = `app-${(row.app.package ?? 'unnamed').replace(/[^A-Za-z0-9._-]/g, '_')}`;
  if (format === 'json') return { name, content: JSON.stringify({ ...row.app, partition: row.partition, privilege: row.privilege, risk: row.risk }, null, 2) };
  const out = [`# ${row.name}${row.label ? ` (${row.label})` : ''}`, ''];
  DETAIL_SECTIONS.forEach((title, i) => out.push(`## ${title}`, '', block(appDetailLines(s.model, row, i)), ''));
  return { name, content: out.join('\n') };
}

function findings(m: TuiModel, format: ExportFormat): string {
  if (format === 'json') {
    return JSON.stringify({
      total: m.findingTotal,
      rules: m.findingGroups.map((g) => ({
        rule: g.rule, severity: g.severity, count: g.items.length,
        findings: g.items.map((it) => ({ ...it.finding, app: it.appIndex === null ? null : { package: m.rows[it.appIndex]!.app.package, path: m.rows[it.appIndex]!.app.path } })),
      })),
    }, null, 2);
  }
  const out = [`# romscan findings: ${m.report.input.name}`, '', `${m.findingTotal} findings in ${m.findingGroups.length} rules`, ''];
  m.findingGroups.forEach((g, i) => out.push(`## ${g.rule} (${g.severity}, ${g.items.length})`, '', block(findingItemLines(m, i)), ''));
  return out.join('\n');
}

function diff(m: TuiModel, format: ExportFormat): string {
  if (!m.diff) throw new Error('no diff loaded');
  if (format === 'json') return JSON.stringify(m.diffRaw, null, 2);
  const out = [`# romscan diff: ${m.names.join(' → ')}`, ''];
  DIFF_SECTIONS.forEach((title, i) => out.push(`## ${title}`, '', block(diffItemLines(m, i)), ''));
  return out.join('\n');
}

export function exportView(s: State, format: ExportFormat): ExportOutput {
  const view = currentView(s);
  const ext = format;
  switch (view) {
    case 'overview': return { view, ext, content: overview(s.model, format) };
    case 'apps': return { view, ext, content: apps(s, format) };
    case 'findings': return { view, ext, content: findings(s.model, format) };
    case 'diff': return { view, ext, content: diff(s.model, format) };
    case 'detail': { const d = detail(s, format); return { view: d.name, ext, content: d.content }; }
    case 'help': throw new Error('nothing to export on the help screen');
  }
}

// Plain-text diff for terminals: summary, then apps added/removed/changed, findings, build.prop.
import { changeLines } from './change-lines.js';
import type { ReportDiff } from './report-diff.js';

export function renderDiffText(diff: ReportDiff): string {
  const s = diff.summary;
  const out: string[] = [];
  out.push(`romscan diff: ${diff.a.name} → ${diff.b.name}`);
  out.push(`apps: +${s.appsAdded} -${s.appsRemoved} ~${s.appsChanged}   findings: +${s.findingsAdded} -${s.findingsRemoved}${s.worstAdded ? ` (worst new: ${s.worstAdded})` : ''}   build.prop: ${s.buildPropsChanged} changed`);
  out.push('');
  const version = (v: { versionName: string | null; versionCode: number | null }): string => v.versionName ?? (v.versionCode !== null ? String(v.versionCode) : '?');
  if (diff.apps.added.length) {
    out.push('APPS ADDED');
    for (const a of diff.apps.added) out.push(`  + ${a.package ?? '(unknown)'} ${version(a)}  ${a.path}`);
    out.push('');
  }
  if (diff.apps.removed.length) {
    out.push('APPS REMOVED');
    for (const a of diff.apps.removed) out.push(`  - ${a.package ?? '(unknown)'} ${version(a)}  ${a.path}`);
    out.push('');
  }
  if (diff.apps.changed.length) {
    out.push('APPS CHANGED');
    for (const c of diff.apps.changed) {
      out.push(`  ~ ${c.package ?? '(unknown)'}  ${c.path}`);
      for (const line of changeLines(c.changes)) out.push(`      ${line}`);
    }
    out.push('');
  }
  for (const [title, list, mark] of [['FINDINGS ADDED', diff.findings.added, '+'], ['FINDINGS REMOVED', diff.findings.removed, '-']] as const) {
    if (!list.length) continue;
    out.push(title);
    for (const f of list) {
      out.push(`  ${mark} [${f.severity.toUpperCase()}] ${f.rule}${f.package ? ` ${f.package}` : ''}: ${f.title}`);
      for (const e of f.evidence.slice(0, 3)) out.push(`      - ${e}`);
      if (f.evidence.length > 3) out.push(`      … ${f.evidence.length - 3} more`);
    }
    out.push('');
  }
  const props = Object.entries(diff.buildProps.changed);
  if (props.length) {
    out.push('BUILD.PROP');
    for (const [k, [a, b]] of props) out.push(`  ${k}: ${a ?? '(unset)'} → ${b ?? '(unset)'}`);
    out.push('');
  }
  for (const [part, changes] of Object.entries(diff.buildProps.partitions ?? {})) {
    out.push(`BUILD.PROP (${part})`);
    for (const [k, [a, b]] of Object.entries(changes)) out.push(`  ${k}: ${a ?? '(unset)'} → ${b ?? '(unset)'}`);
    out.push('');
  }
  if (!s.appsAdded && !s.appsRemoved && !s.appsChanged && !s.findingsAdded && !s.findingsRemoved && !s.buildPropsChanged) out.push('no differences');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

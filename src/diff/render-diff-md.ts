// Markdown diff (GitHub-flavoured), e.g. for a CI comment comparing two ROM releases.
import { mdCode as code, mdCodeInline as inline, mdEscape } from '../report/md-escape.js';
import { changeLines } from './change-lines.js';
import type { ReportDiff } from './report-diff.js';

export function renderDiffMd(diff: ReportDiff): string {
  const s = diff.summary;
  const out: string[] = [];
  out.push(`# romscan diff: ${mdEscape(diff.a.name)} → ${mdEscape(diff.b.name)}`, '');
  out.push('| | added | removed | changed |', '|---|---|---|---|');
  out.push(`| Apps | ${s.appsAdded} | ${s.appsRemoved} | ${s.appsChanged} |`);
  out.push(`| Findings | ${s.findingsAdded} | ${s.findingsRemoved} | |`);
  out.push(`| build.prop | | | ${s.buildPropsChanged} |`, '');
  const version = (v: { versionName: string | null; versionCode: number | null }): string => mdEscape(v.versionName ?? (v.versionCode !== null ? String(v.versionCode) : '?'));
  if (diff.apps.added.length || diff.apps.removed.length) {
    out.push('## Apps added and removed', '', '| | Package | Version | Path |', '|---|---|---|---|');
    for (const a of diff.apps.added) out.push(`| + | ${code(a.package ?? '(unknown)')} | ${version(a)} | ${code(a.path)} |`);
    for (const a of diff.apps.removed) out.push(`| − | ${code(a.package ?? '(unknown)')} | ${version(a)} | ${code(a.path)} |`);
    out.push('');
  }
  if (diff.apps.changed.length) {
    out.push('## Apps changed', '');
    for (const c of diff.apps.changed) {
      out.push(`### ${inline(c.package ?? '(unknown)')}`, '', `Path ${inline(c.path)}`, '');
      for (const line of changeLines(c.changes)) out.push(`- ${mdEscape(line)}`);
      out.push('');
    }
  }
  if (diff.findings.added.length || diff.findings.removed.length) {
    out.push('## Findings', '', '| | Severity | Rule | App | Title |', '|---|---|---|---|---|');
    for (const [mark, list] of [['+', diff.findings.added], ['−', diff.findings.removed]] as const) {
      for (const f of list) out.push(`| ${mark} | ${f.severity} | ${code(f.rule)} | ${f.package ? code(f.package) : '—'} | ${mdEscape(f.title)} |`);
    }
    out.push('');
  }
  const props = Object.entries(diff.buildProps.changed);
  if (props.length) {
    out.push('## build.prop', '', '| Property | Before | After |', '|---|---|---|');
    for (const [k, [a, b]] of props) out.push(`| ${code(k)} | ${a === null ? '*unset*' : code(a)} | ${b === null ? '*unset*' : code(b)} |`);
    out.push('');
  }
  for (const [part, changes] of Object.entries(diff.buildProps.partitions ?? {})) {
    out.push(`## build.prop (${mdEscape(part)})`, '', '| Property | Before | After |', '|---|---|---|');
    for (const [k, [a, b]] of Object.entries(changes)) out.push(`| ${code(k)} | ${a === null ? '*unset*' : code(a)} | ${b === null ? '*unset*' : code(b)} |`);
    out.push('');
  }
  if (!s.appsAdded && !s.appsRemoved && !s.appsChanged && !s.findingsAdded && !s.findingsRemoved && !s.buildPropsChanged) out.push('No differences.');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

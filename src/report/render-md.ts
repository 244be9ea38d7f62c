// Markdown report (GitHub-flavoured): summary table, build properties, findings worst first with
// evidence, the app table and errors. All text from input is escaped so class names with '_' or
// '$' and virtual paths with '|' render literally.
import { collectFindings, HEADLINE_PROPS, prop, severityCounts } from './collect-findings.js';
import { mdCode as code, mdCodeInline as inline, mdEscape } from './md-escape.js';
import { SEVERITIES, type Report } from './model.js';


export function renderMd(report: Report): string {
  const out: string[] = [];
  const all = collectFindings(report);
  const counts = severityCounts(all);
  out.push(`# romscan report: ${mdEscape(report.input.name)}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Input | ${code(report.input.name)} (${report.input.kind}) |`);
  if (report.input.sha256) out.push(`| SHA-256 | ${code(report.input.sha256)} |`);
  out.push(`| Tool | romscan ${mdEscape(report.tool.version)} |`);
  out.push(`| Apps | ${report.apps.length} |`);
  out.push(`| Findings | ${[...SEVERITIES].reverse().map((s) => `${counts[s]} ${s}`).join(', ')} |`);
  out.push('');

  if (report.firmware) {
    const rows = HEADLINE_PROPS.map((k) => [k, prop(report.firmware!.buildProps, k)] as const).filter(([, v]) => v !== undefined);
    if (rows.length) {
      out.push('## Build', '', '| Property | Value |', '|---|---|');
      for (const [k, v] of rows) out.push(`| ${code(k)} | ${code(v!)} |`);
      out.push('');
    }
  }

  out.push('## Findings', '');
  if (!all.length) out.push('No findings.', '');
  for (const { finding: f, path, package: pkg } of all) {
    out.push(`### ${f.severity.toUpperCase()}: ${mdEscape(f.title)}`, '');
    out.push(`Rule ${inline(f.rule)}${pkg ? ` · app ${inline(pkg)}` : ''}${path ? ` · ${inline(path)}` : ''}`, '');
    for (const e of f.evidence) out.push(`- ${mdEscape(e)}`);
    if (f.evidence.length) out.push('');
    if (f.references?.length) out.push(`References: ${f.references.map((r) => `<${r.replace(/[<>\s]/g, encodeURIComponent)}>`).join(', ')}`, '');
  }

  if (report.apps.length) {
    out.push('## Apps', '', '| Package | Version | Partition | Privileged | Platform-signed | Shared UID | Findings | Path |', '|---|---|---|---|---|---|---|---|');
    for (const a of report.apps) {
      const worst = SEVERITIES.slice().reverse().find((s) => a.findings.some((f) => f.severity === s));
      out.push(`| ${a.package ? code(a.package) : '—'} | ${mdEscape(a.versionName ?? String(a.versionCode ?? '—'))} | ${mdEscape(a.partition ?? '—')} | ${a.privileged ? 'yes' : 'no'} | ${a.platformSigned ? 'yes' : 'no'} | ${a.sharedUserId ? code(a.sharedUserId) : '—'} | ${a.findings.length}${worst ? ` (worst ${worst})` : ''} | ${code(a.path)} |`);
    }
    out.push('');
  }

  const errors = [
    ...report.errors.map((e) => ({ path: e.path ?? report.input.name, e })),
    ...report.apps.flatMap((a) => a.errors.map((e) => ({ path: a.path, e }))),
  ];
  if (errors.length) {
    out.push('## Errors', '', '| Path | Stage | Message |', '|---|---|---|');
    for (const { path, e } of errors) out.push(`| ${code(path)} | ${mdEscape(e.stage)} | ${mdEscape(e.message)}${e.offset !== undefined ? ` (offset 0x${e.offset.toString(16)})` : ''} |`);
    out.push('');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

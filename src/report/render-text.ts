// Plain-text report for terminals: a summary, the findings worst first with their evidence, then
// one line per app and the errors. No colour codes, so it reads the same in a pipe or a log.
import { collectFindings, HEADLINE_PROPS, prop, severityCounts } from './collect-findings.js';
import { SEVERITIES, type AppReport, type Report } from './model.js';

function appFlags(a: AppReport): string {
  const f: string[] = [];
  if (a.partition) f.push(a.partition);
  if (a.privileged) f.push('privileged');
  if (a.platformSigned) f.push('platform-signed');
  if (a.sharedUserId) f.push(a.sharedUserId);
  if (a.flags?.debuggable) f.push('debuggable');
  return f.join(', ');
}

export function renderText(report: Report): string {
  const lines: string[] = [];
  const all = collectFindings(report);
  const counts = severityCounts(all);
  lines.push(`romscan ${report.tool.version} — ${report.input.name} (${report.input.kind}${report.input.sha256 ? `, sha256 ${report.input.sha256.slice(0, 16)}…` : ''})`);
  if (report.firmware) {
    const props = report.firmware.buildProps;
    for (const name of HEADLINE_PROPS) {
      const v = prop(props, name);
      if (v !== undefined) lines.push(`  ${name}: ${v}`);
    }
    if (report.firmware.containers.length) {
      lines.push(`  containers: ${report.firmware.containers.length} (${[...new Set(report.firmware.containers.map((c) => c.format))].sort().join(', ')})`);
    }
  }
  lines.push(`apps: ${report.apps.length}   errors: ${report.errors.length + report.apps.reduce((n, a) => n + a.errors.length, 0)}`);
  lines.push(`findings: ${[...SEVERITIES].reverse().map((s) => `${counts[s]} ${s}`).join(', ')}`);
  lines.push('');

  if (all.length) {
    lines.push('FINDINGS');
    for (const { finding: f, path, package: pkg } of all) {
      lines.push(`[${f.severity.toUpperCase()}] ${f.rule}: ${f.title}`);
      if (pkg || path) lines.push(`    app: ${[pkg, path ? `(${path})` : null].filter(Boolean).join(' ')}`);
      for (const e of f.evidence) lines.push(`    - ${e}`);
      for (const r of f.references ?? []) lines.push(`    ref: ${r}`);
    }
    lines.push('');
  }

  if (report.apps.length) {
    lines.push('APPS');
    for (const a of report.apps) {
      const version = a.versionName ?? (a.versionCode !== null ? String(a.versionCode) : '?');
      const flags = appFlags(a);
      const n = a.findings.length;
      lines.push(`  ${a.package ?? '(unknown package)'} ${version}${flags ? ` [${flags}]` : ''}${n ? ` — ${n} finding${n > 1 ? 's' : ''}` : ''}`);
      lines.push(`      ${a.path}`);
    }
    lines.push('');
  }

  const errors = [
    ...report.errors.map((e) => ({ path: e.path ?? report.input.name, e })),
    ...report.apps.flatMap((a) => a.errors.map((e) => ({ path: a.path, e }))),
  ];
  if (errors.length) {
    lines.push('ERRORS');
    for (const { path, e } of errors) {
      lines.push(`  ${path}: ${e.stage}: ${e.message}${e.offset !== undefined ? ` (offset 0x${e.offset.toString(16)})` : ''}`);
    }
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

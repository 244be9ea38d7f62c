import type { Command } from 'commander';
import { diffReports } from '../../diff/diff-reports.js';
import { renderDiffText } from '../../diff/render-diff-text.js';
import { renderDiffMd } from '../../diff/render-diff-md.js';
import { DEFAULT_SIGNATURES_DIR } from '../defaults.js';
import { loadReportOrScan } from '../load-report-or-scan.js';
import { emit, defaultFormat } from '../output.js';
import { parseChoice, parseJobs } from '../parse-options.js';

export function registerDiff(program: Command): void {
  program.command('diff <a> <b>')
    .description('compare two builds (inputs or report JSON files): apps, findings, build.prop')
    .option('--format <format>', 'json | md | text (default: text on a terminal, json otherwise)')
    .option('--output <file>', 'write to FILE instead of stdout')
    .option('--signatures <dir>', 'rules directory', DEFAULT_SIGNATURES_DIR)
    .option('--jobs <n|auto>', 'APK analysis threads when an input must be scanned (as for scan)')
    .action(async (a: string, b: string, o: { format?: string; output?: string; signatures: string; jobs?: string }) => {
      const format = parseChoice('--format', o.format ?? defaultFormat(), ['json', 'md', 'text']);
      const opts = { signaturesDir: o.signatures, jobs: parseJobs(o.jobs) };
      const [ra, rb] = [await loadReportOrScan(a, opts), await loadReportOrScan(b, opts)];
      const d = diffReports(ra, rb);
      await emit(format === 'json' ? JSON.stringify(d, null, 2) : format === 'md' ? renderDiffMd(d) : renderDiffText(d), o.output);
    });
}

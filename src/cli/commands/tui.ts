import type { Command } from 'commander';
import { UsageError } from '../../io/errors/index.js';
import { diffReports } from '../../diff/diff-reports.js';
import { DEFAULT_SIGNATURES_DIR } from '../defaults.js';
import { loadReportOrScan } from '../load-report-or-scan.js';
import { parseJobs } from '../parse-options.js';
import type { ScanProgress } from '../../scan/progress.js';

export function registerTui(program: Command): void {
  program.command('tui [inputs...]')
    .description('browse a scan (input or report.json), or a diff with --diff A B, in the terminal')
    .option('--diff', 'compare two inputs or reports')
    .option('--signatures <dir>', 'rules directory', DEFAULT_SIGNATURES_DIR)
    .option('--jobs <n|auto>', 'APK analysis threads when an input must be scanned (as for scan)')
    .action(async (inputs: string[], o: { diff?: boolean; signatures: string; jobs?: string }) => {
      const want = o.diff ? 2 : 1;
      if (inputs.length !== want) throw new UsageError(o.diff ? 'tui --diff needs two inputs' : 'tui needs one input or report.json');
      if (!process.stdout.isTTY || !process.stdin.isTTY) throw new UsageError('tui needs a terminal');
      const { runTui } = await import('../../tui/run-tui.js');
      const opts = { signaturesDir: o.signatures, jobs: parseJobs(o.jobs) };
      await runTui(o.diff
        ? { mode: 'diff', names: inputs, signaturesDir: o.signatures, load: async (onProgress: (p: ScanProgress) => void) => {
          const a = await loadReportOrScan(inputs[0], { ...opts, onProgress });
          const b = await loadReportOrScan(inputs[1], { ...opts, onProgress });
          return { report: b, base: a, diff: diffReports(a, b) };
        } }
        : { mode: 'report', names: inputs, signaturesDir: o.signatures, load: async (onProgress: (p: ScanProgress) => void) => ({ report: await loadReportOrScan(inputs[0], { ...opts, onProgress }) }) });
    });
}

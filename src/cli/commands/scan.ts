import type { Command } from 'commander';
import { scanInput } from '../../scan/scan-input.js';
import { renderReport } from '../render-report.js';
import { atOrAbove, maxSeverity } from '../../rules/severity.js';
import { SEVERITIES, type Severity } from '../../report/model.js';
import { DEFAULT_SIGNATURES_DIR } from '../defaults.js';
import { emit, defaultFormat } from '../output.js';
import { progressPrinter } from '../progress-line.js';
import { parseJobs, parseChoice } from '../parse-options.js';

export function registerScan(program: Command): void {
  program.command('scan <input>')
    .description('scan an APK, a firmware image/archive, or a directory')
    .option('--format <format>', 'json | sarif | md | text (default: text on a terminal, json otherwise)')
    .option('--output <file>', 'write the report to FILE instead of stdout')
    .option('--signatures <dir>', 'rules directory', DEFAULT_SIGNATURES_DIR)
    .option('--jobs <n|auto>', 'APK analysis threads (default auto: one per core, all but one started only once a scan is big enough to repay them)')
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists (low|medium|high|critical)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress')
    .action(async (input: string, o: { format?: string; output?: string; signatures: string; jobs?: string; failOn?: string; progress?: boolean }) => {
      const format = parseChoice('--format', o.format ?? defaultFormat(), ['json', 'sarif', 'md', 'text']);
      const failOn = o.failOn === undefined ? undefined : parseChoice('--fail-on', o.failOn, SEVERITIES.filter((s) => s !== 'info')) as Severity;
      const jobs = parseJobs(o.jobs);
      // commander leaves `progress` undefined unless --progress or --no-progress was given.
      const showProgress = o.progress ?? process.stderr.isTTY;
      const progress = showProgress ? progressPrinter() : undefined;
      const report = await scanInput(input, { signaturesDir: o.signatures, jobs, onProgress: progress?.update });
      progress?.finish();
      await emit(renderReport(report, format as 'json' | 'sarif' | 'md' | 'text'), o.output);
      const all = [...report.findings, ...report.apps.flatMap((a) => a.findings)];
      const worst = maxSeverity(all);
      if (failOn && worst && atOrAbove(worst, failOn)) process.exitCode = 1;
    });
}

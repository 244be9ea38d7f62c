// Entry point of `romscan tui` (called by src/cli/commands/tui.ts).
import type { ReportDiff } from '../diff/report-diff.js';
import type { Report } from '../report/model.js';
import type { ScanProgress } from '../scan/progress.js';

export interface TuiInput {
  mode: 'report' | 'diff';
  names: string[];
  /** `report` is the new side of a diff and `base` the old one. The TUI reads the diff defensively
   *  (model/normalize-diff.ts), so a diff from an older or newer writer still shows. */
  load: (onProgress: (p: ScanProgress) => void) => Promise<{ report: Report; base?: Report; diff?: ReportDiff }>;
  /** Extension: signatures directory whose permissions.json gives protection levels (default: the shipped one). */
  signaturesDir?: string;
  /** Extension: where `e` writes exports (default: the current directory). */
  exportDir?: string;
}

/** Renders the progress screen while input.load() runs, then the browser; resolves when the user quits. */
export async function runTui(input: TuiInput): Promise<void> {
  // React picks its development or production build when first imported, from NODE_ENV. The
  // development build checks and profiles every render and is several times slower per keypress,
  // so choose production unless the user asked otherwise, before anything imports React.
  process.env.NODE_ENV ??= 'production';
  const { startTui } = await import('./start-tui.js');
  await startTui(input);
}

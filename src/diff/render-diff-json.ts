// `diff --format json`: the ReportDiff object, two-space indented.
import type { ReportDiff } from './report-diff.js';

export function renderDiffJson(diff: ReportDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

// JSON report exactly per INTERFACE.md (schemaVersion 1): the Report object, two-space indented.
import type { Report } from './model.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

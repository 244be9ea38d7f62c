// Evasion findings: where a parser-confusion trick is present, report it (placeholder, filled in below).
import type { AppReport, Finding } from '../report/model.js';

export function evasionFindings(_app: AppReport): Finding[] {
  return [];
}

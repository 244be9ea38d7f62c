// Severity order and the comparisons `--fail-on` and the renderers need.
import { SEVERITIES, type Finding, type Severity } from '../report/model.js';

export function severityRank(sev: Severity): number {
  return SEVERITIES.indexOf(sev);
}

/** True when `sev` is `threshold` or worse. */
export function atOrAbove(sev: Severity, threshold: Severity): boolean {
  return severityRank(sev) >= severityRank(threshold);
}

/** The worst severity among `findings`, or null when there are none. */
export function maxSeverity(findings: readonly Pick<Finding, 'severity'>[]): Severity | null {
  let best = -1;
  for (const f of findings) best = Math.max(best, severityRank(f.severity));
  return best < 0 ? null : SEVERITIES[best]!;
}

/** One step up or down the scale, clamped. */
export function shiftSeverity(sev: Severity, steps: number): Severity {
  const i = Math.min(SEVERITIES.length - 1, Math.max(0, severityRank(sev) + steps));
  return SEVERITIES[i]!;
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as string[]).includes(s);
}

// The findings screen: rules on the left (worst first), the chosen rule's findings on the right,
// each pointing at its app.
import type { TuiModel } from './build-model.js';
import { FINDINGS_SECTION } from './app-detail-lines.js';
import { line, seg, type Line } from './line.js';
import { SEVERITY_LABEL, SEVERITY_TONE } from './overview-lines.js';

/** One line per rule group, in model.findingGroups order. */
export function findingGroupLines(model: TuiModel): Line[] {
  if (!model.findingGroups.length) return [line(seg('no findings', 'muted'))];
  return model.findingGroups.map((g) => line(
    seg(SEVERITY_LABEL[g.severity].padEnd(5), SEVERITY_TONE[g.severity], true),
    seg(`${String(g.items.length).padStart(4)} `, 'muted'),
    seg(g.rule),
  ));
}

export function findingItemLines(model: TuiModel, group: number): Line[] {
  const g = model.findingGroups[group];
  if (!g) return [line(seg('no findings in this report', 'muted'))];
  const out: Line[] = [];
  for (const it of g.items) {
    const target = it.appIndex === null ? undefined : { source: it.source, index: it.appIndex, section: FINDINGS_SECTION };
    const block: Line[] = [
      line(seg(SEVERITY_LABEL[it.finding.severity].padEnd(5), SEVERITY_TONE[it.finding.severity], true), seg(it.where, it.appIndex === null ? undefined : 'accent')),
      line(seg('     '), seg(it.finding.title)),
      ...it.finding.evidence.map((e) => line(seg('     - ', 'muted'), seg(e))),
    ];
    for (const l of block) out.push(target ? { ...l, target } : l);
  }
  return out;
}

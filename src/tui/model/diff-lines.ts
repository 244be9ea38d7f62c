// The diff screen: sections on the left, their entries on the right. Added and changed apps open
// in the new report, removed ones in the base report.
import { SEVERITIES, type Severity } from '../../report/model.js';
import type { AppRow, TuiModel } from './build-model.js';
import { line, seg, type Line, type Seg, type Target } from './line.js';
import type { DiffAppRef } from './normalize-diff.js';
import { SEVERITY_LABEL, SEVERITY_TONE } from './overview-lines.js';

export const DIFF_SECTIONS = ['Added apps', 'Removed apps', 'Changed apps', 'New findings', 'Gone findings', 'build.prop'] as const;

export function diffSectionCounts(model: TuiModel): number[] {
  const d = model.diff;
  if (!d) return DIFF_SECTIONS.map(() => 0);
  return [d.apps.added.length, d.apps.removed.length, d.apps.changed.length, d.findings.added.length, d.findings.removed.length, d.buildProps.length];
}

const indexers = new WeakMap<readonly AppRow[], (ref: DiffAppRef) => number | null>();

/** Finds a diff's app in a report: by virtual path, else by package. Built once per report. */
function indexer(rows: readonly AppRow[]): (ref: DiffAppRef) => number | null {
  const hit = indexers.get(rows);
  if (hit) return hit;
  const byPath = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const r of rows) {
    if (!byPath.has(r.app.path)) byPath.set(r.app.path, r.index);
    if (r.app.package && !byPkg.has(r.app.package)) byPkg.set(r.app.package, r.index);
  }
  const find = (ref: DiffAppRef) => (ref.path !== null ? byPath.get(ref.path) : undefined) ?? (ref.package !== null ? byPkg.get(ref.package) : undefined) ?? null;
  indexers.set(rows, find);
  return find;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '—' : JSON.stringify(v));

/** One kind of change of a changed app, whatever its shape: {added, removed} lists, a [before, after] pair, or anything else. */
function changeLines(key: string, v: unknown, depth = 0): Line[] {
  if (isObj(v) && (Array.isArray(v.added) || Array.isArray(v.removed))) {
    const added = Array.isArray(v.added) ? v.added : [];
    const removed = Array.isArray(v.removed) ? v.removed : [];
    const changed = Array.isArray(v.changed) ? v.changed : [];
    const out: Line[] = [line(seg(`    ${key}`), seg(`  +${added.length}`, 'added'), seg(` -${removed.length}`, 'removed'),
      seg(changed.length ? ` ~${changed.length}` : '', 'warn'))];
    const item = (x: unknown) => show(isObj(x) ? x.value ?? x.name ?? x : x);
    for (const x of added) out.push(line(seg('      + ', 'added'), seg(item(x), 'added')));
    for (const x of removed) out.push(line(seg('      - ', 'removed'), seg(item(x), 'removed')));
    for (const x of changed) out.push(line(seg('      ~ ', 'warn'), seg(item(x), 'warn')));
    return out;
  }
  // Nested groups of changes ("grants": {privapp: {added, removed}, …}) read as "grants.privapp".
  if (isObj(v) && depth < 3 && Object.values(v).every(isObj)) {
    return Object.entries(v).flatMap(([k, sub]) => changeLines(`${key}.${k}`, sub, depth + 1));
  }
  if (Array.isArray(v) && v.length === 2) {
    return [line(seg(`    ${key}  `), seg(show(v[0]), 'removed'), seg(' → ', 'muted'), seg(show(v[1]), 'added'))];
  }
  return [line(seg(`    ${key}  `), seg(show(v)))];
}

function findingLine(f: unknown, sign: '+' | '-'): Line[] {
  const o = isObj(f) ? f : {};
  const sev: Severity = SEVERITIES.includes(o.severity as Severity) ? (o.severity as Severity) : 'info';
  const where = [o.package, o.path].find((x) => typeof x === 'string') as string | undefined;
  const head: Seg[] = [seg(`${sign} `, sign === '+' ? 'added' : 'removed'), seg(SEVERITY_LABEL[sev].padEnd(5), SEVERITY_TONE[sev], true),
    seg(show(o.rule ?? '?'), 'accent'), seg(`  ${show(o.title ?? '')}`)];
  if (where) head.push(seg(`  (${where})`, 'muted'));
  const out = [line(...head)];
  for (const e of Array.isArray(o.evidence) ? o.evidence : []) out.push(line(seg('       - ', 'muted'), seg(show(e))));
  return out;
}

export function diffItemLines(model: TuiModel, section: number): Line[] {
  const d = model.diff;
  if (!d) return [line(seg('no diff: start with  romscan tui --diff A B', 'muted'))];
  const inReport = indexer(model.rows);
  const inBase = indexer(model.baseRows);
  const appLine = (ref: DiffAppRef, sign: string, tone: 'added' | 'removed' | 'warn', source: 'report' | 'base'): Line => {
    const index = source === 'report' ? inReport(ref) : inBase(ref);
    const l = line(seg(`${sign} `, tone, true), seg(ref.package ?? '(no package)', 'accent'), seg(ref.path ? `  ${ref.path}` : '', 'muted'));
    const target: Target | undefined = index === null ? undefined : { source, index };
    return target ? { ...l, target } : l;
  };
  const empty = (what: string) => [line(seg(`no ${what}`, 'muted'))];
  switch (section) {
    case 0: return d.apps.added.length ? d.apps.added.map((a) => appLine(a, '+', 'added', 'report')) : empty('added apps');
    case 1: return d.apps.removed.length ? d.apps.removed.map((a) => appLine(a, '-', 'removed', 'base')) : empty('removed apps');
    case 2: {
      if (!d.apps.changed.length) return empty('changed apps');
      const out: Line[] = [];
      for (const c of d.apps.changed) {
        const head = appLine(c, '~', 'warn', 'report');
        out.push(head);
        for (const [k, v] of Object.entries(c.changes)) {
          for (const l of changeLines(k, v)) out.push(head.target ? { ...l, target: head.target } : l);
        }
      }
      return out;
    }
    case 3: return d.findings.added.length ? d.findings.added.flatMap((f) => findingLine(f, '+')) : empty('new findings');
    case 4: return d.findings.removed.length ? d.findings.removed.flatMap((f) => findingLine(f, '-')) : empty('gone findings');
    default: {
      if (!d.buildProps.length) return empty('build.prop changes');
      const out: Line[] = [];
      for (const p of d.buildProps) {
        out.push(line(seg(p.name, 'accent')));
        if (p.before !== null) out.push(line(seg('  - ', 'removed'), seg(p.before, 'removed')));
        if (p.after !== null) out.push(line(seg('  + ', 'added'), seg(p.after, 'added')));
      }
      return out;
    }
  }
}

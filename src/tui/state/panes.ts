// What the current screen is made of: one or two scrollable panes, which one has focus, and for
// line panes the lines (memoised in the model). The reducer moves cursors through these; the
// views draw exactly these, so both see the same lengths and heights.
import { DETAIL_SECTIONS, appDetailLines, sectionCounts } from '../model/app-detail-lines.js';
import { cachedLines, type AppRow } from '../model/build-model.js';
import { DIFF_SECTIONS, diffItemLines, diffSectionCounts } from '../model/diff-lines.js';
import { findingGroupLines, findingItemLines } from '../model/findings-lines.js';
import { helpLines } from '../model/help-lines.js';
import { line, seg, wrapLines, type Line } from '../model/line.js';
import { overviewLines } from '../model/overview-lines.js';
import { bodyHeight, leftPaneWidth, rightPaneWidth } from './layout.js';
import { menuItems } from './menus.js';
import type { DetailState, PaneState, State, ViewId } from './state.js';

export interface PaneInfo {
  /** Rows of content (apps in the list, or lines). */
  length: number;
  /** Rows visible on screen. */
  height: number;
  width: number;
  state: PaneState;
  /** Null for the app list, whose rows are drawn from s.apps.rows. */
  lines: Line[] | null;
  title: string;
}

export interface ViewPanes { view: ViewId; panes: PaneInfo[]; focus: number }

export function currentView(s: State): ViewId {
  if (s.help) return 'help';
  if (s.stack.length) return 'detail';
  return s.tab;
}

export function topDetail(s: State): DetailState | null {
  return s.stack.length ? s.stack[s.stack.length - 1]! : null;
}

export function detailRow(s: State, d: DetailState): AppRow | null {
  return (d.source === 'base' ? s.model.baseRows : s.model.rows)[d.index] ?? null;
}

function menuLength(s: State): number {
  return s.menu ? menuItems(s.menu.kind, s).length : 0;
}

function wrapped(s: State, key: string, width: number, build: () => Line[]): Line[] {
  return cachedLines(s.model, `${key}@${width}`, () => wrapLines(build(), width));
}

export function viewPanes(s: State): ViewPanes {
  const view = currentView(s);
  const body = bodyHeight(s, menuLength(s));
  const m = s.model;
  const full = (title: string, state: PaneState, lines: Line[]): PaneInfo =>
    ({ length: lines.length, height: body, width: s.cols, state, lines, title });
  const lw = leftPaneWidth(s.cols);
  const rw = rightPaneWidth(s.cols);
  const h2 = Math.max(1, body - 1); // two-pane screens have a title row
  switch (view) {
    case 'help':
      return { view, focus: 0, panes: [full('Help', s.help!.pane, wrapped(s, 'help', s.cols, helpLines))] };
    case 'overview':
      return { view, focus: 0, panes: [full('Overview', s.overview.pane, wrapped(s, 'overview', s.cols, () => overviewLines(m)))] };
    case 'apps':
      return { view, focus: 0, panes: [{ length: s.apps.rows.length, height: Math.max(1, body - 1), width: s.cols, state: s.apps.pane, lines: null, title: 'Apps' }] };
    case 'findings': {
      const g = Math.min(s.findings.groups.cursor, Math.max(0, m.findingGroups.length - 1));
      const left = cachedLines(m, 'fgroups', () => findingGroupLines(m));
      const right = wrapped(s, `fitems:${g}`, rw, () => findingItemLines(m, g));
      return {
        view, focus: s.findings.focus, panes: [
          { length: left.length, height: h2, width: lw, state: s.findings.groups, lines: left, title: `Rules (${m.findingGroups.length})` },
          { length: right.length, height: h2, width: rw, state: s.findings.items, lines: right, title: m.findingGroups[g] ? `${m.findingGroups[g]!.rule} · ${m.findingGroups[g]!.items.length}` : 'Findings' },
        ],
      };
    }
    case 'diff': {
      const counts = diffSectionCounts(m);
      const left = DIFF_SECTIONS.map((name, i) => line(seg(`${String(counts[i]).padStart(5)} `, counts[i] ? undefined : 'muted'), seg(name, counts[i] ? undefined : 'muted')));
      const sec = Math.min(s.diff.sections.cursor, DIFF_SECTIONS.length - 1);
      const right = wrapped(s, `diff:${sec}`, rw, () => diffItemLines(m, sec));
      return {
        view, focus: s.diff.focus, panes: [
          { length: left.length, height: h2, width: lw, state: s.diff.sections, lines: left, title: 'Diff' },
          { length: right.length, height: h2, width: rw, state: s.diff.items, lines: right, title: DIFF_SECTIONS[sec]! },
        ],
      };
    }
    case 'detail': {
      const d = topDetail(s)!;
      const row = detailRow(s, d);
      if (!row) {
        const gone = [line(seg('this app is not in the report', 'bad'))];
        return { view, focus: 0, panes: [full('App', d.content, gone)] };
      }
      const counts = sectionCounts(row.app);
      const left = cachedLines(m, `dsec:${d.source}:${d.index}`, () => DETAIL_SECTIONS.map((name, i) => {
        const n = counts[i];
        const tone = n === 0 ? 'muted' : (i === 6 || i === 7) && n ? 'bad' : undefined;
        return line(seg(name, tone), seg(n === null ? '' : `  ${n}`, n ? tone : 'muted'));
      }));
      const sec = Math.min(d.sections.cursor, DETAIL_SECTIONS.length - 1);
      const right = wrapped(s, `detail:${d.source}:${d.index}:${sec}`, rw, () => appDetailLines(m, row, sec));
      return {
        view, focus: d.focus, panes: [
          { length: left.length, height: h2, width: lw, state: d.sections, lines: left, title: row.name },
          { length: right.length, height: h2, width: rw, state: d.content, lines: right, title: DETAIL_SECTIONS[sec]! },
        ],
      };
    }
  }
}

/** The scroll offset that keeps the cursor on screen, moving as little as possible. */
export function visibleScroll(p: PaneState, height: number, length: number): number {
  let scroll = Math.min(p.scroll, Math.max(0, length - height));
  if (p.cursor < scroll) scroll = p.cursor;
  if (p.cursor >= scroll + height) scroll = p.cursor - height + 1;
  return Math.max(0, scroll);
}

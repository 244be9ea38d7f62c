// The browser's reducer: (State, Action) → State, pure. Input hooks translate keys into actions;
// nothing else changes the state. Side effects (writing an export, quitting) are requests in the
// state that hooks carry out and answer with another action.
import type { TuiModel } from '../model/build-model.js';
import { lineText } from '../model/line.js';
import type { Action } from './actions.js';
import { computeAppRows, describeFilters } from './app-rows.js';
import { menuItems } from './menus.js';
import { currentView, topDetail, viewPanes, visibleScroll, type PaneInfo } from './panes.js';
import { NO_FILTERS, TOP, type DetailState, type PaneState, type State, type ViewId } from './state.js';

/** Deep enough for any real back-and-forth; bounded so a held Enter cannot grow it forever. */
const MAX_STACK = 32;

export function initialState(model: TuiModel, size: { cols: number; rows: number }): State {
  return {
    model, cols: size.cols, rows: size.rows, tab: 'overview', stack: [],
    overview: { pane: TOP, query: '' },
    apps: { sort: 'risk', reversed: false, filters: NO_FILTERS, query: '', rows: computeAppRows(model, 'risk', false, NO_FILTERS, ''), pane: TOP },
    findings: { focus: 0, groups: TOP, items: TOP, query: '' },
    diff: { focus: 0, sections: TOP, items: TOP, query: '' },
    help: null, menu: null, search: null, message: null, pendingExport: null, quit: false,
  };
}

function replaceTop(s: State, d: DetailState): State {
  return { ...s, stack: [...s.stack.slice(0, -1), d] };
}

/** Writes a pane's cursor/scroll back into the state; moving a left-hand cursor resets the right pane. */
function setPane(s: State, which: number, p: PaneState): State {
  const view = currentView(s);
  switch (view) {
    case 'help': return { ...s, help: { ...s.help!, pane: p } };
    case 'overview': return { ...s, overview: { ...s.overview, pane: p } };
    case 'apps': return { ...s, apps: { ...s.apps, pane: p } };
    case 'findings':
      if (which === 0) return { ...s, findings: { ...s.findings, groups: p, items: p.cursor === s.findings.groups.cursor ? s.findings.items : TOP } };
      return { ...s, findings: { ...s.findings, items: p } };
    case 'diff':
      if (which === 0) return { ...s, diff: { ...s.diff, sections: p, items: p.cursor === s.diff.sections.cursor ? s.diff.items : TOP } };
      return { ...s, diff: { ...s.diff, items: p } };
    case 'detail': {
      const d = topDetail(s)!;
      if (which === 0) return replaceTop(s, { ...d, sections: p, content: p.cursor === d.sections.cursor ? d.content : TOP });
      return replaceTop(s, { ...d, content: p });
    }
  }
}

function setFocus(s: State, focus: 0 | 1): State {
  const view = currentView(s);
  if (view === 'findings') return { ...s, findings: { ...s.findings, focus } };
  if (view === 'diff') return { ...s, diff: { ...s.diff, focus } };
  if (view === 'detail') return replaceTop(s, { ...topDetail(s)!, focus });
  return s;
}

function focused(s: State): { pane: PaneInfo; index: number; count: number } {
  const vp = viewPanes(s);
  return { pane: vp.panes[vp.focus]!, index: vp.focus, count: vp.panes.length };
}

function moveTo(s: State, cursor: number, scrollDelta = 0): State {
  const { pane, index } = focused(s);
  const c = Math.max(0, Math.min(cursor, pane.length - 1));
  const p = { cursor: c, scroll: Math.max(0, pane.state.scroll + scrollDelta) };
  return setPane(s, index, { cursor: c, scroll: visibleScroll(p, pane.height, pane.length) });
}

function pushDetail(s: State, source: 'report' | 'base', index: number, section = 0): State {
  const d: DetailState = { source, index, focus: 0, sections: { cursor: section, scroll: 0 }, content: TOP, query: '' };
  return { ...s, stack: [...s.stack, d].slice(-MAX_STACK), search: null };
}

function withAppRows(s: State, apps: State['apps'], keepSelection: boolean): State {
  const selected = s.apps.rows[s.apps.pane.cursor];
  const rows = computeAppRows(s.model, apps.sort, apps.reversed, apps.filters, apps.query);
  let cursor = 0;
  if (keepSelection && selected !== undefined) cursor = Math.max(0, rows.indexOf(selected));
  const next = { ...s, apps: { ...apps, rows, pane: { cursor, scroll: 0 } } };
  const { pane } = focused(next);
  return { ...next, apps: { ...next.apps, pane: { cursor, scroll: visibleScroll({ cursor, scroll: Math.max(0, cursor - Math.floor(pane.height / 2)) }, pane.height, pane.length) } } };
}

/** The search query of the current screen (apps filter, or the find-in-pane text elsewhere). */
function queryOf(s: State, view: ViewId): string {
  switch (view) {
    case 'apps': return s.apps.query;
    case 'overview': return s.overview.query;
    case 'findings': return s.findings.query;
    case 'diff': return s.diff.query;
    case 'help': return s.help!.query;
    case 'detail': return topDetail(s)!.query;
  }
}

function setQuery(s: State, view: ViewId, query: string): State {
  switch (view) {
    case 'apps': return withAppRows(s, { ...s.apps, query }, false);
    case 'overview': return { ...s, overview: { ...s.overview, query } };
    case 'findings': return { ...s, findings: { ...s.findings, query } };
    case 'diff': return { ...s, diff: { ...s.diff, query } };
    case 'help': return { ...s, help: { ...s.help!, query } };
    case 'detail': return replaceTop(s, { ...topDetail(s)!, query });
  }
}

/** Index of the next line containing `query` from `from` in direction `dir`, wrapping; -1 if none. */
function findLine(pane: PaneInfo, query: string, from: number, dir: 1 | -1): number {
  const lines = pane.lines;
  if (!lines || !query) return -1;
  const q = query.toLowerCase();
  const n = lines.length;
  for (let k = 0; k < n; k++) {
    const i = (((from + dir * k) % n) + n) % n;
    if (lineText(lines[i]!).toLowerCase().includes(q)) return i;
  }
  return -1;
}

/** While typing in a text pane: jump to the first match at or after where the search started. */
function applyDraft(s: State, draft: string): State {
  const view = currentView(s);
  const before = s.search!.before;
  let next = setQuery({ ...s, search: { ...s.search!, draft } }, view, draft);
  if (view === 'apps') return next;
  const { pane } = focused(next);
  const hit = findLine(pane, draft, before.cursor, 1);
  if (hit < 0) {
    next = moveTo(next, before.cursor);
    return draft ? { ...next, message: { text: `no match for “${draft}”`, tone: 'error' } } : next;
  }
  return moveTo(next, hit);
}

function chooseMenu(s: State, index: number): State {
  if (!s.menu) return s;
  const items = menuItems(s.menu.kind, s);
  const item = items[index];
  if (!item) return s;
  return reducer({ ...s, menu: null }, item.action);
}

function describeApps(s: State): string {
  const f = describeFilters(s.apps.filters);
  return `${s.apps.rows.length} of ${s.model.rows.length} apps${f.length ? ` (${f.join(', ')})` : ''}`;
}

const KEEPS_MESSAGE = new Set<Action['type']>(['exported', 'exportFailed', 'notify', 'resize']);

export function reducer(state: State, action: Action): State {
  const s: State = KEEPS_MESSAGE.has(action.type) || state.message === null ? state : { ...state, message: null };
  switch (action.type) {
    case 'move': {
      const { pane } = focused(s);
      return moveTo(s, pane.state.cursor + action.delta);
    }
    case 'page':
    case 'halfPage': {
      const { pane } = focused(s);
      const step = action.type === 'page' ? Math.max(1, pane.height - 1) : Math.max(1, Math.floor(pane.height / 2));
      return moveTo(s, pane.state.cursor + action.delta * step, action.delta * step);
    }
    case 'home': return moveTo(s, 0);
    case 'end': return moveTo(s, focused(s).pane.length - 1);

    case 'open': {
      const view = currentView(s);
      const { pane, index, count } = focused(s);
      if (view === 'apps') {
        const app = s.apps.rows[s.apps.pane.cursor];
        if (app === undefined) return { ...s, message: { text: 'no app to open: the list is empty', tone: 'info' } };
        return pushDetail(s, 'report', app);
      }
      if (count === 2 && index === 0) return setFocus(s, 1);
      const target = pane.lines?.[pane.state.cursor]?.target;
      if (!target) return s;
      return pushDetail(s, target.source, target.index, target.section ?? 0);
    }
    case 'back': {
      if (s.menu) return { ...s, menu: null };
      if (s.help) return { ...s, help: null };
      if (s.stack.length) return { ...s, stack: s.stack.slice(0, -1) };
      const view = currentView(s);
      const { index, count } = focused(s);
      if (count === 2 && index === 1) return setFocus(s, 0);
      if (view === 'apps' && s.apps.query) return withAppRows(s, { ...s.apps, query: '' }, true);
      return { ...s, message: { text: 'at the top level; q quits', tone: 'info' } };
    }
    case 'focusNext':
    case 'focusPrev': {
      const { index, count } = focused(s);
      if (count < 2) return s;
      return setFocus(s, index === 0 ? 1 : 0);
    }
    case 'focusPane': {
      const { count } = focused(s);
      return count < 2 ? s : setFocus(s, action.pane);
    }
    case 'switchTab': {
      if (action.tab === 'diff' && !s.model.diff) {
        return { ...s, message: { text: 'no diff loaded: start with  romscan tui --diff A B', tone: 'info' } };
      }
      return { ...s, tab: action.tab, stack: [], help: null, menu: null, search: null };
    }
    case 'toggleHelp':
      return { ...s, help: s.help ? null : { pane: TOP, query: '' }, menu: null, search: null };

    case 'searchStart': {
      const view = currentView(s);
      // In two-pane screens the text worth searching is on the right (the left is a short list).
      const ready = focused(s).count === 2 ? setFocus(s, 1) : s;
      const { pane } = focused(ready);
      const query = queryOf(ready, view);
      const draft = view === 'apps' ? query : '';
      return { ...ready, menu: null, search: { draft, before: { query, cursor: pane.state.cursor, scroll: pane.state.scroll } } };
    }
    case 'searchInput':
      if (!s.search) return s;
      return applyDraft(s, s.search.draft + action.text.replace(/[\r\n\t]/g, ''));
    case 'searchBackspace':
      if (!s.search) return s;
      return applyDraft(s, [...s.search.draft].slice(0, -1).join(''));
    case 'searchClear':
      if (!s.search) return s;
      return applyDraft(s, '');
    case 'searchAccept': {
      if (!s.search) return s;
      const view = currentView(s);
      const done = { ...s, search: null };
      return view === 'apps' ? { ...done, message: { text: describeApps(done), tone: 'info' } } : done;
    }
    case 'searchCancel': {
      if (!s.search) return s;
      const { before } = s.search;
      const view = currentView(s);
      const restored = setQuery({ ...s, search: null }, view, before.query);
      const { index } = focused(restored);
      return setPane(restored, index, { cursor: before.cursor, scroll: before.scroll });
    }
    case 'searchNext': {
      const view = currentView(s);
      const query = queryOf(s, view);
      if (view === 'apps') return s;
      if (!query) return { ...s, message: { text: 'no search yet: press / first', tone: 'info' } };
      const { pane } = focused(s);
      const hit = findLine(pane, query, pane.state.cursor + action.delta, action.delta);
      if (hit < 0) return { ...s, message: { text: `no match for “${query}”`, tone: 'error' } };
      return moveTo(s, hit);
    }

    case 'menuOpen': {
      const view = currentView(s);
      if ((action.menu === 'sort' || action.menu === 'filter') && view !== 'apps') {
        return { ...s, message: { text: `${action.menu} works in the app list (press 2)`, tone: 'info' } };
      }
      if (action.menu === 'export' && view === 'help') return { ...s, message: { text: 'nothing to export on the help screen', tone: 'info' } };
      const items = menuItems(action.menu, s);
      const cursor = Math.max(0, items.findIndex((i) => i.checked));
      return { ...s, menu: { kind: action.menu, cursor }, search: null };
    }
    case 'menuMove': {
      if (!s.menu) return s;
      const n = menuItems(s.menu.kind, s).length;
      return { ...s, menu: { ...s.menu, cursor: Math.max(0, Math.min(n - 1, s.menu.cursor + action.delta)) } };
    }
    case 'menuChoose': {
      if (!s.menu) return s;
      if (action.hotkey !== undefined) {
        const i = menuItems(s.menu.kind, s).findIndex((it) => it.hotkey === action.hotkey);
        return i < 0 ? s : chooseMenu(s, i);
      }
      return chooseMenu(s, action.index ?? s.menu.cursor);
    }
    case 'menuClose':
      return { ...s, menu: null };

    case 'setSort': {
      const reversed = s.apps.sort === action.key ? !s.apps.reversed : false;
      const next = withAppRows(s, { ...s.apps, sort: action.key, reversed }, true);
      return { ...next, message: { text: `sorted by ${action.key}${reversed ? ', reversed' : ''}`, tone: 'info' } };
    }
    case 'setFilters': {
      const next = withAppRows(s, { ...s.apps, filters: { ...s.apps.filters, ...action.filters } }, true);
      return { ...next, message: { text: describeApps(next), tone: 'info' } };
    }

    case 'export':
      return { ...s, menu: null, pendingExport: { format: action.format, view: currentView(s) }, message: { text: 'exporting…', tone: 'info' } };
    case 'exported':
      return { ...s, pendingExport: null, message: { text: `exported to ${action.path}`, tone: 'info' } };
    case 'exportFailed':
      return { ...s, pendingExport: null, message: { text: `export failed: ${action.message}`, tone: 'error' } };
    case 'notify':
      return { ...s, message: { text: action.text, tone: action.tone ?? 'info' } };
    case 'resize': {
      const cols = Math.max(1, Math.floor(action.cols));
      const rows = Math.max(1, Math.floor(action.rows));
      return cols === s.cols && rows === s.rows ? s : { ...s, cols, rows };
    }
    case 'quit':
      return { ...s, quit: true };
  }
}

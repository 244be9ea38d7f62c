// The reducer, one describe per action: pure calls, no rendering, no timers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../../src/tui/model/build-model.js';
import type { Action } from '../../../src/tui/state/actions.js';
import { currentView, topDetail, viewPanes } from '../../../src/tui/state/panes.js';
import { initialState, reducer } from '../../../src/tui/state/reducer.js';
import type { State } from '../../../src/tui/state/state.js';
import { makeDiff, makeReport } from '../fixtures/make-report.js';

const SIZE = { cols: 80, rows: 24 };
const report = makeReport(200);
const model = buildModel({ report, base: makeReport(150, { region: 'CN' }), diff: makeDiff(), names: ['global.zip', 'cn.zip'] });
const plainModel = buildModel({ report: makeReport(30) });

function run(s: State, ...actions: Action[]): State {
  return actions.reduce(reducer, s);
}
const start = (m = model) => initialState(m, SIZE);
const apps = () => run(start(), { type: 'switchTab', tab: 'apps' });
const focusedPane = (s: State) => { const v = viewPanes(s); return v.panes[v.focus]!; };
const selectedApp = (s: State) => s.model.rows[s.apps.rows[s.apps.pane.cursor]!]!;

describe('initialState', () => {
  test('opens on the overview with every app listed, riskiest first', () => {
    const s = start();
    assert.equal(currentView(s), 'overview');
    assert.equal(s.apps.rows.length, 200);
    const risks = s.apps.rows.map((i) => model.rows[i]!.risk);
    assert.deepEqual(risks, [...risks].sort((a, b) => b - a));
  });
});

describe('move / page / halfPage / home / end', () => {
  test('move clamps at both ends and keeps the cursor on screen', () => {
    let s = run(apps(), { type: 'move', delta: -1 });
    assert.equal(s.apps.pane.cursor, 0);
    s = run(s, ...Array.from({ length: 30 }, () => ({ type: 'move', delta: 1 }) as Action));
    assert.equal(s.apps.pane.cursor, 30);
    const h = focusedPane(s).height;
    assert.ok(s.apps.pane.scroll <= 30 && 30 < s.apps.pane.scroll + h, `scroll ${s.apps.pane.scroll} height ${h}`);
    s = run(s, { type: 'move', delta: 10_000 });
    assert.equal(s.apps.pane.cursor, 199);
  });
  test('page moves by a screen less one row, halfPage by half', () => {
    const s0 = apps();
    const h = focusedPane(s0).height;
    const s1 = run(s0, { type: 'page', delta: 1 });
    assert.equal(s1.apps.pane.cursor, h - 1);
    assert.equal(s1.apps.pane.scroll, h - 1);
    assert.equal(run(s1, { type: 'page', delta: -1 }).apps.pane.cursor, 0);
    assert.equal(run(s0, { type: 'halfPage', delta: 1 }).apps.pane.cursor, Math.floor(h / 2));
    assert.equal(run(s0, { type: 'halfPage', delta: 1 }, { type: 'halfPage', delta: -1 }).apps.pane.cursor, 0);
  });
  test('home and end', () => {
    const s = run(apps(), { type: 'end' });
    assert.equal(s.apps.pane.cursor, 199);
    assert.equal(s.apps.pane.scroll, 200 - focusedPane(s).height);
    assert.deepEqual(run(s, { type: 'home' }).apps.pane, { cursor: 0, scroll: 0 });
  });
  test('moving in an empty list does nothing harmful', () => {
    const s = run(initialState(buildModel({ report: { schemaVersion: 1, apps: [] } }), SIZE), { type: 'switchTab', tab: 'apps' },
      { type: 'move', delta: 1 }, { type: 'end' }, { type: 'page', delta: 1 }, { type: 'open' });
    assert.deepEqual(s.apps.pane, { cursor: 0, scroll: 0 });
    assert.equal(currentView(s), 'apps');
    assert.match(s.message!.text, /empty/);
  });
});

describe('open / back', () => {
  test('Enter on an app pushes its detail; Esc pops back to the same row', () => {
    const s0 = run(apps(), { type: 'move', delta: 3 });
    const want = selectedApp(s0).index;
    const s1 = run(s0, { type: 'open' });
    assert.equal(currentView(s1), 'detail');
    assert.equal(topDetail(s1)!.index, want);
    const s2 = run(s1, { type: 'back' });
    assert.equal(currentView(s2), 'apps');
    assert.equal(s2.apps.pane.cursor, 3);
  });
  test('in a two-pane screen Enter on the left moves focus right, and Esc moves it back', () => {
    const s0 = run(start(), { type: 'switchTab', tab: 'findings' });
    const s1 = run(s0, { type: 'open' });
    assert.equal(s1.findings.focus, 1);
    assert.equal(run(s1, { type: 'back' }).findings.focus, 0);
  });
  test('Enter on a finding opens its app at the Findings section', () => {
    const s = run(start(), { type: 'switchTab', tab: 'findings' }, { type: 'open' }, { type: 'open' });
    const d = topDetail(s)!;
    assert.equal(currentView(s), 'detail');
    assert.equal(d.sections.cursor, 6);
    const g = model.findingGroups[0]!;
    assert.equal(d.index, g.items[0]!.appIndex);
  });
  test('Enter on a line without a target does nothing', () => {
    const s0 = start();
    const s1 = run(s0, { type: 'open' }); // first overview line: the DEVICE heading
    assert.equal(currentView(s1), 'overview');
    assert.equal(s1.stack.length, 0);
  });
  test('back at the top level only says so; in the app list it first clears the search', () => {
    assert.match(run(start(), { type: 'back' }).message!.text, /top level/);
    const s = run(apps(), { type: 'searchStart' }, { type: 'searchInput', text: 'app0000' }, { type: 'searchAccept' });
    assert.ok(s.apps.rows.length < 200);
    const cleared = run(s, { type: 'back' });
    assert.equal(cleared.apps.query, '');
    assert.equal(cleared.apps.rows.length, 200);
  });
  test('removed apps of a diff open from the base report', () => {
    const s = run(start(), { type: 'switchTab', tab: 'diff' }, { type: 'move', delta: 1 }, { type: 'open' });
    const target = focusedPane(s).lines![0]!.target;
    // The fixture's removed app (com.google.android.gms) is not in the base either: no target, no crash.
    assert.equal(target, undefined);
    const s2 = run(start(), { type: 'switchTab', tab: 'diff' }, { type: 'open' }, { type: 'open' });
    assert.equal(currentView(s2), 'detail');
    assert.equal(topDetail(s2)!.source, 'report');
    assert.equal(model.rows[topDetail(s2)!.index]!.app.package, 'com.vendor1.app00001');
  });
});

describe('focusNext / focusPrev / focusPane', () => {
  test('Tab toggles between the two panes; single-pane screens ignore it', () => {
    const s = run(start(), { type: 'switchTab', tab: 'diff' });
    assert.equal(run(s, { type: 'focusNext' }).diff.focus, 1);
    assert.equal(run(s, { type: 'focusNext' }, { type: 'focusPrev' }).diff.focus, 0);
    assert.equal(run(s, { type: 'focusPane', pane: 1 }).diff.focus, 1);
    assert.equal(run(s, { type: 'focusPane', pane: 1 }, { type: 'focusPane', pane: 0 }).diff.focus, 0);
    const a = apps();
    assert.equal(run(a, { type: 'focusNext' }), a);
    assert.equal(run(a, { type: 'focusPane', pane: 1 }), a);
  });
  test('moving the left cursor resets the right pane to its top', () => {
    let s = run(start(), { type: 'switchTab', tab: 'findings' }, { type: 'focusNext' }, { type: 'move', delta: 5 });
    assert.equal(s.findings.items.cursor, 5);
    s = run(s, { type: 'focusPrev' }, { type: 'move', delta: 1 });
    assert.deepEqual(s.findings.items, { cursor: 0, scroll: 0 });
  });
});

describe('switchTab / toggleHelp', () => {
  test('switching tabs drops opened details but keeps each list where it was', () => {
    const s = run(apps(), { type: 'move', delta: 7 }, { type: 'open' }, { type: 'switchTab', tab: 'findings' }, { type: 'switchTab', tab: 'apps' });
    assert.equal(currentView(s), 'apps');
    assert.equal(s.apps.pane.cursor, 7);
  });
  test('4 without a diff explains instead of switching', () => {
    const s = run(start(plainModel), { type: 'switchTab', tab: 'diff' });
    assert.equal(s.tab, 'overview');
    assert.match(s.message!.text, /--diff/);
  });
  test('? opens and closes the help; Esc closes it too', () => {
    const s = run(start(), { type: 'toggleHelp' });
    assert.equal(currentView(s), 'help');
    assert.equal(currentView(run(s, { type: 'toggleHelp' })), 'overview');
    assert.equal(currentView(run(s, { type: 'back' })), 'overview');
  });
});

describe('search actions', () => {
  test('typing filters the app list as you type; every word must match', () => {
    let s = run(apps(), { type: 'searchStart' });
    assert.equal(s.search!.draft, '');
    s = run(s, { type: 'searchInput', text: 'vendor3.' });
    assert.ok(s.apps.rows.every((i) => model.rows[i]!.app.package!.includes('vendor3.')));
    const n = s.apps.rows.length;
    s = run(s, { type: 'searchInput', text: ' app0002' });
    assert.ok(s.apps.rows.length < n && s.apps.rows.length > 0);
    s = run(s, { type: 'searchBackspace' });
    assert.equal(s.search!.draft, 'vendor3. app000');
    s = run(s, { type: 'searchClear' });
    assert.equal(s.apps.rows.length, 200);
  });
  test('accept keeps the filter; cancel restores the query and cursor from before', () => {
    const base = run(apps(), { type: 'move', delta: 4 });
    const accepted = run(base, { type: 'searchStart' }, { type: 'searchInput', text: 'app0001' }, { type: 'searchAccept' });
    assert.equal(accepted.search, null);
    assert.equal(accepted.apps.query, 'app0001');
    assert.match(accepted.message!.text, /of 200 apps/);
    const cancelled = run(base, { type: 'searchStart' }, { type: 'searchInput', text: 'zzz' }, { type: 'searchCancel' });
    assert.equal(cancelled.apps.query, '');
    assert.equal(cancelled.apps.rows.length, 200);
    assert.equal(cancelled.apps.pane.cursor, 4);
  });
  test('in a text pane, search jumps to the matching line and n/N go to the next/previous', () => {
    let s = run(start(), { type: 'toggleHelp' }, { type: 'searchStart' }, { type: 'searchInput', text: 'export' });
    const lines = focusedPane(s).lines!;
    const text = (i: number) => lines[i]!.segs.map((x) => x.text).join('').toLowerCase();
    const first = s.help!.pane.cursor;
    assert.ok(text(first).includes('export'));
    s = run(s, { type: 'searchAccept' }, { type: 'searchNext', delta: 1 });
    assert.ok(s.help!.pane.cursor !== first && text(s.help!.pane.cursor).includes('export'));
    s = run(s, { type: 'searchNext', delta: -1 });
    assert.equal(s.help!.pane.cursor, first);
  });
  test('no match says so and leaves the cursor', () => {
    const s = run(start(), { type: 'searchStart' }, { type: 'searchInput', text: 'no-such-text' });
    assert.equal(s.overview.pane.cursor, 0);
    assert.match(s.message!.text, /no match/);
    assert.match(run(start(), { type: 'searchNext', delta: 1 }).message!.text, /press \//);
  });
  test('search actions outside search mode are ignored', () => {
    const s = start();
    for (const a of [{ type: 'searchInput', text: 'x' }, { type: 'searchBackspace' }, { type: 'searchClear' }, { type: 'searchAccept' }, { type: 'searchCancel' }] as Action[]) {
      assert.equal(run(s, a), s);
    }
  });
  test('control characters typed into the search are dropped', () => {
    const s = run(apps(), { type: 'searchStart' }, { type: 'searchInput', text: 'a\tb\r' });
    assert.equal(s.search!.draft, 'ab');
  });
});

describe('menus, sort and filters', () => {
  test('sort and filter menus open only in the app list', () => {
    assert.match(run(start(), { type: 'menuOpen', menu: 'sort' }).message!.text, /app list/);
    const s = run(apps(), { type: 'menuOpen', menu: 'sort' });
    assert.deepEqual(s.menu, { kind: 'sort', cursor: 0 });
    assert.equal(run(s, { type: 'menuClose' }).menu, null);
    assert.equal(run(s, { type: 'back' }).menu, null);
  });
  test('menuMove clamps; menuChoose by cursor or by hotkey runs the item', () => {
    let s = run(apps(), { type: 'menuOpen', menu: 'sort' }, { type: 'menuMove', delta: -5 });
    assert.equal(s.menu!.cursor, 0);
    s = run(s, { type: 'menuMove', delta: 1 }, { type: 'menuChoose' });
    assert.equal(s.menu, null);
    assert.equal(s.apps.sort, 'name');
    const names = s.apps.rows.map((i) => model.rows[i]!.name);
    assert.deepEqual(names, [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    s = run(s, { type: 'menuOpen', menu: 'sort' }, { type: 'menuChoose', hotkey: 'p' });
    assert.equal(s.apps.sort, 'partition');
    assert.equal(run(s, { type: 'menuOpen', menu: 'sort' }, { type: 'menuChoose', hotkey: '?' }).menu!.kind, 'sort');
  });
  test('setSort on the current key reverses it and keeps the selected app selected', () => {
    const s0 = run(apps(), { type: 'move', delta: 10 });
    const app = selectedApp(s0).index;
    const s1 = run(s0, { type: 'setSort', key: 'risk' });
    assert.equal(s1.apps.reversed, true);
    assert.equal(selectedApp(s1).index, app);
    assert.equal(model.rows[s1.apps.rows[0]!]!.risk, Math.min(...model.rows.map((r) => r.risk)));
    assert.equal(run(s1, { type: 'setSort', key: 'privilege' }).apps.reversed, false);
  });
  test('setFilters: privileged only, with findings, minimum severity, and clearing', () => {
    const s = apps();
    const priv = run(s, { type: 'setFilters', filters: { privilegedOnly: true } });
    assert.ok(priv.apps.rows.length > 0 && priv.apps.rows.every((i) => ['privileged', 'platform'].includes(model.rows[i]!.privilege)));
    const withF = run(s, { type: 'setFilters', filters: { withFindings: true } });
    assert.ok(withF.apps.rows.every((i) => model.rows[i]!.findingCount > 0));
    const high = run(s, { type: 'setFilters', filters: { minSeverity: 'high' } });
    assert.ok(high.apps.rows.length > 0 && high.apps.rows.every((i) => ['high', 'critical'].includes(model.rows[i]!.worst!)));
    assert.match(high.message!.text, /≥ high/);
    const cleared = run(high, { type: 'menuOpen', menu: 'filter' }, { type: 'menuChoose', hotkey: 'x' });
    assert.equal(cleared.apps.rows.length, 200);
  });
});

describe('export / exported / exportFailed', () => {
  test('export records a request for the current view; the answers clear it', () => {
    const s = run(apps(), { type: 'menuOpen', menu: 'export' }, { type: 'menuChoose', hotkey: 'm' });
    assert.deepEqual(s.pendingExport, { format: 'md', view: 'apps' });
    const done = run(s, { type: 'exported', path: '/tmp/x.md' });
    assert.equal(done.pendingExport, null);
    assert.match(done.message!.text, /\/tmp\/x\.md/);
    const failed = run(s, { type: 'exportFailed', message: 'EACCES' });
    assert.equal(failed.pendingExport, null);
    assert.equal(failed.message!.tone, 'error');
    assert.match(run(start(), { type: 'toggleHelp' }, { type: 'menuOpen', menu: 'export' }).message!.text, /nothing to export/);
  });
});

describe('notify / resize / quit', () => {
  test('notify shows a message until the next key', () => {
    const s = run(start(), { type: 'notify', text: 'hello' });
    assert.equal(s.message!.text, 'hello');
    assert.equal(run(s, { type: 'move', delta: 1 }).message, null);
  });
  test('resize changes the page size and keeps the cursor visible', () => {
    const s0 = run(apps(), { type: 'move', delta: 15 });
    const small = run(s0, { type: 'resize', cols: 60, rows: 12 });
    assert.equal(small.cols, 60);
    const p = focusedPane(small);
    assert.equal(p.height, 12 - 4 - 1);
    const s1 = run(small, { type: 'move', delta: 1 });
    assert.ok(s1.apps.pane.cursor >= s1.apps.pane.scroll && s1.apps.pane.cursor < s1.apps.pane.scroll + p.height);
    assert.equal(run(s0, { type: 'resize', cols: 80, rows: 24 }), s0, 'same size: same state');
  });
  test('quit sets the flag the app exits on', () => {
    assert.equal(run(start(), { type: 'quit' }).quit, true);
  });
});

describe('partial reports', () => {
  test('a report with broken parts still browses; what was missing is listed', () => {
    const broken = { schemaVersion: 1, apps: [null, { package: 'x.y' }, { path: 'a.apk', findings: [{ severity: 'bogus' }], permissions: 'no' }], errors: 'nope' };
    const m = buildModel({ report: broken });
    assert.equal(m.rows.length, 2);
    assert.match(m.problems.join('\n'), /1 app entries are not objects/);
    let s = initialState(m, SIZE);
    for (const tab of ['overview', 'apps', 'findings'] as const) {
      s = run(s, { type: 'switchTab', tab }, { type: 'end' }, { type: 'open' }, { type: 'focusNext' }, { type: 'end' }, { type: 'open' });
      for (let i = 0; i < 8; i++) s = run(s, { type: 'focusPane', pane: 0 }, { type: 'move', delta: 1 }, { type: 'focusPane', pane: 1 }, { type: 'end' });
      viewPanes(s);
    }
    assert.equal(m.findingGroups[0]!.items[0]!.finding.severity, 'info');
  });
});

describe('search in two-pane screens', () => {
  test('/ searches the right-hand pane, moving the focus there', () => {
    const s = run(start(), { type: 'switchTab', tab: 'diff' }, { type: 'searchStart' }, { type: 'searchInput', text: 'locale.region' });
    assert.equal(s.diff.focus, 1);
    assert.equal(s.diff.sections.cursor, 0, 'the section stays');
    // Section 0 (added apps) has no such text: the cursor stays and the miss is reported.
    assert.match(s.message!.text, /no match/);
    const s2 = run(start(), { type: 'switchTab', tab: 'diff' }, { type: 'end' }, { type: 'searchStart' }, { type: 'searchInput', text: 'locale.region' });
    const p = focusedPane(s2);
    assert.match(p.lines![p.state.cursor]!.segs.map((x) => x.text).join(''), /ro\.product\.locale\.region/);
  });
});

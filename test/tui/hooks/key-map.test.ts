// Keys → actions in each mode, and bursts of keys (a paste, tmux send-keys) split into single keys.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keyToAction, reduceKeys, splitKeys } from '../../../src/tui/hooks/key-map.js';
import { buildModel } from '../../../src/tui/model/build-model.js';
import { initialState, reducer } from '../../../src/tui/state/reducer.js';
import { currentView } from '../../../src/tui/state/panes.js';
import { makeSmallReport } from '../fixtures/make-report.js';

const s0 = initialState(buildModel({ report: makeSmallReport() }), { cols: 80, rows: 24 });
const apps = reducer(s0, { type: 'switchTab', tab: 'apps' });

describe('keyToAction', () => {
  test('browsing keys', () => {
    const cases: [string, object, object | null][] = [
      ['j', {}, { type: 'move', delta: 1 }], ['k', {}, { type: 'move', delta: -1 }],
      ['', { downArrow: true }, { type: 'move', delta: 1 }], ['', { upArrow: true }, { type: 'move', delta: -1 }],
      ['', { pageDown: true }, { type: 'page', delta: 1 }], ['', { pageUp: true }, { type: 'page', delta: -1 }],
      ['f', { ctrl: true }, { type: 'page', delta: 1 }], ['b', { ctrl: true }, { type: 'page', delta: -1 }],
      ['d', { ctrl: true }, { type: 'halfPage', delta: 1 }], ['u', { ctrl: true }, { type: 'halfPage', delta: -1 }],
      ['g', {}, { type: 'home' }], ['G', { shift: true }, { type: 'end' }], ['', { home: true }, { type: 'home' }], ['', { end: true }, { type: 'end' }],
      ['', { return: true }, { type: 'open' }], ['', { escape: true }, { type: 'back' }],
      ['', { backspace: true }, { type: 'back' }], ['', { delete: true }, { type: 'back' }],
      ['', { tab: true }, { type: 'focusNext' }], ['', { tab: true, shift: true }, { type: 'focusPrev' }],
      ['h', {}, { type: 'focusPane', pane: 0 }], ['l', {}, { type: 'focusPane', pane: 1 }],
      ['', { leftArrow: true }, { type: 'focusPane', pane: 0 }], ['', { rightArrow: true }, { type: 'focusPane', pane: 1 }],
      ['1', {}, { type: 'switchTab', tab: 'overview' }], ['2', {}, { type: 'switchTab', tab: 'apps' }],
      ['3', {}, { type: 'switchTab', tab: 'findings' }], ['4', {}, { type: 'switchTab', tab: 'diff' }],
      ['/', {}, { type: 'searchStart' }], ['n', {}, { type: 'searchNext', delta: 1 }], ['N', { shift: true }, { type: 'searchNext', delta: -1 }],
      ['s', {}, { type: 'menuOpen', menu: 'sort' }], ['f', {}, { type: 'menuOpen', menu: 'filter' }], ['e', {}, { type: 'menuOpen', menu: 'export' }],
      ['?', {}, { type: 'toggleHelp' }], ['q', {}, { type: 'quit' }], ['c', { ctrl: true }, { type: 'quit' }],
      ['x', {}, null], ['z', { ctrl: true }, null],
    ];
    for (const [input, key, want] of cases) assert.deepEqual(keyToAction(apps, input, key), want, `${JSON.stringify(input)} ${JSON.stringify(key)}`);
  });
  test('while searching, letters are text, and q does not quit', () => {
    const s = reducer(apps, { type: 'searchStart' });
    assert.deepEqual(keyToAction(s, 'q', {}), { type: 'searchInput', text: 'q' });
    assert.deepEqual(keyToAction(s, 'j', {}), { type: 'searchInput', text: 'j' });
    assert.deepEqual(keyToAction(s, '', { return: true }), { type: 'searchAccept' });
    assert.deepEqual(keyToAction(s, '', { escape: true }), { type: 'searchCancel' });
    assert.deepEqual(keyToAction(s, '', { delete: true }), { type: 'searchBackspace' });
    assert.deepEqual(keyToAction(s, 'u', { ctrl: true }), { type: 'searchClear' });
    assert.deepEqual(keyToAction(s, '', { downArrow: true }), { type: 'move', delta: 1 });
    assert.deepEqual(keyToAction(s, 'c', { ctrl: true }), { type: 'quit' });
    assert.equal(keyToAction(s, '\x07', {}), null);
  });
  test('in a menu, hotkeys win over j/k, which otherwise move', () => {
    const exp = reducer(apps, { type: 'menuOpen', menu: 'export' });
    assert.deepEqual(keyToAction(exp, 'j', {}), { type: 'menuChoose', hotkey: 'j' });
    assert.deepEqual(keyToAction(exp, 'k', {}), { type: 'menuMove', delta: -1 });
    const sort = reducer(apps, { type: 'menuOpen', menu: 'sort' });
    assert.deepEqual(keyToAction(sort, 'j', {}), { type: 'menuMove', delta: 1 });
    assert.deepEqual(keyToAction(sort, 'n', {}), { type: 'menuChoose', hotkey: 'n' });
    assert.deepEqual(keyToAction(sort, '', { return: true }), { type: 'menuChoose' });
    assert.deepEqual(keyToAction(sort, '', { escape: true }), { type: 'menuClose' });
    assert.deepEqual(keyToAction(sort, 'q', {}), { type: 'menuClose' });
  });
});

describe('splitKeys / reduceKeys', () => {
  test('a burst of plain characters becomes single keys; named keys stay whole', () => {
    assert.deepEqual(splitKeys('jjG', {}), [{ input: 'j', key: {} }, { input: 'j', key: {} }, { input: 'G', key: { shift: true } }]);
    assert.deepEqual(splitKeys('ab\r', {}), [{ input: 'a', key: {} }, { input: 'b', key: {} }, { input: '', key: { return: true } }]);
    assert.deepEqual(splitKeys('', { upArrow: true }), [{ input: '', key: { upArrow: true } }]);
    assert.deepEqual(splitKeys('中文', {}), [{ input: '中', key: {} }, { input: '文', key: {} }]);
  });
  test('"2/app0001⏎" in one burst switches tab, searches and accepts', () => {
    const s = reduceKeys(s0, '2/app0001\r', {}, reducer);
    assert.equal(currentView(s), 'apps');
    assert.equal(s.search, null);
    assert.equal(s.apps.query, 'app0001');
    assert.equal(s.apps.rows.length, 2);
  });
  test('keys after q are not processed', () => {
    const s = reduceKeys(s0, 'q2', {}, reducer);
    assert.equal(s.quit, true);
    assert.equal(s.tab, 'overview');
  });
});

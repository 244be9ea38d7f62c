// Keys → actions, as a pure function of the current state (the same key means different things
// while typing a search, in a menu, or browsing). Kept apart from the Ink hook so tests and the
// bench drive exactly the mapping the terminal uses.
import type { Key } from 'ink';
import type { Action } from '../state/actions.js';
import { menuItems } from '../state/menus.js';
import type { State } from '../state/state.js';

export type KeyFlags = Partial<Pick<Key, 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'pageUp' | 'pageDown' | 'home' | 'end'
  | 'return' | 'escape' | 'ctrl' | 'shift' | 'tab' | 'backspace' | 'delete' | 'meta'>>;

export interface KeyPress { input: string; key: KeyFlags }

const NAMED: (keyof KeyFlags)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end', 'return', 'escape', 'tab', 'backspace', 'delete'];

/**
 * Ink delivers a burst of plain characters (typing fast, a paste, tmux send-keys) as one input
 * string. Split it into single keys so "jjj" moves three rows and "/foo⏎" starts, types and ends a search.
 */
export function splitKeys(input: string, key: KeyFlags): KeyPress[] {
  if ([...input].length <= 1 || key.ctrl || key.meta || NAMED.some((k) => key[k])) return [{ input, key }];
  const out: KeyPress[] = [];
  for (const ch of input) {
    if (ch === '\r' || ch === '\n') out.push({ input: '', key: { return: true } });
    else if (ch === '\t') out.push({ input: '', key: { tab: true } });
    else if (ch === '\x7f' || ch === '\b') out.push({ input: '', key: { backspace: true } });
    else out.push({ input: ch, key: /[A-Z]/.test(ch) ? { shift: true } : {} });
  }
  return out;
}

function isPrintable(input: string, key: KeyFlags): boolean {
  // eslint-disable-next-line no-control-regex
  return input.length > 0 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input);
}

export function keyToAction(s: State, input: string, key: KeyFlags): Action | null {
  if (key.ctrl && input === 'c') return { type: 'quit' };

  if (s.search) {
    if (key.escape) return { type: 'searchCancel' };
    if (key.return) return { type: 'searchAccept' };
    if (key.backspace || key.delete) return { type: 'searchBackspace' };
    if (key.ctrl && input === 'u') return { type: 'searchClear' };
    if (key.upArrow) return { type: 'move', delta: -1 };
    if (key.downArrow) return { type: 'move', delta: 1 };
    if (key.pageUp) return { type: 'page', delta: -1 };
    if (key.pageDown) return { type: 'page', delta: 1 };
    if (isPrintable(input, key)) return { type: 'searchInput', text: input };
    return null;
  }

  if (s.menu) {
    if (key.escape || key.backspace || key.delete) return { type: 'menuClose' };
    if (key.return) return { type: 'menuChoose' };
    if (key.upArrow) return { type: 'menuMove', delta: -1 };
    if (key.downArrow) return { type: 'menuMove', delta: 1 };
    if (input && !key.ctrl && menuItems(s.menu.kind, s).some((i) => i.hotkey === input)) return { type: 'menuChoose', hotkey: input };
    if (input === 'k') return { type: 'menuMove', delta: -1 };
    if (input === 'j') return { type: 'menuMove', delta: 1 };
    if (input === 'q') return { type: 'menuClose' };
    return null;
  }

  if (key.upArrow) return { type: 'move', delta: -1 };
  if (key.downArrow) return { type: 'move', delta: 1 };
  if (key.pageUp) return { type: 'page', delta: -1 };
  if (key.pageDown) return { type: 'page', delta: 1 };
  if (key.home) return { type: 'home' };
  if (key.end) return { type: 'end' };
  if (key.return) return { type: 'open' };
  if (key.escape || key.backspace || key.delete) return { type: 'back' };
  if (key.tab) return { type: key.shift ? 'focusPrev' : 'focusNext' };
  if (key.leftArrow) return { type: 'focusPane', pane: 0 };
  if (key.rightArrow) return { type: 'focusPane', pane: 1 };
  if (key.ctrl) {
    switch (input) {
      case 'f': return { type: 'page', delta: 1 };
      case 'b': return { type: 'page', delta: -1 };
      case 'd': return { type: 'halfPage', delta: 1 };
      case 'u': return { type: 'halfPage', delta: -1 };
      case 'n': return { type: 'move', delta: 1 };
      case 'p': return { type: 'move', delta: -1 };
      default: return null;
    }
  }
  switch (input) {
    case 'q': return { type: 'quit' };
    case '?': return { type: 'toggleHelp' };
    case '1': return { type: 'switchTab', tab: 'overview' };
    case '2': return { type: 'switchTab', tab: 'apps' };
    case '3': return { type: 'switchTab', tab: 'findings' };
    case '4': return { type: 'switchTab', tab: 'diff' };
    case 'j': return { type: 'move', delta: 1 };
    case 'k': return { type: 'move', delta: -1 };
    case 'g': return { type: 'home' };
    case 'G': return { type: 'end' };
    case 'h': return { type: 'focusPane', pane: 0 };
    case 'l': return { type: 'focusPane', pane: 1 };
    case '/': return { type: 'searchStart' };
    case 'n': return { type: 'searchNext', delta: 1 };
    case 'N': return { type: 'searchNext', delta: -1 };
    case 's': return { type: 'menuOpen', menu: 'sort' };
    case 'f': return { type: 'menuOpen', menu: 'filter' };
    case 'e': return { type: 'menuOpen', menu: 'export' };
    default: return null;
  }
}

/** Runs a whole input burst through the reducer, so a fast typist costs one render, not one per key. */
export function reduceKeys(s: State, input: string, key: KeyFlags, reducer: (s: State, a: Action) => State): State {
  let st = s;
  for (const k of splitKeys(input, key)) {
    const a = keyToAction(st, k.input, k.key);
    if (a) st = reducer(st, a);
    if (st.quit) break;
  }
  return st;
}

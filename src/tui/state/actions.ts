// Everything that can happen to the browser. Keys map to these in hooks/key-map.ts; the export hook
// and the resize hook send the last few.
import type { SortKey } from '../model/build-model.js';
import type { AppFilters, ExportFormat, MenuKind, Tab } from './state.js';

export type Action =
  | { type: 'move'; delta: number }
  | { type: 'page'; delta: 1 | -1 }
  | { type: 'halfPage'; delta: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'focusNext' }
  | { type: 'focusPrev' }
  | { type: 'focusPane'; pane: 0 | 1 }
  | { type: 'switchTab'; tab: Tab }
  | { type: 'toggleHelp' }
  | { type: 'searchStart' }
  | { type: 'searchInput'; text: string }
  | { type: 'searchBackspace' }
  | { type: 'searchClear' }
  | { type: 'searchAccept' }
  | { type: 'searchCancel' }
  | { type: 'searchNext'; delta: 1 | -1 }
  | { type: 'menuOpen'; menu: MenuKind }
  | { type: 'menuMove'; delta: number }
  | { type: 'menuChoose'; index?: number; hotkey?: string }
  | { type: 'menuClose' }
  | { type: 'setSort'; key: SortKey }
  | { type: 'setFilters'; filters: Partial<AppFilters> }
  | { type: 'export'; format: ExportFormat }
  | { type: 'exported'; path: string }
  | { type: 'exportFailed'; message: string }
  | { type: 'notify'; text: string; tone?: 'info' | 'error' }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'quit' };

export type ActionType = Action['type'];

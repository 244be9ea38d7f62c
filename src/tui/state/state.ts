// The browser's whole state. Everything a view shows is a function of this object, and only the
// reducer makes a new one, so any screen can be reproduced in a test from a list of actions.
import type { Severity } from '../../report/model.js';
import type { SortKey, TuiModel } from '../model/build-model.js';

export type Tab = 'overview' | 'apps' | 'findings' | 'diff';
export const TABS: Tab[] = ['overview', 'apps', 'findings', 'diff'];

/** Which screen is on top: a tab's root, an app detail pushed over it, or the help screen. */
export type ViewId = Tab | 'detail' | 'help';

export interface PaneState { cursor: number; scroll: number }

export interface AppFilters { privilegedOnly: boolean; withFindings: boolean; minSeverity: Severity | null }

export interface DetailState {
  source: 'report' | 'base';
  index: number;
  /** 0 = section list, 1 = section content. */
  focus: 0 | 1;
  sections: PaneState;
  content: PaneState;
  query: string;
}

export type MenuKind = 'sort' | 'filter' | 'export';
export type ExportFormat = 'json' | 'md';

export interface State {
  model: TuiModel;
  cols: number;
  rows: number;
  tab: Tab;
  /** App details opened from the current tab; Esc pops. */
  stack: DetailState[];
  overview: { pane: PaneState; query: string };
  apps: {
    sort: SortKey;
    /** Reverse of the key's natural order (risk: riskiest first; the others A→Z). */
    reversed: boolean;
    filters: AppFilters;
    query: string;
    /** App indices after sort, filter and search: what the list shows. */
    rows: number[];
    pane: PaneState;
  };
  findings: { focus: 0 | 1; groups: PaneState; items: PaneState; query: string };
  diff: { focus: 0 | 1; sections: PaneState; items: PaneState; query: string };
  help: { pane: PaneState; query: string } | null;
  menu: { kind: MenuKind; cursor: number } | null;
  /** Non-null while the user types after `/`; `before` restores the view on Esc. */
  search: { draft: string; before: { query: string; cursor: number; scroll: number } } | null;
  message: { text: string; tone: 'info' | 'error' } | null;
  /** Set by the `export` action; the export hook writes the file and answers with `exported`. */
  pendingExport: { format: ExportFormat; view: ViewId } | null;
  quit: boolean;
}

export const NO_FILTERS: AppFilters = { privilegedOnly: false, withFindings: false, minSeverity: null };
export const TOP: PaneState = { cursor: 0, scroll: 0 };

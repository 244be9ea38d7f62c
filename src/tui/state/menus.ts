// The three small menus (sort, filter, export): each entry has a hotkey, a label, whether it is the
// current choice, and the action choosing it dispatches.
import type { Action } from './actions.js';
import type { MenuKind, State } from './state.js';

export interface MenuItem { hotkey: string; label: string; checked: boolean; action: Action }

export const MENU_TITLES: Record<MenuKind, string> = { sort: 'Sort apps by', filter: 'Filter apps', export: 'Export this view as' };

export function menuItems(kind: MenuKind, s: State): MenuItem[] {
  const a = s.apps;
  switch (kind) {
    case 'sort': {
      const arrow = a.reversed ? ' (reversed)' : '';
      return ([['r', 'risk', 'risk (riskiest first)'], ['n', 'name', 'name'], ['p', 'partition', 'partition'], ['v', 'privilege', 'privilege (platform first)']] as const)
        .map(([hotkey, key, label]) => ({ hotkey, label: label + (a.sort === key ? arrow : ''), checked: a.sort === key, action: { type: 'setSort', key } }));
    }
    case 'filter': {
      const f = a.filters;
      return [
        { hotkey: 'p', label: 'privileged or platform-signed only', checked: f.privilegedOnly, action: { type: 'setFilters', filters: { privilegedOnly: !f.privilegedOnly } } },
        { hotkey: 'w', label: 'with findings only', checked: f.withFindings, action: { type: 'setFilters', filters: { withFindings: !f.withFindings } } },
        { hotkey: 'c', label: 'severity: critical', checked: f.minSeverity === 'critical', action: { type: 'setFilters', filters: { minSeverity: 'critical' } } },
        { hotkey: 'h', label: 'severity: high or worse', checked: f.minSeverity === 'high', action: { type: 'setFilters', filters: { minSeverity: 'high' } } },
        { hotkey: 'm', label: 'severity: medium or worse', checked: f.minSeverity === 'medium', action: { type: 'setFilters', filters: { minSeverity: 'medium' } } },
        { hotkey: 'l', label: 'severity: low or worse', checked: f.minSeverity === 'low', action: { type: 'setFilters', filters: { minSeverity: 'low' } } },
        { hotkey: 'a', label: 'any severity', checked: f.minSeverity === null, action: { type: 'setFilters', filters: { minSeverity: null } } },
        { hotkey: 'x', label: 'clear all filters', checked: false, action: { type: 'setFilters', filters: { privilegedOnly: false, withFindings: false, minSeverity: null } } },
      ];
    }
    case 'export':
      return [
        { hotkey: 'j', label: 'JSON', checked: false, action: { type: 'export', format: 'json' } },
        { hotkey: 'm', label: 'Markdown', checked: false, action: { type: 'export', format: 'md' } },
      ];
  }
}

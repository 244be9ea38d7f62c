// The app list after sort, quick filters and search. Sort orders are computed once per key and
// cached in the model, so a keystroke in the search box is one pass over precomputed lowercase keys.
import { SEVERITIES } from '../../report/model.js';
import { sortedIndices, type SortKey, type TuiModel } from '../model/build-model.js';
import type { AppFilters } from './state.js';

export function computeAppRows(model: TuiModel, sort: SortKey, reversed: boolean, filters: AppFilters, query: string): number[] {
  const sorted = sortedIndices(model, sort);
  const order = reversed ? [...sorted].reverse() : sorted;
  // Space-separated words must all match, in any order ("vnet reg" finds com.vnet.Register).
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const minRank = filters.minSeverity ? SEVERITIES.indexOf(filters.minSeverity) : -1;
  if (!terms.length && !filters.privilegedOnly && !filters.withFindings && minRank < 0) return order;
  const out: number[] = [];
  for (const i of order) {
    const r = model.rows[i]!;
    if (filters.privilegedOnly && r.privilege !== 'privileged' && r.privilege !== 'platform') continue;
    if (filters.withFindings && r.findingCount === 0) continue;
    if (minRank >= 0 && (r.worst === null || SEVERITIES.indexOf(r.worst) < minRank)) continue;
    if (terms.length && !terms.every((t) => r.haystack.includes(t))) continue;
    out.push(i);
  }
  return out;
}

export function describeFilters(f: AppFilters): string[] {
  const out: string[] = [];
  if (f.privilegedOnly) out.push('privileged');
  if (f.withFindings) out.push('with findings');
  if (f.minSeverity) out.push(`≥ ${f.minSeverity}`);
  return out;
}

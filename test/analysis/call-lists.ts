import type { CallGraph } from '../../src/analysis/call-graph.js';

/** A call graph as [caller, sorted callees] in caller name order: comparable with deepEqual. */
export function callLists(calls: CallGraph): [string, string[]][] {
  const g = calls.searchable();
  return g.nodes.map((n, id): [string, string[]] => [n, [...g.callees(id)].map((c) => g.nodes[c]).sort()])
    .filter(([, c]) => c.length > 0).sort(([a], [b]) => (a < b ? -1 : 1));
}

import type { CallGraph } from '../../src/analysis/call-graph.js';

/** A call graph as [caller, sorted callees] in caller name order: comparable with deepEqual. */
export function callLists(calls: CallGraph): [string, string[]][] {
  const g = calls.inNameOrder();
  return g.nodes.map((n, id): [string, string[]] => [n, [...g.callees(id)].map((c) => g.nodes[c])]).filter(([, c]) => c.length > 0);
}

// The app-internal call graph ("com.a.B.m" → callees) in a compact form for crossing threads and
// for holding every app's graph until a ROM's rules run: one table of method names and an
// Int32Array of (caller, callee) index pairs, instead of a Map of Sets whose strings the structured
// clone would copy once per occurrence.

export interface PackedCalls {
  nodes: string[];
  /** Pairs of indices into `nodes`: caller, callee, caller, callee, … */
  edges: Int32Array;
}

export function packCalls(calls: Map<string, Set<string>>): PackedCalls {
  const index = new Map<string, number>();
  const nodes: string[] = [];
  const id = (name: string): number => {
    let i = index.get(name);
    if (i === undefined) { i = nodes.length; nodes.push(name); index.set(name, i); }
    return i;
  };
  let count = 0;
  for (const callees of calls.values()) count += callees.size;
  const edges = new Int32Array(count * 2);
  let k = 0;
  for (const [caller, callees] of calls) {
    if (!callees.size) continue;
    const from = id(caller);
    for (const callee of callees) { edges[k++] = from; edges[k++] = id(callee); }
  }
  return { nodes, edges };
}

export function unpackCalls(packed: PackedCalls): Map<string, Set<string>> {
  const calls = new Map<string, Set<string>>();
  const { nodes, edges } = packed;
  for (let k = 0; k + 1 < edges.length; k += 2) {
    const caller = nodes[edges[k]], callee = nodes[edges[k + 1]];
    let set = calls.get(caller);
    if (!set) calls.set(caller, (set = new Set()));
    set.add(callee);
  }
  return calls;
}

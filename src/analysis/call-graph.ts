// The app-internal call graph ("com.a.B.m" → the app's own methods it invokes) with integer
// method ids. Method names are stored once, sorted, so an id's order is its name's order:
// searches that must be deterministic (rules/link.ts visits callers in name order) compare
// integers, and a name is found by binary search without building a Map. Edges are (caller,
// callee) id pairs in an Int32Array; adjacency lists are built on first use (most apps' graphs
// are never searched). The plain {nodes, edges} form (PackedCalls) crosses threads cheaply and is
// how every app's graph waits for a ROM's rules.

export interface PackedCalls {
  /** Method names, sorted ascending, unique. */
  nodes: string[];
  /** Pairs of indices into `nodes`: caller, callee, caller, callee, … */
  edges: Int32Array;
}

/** Adjacency in compressed form: the neighbours of id i are list[start[i] .. start[i + 1]), ascending, unique. */
interface Adjacency { start: Int32Array; list: Int32Array }

export class CallGraph implements PackedCalls {
  static readonly EMPTY = new CallGraph([], new Int32Array(0));

  private out: Adjacency | null = null;
  private in: Adjacency | null = null;

  /** `nodes` must be sorted and unique and `edges` index into it (use `fromPairs` otherwise). */
  constructor(readonly nodes: string[], readonly edges: Int32Array) {}

  static from(packed: PackedCalls): CallGraph {
    return packed.nodes.length ? new CallGraph(packed.nodes, packed.edges) : CallGraph.EMPTY;
  }

  /** A graph of caller → callee name pairs, in any order, duplicates allowed. */
  static fromPairs(pairs: Iterable<[string, string]>): CallGraph {
    const names = new Set<string>();
    const list: [string, string][] = [];
    for (const p of pairs) { names.add(p[0]); names.add(p[1]); list.push(p); }
    if (!list.length) return CallGraph.EMPTY;
    const nodes = [...names].sort();
    const id = new Map(nodes.map((n, i) => [n, i]));
    const edges = new Int32Array(list.length * 2);
    list.forEach(([from, to], k) => { edges[2 * k] = id.get(from)!; edges[2 * k + 1] = id.get(to)!; });
    return new CallGraph(nodes, edges);
  }

  static fromMap(calls: Map<string, Set<string>>): CallGraph {
    const pairs: [string, string][] = [];
    for (const [caller, callees] of calls) for (const callee of callees) pairs.push([caller, callee]);
    return CallGraph.fromPairs(pairs);
  }

  /** The plain form for postMessage (a class instance would arrive without its methods). */
  pack(): PackedCalls { return { nodes: this.nodes, edges: this.edges }; }

  get size(): number { return this.nodes.length; }

  /** Id of a method name, or -1. */
  idOf(name: string): number {
    let lo = 0, hi = this.nodes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const n = this.nodes[mid];
      if (n === name) return mid;
      if (n < name) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  /** Ids this method calls, ascending (so in name order). */
  callees(id: number): Int32Array { return neighbours(this.out ??= adjacency(this.nodes.length, this.edges, 0), id); }
  /** Ids that call this method, ascending; calls of a method to itself are left out. */
  callers(id: number): Int32Array { return neighbours(this.in ??= adjacency(this.nodes.length, this.edges, 1, true), id); }

  /** This graph plus some caller → callee name pairs (e.g. hops the framework makes). */
  withPairs(extra: [string, string][]): CallGraph {
    if (!extra.length) return this;
    return CallGraph.fromPairs(this.namedPairs().concat(extra));
  }

  /** The union of two graphs (an app's dex and its odex/vdex code). */
  merge(other: CallGraph): CallGraph {
    if (!other.edges.length) return this;
    if (!this.edges.length) return other;
    return CallGraph.fromPairs(this.namedPairs().concat(other.namedPairs()));
  }

  /**
   * The graph with every method replaced by `group(name)` (e.g. its outer class); edges inside a
   * group vanish. `maxEdges` bounds the work on huge apps: later edges are left out.
   */
  grouped(group: (name: string) => string, maxEdges: number): CallGraph {
    const groupOf = this.nodes.map(group);
    const pairs: [string, string][] = [];
    const n = Math.min(this.edges.length >> 1, maxEdges);
    for (let k = 0; k < n; k++) {
      const from = groupOf[this.edges[2 * k]], to = groupOf[this.edges[2 * k + 1]];
      if (from !== to) pairs.push([from, to]);
    }
    return CallGraph.fromPairs(pairs);
  }

  private namedPairs(): [string, string][] {
    const out: [string, string][] = new Array(this.edges.length >> 1);
    for (let k = 0; k < out.length; k++) out[k] = [this.nodes[this.edges[2 * k]], this.nodes[this.edges[2 * k + 1]]];
    return out;
  }
}

function neighbours(adj: Adjacency, id: number): Int32Array {
  return id >= 0 && id + 1 < adj.start.length ? adj.list.subarray(adj.start[id], adj.start[id + 1]) : new Int32Array(0);
}

/**
 * Counting sort of the edges by their `key` end (0 = caller, 1 = callee), then each list sorted
 * and deduplicated in place. `noSelf` drops edges from a node to itself.
 */
function adjacency(count: number, edges: Int32Array, key: 0 | 1, noSelf = false): Adjacency {
  const other = 1 - key;
  const fill = new Int32Array(count + 1);
  for (let k = 0; k + 1 < edges.length; k += 2) if (!noSelf || edges[k] !== edges[k + 1]) fill[edges[k + key] + 1]++;
  for (let i = 0; i < count; i++) fill[i + 1] += fill[i];
  const raw = new Int32Array(fill[count]);
  const at = fill.slice(0, count);
  for (let k = 0; k + 1 < edges.length; k += 2) if (!noSelf || edges[k] !== edges[k + 1]) raw[at[edges[k + key]]++] = edges[k + other];
  // Sort and dedupe each list, compacting to the left (the write index never passes the read index).
  const start = new Int32Array(count + 1);
  let w = 0;
  for (let i = 0; i < count; i++) {
    start[i] = w;
    let prev = -1;
    for (const v of raw.subarray(fill[i], fill[i + 1]).sort()) if (v !== prev) raw[w++] = prev = v;
  }
  start[count] = w;
  return { start, list: raw.subarray(0, w) };
}

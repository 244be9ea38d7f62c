// The app-internal call graph ("com.a.B.m" → the app's own methods it invokes) with integer
// method ids: each name is stored once (ids in the order names are met) and edges are (caller,
// callee) id pairs in an Int32Array; adjacency lists are built on first use, since only the few
// graphs a rule searches need them (rules/link.ts orders what it visits by name). The plain
// {nodes, edges} form (PackedCalls) crosses threads cheaply and is how every app's graph waits
// for a ROM's rules.

export interface PackedCalls {
  /** Method names, unique. */
  nodes: string[];
  /** Pairs of indices into `nodes`: caller, callee, caller, callee, … */
  edges: Int32Array;
}

/** Adjacency in compressed form: the neighbours of id i are list[start[i] .. start[i + 1]), ascending, unique. */
interface Adjacency { start: Int32Array; list: Int32Array }

/** Collects names and edges; `id` gives each distinct name the next id. */
export class CallGraphBuilder {
  private readonly index = new Map<string, number>();
  private readonly nodes: string[] = [];
  private edges = new Int32Array(64);
  private count = 0;
  private repeats = false;

  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) { i = this.nodes.length; this.nodes.push(name); this.index.set(name, i); }
    return i;
  }

  /**
   * A new id for a name, without looking it up: hashing every method name of an app costs more
   * than most graphs are worth (few are ever searched). A repeated name is merged by searchable().
   */
  node(name: string): number {
    this.repeats = true;
    this.nodes.push(name);
    return this.nodes.length - 1;
  }

  add(from: number, to: number): void {
    if (this.count + 2 > this.edges.length) {
      const grown = new Int32Array(this.edges.length * 2);
      grown.set(this.edges);
      this.edges = grown;
    }
    this.edges[this.count++] = from;
    this.edges[this.count++] = to;
  }

  build(): CallGraph {
    if (!this.count) return CallGraph.EMPTY;
    const g = new CallGraph(this.nodes, this.edges.slice(0, this.count));
    return this.repeats ? g : g.searchable();
  }
}

export class CallGraph implements PackedCalls {
  static readonly EMPTY = new CallGraph([], new Int32Array(0));

  private out: Adjacency | null = null;
  private in: Adjacency | null = null;
  private index: Map<string, number> | null = null;
  private unique: CallGraph | null = null;

  /** `edges` index into `nodes`; a name may repeat until searchable() merges it. */
  constructor(readonly nodes: string[], readonly edges: Int32Array) {}

  static from(packed: PackedCalls): CallGraph {
    return packed.edges.length ? new CallGraph(packed.nodes, packed.edges) : CallGraph.EMPTY;
  }

  /** A graph of caller → callee name pairs, duplicates allowed. */
  static fromPairs(pairs: Iterable<readonly [string, string]>): CallGraph {
    const b = new CallGraphBuilder();
    for (const [from, to] of pairs) b.add(b.id(from), b.id(to));
    return b.build();
  }

  /** The plain form for postMessage (a class instance would arrive without its methods). */
  pack(): PackedCalls { return { nodes: this.nodes, edges: this.edges }; }

  get size(): number { return this.nodes.length; }

  /**
   * The graph with each name once (a repeated name's edges merged into one node): the form
   * idOf, callees and callers answer for. Itself when no name repeats.
   */
  searchable(): CallGraph {
    if (this.unique) return this.unique;
    const index = new Map<string, number>();
    const names: string[] = [];
    const canonical = new Int32Array(this.nodes.length);
    for (let i = 0; i < this.nodes.length; i++) {
      let c = index.get(this.nodes[i]);
      if (c === undefined) { c = names.length; names.push(this.nodes[i]); index.set(this.nodes[i], c); }
      canonical[i] = c;
    }
    const g = names.length === this.nodes.length ? this : new CallGraph(names, this.edges.map((id) => canonical[id]));
    g.index = index;
    g.unique = g;
    return (this.unique = g);
  }

  /** Id of a method name, or -1 (on a searchable() graph). */
  idOf(name: string): number {
    this.index ??= new Map(this.nodes.map((n, i) => [n, i]));
    return this.index.get(name) ?? -1;
  }

  /** Ids this method calls, ascending (on a searchable() graph). */
  callees(id: number): Int32Array { return neighbours(this.out ??= adjacency(this.nodes.length, this.edges, 0), id); }
  /** Ids that call this method, ascending; calls of a method to itself are left out. */
  callers(id: number): Int32Array { return neighbours(this.in ??= adjacency(this.nodes.length, this.edges, 1, true), id); }

  /** This graph plus some caller → callee name pairs (e.g. hops the framework makes). */
  withPairs(extra: readonly (readonly [string, string])[]): CallGraph {
    if (!extra.length) return this;
    return CallGraph.fromPairs([...this.namedPairs(), ...extra]);
  }

  /** The union of two graphs (an app's dex and its odex/vdex code). */
  merge(other: CallGraph): CallGraph {
    if (!other.edges.length) return this;
    if (!this.edges.length) return other;
    return CallGraph.fromPairs([...this.namedPairs(), ...other.namedPairs()]);
  }

  /**
   * The graph with every method replaced by `group(name)` (e.g. its outer class); edges inside a
   * group vanish. `maxEdges` bounds the work on huge apps: later edges are left out.
   */
  grouped(group: (name: string) => string, maxEdges: number): CallGraph {
    const b = new CallGraphBuilder();
    const groupId = this.nodes.map((n) => b.id(group(n)));
    const n = Math.min(this.edges.length >> 1, maxEdges);
    for (let k = 0; k < n; k++) {
      const from = groupId[this.edges[2 * k]], to = groupId[this.edges[2 * k + 1]];
      if (from !== to) b.add(from, to);
    }
    return b.build();
  }

  private *namedPairs(): Generator<[string, string]> {
    for (let k = 0; k + 1 < this.edges.length; k += 2) yield [this.nodes[this.edges[k]], this.nodes[this.edges[k + 1]]];
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

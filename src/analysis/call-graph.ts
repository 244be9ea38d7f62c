// The app-internal call graph ("com.a.B.m" → the app's own methods it invokes) with integer
// method ids: each name is stored once (ids in the order names are met) and edges are (caller,
// callee) id pairs in an Int32Array; adjacency lists are built on first use, since only the few
// graphs a rule searches need them (rules/link.ts orders what it visits by name). The plain
// {nodes, edges} form (PackedCalls) crosses threads cheaply: an odexed app's code graph waits in
// it for the app it belongs to (an app with dex code is searched where it was analysed, and its
// graph dropped: scan/apk-task.ts).
//
// Names may also be left to the first use of `nodes`: building "com.a.B.m" for every method of
// every app costs more than the few graphs a rule ever searches are worth (only an app that could
// link data to the network is searched: rules/evaluate-app.ts findCodeLinks).

export interface PackedCalls {
  /** Method names, unique. */
  nodes: string[];
  /** Pairs of indices into `nodes`: caller, callee, caller, callee, … */
  edges: Int32Array;
}

/** Adjacency in compressed form: the neighbours of id i are list[start[i] .. start[i + 1]), ascending, unique. */
interface Adjacency { start: Int32Array; list: Int32Array }

/** Names node arguments on demand (see CallGraphBuilder.lazyNode); must not fail. */
export type NodeNamer = (arg: number) => string;

/** Collects names and edges; `id` gives each distinct name the next id. */
export class CallGraphBuilder {
  private readonly index = new Map<string, number>();
  /** A name, or null for a node named later by a namer. */
  private readonly nodes: (string | null)[] = [];
  /** For each node named later: its id, its namer's index and the namer's argument. */
  private later = new Int32Array(48);
  private laterCount = 0;
  private readonly namers: NodeNamer[] = [];
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

  /** Registers a namer for lazyNode; returns its handle. */
  namer(f: NodeNamer): number {
    this.namers.push(f);
    return this.namers.length - 1;
  }

  /** Like node(), named `namers[namer](arg)` when the graph's names are first read. */
  lazyNode(namer: number, arg: number): number {
    this.repeats = true;
    if (this.laterCount + 3 > this.later.length) {
      const grown = new Int32Array(this.later.length * 2);
      grown.set(this.later);
      this.later = grown;
    }
    this.later[this.laterCount++] = this.nodes.length;
    this.later[this.laterCount++] = namer;
    this.later[this.laterCount++] = arg;
    this.nodes.push(null);
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
    const edges = this.edges.slice(0, this.count);
    if (this.laterCount) {
      const { nodes, namers } = this;
      const later = this.later.subarray(0, this.laterCount);
      return new CallGraph(() => {
        for (let k = 0; k < later.length; k += 3) nodes[later[k]] = namers[later[k + 1]](later[k + 2]);
        return nodes as string[];
      }, edges, nodes.length);
    }
    // Named through id() only: every name is already once in `index`, so the graph is searchable as it stands.
    return this.repeats ? new CallGraph(this.nodes as string[], edges) : CallGraph.searchableFrom(this.nodes as string[], edges, this.index);
  }
}

export class CallGraph implements PackedCalls {
  static readonly EMPTY = new CallGraph([], new Int32Array(0));

  private out: Adjacency | null = null;
  private in: Adjacency | null = null;
  private index: Map<string, number> | null = null;
  /** For a graph made by plus(): the graph it extends, whose ids it keeps (`index` then holds only the names it added). */
  private base: CallGraph | null = null;
  private unique: CallGraph | null = null;
  private names: string[] | null;
  private nameAll: (() => string[]) | null;
  readonly size: number;

  /**
   * `edges` index into the names; a name may repeat until searchable() merges it. Names given
   * as a function are built on first use of `nodes` (`size` is then their count).
   */
  constructor(names: string[] | (() => string[]), readonly edges: Int32Array, size?: number) {
    this.names = typeof names === 'function' ? null : names;
    this.nameAll = typeof names === 'function' ? names : null;
    this.size = this.names ? this.names.length : size!;
  }

  get nodes(): string[] {
    if (this.names === null) { this.names = this.nameAll!(); this.nameAll = null; }
    return this.names;
  }

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

  /**
   * The graph with each name once (a repeated name's edges merged into one node): the form
   * idOf, callees and callers answer for. Itself when no name repeats.
   */
  searchable(): CallGraph {
    if (this.unique) return this.unique;
    const { names, canonical, index } = firstOfEachName(this.nodes);
    const g = names.length === this.size ? this : new CallGraph(names, this.edges.map((id) => canonical[id]));
    g.index = index;
    g.unique = g;
    return (this.unique = g);
  }

  /** A graph whose names are unique, `index` mapping each to its id: its own searchable() form. */
  static searchableFrom(nodes: string[], edges: Int32Array, index: Map<string, number>): CallGraph {
    const g = new CallGraph(nodes, edges);
    g.index = index;
    g.unique = g;
    return g;
  }

  /** Id of a method name, or -1 (on a searchable() graph). */
  idOf(name: string): number {
    const inBase = this.base ? this.base.idOf(name) : -1;
    if (inBase >= 0) return inBase;
    this.index ??= new Map(this.nodes.map((n, i) => [n, i]));
    return this.index.get(name) ?? -1;
  }

  /** Ids this method calls, ascending (on a searchable() graph). */
  callees(id: number): Int32Array { return neighbours(this.out ??= adjacency(this.size, this.edges, 0), id); }
  /** Ids that call this method, ascending; calls of a method to itself are left out. */
  callers(id: number): Int32Array { return neighbours(this.in ??= adjacency(this.size, this.edges, 1, true), id); }

  /** This graph plus some caller → callee name pairs (e.g. hops the framework makes). */
  withPairs(extra: readonly (readonly [string, string])[]): CallGraph {
    if (!extra.length) return this;
    const names: string[] = [];
    const edges = new Int32Array(2 * extra.length);
    extra.forEach(([from, to], k) => { edges[2 * k] = names.push(from) - 1; edges[2 * k + 1] = names.push(to) - 1; });
    return this.plus(names, edges);
  }

  /** The union of two graphs (an app's dex and its odex/vdex code). */
  merge(other: CallGraph): CallGraph {
    if (!other.edges.length) return this;
    if (!this.edges.length) return other;
    return this.plus(other.nodes, other.edges);
  }

  /**
   * This graph's edges followed by `edges` (indices into `names`, which may repeat), as one
   * searchable graph: names new to this graph get the next ids.
   */
  private plus(names: string[], edges: Int32Array): CallGraph {
    const base = this.searchable();
    const all = base.nodes.slice();
    // The new names only: copying the base's index would cost as much as building it.
    const added = new Map<string, number>();
    const ids = names.map((n) => {
      let i = base.idOf(n);
      if (i < 0) {
        i = added.get(n) ?? -1;
        if (i < 0) { i = all.length; all.push(n); added.set(n, i); }
      }
      return i;
    });
    const joined = new Int32Array(base.edges.length + edges.length);
    joined.set(base.edges);
    for (let k = 0; k < edges.length; k++) joined[base.edges.length + k] = ids[edges[k]];
    const g = new CallGraph(all, joined);
    g.base = base;
    g.index = added;
    g.unique = g;
    return g;
  }

  /**
   * The graph with every method replaced by `group(name)` (e.g. its outer class); edges inside a
   * group vanish. `maxEdges` bounds the work on huge apps: later edges are left out.
   */
  grouped(group: (name: string) => string, maxEdges: number): CallGraph {
    const b = new CallGraphBuilder();
    const groupId = this.nodes.map((n) => b.id(group(n)));
    addGroupEdges(b, groupId, this.edges, Math.min(this.edges.length >> 1, maxEdges));
    return b.build();
  }

}

/** Each distinct name once, in order of first appearance, with the id of every node's name. (One loop: see adjacency.) */
function firstOfEachName(nodes: string[]): { names: string[]; canonical: Int32Array; index: Map<string, number> } {
  const index = new Map<string, number>();
  const names: string[] = [];
  const canonical = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    let c = index.get(nodes[i]);
    if (c === undefined) { c = names.length; names.push(nodes[i]); index.set(nodes[i], c); }
    canonical[i] = c;
  }
  return { names, canonical, index };
}

/** The first `n` edges between different groups. */
function addGroupEdges(b: CallGraphBuilder, groupId: number[], edges: Int32Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const from = groupId[edges[2 * k]], to = groupId[edges[2 * k + 1]];
    if (from !== to) b.add(from, to);
  }
}

function neighbours(adj: Adjacency, id: number): Int32Array {
  return id >= 0 && id + 1 < adj.start.length ? adj.list.subarray(adj.start[id], adj.start[id + 1]) : new Int32Array(0);
}

/**
 * The edges grouped by their `key` end (0 = caller, 1 = callee), each list ascending and without
 * repeats. Two counting sorts: by the other end, then (stably) by `key`, so every list comes out
 * in order with no sort per list. `noSelf` drops edges from a node to itself. Each loop is a
 * function of its own: V8 compiles a function when one of its loops gets hot, and a function of
 * several loops is compiled again (after a deopt) at each loop it had not reached yet.
 */
function adjacency(count: number, edges: Int32Array, key: 0 | 1, noSelf = false): Adjacency {
  const other = 1 - key;
  const byOther = edgeOrder(edges, other, count, keptEdges(edges, noSelf)).order;
  const { order, start } = edgeOrder(edges, key, count, byOther);
  const list = otherEnds(edges, order, other);
  return dropRepeats(list, start, count);
}

/** Offsets (into `edges`) of the edges kept: all, or those not from a node to itself. */
function keptEdges(edges: Int32Array, noSelf: boolean): Int32Array {
  const out = new Int32Array(edges.length >> 1);
  let n = 0;
  for (let k = 0; k + 1 < edges.length; k += 2) if (!noSelf || edges[k] !== edges[k + 1]) out[n++] = k;
  return out.subarray(0, n);
}

/**
 * The edge offsets `from` in ascending order of their `end` end, stable (a counting sort), and
 * where each node's run starts: node i's edges are order[start[i] .. start[i + 1]).
 */
function edgeOrder(edges: Int32Array, end: number, count: number, from: Int32Array): { order: Int32Array; start: Int32Array } {
  const start = countByEnd(edges, end, count, from);
  prefixSums(start);
  return { order: placeByEnd(edges, end, from, start.slice(0, count)), start };
}

function countByEnd(edges: Int32Array, end: number, count: number, from: Int32Array): Int32Array {
  const fill = new Int32Array(count + 1);
  for (let j = 0; j < from.length; j++) fill[edges[from[j] + end] + 1]++;
  return fill;
}

function prefixSums(a: Int32Array): void {
  for (let i = 1; i < a.length; i++) a[i] += a[i - 1];
}

/** `from` placed at `at[node]++` of its `end` node. */
function placeByEnd(edges: Int32Array, end: number, from: Int32Array, at: Int32Array): Int32Array {
  const order = new Int32Array(from.length);
  for (let j = 0; j < from.length; j++) { const k = from[j]; order[at[edges[k + end]]++] = k; }
  return order;
}

function otherEnds(edges: Int32Array, order: Int32Array, other: number): Int32Array {
  const out = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = edges[order[j] + other];
  return out;
}

/** Each sorted list raw[start[i] .. start[i + 1]) without repeats, compacted to the left (writes never pass reads). */
function dropRepeats(raw: Int32Array, start: Int32Array, count: number): Adjacency {
  const out = new Int32Array(count + 1);
  let w = 0;
  for (let i = 0; i < count; i++) {
    out[i] = w;
    let prev = -1;
    for (let r = start[i]; r < start[i + 1]; r++) if (raw[r] !== prev) raw[w++] = prev = raw[r];
  }
  out[count] = w;
  return { start: out, list: raw.subarray(0, w) };
}

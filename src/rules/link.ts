// Connects the code that reads data with the code that sends it, through the app's own method
// references (ctx.calls: "com.a.B.m" -> callees inside the app). Android code hops threads and
// handlers (AsyncTask, Handler.sendMessage, startService) where the call graph breaks, so the search
// falls back from methods to classes (inner classes folded into their outer class).
import type { CallGraph } from '../analysis/call-graph.js';

/** A place in code where something happens. `key` is "dotted.Class.method". */
export interface Site {
  key: string;
  cls: string;
  method: string;
  dex: string;
  /** What happens there, e.g. "imei" or "network". */
  what: string;
}

export type LinkKind = 'same-method' | 'call-path' | 'same-class' | 'class-path';

export interface Link {
  kind: LinkKind;
  read: Site;
  net: Site;
  /** From the common caller down to the read site (methods, or classes for class-path). */
  toRead: string[];
  /** From the common caller down to the network site. */
  toNet: string[];
}

/** Depth of each half of a method path; deeper chains are more likely coincidence than data flow. */
const MAX_METHOD_DEPTH = 6;
/** Depth of each half of a class path. */
const MAX_CLASS_DEPTH = 3;
/** Nodes visited per search: keeps a 100k-method app bounded. */
const MAX_VISITED = 200_000;
/** Edges read from ctx.calls when building the class graph. */
const MAX_EDGES = 5_000_000;

export function splitKey(key: string): { cls: string; method: string } {
  const i = key.lastIndexOf('.');
  return i < 0 ? { cls: key, method: '' } : { cls: key.slice(0, i), method: key.slice(i + 1) };
}

/** com.a.B$1 and com.a.B$Inner$2 belong to com.a.B. */
export function outerClass(cls: string): string {
  const dot = cls.lastIndexOf('.');
  const d = cls.indexOf('$', dot + 1);
  return d < 0 ? cls : cls.slice(0, d);
}

/**
 * Ids of method (or class) names in one search: the graph's own ids, and ids past the graph's
 * end for sites that make or receive no calls (a read in a method that calls nothing).
 */
class SearchIds {
  private readonly extra = new Map<string, number>();
  private readonly extraNames: string[] = [];
  constructor(readonly graph: CallGraph) {}
  id(name: string): number {
    const i = this.graph.idOf(name);
    if (i >= 0) return i;
    let e = this.extra.get(name);
    if (e === undefined) { e = this.graph.size + this.extraNames.length; this.extra.set(name, e); this.extraNames.push(name); }
    return e;
  }
  name(id: number): string { return id < this.graph.size ? this.graph.nodes[id] : this.extraNames[id - this.graph.size]; }
  /** The callers of a method, in name order. */
  callers(id: number): number[] { return id < this.graph.size ? byName(this.graph.callers(id), this.graph.nodes) : []; }
}

/** Ids in the order of their names: searches visit neighbours by name, so ties resolve the same way on every run. */
function byName(ids: Int32Array | number[], names: string[]): number[] {
  return Array.from(ids).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
}

interface Reach { depth: number; next: number; site: number }

/**
 * Multi-source BFS up the callers; each node remembers the nearest site and the step towards it.
 * Sources start in name order and callers are visited in name order, so ties resolve the same way
 * on every run.
 */
function reverseBfs(sources: string[], ids: SearchIds, maxDepth: number): Map<number, Reach> {
  const seen = new Map<number, Reach>();
  let frontier = [...new Set(sources)].sort().map((s) => ids.id(s));
  for (const s of frontier) seen.set(s, { depth: 0, next: -1, site: s });
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const nextFrontier: number[] = [];
    for (const node of frontier) {
      const site = seen.get(node)!.site;
      for (const caller of ids.callers(node)) {
        if (seen.has(caller)) continue;
        if (seen.size >= MAX_VISITED) return seen;
        seen.set(caller, { depth, next: node, site });
        nextFrontier.push(caller);
      }
    }
    frontier = nextFrontier;
  }
  return seen;
}

function pathFrom(node: number, reach: Map<number, Reach>, ids: SearchIds): string[] {
  const out = [ids.name(node)];
  let cur = reach.get(node);
  while (cur && cur.next >= 0 && out.length <= MAX_METHOD_DEPTH + 1) {
    out.push(ids.name(cur.next));
    cur = reach.get(cur.next);
  }
  return out;
}

/** The node both searches reached with the least total depth (ties: the first name). */
function meet(a: Map<number, Reach>, b: Map<number, Reach>, ids: SearchIds): number {
  let best = -1;
  let bestCost = Infinity;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [node, ra] of small) {
    const rb = large.get(node);
    if (!rb) continue;
    const cost = ra.depth + rb.depth;
    if (cost < bestCost || (cost === bestCost && best >= 0 && ids.name(node) < ids.name(best))) {
      best = node;
      bestCost = cost;
    }
  }
  return best;
}

function pick(sites: Site[], key: string, byKey: (s: Site) => string): Site {
  return sites.find((s) => byKey(s) === key) ?? sites[0]!;
}

/** One level of the search: the common caller of both site sets nearest to them, as two paths. */
function search(calls: CallGraph, reads: string[], nets: string[], maxDepth: number): { toRead: string[]; toNet: string[] } | null {
  const ids = new SearchIds(calls.searchable());
  const fromReads = reverseBfs(reads, ids, maxDepth);
  const fromNets = reverseBfs(nets, ids, maxDepth);
  const m = meet(fromReads, fromNets, ids);
  return m < 0 ? null : { toRead: pathFrom(m, fromReads, ids), toNet: pathFrom(m, fromNets, ids) };
}

/** Finds how read sites and network sites are connected, preferring the most direct connection. */
export function findLink(reads: Site[], nets: Site[], calls: CallGraph): Link | null {
  if (!reads.length || !nets.length) return null;
  const methodKey = (s: Site): string => s.key;
  // 1. Methods: a common caller (possibly one of the sites itself) within MAX_METHOD_DEPTH.
  const m = search(calls, reads.map(methodKey), nets.map(methodKey), MAX_METHOD_DEPTH);
  if (m) {
    const { toRead, toNet } = m;
    const read = pick(reads, toRead[toRead.length - 1]!, methodKey);
    const net = pick(nets, toNet[toNet.length - 1]!, methodKey);
    const kind: LinkKind = toRead.length === 1 && toNet.length === 1 ? 'same-method' : 'call-path';
    return { kind, read, net, toRead, toNet };
  }
  // 2. The same class (inner classes included): state passes through fields.
  const outer = (s: Site): string => outerClass(s.cls);
  const netByClass = new Map<string, Site>();
  for (const n of [...nets].sort((x, y) => (x.key < y.key ? -1 : 1))) if (!netByClass.has(outer(n))) netByClass.set(outer(n), n);
  for (const r of [...reads].sort((x, y) => (x.key < y.key ? -1 : 1))) {
    const n = netByClass.get(outer(r));
    if (n) return { kind: 'same-class', read: r, net: n, toRead: [outer(r)], toNet: [outer(r)] };
  }
  // 3. Classes: a common calling class within MAX_CLASS_DEPTH.
  const classes = calls.grouped((k) => outerClass(splitKey(k).cls), MAX_EDGES);
  const c = search(classes, reads.map(outer), nets.map(outer), MAX_CLASS_DEPTH);
  if (c) {
    const { toRead, toNet } = c;
    return { kind: 'class-path', read: pick(reads, toRead[toRead.length - 1]!, outer), net: pick(nets, toNet[toNet.length - 1]!, outer), toRead, toNet };
  }
  return null;
}

/**
 * A path from any method of one of `startClasses` (e.g. a boot receiver) to one of `targets`,
 * following calls forward, or null. Classes are matched with their inner classes.
 */
export function findEntryPath(startClasses: string[], targets: Set<string>, calls: CallGraph): string[] | null {
  if (!startClasses.length || !targets.size) return null;
  const starts = new Set(startClasses.map(outerClass));
  calls = calls.searchable();
  const prev = new Map<number, number>();
  // The search starts from the methods of the start classes that make calls, by name.
  const startIds: number[] = [];
  for (let id = 0; id < calls.size; id++) if (calls.callees(id).length && starts.has(outerClass(splitKey(calls.nodes[id]).cls))) startIds.push(id);
  let frontier = byName(startIds, calls.nodes);
  for (const id of frontier) prev.set(id, -1);
  for (let depth = 0; depth <= MAX_METHOD_DEPTH * 2 && frontier.length; depth++) {
    const next: number[] = [];
    for (const node of frontier) {
      if (targets.has(calls.nodes[node])) {
        const path = [node];
        for (let p = prev.get(node) ?? -1; p >= 0; p = prev.get(p) ?? -1) path.unshift(p);
        return path.map((id) => calls.nodes[id]);
      }
      for (const callee of byName(calls.callees(node), calls.nodes)) {
        if (prev.has(callee) || prev.size >= MAX_VISITED) continue;
        prev.set(callee, node);
        next.push(callee);
      }
    }
    frontier = next;
  }
  return null;
}

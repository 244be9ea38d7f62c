// Connects the code that reads data with the code that sends it, through the app's own method
// references (ctx.calls: "com.a.B.m" -> callees inside the app). Android code hops threads and
// handlers (AsyncTask, Handler.sendMessage, startService) where the call graph breaks, so the search
// falls back from methods to classes (inner classes folded into their outer class).

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
/** Edges read from ctx.calls when building the reverse graph. */
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

type Graph = Map<string, string[]>;

function reverseGraph(calls: Map<string, Set<string>>, mapNode: ((k: string) => string) | null): Graph {
  const sets = new Map<string, Set<string>>();
  const mapped = new Map<string, string>();
  // Class mapping repeats for every method of a class: compute each once.
  const node = mapNode === null ? (k: string): string => k : (k: string): string => {
    let v = mapped.get(k);
    if (v === undefined) mapped.set(k, (v = mapNode(k)));
    return v;
  };
  let edges = 0;
  outer: for (const [caller, callees] of calls) {
    const from = node(caller);
    for (const callee of callees) {
      if (++edges > MAX_EDGES) break outer;
      const to = node(callee);
      if (to === from) continue;
      let set = sets.get(to);
      if (!set) sets.set(to, (set = new Set()));
      set.add(from);
    }
  }
  const rev: Graph = new Map();
  for (const [k, v] of sets) rev.set(k, [...v].sort());
  return rev;
}

interface Reach { depth: number; next: string | null; site: string }

/** Multi-source BFS up the callers; each node remembers the nearest site and the step towards it. */
function reverseBfs(sources: string[], rev: Graph, maxDepth: number): Map<string, Reach> {
  const seen = new Map<string, Reach>();
  let frontier = [...new Set(sources)].sort();
  for (const s of frontier) seen.set(s, { depth: 0, next: null, site: s });
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const nextFrontier: string[] = [];
    for (const node of frontier) {
      const site = seen.get(node)!.site;
      for (const caller of rev.get(node) ?? []) {
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

function pathFrom(node: string, reach: Map<string, Reach>): string[] {
  const out = [node];
  let cur = reach.get(node);
  while (cur && cur.next !== null && out.length <= MAX_METHOD_DEPTH + 1) {
    out.push(cur.next);
    cur = reach.get(cur.next);
  }
  return out;
}

function meet(a: Map<string, Reach>, b: Map<string, Reach>): string | null {
  let best: string | null = null;
  let bestCost = Infinity;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [node, ra] of small) {
    const rb = large.get(node);
    if (!rb) continue;
    const cost = ra.depth + rb.depth;
    if (cost < bestCost || (cost === bestCost && best !== null && node < best)) {
      best = node;
      bestCost = cost;
    }
  }
  return best;
}

function pick(sites: Site[], key: string, byKey: (s: Site) => string): Site {
  return sites.find((s) => byKey(s) === key) ?? sites[0]!;
}

/** Finds how read sites and network sites are connected, preferring the most direct connection. */
export function findLink(reads: Site[], nets: Site[], calls: Map<string, Set<string>>): Link | null {
  if (!reads.length || !nets.length) return null;
  const methodKey = (s: Site): string => s.key;
  // 1. Methods: a common caller (possibly one of the sites itself) within MAX_METHOD_DEPTH.
  const rev = reverseGraph(calls, null);
  const fromReads = reverseBfs(reads.map(methodKey), rev, MAX_METHOD_DEPTH);
  const fromNets = reverseBfs(nets.map(methodKey), rev, MAX_METHOD_DEPTH);
  const m = meet(fromReads, fromNets);
  if (m !== null) {
    const toRead = pathFrom(m, fromReads);
    const toNet = pathFrom(m, fromNets);
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
  const crev = reverseGraph(calls, (k) => outerClass(splitKey(k).cls));
  const cReads = reverseBfs(reads.map(outer), crev, MAX_CLASS_DEPTH);
  const cNets = reverseBfs(nets.map(outer), crev, MAX_CLASS_DEPTH);
  const c = meet(cReads, cNets);
  if (c !== null) {
    const toRead = pathFrom(c, cReads);
    const toNet = pathFrom(c, cNets);
    return { kind: 'class-path', read: pick(reads, toRead[toRead.length - 1]!, outer), net: pick(nets, toNet[toNet.length - 1]!, outer), toRead, toNet };
  }
  return null;
}

/**
 * A path from any method of one of `startClasses` (e.g. a boot receiver) to one of `targets`,
 * following calls forward, or null. Classes are matched with their inner classes.
 */
export function findEntryPath(startClasses: string[], targets: Set<string>, calls: Map<string, Set<string>>): string[] | null {
  if (!startClasses.length || !targets.size) return null;
  const starts = new Set(startClasses.map(outerClass));
  const prev = new Map<string, string | null>();
  let frontier: string[] = [];
  for (const key of [...calls.keys()].sort()) {
    if (starts.has(outerClass(splitKey(key).cls))) {
      prev.set(key, null);
      frontier.push(key);
    }
  }
  for (let depth = 0; depth <= MAX_METHOD_DEPTH * 2 && frontier.length; depth++) {
    const next: string[] = [];
    for (const node of frontier) {
      if (targets.has(node)) {
        const path = [node];
        let p = prev.get(node) ?? null;
        while (p !== null) { path.unshift(p); p = prev.get(p) ?? null; }
        return path;
      }
      for (const callee of [...(calls.get(node) ?? [])].sort()) {
        if (prev.has(callee) || prev.size >= MAX_VISITED) continue;
        prev.set(callee, node);
        next.push(callee);
      }
    }
    frontier = next;
  }
  return null;
}

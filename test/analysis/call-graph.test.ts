import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallGraph, CallGraphBuilder } from '../../src/analysis/call-graph.js';
import { xorshift32 } from '../helpers/xorshift.js';

const names = (g: CallGraph, ids: Int32Array) => [...ids].map((i) => g.nodes[i]).sort();

test('a call graph stores each name once and survives structured cloning', () => {
  const g = CallGraph.fromPairs([['a.C.o', 'a.A.m'], ['a.A.m', 'a.C.o'], ['a.A.m', 'a.B.n']]);
  assert.deepEqual(g.nodes, ['a.C.o', 'a.A.m', 'a.B.n'], 'ids in the order names are met');
  const back = CallGraph.from(structuredClone(g.pack()));
  assert.deepEqual(names(back, back.callees(back.idOf('a.A.m'))), ['a.B.n', 'a.C.o']);
  assert.deepEqual(names(back, back.callers(back.idOf('a.A.m'))), ['a.C.o']);
  assert.equal(back.idOf('a.D.p'), -1, 'an unknown name has no id');
});

test('adjacency lists hold each neighbour once; callers leave out self-calls', () => {
  const g = CallGraph.fromPairs([['z', 'b'], ['a', 'b'], ['m', 'b'], ['a', 'b'], ['b', 'b'], ['b', 'z'], ['b', 'a']]);
  assert.deepEqual(names(g, g.callers(g.idOf('b'))), ['a', 'm', 'z']);
  assert.deepEqual(names(g, g.callees(g.idOf('b'))), ['a', 'b', 'z']);
  assert.deepEqual(names(g, g.callees(g.idOf('m'))), ['b']);
  assert.equal(g.callees(-1).length, 0);
  assert.equal(g.callers(99).length, 0);
});

test('merging, adding pairs and grouping by class', () => {
  const a = CallGraph.fromPairs([['p.A.x', 'p.B.y']]);
  const b = CallGraph.fromPairs([['p.A.x', 'p.C.z'], ['p.C.z', 'p.A$1.run']]);
  const m = a.merge(b);
  assert.deepEqual(names(m, m.callees(m.idOf('p.A.x'))), ['p.B.y', 'p.C.z']);
  assert.equal(a.merge(CallGraph.EMPTY), a);
  const w = m.withPairs([['p.B.y', 'q.P.query']]);
  assert.deepEqual(names(w, w.callees(w.idOf('p.B.y'))), ['q.P.query']);
  const cls = m.grouped((k) => k.slice(0, k.lastIndexOf('.')).replace(/\$.*/, ''), 10);
  assert.deepEqual([...cls.nodes].sort(), ['p.A', 'p.B', 'p.C']);
  assert.deepEqual(names(cls, cls.callers(cls.idOf('p.A'))), ['p.C']);
  assert.equal(m.grouped((k) => k, 1).edges.length, 2, 'maxEdges bounds the edges read');
});

test('names added without lookup are merged when the graph is searched', () => {
  const b = new CallGraphBuilder();
  // The same method named from two dex files: two ids until searchable().
  const a1 = b.node('p.A.x'), c = b.node('p.C.z'), a2 = b.node('p.A.x'), d = b.node('p.D.w');
  b.add(a1, c);
  b.add(a2, d);
  b.add(d, a2);
  const raw = b.build();
  assert.equal(raw.nodes.length, 4);
  const g = raw.searchable();
  assert.deepEqual(g.nodes, ['p.A.x', 'p.C.z', 'p.D.w']);
  assert.deepEqual(names(g, g.callees(g.idOf('p.A.x'))), ['p.C.z', 'p.D.w']);
  assert.deepEqual(names(g, g.callers(g.idOf('p.A.x'))), ['p.D.w']);
  assert.equal(g.searchable(), g);
  assert.equal(raw.searchable(), g, 'computed once');
  const packed = CallGraph.from(structuredClone(raw.pack())).searchable();
  assert.deepEqual(packed.nodes, g.nodes, 'repeats survive packing and merge on the other side');
});

test('lazily named nodes are named on the first read of the names, once', () => {
  const b = new CallGraphBuilder();
  const calls: number[] = [];
  const namer = b.namer((arg) => { calls.push(arg); return `p.M.m${arg}`; });
  const x = b.lazyNode(namer, 7), y = b.node('p.N.n'), z = b.lazyNode(namer, 7);
  b.add(x, y);
  b.add(y, z);
  const g = b.build();
  assert.equal(g.size, 3);
  assert.equal(g.edges.length, 4);
  assert.deepEqual(calls, [], 'nothing named before the names are read');
  assert.deepEqual(g.nodes, ['p.M.m7', 'p.N.n', 'p.M.m7']);
  assert.deepEqual(calls, [7, 7]);
  g.pack();
  assert.equal(calls.length, 2, 'named once');
  const s = g.searchable();
  assert.deepEqual(names(s, s.callees(s.idOf('p.N.n'))), ['p.M.m7'], 'repeats merge as for named nodes');
});

test('pairs added to a graph with repeated names keep every edge', () => {
  const b = new CallGraphBuilder();
  const a1 = b.node('p.A.x'), c = b.node('p.C.z'), a2 = b.node('p.A.x');
  b.add(a1, c);
  b.add(c, a2);
  const w = b.build().withPairs([['p.A.x', 'q.P.query'], ['q.P.query', 'p.C.z']]);
  assert.deepEqual(names(w, w.callees(w.idOf('p.A.x'))), ['p.C.z', 'q.P.query']);
  assert.deepEqual(names(w, w.callers(w.idOf('p.C.z'))), ['p.A.x', 'q.P.query']);
  assert.equal(w.searchable(), w, 'already searchable');
  assert.deepEqual([...w.nodes].sort(), ['p.A.x', 'p.C.z', 'q.P.query']);
  const w2 = w.withPairs([['q.P.query', 'r.R.x']]).merge(CallGraph.fromPairs([['r.R.x', 'p.A.x']]));
  assert.deepEqual(names(w2, w2.callees(w2.idOf('q.P.query'))), ['p.C.z', 'r.R.x'], 'names of every level are found');
  assert.deepEqual(names(w2, w2.callers(w2.idOf('p.A.x'))), ['p.C.z', 'r.R.x']);
  assert.equal(w2.nodes.length, 4);
});

test('adjacency lists equal sorted, deduplicated neighbour sets on random graphs', () => {
  const next = xorshift32(11);
  for (let round = 0; round < 20; round++) {
    const n = 1 + (next() % 40), m = next() % 200;
    const pairs: [string, string][] = [];
    for (let k = 0; k < m; k++) pairs.push([`p.C.m${next() % n}`, `p.C.m${next() % n}`]);
    const g = CallGraph.fromPairs(pairs);
    for (let id = 0; id < g.size; id++) {
      const name = g.nodes[id];
      const callees = [...new Set(pairs.filter(([a]) => a === name).map(([, b]) => g.idOf(b)))].sort((a, b) => a - b);
      const callers = [...new Set(pairs.filter(([a, b]) => b === name && a !== name).map(([a]) => g.idOf(a)))].sort((a, b) => a - b);
      assert.deepEqual([...g.callees(id)], callees);
      assert.deepEqual([...g.callers(id)], callers);
    }
  }
});

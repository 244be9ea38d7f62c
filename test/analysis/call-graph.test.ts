import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallGraph } from '../../src/analysis/call-graph.js';

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

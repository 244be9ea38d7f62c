import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packCalls, unpackCalls } from '../../src/analysis/call-graph.js';

test('a call graph survives packing, with each name stored once', () => {
  const calls = new Map([['a.A.m', new Set(['a.B.n', 'a.C.o'])], ['a.B.n', new Set(['a.C.o'])], ['a.D.p', new Set<string>()]]);
  const packed = packCalls(calls);
  assert.deepEqual(packed.nodes, ['a.A.m', 'a.B.n', 'a.C.o']);
  assert.deepEqual([...packed.edges], [0, 1, 0, 2, 1, 2]);
  const back = unpackCalls(structuredClone(packed));
  assert.deepEqual([...back].map(([k, v]) => [k, [...v]]), [['a.A.m', ['a.B.n', 'a.C.o']], ['a.B.n', ['a.C.o']]]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCodeFacts } from '../../src/scan/merge-code-facts.js';
import { CallGraph } from '../../src/analysis/call-graph.js';
import { companionOwnerKey } from '../../src/android/vdex/companions.js';
import type { AppReport } from '../../src/report/model.js';

test('an APK and its oat/<arch>/ code share an owner key', () => {
  assert.equal(companionOwnerKey('system/priv-app/Foo/Foo.apk'), 'system/priv-app/Foo/Foo');
  assert.equal(companionOwnerKey('system/priv-app/Foo/oat/arm64/Foo.vdex'), 'system/priv-app/Foo/Foo');
  assert.equal(companionOwnerKey('system/app/Bar/oat/arm/Bar.odex'), 'system/app/Bar/Bar');
  assert.equal(companionOwnerKey('system/app/Old/arm/Old.odex'), 'system/app/Old/Old');
  assert.equal(companionOwnerKey('system/framework/oat/arm64/services.vdex'), 'system/framework/services');
  assert.equal(companionOwnerKey('system/framework/services.jar'), 'system/framework/services');
  assert.equal(companionOwnerKey('system/etc/hosts'), null);
});

test('facts merge by value and keep every distinct location', () => {
  const app = { dex: [], endpoints: [{ value: 'http://a/', host: 'a', scheme: 'http', locations: [{ dex: 'classes.dex', class: 'A', method: 'm' }] }],
    apis: [] } as unknown as AppReport;
  const ctx = { classNames: ['A'], calls: CallGraph.fromPairs([['A.m', 'A.n']]), inFirmware: true };
  mergeCodeFacts(app, ctx, {
    dex: [{ name: 'oat/arm64/X.vdex!/classes.dex', strings: 1, classes: 1, methods: 1 }],
    endpoints: [{ value: 'http://a/', host: 'a', scheme: 'http', locations: [{ dex: 'oat/arm64/X.vdex!/classes.dex', class: 'B', method: 'k' }] },
      { value: 'http://b/', host: 'b', scheme: 'http', locations: [] }],
    apis: [{ api: 'x.Y.z', locations: [{ dex: 'v', class: 'B', method: 'k' }] }],
    classNames: ['B'], stringCount: 1,
  }, CallGraph.fromPairs([['A.m', 'B.k']]));
  assert.equal(app.dex.length, 1);
  assert.deepEqual(app.endpoints.map((e) => [e.value, e.locations.length]), [['http://a/', 2], ['http://b/', 0]]);
  assert.equal(app.apis.length, 1);
  assert.deepEqual(ctx.classNames, ['A', 'B']);
  assert.deepEqual([...ctx.calls.callees(ctx.calls.idOf('A.m'))].map((id) => ctx.calls.nodes[id]), ['A.n', 'B.k']);
});

// Time to parse and walk the biggest corpus dex (apidemos-debug.apk, 7.3 MB, 43k methods), and
// to collect the code facts of it. The bounds are loose (CI runs on 2 shared cores); the point
// is to catch an accidental slowdown by an order of magnitude. Numbers go to the test log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDex } from '../../../src/android/dex/dex-file.js';
import { collectCodeFacts } from '../../../src/analysis/code-facts.js';
import { corpusEntry, hasTool } from './helpers.js';

test('parse + walk of a 7 MB dex stays well under a second', (t) => {
  if (!hasTool('unzip')) { t.skip('unzip not installed'); return; }
  const bytes = corpusEntry('apidemos-debug.apk', 'classes.dex');
  const runs: string[] = [];
  let best = Infinity, bestFacts = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    const dex = parseDex(bytes, 'classes.dex', 'apidemos-debug.apk!/classes.dex');
    let methods = 0;
    dex.walkCode(() => { methods++; });
    const t1 = performance.now();
    const facts = collectCodeFacts([parseDex(bytes, 'classes.dex', 'x')], new Map([['android.telephony.TelephonyManager.getDeviceId', 'imei']]));
    const t2 = performance.now();
    assert.equal(methods, 32124);
    assert.equal(facts.stringCount, 53126);
    best = Math.min(best, t1 - t0);
    bestFacts = Math.min(bestFacts, t2 - t1);
    runs.push(`parse+walk ${(t1 - t0).toFixed(0)} ms, parse+collectCodeFacts ${(t2 - t1).toFixed(0)} ms`);
  }
  t.diagnostic(runs.join('; '));
  assert.ok(best < 1000, `parse + walk took ${best.toFixed(0)} ms`);
  assert.ok(bestFacts < 3000, `collectCodeFacts took ${bestFacts.toFixed(0)} ms`);
});

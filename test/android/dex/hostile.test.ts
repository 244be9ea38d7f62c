// Hostile input: truncations and bit flips of real dex files must give a result or a
// RomscanError, within a time bound (file-type's "does not hang on …" tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDex } from '../../../src/android/dex/dex-file.js';
import { collectCodeFacts } from '../../../src/analysis/code-facts.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { buildContainer, sampleSpec } from './dex-builder.js';
import { fixture, corpusEntry, hasTool } from './helpers.js';
import { xorshift32 } from '../../helpers/xorshift.js';

const WATCH = new Map([['android.telephony.TelephonyManager.getDeviceId', 'imei'], ['android.os.Build.SERIAL', 'serial']]);

/** Runs the whole pipeline; returns 'ok' or the error code, rethrowing anything that is not a RomscanError. */
function run(bytes: Uint8Array): string {
  try {
    const dex = parseDex(bytes, 'classes.dex', 'hostile.dex');
    const facts = collectCodeFacts([dex], WATCH);
    for (const d of dex.parts) for (let i = 0; i < d.strings; i++) d.string(i);
    for (const d of dex.parts) for (let i = 0; i < d.methods; i++) d.methodRef(i);
    return facts ? 'ok' : 'none';
  } catch (e) {
    if (isRomscanError(e)) return e.code;
    throw e;
  }
}

function mutate(name: string, good: Uint8Array, flips: number, budgetMs: number) {
  const t0 = performance.now();
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  const step = Math.max(1, Math.floor(good.length / 400));
  for (let n = 0; n < good.length; n += step) count(run(good.subarray(0, n)));
  const next = xorshift32(0x5eed ^ good.length);
  for (let i = 0; i < flips; i++) {
    const b = good.slice();
    const k = 1 + (next() % 4);
    for (let j = 0; j < k; j++) {
      // Half the flips hit the header and id tables, where counts and offsets live.
      const limit = next() & 1 ? Math.min(b.length, 0x200) : b.length;
      b[next() % limit] ^= 1 << (next() % 8);
    }
    const t = performance.now();
    count(run(b));
    assert.ok(performance.now() - t < 2000, `${name}: flip ${i} took ${performance.now() - t} ms`);
  }
  const ms = performance.now() - t0;
  if (process.env.HOSTILE_VERBOSE) console.log(name, ms.toFixed(0), 'ms', JSON.stringify([...outcomes]));
  assert.ok(ms < budgetMs, `${name}: ${ms.toFixed(0)} ms`);
  return outcomes;
}

test('does not crash or hang on truncations and bit flips of the all-formats fixture', () => {
  const out = mutate('fixture', new Uint8Array(readFileSync(fixture('walker-all-formats.dex'))), 3000, 15000);
  assert.ok((out.get('ok') ?? 0) > 100, JSON.stringify([...out]));
});

test('does not crash or hang on truncations and bit flips of a v041 container', () => {
  const out = mutate('container', buildContainer([sampleSpec(), sampleSpec()]), 2000, 15000);
  assert.ok((out.get('ok') ?? 0) > 100, JSON.stringify([...out]));
});

test('does not crash or hang on bit flips of a real app dex', (t) => {
  if (!hasTool('unzip')) { t.skip('unzip not installed'); return; }
  const out = mutate('com.politedroid_4', corpusEntry('com.politedroid_4.apk', 'classes.dex'), 1500, 15000);
  assert.ok((out.get('ok') ?? 0) > 100, JSON.stringify([...out]));
});

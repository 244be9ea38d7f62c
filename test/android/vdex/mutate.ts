// Truncations and seeded bit flips of a good file, run through a parser + the code-facts
// pipeline: each run must return or throw a RomscanError, within a time bound.
import assert from 'node:assert/strict';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { collectCodeFacts } from '../../../src/analysis/code-facts.js';
import type { DexFile } from '../../../src/android/dex/dex-file.js';
import { xorshift32 } from '../../helpers/xorshift.js';

const WATCH = new Map([['android.telephony.TelephonyManager.getDeviceId', 'imei'], ['android.os.Build.SERIAL', 'serial']]);

/** Runs `parse` and everything downstream; 'ok' or the error code; anything else is rethrown. */
export function run(parse: (b: Uint8Array) => DexFile[], bytes: Uint8Array): string {
  try {
    const dexes = parse(bytes);
    collectCodeFacts(dexes, WATCH);
    for (const d of dexes) for (let i = 0; i < d.methods; i++) d.methodRef(i);
    return 'ok';
  } catch (e) {
    if (isRomscanError(e)) return e.code;
    throw e;
  }
}

/**
 * `truncations` cut points spread over the file, then `flips` copies with 1–4 flipped bits;
 * half of the flips hit the first `hotBytes` (headers, section tables, id tables).
 */
export function mutate(name: string, good: Uint8Array, parse: (b: Uint8Array) => DexFile[], opts: { flips: number; truncations?: number; hotBytes?: number; budgetMs: number }): Map<string, number> {
  const t0 = performance.now();
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  const step = Math.max(1, Math.floor(good.length / (opts.truncations ?? 300)));
  for (let n = 0; n < good.length; n += step) count(run(parse, good.slice(0, n)));
  const next = xorshift32(0x5eed ^ good.length);
  const hot = Math.min(good.length, opts.hotBytes ?? 0x400);
  for (let i = 0; i < opts.flips; i++) {
    const b = good.slice();
    const k = 1 + (next() % 4);
    for (let j = 0; j < k; j++) b[next() % (next() & 1 ? hot : b.length)] ^= 1 << (next() % 8);
    const t = performance.now();
    count(run(parse, b));
    assert.ok(performance.now() - t < 2000, `${name}: flip ${i} took ${performance.now() - t} ms`);
  }
  const ms = performance.now() - t0;
  if (process.env.HOSTILE_VERBOSE) console.log(name, ms.toFixed(0), 'ms', JSON.stringify([...outcomes]));
  assert.ok(ms < opts.budgetMs, `${name}: ${ms.toFixed(0)} ms`);
  return outcomes;
}

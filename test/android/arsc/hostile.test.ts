// Hostile input: truncations and bit flips of real resource tables must give a result or a
// RomscanError from parseArsc, resolve() and strings() — never another exception, never a hang.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { apkEntry } from '../manifest/apk-entry.js';
import { parseArsc } from '../../../src/android/arsc/index.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { xorshift01 } from '../../helpers/xorshift.js';

const APK_DIR = join(import.meta.dirname, '../../../../shared/corpus/apk');
const SAMPLES = ['apkinspector-minimal_orig.apk', 'apktool-issue3705.apk', 'apktool-issue3366.apk', 'com.politedroid_4.apk'];

/** Resource ids worth asking for: every (type, entry) the good table answers, plus some that it does not. */
function probeIds(bytes: Uint8Array): number[] {
  const t = parseArsc(bytes, 'r');
  const ids: number[] = [];
  for (const p of t.packages) for (let type = 1; type < 16; type++) for (let e = 0; e < 40; e++) ids.push(((p.id << 24) | (type << 16) | e) >>> 0);
  return ids;
}

function run(bytes: Uint8Array, ids: number[], what: string): 'ok' | 'error' {
  const t0 = performance.now();
  try {
    const t = parseArsc(bytes, 'resources.arsc');
    for (const id of ids) t.resolve(id);
    let n = 0;
    for (const s of t.strings()) n += s.length;
    return 'ok';
  } catch (e) {
    if (!isRomscanError(e)) throw new Error(`${what}: non-RomscanError ${(e as Error)?.stack ?? e}`);
    return 'error';
  } finally {
    assert.ok(performance.now() - t0 < 2000, `${what}: took ${performance.now() - t0} ms`);
  }
}

describe('resources.arsc does not crash or hang on hostile input', { skip: !existsSync(APK_DIR) && 'corpus not present' }, () => {
  for (const apk of SAMPLES) {
    const good = existsSync(APK_DIR) ? apkEntry(join(APK_DIR, apk), 'resources.arsc')! : new Uint8Array();
    test(`truncations of ${apk}!/resources.arsc (${good.length} bytes)`, () => {
      const ids = probeIds(good);
      const step = Math.max(1, Math.floor(good.length / (good.length > 500_000 ? 40 : 150)));
      for (let n = 0; n < good.length; n += step) run(good.slice(0, n), ids, `truncated to ${n}`);
    });
    test(`bit flips of ${apk}!/resources.arsc`, () => {
      const ids = probeIds(good);
      const r = xorshift01(0xa5c ^ good.length);
      const tally = { ok: 0, error: 0 };
      for (let i = 0, n = good.length > 500_000 ? 40 : 150; i < n; i++) {
        const b = good.slice();
        const where: number[] = [];
        // Flip in the first 4 KiB half the time: that is where the headers and offset tables are.
        for (let k = 0, n = 1 + Math.floor(r() * 4); k < n; k++) {
          const pos = Math.floor(r() * (r() < 0.5 ? Math.min(4096, b.length) : b.length));
          b[pos] ^= 1 << Math.floor(r() * 8);
          where.push(pos);
        }
        tally[run(b, ids, `flips at ${where.join(',')}`)]++;
      }
      assert.ok(tally.ok > 0, JSON.stringify(tally));
    });
  }
});

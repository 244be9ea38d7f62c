// resources.arsc must stay fast on big tables: a ~20 MiB table built from the largest corpus table
// (SystemWebView's package repeated under 11 package ids, one shared global pool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { apkEntry } from '../manifest/apk-entry.js';
import { parseArsc } from '../../../src/android/arsc/index.js';

const APK = join(import.meta.dirname, '../../../../shared/corpus/apk/fdroid-SystemWebView-repack.apk');

function bigTable(copies: number): Uint8Array {
  const src = apkEntry(APK, 'resources.arsc')!;
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const poolEnd = 12 + dv.getUint32(12 + 4, true);
  const pkg = src.subarray(poolEnd, poolEnd + dv.getUint32(poolEnd + 4, true));
  const out = new Uint8Array(poolEnd + pkg.length * copies);
  const odv = new DataView(out.buffer);
  out.set(src.subarray(0, poolEnd));
  for (let i = 0; i < copies; i++) {
    out.set(pkg, poolEnd + i * pkg.length);
    odv.setUint32(poolEnd + i * pkg.length + 8, 0x7f - i, true);
  }
  odv.setUint32(4, out.length, true);
  odv.setUint32(8, copies, true);
  return out;
}

test('a 20 MiB resources.arsc parses lazily and fast', { skip: !existsSync(APK) && 'corpus not present' }, () => {
  const bytes = bigTable(11);
  assert.ok(bytes.length > 19 * 1024 * 1024);
  let t = performance.now();
  const table = parseArsc(bytes, 'big.arsc');
  const parseMs = performance.now() - t;
  t = performance.now();
  let hits = 0;
  for (const p of table.packages) for (let type = 1; type < 40; type++) for (let e = 0; e < 1000; e++) if (table.resolve(((p.id << 24) | (type << 16) | e) >>> 0) !== null) hits++;
  const resolveMs = performance.now() - t;
  t = performance.now();
  let count = 0;
  for (const _ of table.strings()) count++;
  const stringsMs = performance.now() - t;
  console.log(`# ${(bytes.length / 2 ** 20).toFixed(1)} MiB: parse ${parseMs.toFixed(1)} ms; ${table.packages.length * 39 * 1000} resolves (${hits} hits) ${resolveMs.toFixed(0)} ms; strings() ${count} strings ${stringsMs.toFixed(0)} ms`);
  assert.equal(table.packages.length, 11);
  assert.ok(hits > 10000);
  // Bounds are ~20x what an idle machine needs, so a loaded CI machine passes and a quadratic slip does not.
  assert.ok(parseMs < 500, `parse took ${parseMs} ms`);
  assert.ok(resolveMs < 5000, `resolve took ${resolveMs} ms`);
  assert.ok(stringsMs < 5000, `strings() took ${stringsMs} ms`);
});

// Hostile input: truncated and bit-flipped real vdex files (010 with a quickened dex, 019 with
// CompactDex and its quickening table) give a result or a RomscanError, never a crash or hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVdex } from '../../../src/android/vdex/parse-vdex.js';
import { corpusVdex, vdex006From010, vdex027 } from './vdex-builders.js';
import { mutate } from './mutate.js';

const parse = (b: Uint8Array) => parseVdex(b, 'hostile.vdex').dexes;

for (const file of ['qrd8953_android8.1_CtRoamingSettings.vdex', 'qcom_android9_CNESettings.vdex', 'nokia_tas_android9_WallpaperBackup.vdex']) {
  test(`does not crash or hang on truncations and bit flips of ${file}`, () => {
    const out = mutate(file, corpusVdex(file), parse, { flips: 1000, budgetMs: 12000 });
    assert.ok((out.get('ok') ?? 0) > 400, JSON.stringify([...out]));
  });
}

test('does not crash or hang on bit flips of the quickening info (vdex 006 pairs and 010 tables)', () => {
  const v010 = corpusVdex('qrd8953_android8.1_CtRoamingSettings.vdex');
  const dv = new DataView(v010.buffer);
  const q = 28 + dv.getUint32(12, true) + dv.getUint32(16, true);
  // Flips only in the quickening info: the dex itself stays sound, so every run must parse.
  for (const v of [v010, vdex006From010(v010)]) {
    const qs = v.length - q;
    const flipped = (seed: number) => { const b = v.slice(); let x = seed; for (let i = 0; i < 3; i++) { x = (x * 1103515245 + 12345) >>> 0; b[q + (x % qs)] ^= 1 << (x % 8); } return b; };
    for (let s = 1; s <= 400; s++) {
      const r = parseVdex(flipped(s), 'x');
      for (const d of r.dexes) d.walkCode(() => {});
    }
  }
});

test('does not crash or hang on a vdex 027 with a damaged section table', () => {
  const src = corpusVdex('qrd8953_android8.1_boot-QPerformance.vdex');
  const v = vdex027([src.slice(28, 28 + new DataView(src.buffer).getUint32(28 + 32, true))]);
  const out = mutate('027', v, parse, { flips: 500, truncations: 100, hotBytes: 64, budgetMs: 10000 });
  assert.ok(out.size > 1);
});

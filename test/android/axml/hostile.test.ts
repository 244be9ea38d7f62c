// Hostile input: truncations and bit flips of real manifests (corpus fixtures) must give a result or a
// RomscanError — never another exception, never a hang — through parseAxml and readManifest.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAxml } from '../../../src/android/axml/index.js';
import { readManifest } from '../../../src/android/manifest/index.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { xorshift01 } from '../../helpers/xorshift.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/axml');
const SAMPLES = ['androguard/AndroidManifest.xml', 'androguard/AndroidManifestUTF8Strings.xml', 'androguard/AndroidManifestMaskingNamespace.xml', 'crafted/plain.axml', 'crafted/dummy-attributes.axml'];

function run(bytes: Uint8Array, what: string): 'ok' | 'error' {
  const t0 = performance.now();
  try {
    const doc = parseAxml(bytes, 'AndroidManifest.xml');
    readManifest(doc, null);
    return 'ok';
  } catch (e) {
    if (!isRomscanError(e)) throw new Error(`${what}: non-RomscanError ${(e as Error)?.stack ?? e}`);
    assert.ok(typeof e.offset === 'number', `${what}: error without offset: ${e.message}`);
    return 'error';
  } finally {
    assert.ok(performance.now() - t0 < 500, `${what}: took ${performance.now() - t0} ms`);
  }
}

describe('AXML does not crash or hang on hostile input', () => {
  for (const name of SAMPLES) {
    const good = new Uint8Array(readFileSync(join(FIXTURES, name)));
    test(`truncations of ${name}`, () => {
      const step = Math.max(1, Math.floor(good.length / 400));
      const tally = { ok: 0, error: 0 };
      for (let n = 0; n < good.length; n += step) tally[run(good.slice(0, n), `truncated to ${n}`)]++;
      assert.ok(tally.ok + tally.error > 0);
    });
    test(`bit flips of ${name}`, () => {
      const r = xorshift01(0x5eed ^ good.length);
      const tally = { ok: 0, error: 0 };
      for (let i = 0; i < 400; i++) {
        const b = good.slice();
        const flips = 1 + Math.floor(r() * 4);
        const where: number[] = [];
        for (let k = 0; k < flips; k++) {
          const pos = Math.floor(r() * b.length);
          b[pos] ^= 1 << Math.floor(r() * 8);
          where.push(pos);
        }
        tally[run(b, `flips at ${where.join(',')}`)]++;
      }
      // Most single flips hit string data or values, which Android tolerates too.
      assert.ok(tally.ok > tally.error, JSON.stringify(tally));
    });
  }
  test('random garbage', () => {
    const r = xorshift01(42);
    for (let i = 0; i < 300; i++) {
      const b = new Uint8Array(Math.floor(r() * 512));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
      if (b.length >= 8 && r() < 0.5) { b[0] = 3; b[1] = 0; b[2] = 8; b[3] = 0; }
      run(b, `garbage #${i}`);
    }
  });
});

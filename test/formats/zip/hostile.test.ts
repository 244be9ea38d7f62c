// Does not hang or crash on truncated or bit-flipped APKs: every mutation of three real APKs
// either opens (and every entry reads or fails typed) or throws a RomscanError, quickly.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource } from '../../../src/io/source.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';
import { openZipContainer } from '../../../src/formats/zip/zip-container.js';
import { xorshift32 } from '../../helpers/xorshift.js';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus/apk');
const SAMPLES = ['fdroid-urzip.apk', 'apksig-golden-aligned-v1v2v3-out.apk', 'apkinspector-eocd_at_offset_1026.apk'];
/** Per-mutation time bound: real work is < 5 ms, so this only trips on a hang-like blowup. */
const MAX_MS_PER_CASE = 1000;

/** Opens and reads everything; returns normally or throws only RomscanErrors. */
async function exercise(bytes: Uint8Array, label: string): Promise<'ok' | 'typed-error'> {
  const t0 = performance.now();
  try {
    const zip = await openZip(new BufferSource(bytes, label));
    for (const e of zip.entries) {
      try {
        await zip.read(e);
        const s = await zip.open(e);
        await s.read(0, Math.min(16, s.size));
      } catch (err) {
        if (!isRomscanError(err)) throw err;
      }
    }
    const c = await openZipContainer(new BufferSource(bytes, label));
    for await (const e of c.entries()) void e.name;
    return 'ok';
  } catch (err) {
    if (!isRomscanError(err)) {
      throw new Error(`${label}: non-RomscanError ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
    }
    return 'typed-error';
  } finally {
    const ms = performance.now() - t0;
    assert.ok(ms < MAX_MS_PER_CASE, `${label} took ${ms.toFixed(0)} ms`);
  }
}

describe('zip hostile input', { skip: existsSync(CORPUS) ? false : 'corpus not found' }, () => {
  for (const name of SAMPLES) {
    test(`does not hang or throw untyped errors on truncations and bit flips of ${name}`, { timeout: 20_000 }, async () => {
      const orig = new Uint8Array(readFileSync(join(CORPUS, name)));
      const counts = { ok: 0, 'typed-error': 0 };
      // Truncations: evenly spread, plus every cut inside the last 100 bytes (EOCD, end of CD).
      const cuts = new Set<number>();
      for (let i = 0; i <= 60; i++) cuts.add(Math.floor((orig.length * i) / 60));
      for (let i = 1; i <= 100; i++) cuts.add(orig.length - i);
      for (const cut of cuts) counts[await exercise(orig.subarray(0, cut), `${name}[:${cut}]`)]++;
      // Bit flips: random over the file, then concentrated on the central directory and EOCD.
      const next = xorshift32(0x5eed ^ orig.length);
      const eocd = Buffer.from(orig).lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
      const cdOffset = new DataView(orig.buffer).getUint32(eocd + 16, true);
      for (let i = 0; i < 600; i++) {
        const m = orig.slice();
        const region = i % 3 === 0 ? [0, orig.length] : i % 3 === 1 ? [Math.min(cdOffset, orig.length - 1), orig.length] : [Math.max(0, orig.length - 1100), orig.length];
        const flips = 1 + (next() % 4);
        for (let k = 0; k < flips; k++) {
          const pos = region[0] + (next() % (region[1] - region[0]));
          m[pos] ^= 1 << (next() % 8);
        }
        counts[await exercise(m, `${name}#flip${i}`)]++;
      }
      // Both outcomes must occur, or the mutations were not reaching the structures.
      assert.ok(counts.ok > 0 && counts['typed-error'] > 0, JSON.stringify(counts));
    });
  }
});

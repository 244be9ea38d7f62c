// The short fuzz run inside `npm test`: a fixed seed, every format, a few hundred cases, each in a
// worker with a time and memory bound; then every saved regression input. Before that, canaries show
// that the harness itself notices each kind of failure (a non-RomscanError, a hang, a heap blow-up,
// an RSS blow-up outside the heap). The long run is `npm run fuzz -- --iterations N`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FORMATS, corpusAvailable, loadSeeds, missingTools, PROJECT_ROOT, type FuzzFormat } from './lib/seeds.js';
import { formatSummary, runFuzz, planCases, caseInput, type CaseSpec } from './lib/runner.js';
import { mutate, shapeOf, Rng } from './lib/mutate.js';
import { parseZipModel, serializeZip } from './lib/zip-model.js';

const seeds = loadSeeds();
const missing = missingTools();
const REGRESSIONS = join(PROJECT_ROOT, 'test/fuzz/regressions');

describe('fuzz harness', () => {
  test('notices a crash, a hang, a heap blow-up and an RSS blow-up, and keeps going', async () => {
    const cases: CaseSpec[] = ['canary-crash', 'canary-hang', 'canary-heap', 'canary-rss', 'canary-crash']
      .map((format, i) => ({ format: format as FuzzFormat, seedIndex: 0, caseSeed: i }));
    const s = await runFuzz({
      seeds, cases, jobs: 1, timeoutMs: 2000, heapMb: 96,
      rssLimitMb: Math.round(process.memoryUsage.rss() / 2 ** 20) + 500, saveDir: null,
    });
    assert.deepEqual(s.failures.map((f) => `${f.format} ${f.kind}`), [
      'canary-crash crash', 'canary-hang hang', 'canary-heap memory', 'canary-rss memory', 'canary-crash crash',
    ], formatSummary(s));
    assert.match(s.failures[0].message, /^TypeError: canary/);
  });

  test('mutations are reproducible and the zip model round-trips', () => {
    const apk = seeds.get('apk')![0];
    const shape = shapeOf(apk.bytes);
    for (let c = 0; c < 50; c++) {
      const a = mutate('apk', apk.bytes, c, shape), b = mutate('apk', apk.bytes, c, shape);
      assert.deepEqual(a.steps, b.steps);
      assert.ok(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)));
    }
    for (const s of seeds.get('apk')!) {
      let model;
      try { model = parseZipModel(s.bytes); } catch { continue; }
      assert.ok(Buffer.from(serializeZip(model)).equals(Buffer.from(s.bytes)), s.name);
    }
    const r = new Rng(1);
    assert.deepEqual([r.next(), r.next()], [new Rng(1).next(), (() => { const x = new Rng(1); x.next(); return x.next(); })()]);
  });

  test('plans cases round-robin over formats with seeds', () => {
    const plan = planCases(seeds, ['apk', 'dex'], 6, 42);
    assert.deepEqual(plan.map((c) => c.format), ['apk', 'dex', 'apk', 'dex', 'apk', 'dex']);
    assert.deepEqual(plan, planCases(seeds, ['apk', 'dex'], 6, 42));
  });
});

describe('short fuzz run', { skip: !corpusAvailable() && 'corpus absent (seed APKs come from ../shared/corpus)' }, () => {
  test('every format: results or typed errors only, within 10 s and the memory bounds', async (t) => {
    if (missing.length) t.diagnostic(`${missing.join(', ')} missing: image formats not fuzzed here (CI installs them)`);
    const formats = FORMATS.filter((f) => (seeds.get(f)?.length ?? 0) > 0);
    const s = await runFuzz({ seeds, formats, iterations: 20 * formats.length, seed: 20240601, jobs: 2, timeoutMs: 10_000, rssLimitMb: 1024 });
    t.diagnostic(formatSummary(s).split('\n')[0]);
    assert.equal(s.failures.length, 0, formatSummary(s));
    assert.ok(s.peakRssMb < 1024);
    for (const f of formats) assert.equal(s.perFormat[f]?.cases, 20, f);
  });

  test('saved regression inputs still give results or typed errors', { skip: !existsSync(REGRESSIONS) && 'no regressions saved' }, async () => {
    const files = readdirSync(REGRESSIONS).filter((n) => n.endsWith('.gz'));
    const cases: CaseSpec[] = files.map((n) => ({
      format: n.slice(0, n.indexOf('--')) as FuzzFormat, seedIndex: 0, caseSeed: 0, label: n,
      raw: new Uint8Array(gunzipSync(readFileSync(join(REGRESSIONS, n)))),
    }));
    const s = await runFuzz({ seeds, cases, jobs: 2, timeoutMs: 10_000, saveDir: null });
    assert.equal(s.failures.length, 0, formatSummary(s));
    assert.equal(s.iterations, files.length);
  });

  test('a case replays to the same bytes from its id', () => {
    const [c] = planCases(seeds, ['axml'], 1, 7);
    assert.ok(Buffer.from(caseInput(seeds, c)).equals(Buffer.from(caseInput(seeds, { ...c }))));
  });
});

// Hostile real files, unmutated, through the full scan and `extract --out`, each in a worker with
// the fuzzer's bounds (a result or a typed error within 10 s, no internal errors, RSS under 1 GiB,
// nothing written outside the output folder): every corpus APK, and the e2fsprogs test images that
// unpack to 8 MiB or less (197 of 231). All 231 images: `npm run fuzz -- --corpus` (about 35 s).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadSeeds } from './lib/seeds.js';
import { formatSummary, runFuzz } from './lib/runner.js';
import { APK_DIR, corpusApkCases, E2FS_DIR, e2fsprogsCases } from './lib/corpus-cases.js';

const seeds = loadSeeds(0);

describe('hostile corpus files', () => {
  test('e2fsprogs images (up to 8 MiB unpacked): result or typed error', { skip: !existsSync(E2FS_DIR) && 'corpus absent' }, async (t) => {
    const cases = e2fsprogsCases(8 * 1024 * 1024);
    const s = await runFuzz({ seeds, cases, jobs: 2, timeoutMs: 10_000, rssLimitMb: 1024, saveDir: null });
    t.diagnostic(formatSummary(s).split('\n')[0]);
    assert.equal(s.failures.length, 0, formatSummary(s));
    assert.ok(cases.length >= 2 * 190, `${cases.length / 2} images`);
  });

  test('every corpus APK: result or typed error', { skip: !existsSync(APK_DIR) && 'corpus absent' }, async (t) => {
    const cases = corpusApkCases();
    const s = await runFuzz({ seeds, cases, jobs: 2, timeoutMs: 10_000, rssLimitMb: 1024, saveDir: null });
    t.diagnostic(formatSummary(s).split('\n')[0]);
    assert.equal(s.failures.length, 0, formatSummary(s));
    assert.ok(cases.length >= 80);
  });
});

// The built CLI (`npm run build`: the esbuild bundle of src/cli/main.ts, its chunks and the worker
// entry) finds what the sources find through paths relative to its own file: package.json for the
// version, signatures/, and the worker that `--jobs 2` starts. Builds nothing: npm ci builds dist/;
// skips when it is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'dist/cli/main.js');
const CORPUS = join(ROOT, '../shared/corpus/apk');
const APKS = ['androguard-multidex.apk', 'fdroid-minimal_targetsdk_30_unsigned.apk', 'com.teleca.jamendo_35.apk'];
const skip = !existsSync(BIN) ? `${BIN} is missing (run npm run build first)` : !existsSync(CORPUS) ? `${CORPUS} is missing` : false;

function romscan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

test('the built CLI reports the package version', { skip }, () => {
  const r = romscan('--version');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test('the built CLI scans on worker threads exactly as inline', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-built-'));
  try {
    for (const apk of APKS) copyFileSync(join(CORPUS, apk), join(dir, apk)); // a scan never follows symlinks
    const [inline, workers] = ['1', '2'].map((jobs) => {
      const r = romscan('scan', dir, '--format', 'json', '--no-progress', '--jobs', jobs);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { apps: { path: string; dex: unknown[] }[]; errors: unknown[] };
    });
    assert.deepEqual(workers, inline);
    assert.equal(inline.apps.length, APKS.length);
    assert.deepEqual(inline.errors, []);
    assert.ok(inline.apps.every((a) => a.dex.length > 0), 'every app read through the default signatures and its dex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

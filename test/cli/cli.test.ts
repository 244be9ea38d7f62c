// The outside contract (INTERFACE.md): exit codes, JSON on stdout when piped, one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Run { code: number; stdout: string; stderr: string }
function romscan(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr });
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'romscan-cli-'));

test('scan of an APK prints a schemaVersion 1 JSON report when stdout is not a terminal', async () => {
  const r = await romscan('scan', 'samples/apk/Weather.apk', '--no-progress');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.input.kind, 'apk');
  assert.equal(report.firmware, null);
  assert.equal(report.apps[0].package, 'com.example.weather');
  assert.equal(r.stderr, '');
});

test('--fail-on gates the exit code', async () => {
  const hit = await romscan('scan', 'samples/rom/demo-regional/image-demo-regional.zip', '--fail-on', 'high', '--jobs', '1', '--output', join(tmp, 'r.json'));
  assert.equal(hit.code, 1, hit.stderr);
  assert.equal(JSON.parse(readFileSync(join(tmp, 'r.json'), 'utf8')).schemaVersion, 1);
  const clean = await romscan('scan', 'samples/apk/Weather.apk', '--fail-on', 'high', '--format', 'text');
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /com\.example\.weather/);
});

test('usage errors and unreadable inputs exit 2 with one line and no stack trace', async () => {
  for (const args of [['scan', join(tmp, 'missing.apk')], ['scan', 'samples/apk/Weather.apk', '--format', 'xml'], ['frobnicate'], ['scan', 'README.md']]) {
    const r = await romscan(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('sarif and md formats render', async () => {
  const sarif = await romscan('scan', 'samples/apk/SelfRegister.apk', '--format', 'sarif');
  assert.equal(sarif.code, 0, sarif.stderr);
  assert.equal(JSON.parse(sarif.stdout).version, '2.1.0');
  const md = await romscan('scan', 'samples/apk/SelfRegister.apk', '--format', 'md');
  assert.match(md.stdout, /^#/m);
});

test('diff accepts a report JSON and an input', async () => {
  const g = await romscan('scan', 'samples/rom/demo-global/image-demo-global.zip', '--output', join(tmp, 'g.json'), '--jobs', '1');
  assert.equal(g.code, 0, g.stderr);
  const d = await romscan('diff', join(tmp, 'g.json'), 'samples/rom/demo-regional/image-demo-regional.zip', '--format', 'json');
  assert.equal(d.code, 0, d.stderr);
  const diff = JSON.parse(d.stdout);
  assert.deepEqual(diff.apps.added.map((a: { package: string }) => a.package), ['com.example.selfregister']);
});

test('extract --list and --out agree on sha256s and stay inside the folder', async () => {
  const list = await romscan('extract', 'samples/rom/demo-regional/image-demo-regional.zip', '--list', '--format', 'json');
  assert.equal(list.code, 0, list.stderr);
  const files = JSON.parse(list.stdout).files as { path: string; sha256: string }[];
  assert.ok(files.some((f) => f.path.endsWith('SelfRegister.apk')));
  const out = join(tmp, 'out');
  const x = await romscan('extract', 'samples/rom/demo-regional/image-demo-regional.zip', '--out', out);
  assert.equal(x.code, 0, x.stderr);
  const apk = join(out, 'image-demo-regional.zip', 'system.img', 'system', 'priv-app', 'SelfRegister', 'SelfRegister.apk');
  assert.ok(existsSync(apk));
  assert.deepEqual(readFileSync(apk), readFileSync('samples/apk/SelfRegister.apk'));
  const again = await romscan('extract', 'samples/rom/demo-regional/image-demo-regional.zip', '--out', out);
  assert.match(again.stderr, /exists/);
});

test('signatures --validate accepts the bundled rules and rejects a broken file', async () => {
  const ok = await romscan('signatures', '--validate', 'signatures');
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  writeFileSync(join(tmp, 'hosts.json'), '{"kind":"hosts","hosts":[{"nope":1}]}');
  const bad = await romscan('signatures', '--validate', tmp);
  assert.equal(bad.code, 2);
});

test('cleanup', () => rmSync(tmp, { recursive: true, force: true }));

// The lane pool: this thread and worker threads share the APKs, with results equal to a scan on
// this thread alone; 'auto' starts its workers only once a scan is big enough to repay them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ApkPool, AUTO_WORKERS_AFTER_BYTES } from '../../src/scan/apk-pool.js';
import { FileSource } from '../../src/io/source.js';
import { runApkTask, taskRules, type ApkTask, type TaskResult } from '../../src/scan/apk-task.js';
import { loadSignatures } from '../../src/rules/signatures.js';

const sigs = loadSignatures('signatures');
const rules = taskRules(sigs);
const CORPUS = '../shared/corpus/apk';
const APKS = ['androguard-hello-world.apk', 'apkparser-NetworkStack_210000000.apk', 'com.politedroid_4.apk',
  'fdroid-souch.smsbypass_9.apk', 'apktool-issue767.apk', 'com.teleca.jamendo_35.apk', 'TestActivity_signed_both.apk'];

function task(path: string, bytes: Uint8Array): ApkTask {
  return { kind: 'apk', bytes, path, partition: null, inFirmware: false };
}
const read = (name: string) => new Uint8Array(readFileSync(`${CORPUS}/${name}`));

/** A result as JSON, comparable across threads: the app and what the rules need from its code. */
const asJson = (r: TaskResult) => JSON.stringify(r?.kind === 'app' ? { app: r.app, links: r.code?.links, trackers: [...r.code?.trackerClasses ?? []] } : r);

/** Runs the tasks through the pool; returns each path's result as JSON. */
async function throughPool(pool: ApkPool, tasks: ApkTask[]): Promise<Map<string, string>> {
  const results = new Map<string, string>();
  for (const t of tasks) {
    const path = t.path;
    await pool.submit(t, (r: TaskResult, error?: unknown) => {
      assert.equal(error, undefined, `${path}: ${String(error)}`);
      results.set(path, asJson(r));
    });
  }
  await pool.close();
  return results;
}

test('with two lanes, APKs run both on a worker and on this thread, with the results of this thread alone', async () => {
  const pool = new ApkPool(2, sigs);
  const pooled = await throughPool(pool, APKS.map((n) => task(n, read(n))));
  assert.ok(pool.ran.workers > 0, 'the worker took APKs');
  assert.ok(pool.ran.here > 0, 'this thread took APKs while the worker was busy');
  assert.equal(pool.ran.workers + pool.ran.here, APKS.length);
  for (const n of APKS) {
    assert.equal(pooled.get(n), asJson(await runApkTask(task(n, read(n)), rules)), n);
  }
});

test("'auto' keeps a small scan on this thread and starts workers past AUTO_WORKERS_AFTER_BYTES", { skip: availableParallelism() < 2 && 'one core: auto has no workers' }, async () => {
  const small = new ApkPool('auto', sigs);
  await throughPool(small, APKS.map((n) => task(n, read(n))));
  assert.deepEqual(small.ran, { here: APKS.length, workers: 0 });

  // A damaged "APK" as big as the threshold (analysed here: hashed, then no zip found), then real ones.
  const big = new ApkPool('auto', sigs);
  const results = await throughPool(big, [task('junk.apk', new Uint8Array(AUTO_WORKERS_AFTER_BYTES)), ...APKS.map((n) => task(n, read(n)))]);
  assert.equal(results.size, APKS.length + 1);
  assert.ok(big.ran.workers > 0, 'workers started once the threshold was passed');
  assert.match(results.get('junk.apk')!, /"stage":"zip"/);
});

test('a file is hashed on a worker when there is one, here when there is none, with the same result', async () => {
  const path = `${CORPUS}/${APKS[0]}`;
  const expected = createHash('sha256').update(readFileSync(path)).digest('hex');
  for (const jobs of [1, 2]) {
    const pool = new ApkPool(jobs, sigs);
    const source = await FileSource.open(path);
    try {
      assert.equal(await pool.sha256File(source, path), expected, `--jobs ${jobs}`);
    } finally {
      await source.close();
      await pool.close();
    }
  }
});

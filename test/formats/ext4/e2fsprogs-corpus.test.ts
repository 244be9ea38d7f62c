// Hostile corpus: the 231 e2fsprogs regression images (most deliberately corrupt). Each must
// list its files or end with a RomscanError — never another exception, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ImageOutcome } from '../../helpers/walk-ext4.js';

const CORPUS = join(process.cwd(), '../shared/corpus/firmware-real/e2fsprogs');
/**
 * No progress for this long means a hang. Images walk in milliseconds to ~1.5 s (f_many_subdirs:
 * 130 k entries) on an idle machine; CI runs test files in parallel, hence the margin.
 */
const STALL_MS = 15_000;
/** Bytes read per file: enough to walk every extent of these small images. */
const READ_CAP = 1 << 20;

async function runShard(names: string[], results: Map<string, ImageOutcome>, crashes: string[]): Promise<void> {
  const worker = new Worker(new URL('../../helpers/ts-worker.mjs', import.meta.url), {
    workerData: { script: new URL('../../helpers/ext4-corpus-worker.ts', import.meta.url).href, dir: CORPUS, names, readCap: READ_CAP },
  });
  let current = '';
  try {
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => reject(new Error(`no progress for ${STALL_MS} ms on ${current}: hang`)), STALL_MS);
      };
      arm();
      worker.on('message', (m: Msg) => {
        arm();
        if (m.kind === 'start') current = m.name;
        else if (m.kind === 'done') results.set(m.name, m.outcome);
        else if (m.kind === 'crash') crashes.push(`${m.name}: ${m.message}`);
        else { clearTimeout(timer); resolve(); }
      });
      worker.on('error', (e) => { clearTimeout(timer); reject(e); });
      worker.on('exit', (code) => { clearTimeout(timer); if (code !== 0) reject(new Error(`worker exited ${code} during ${current}`)); });
    });
  } finally {
    await worker.terminate();
  }
}

type Msg =
  | { kind: 'start'; name: string }
  | { kind: 'done'; name: string; ms: number; outcome: ImageOutcome }
  | { kind: 'crash'; name: string; message: string }
  | { kind: 'end' };

test('does not crash or hang on the e2fsprogs corrupt-image corpus', { skip: existsSync(CORPUS) ? false : 'corpus not present' }, async () => {
  const names = readdirSync(CORPUS).filter((n) => /\.image(\.gz|\.bz2)?$/.test(n)).sort();
  assert.ok(names.length >= 200, `only ${names.length} images`);
  const results = new Map<string, ImageOutcome>();
  const crashes: string[] = [];
  // Two workers (the images are independent): decompressing 1.6 GB and walking 500 k entries
  // takes ~10 s of CPU in all.
  const shards = [names.filter((_, i) => i % 2 === 0), names.filter((_, i) => i % 2 === 1)];
  await Promise.all(shards.map((shard) => runShard(shard, results, crashes)));
  assert.deepEqual(crashes, [], 'only RomscanErrors may escape');
  assert.equal(results.size, names.length);
  const listed = [...results.values()].filter((r) => !r.error);
  const files = listed.reduce((a, r) => a + r.files, 0);
  // Most of these images are mountable despite their damage: we must list the large majority.
  assert.ok(listed.length > names.length * 0.85, `listed ${listed.length} of ${names.length}`);
  assert.ok(files > 100_000, `only ${files} files`);
});

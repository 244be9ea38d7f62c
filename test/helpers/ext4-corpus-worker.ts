// Worker for the e2fsprogs corpus test: walks each image and reports after each one, so the
// main thread can kill it if one image hangs (a synchronous loop cannot be timed out in-process).
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { walkExt4Image } from './walk-ext4.js';
import { loadImage } from './load-image.js';

const { dir, names, readCap } = workerData as { dir: string; names: string[]; readCap: number };
for (const name of names) {
  parentPort!.postMessage({ kind: 'start', name });
  const bytes = loadImage(join(dir, name));
  const t0 = performance.now();
  try {
    const outcome = await walkExt4Image(bytes, name, readCap);
    parentPort!.postMessage({ kind: 'done', name, ms: performance.now() - t0, outcome });
  } catch (e) {
    parentPort!.postMessage({ kind: 'crash', name, message: (e as Error).stack ?? String(e) });
  }
}
parentPort!.postMessage({ kind: 'end' });

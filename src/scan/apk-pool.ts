// Runs ApkTasks on worker threads (piscina), or inline when one job is asked for.
// At most `jobs * 2` tasks are in flight, so memory stays bounded by a small multiple of the
// largest APK however many the ROM holds.
import type { Piscina } from 'piscina';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runApkTask, type ApkTask, type TaskResult } from './apk-task.js';

export class ApkPool {
  private readonly pool: Piscina | null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxInFlight: number;

  constructor(jobs: number) {
    this.maxInFlight = Math.max(1, jobs) * 2;
    // The worker is the same module flavour as this file: .ts under tsx (tests), .js when built.
    // Its path is taken from the package root's subfolders, since the build bundles this module
    // into dist/cli/ or dist/chunks/ (every module and bundle sits two folders below the root).
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    // piscina is loaded only when there are workers to run (one job runs inline, the default on 2 cores).
    this.pool = jobs > 1
      ? new (createRequire(import.meta.url)('piscina') as typeof import('piscina')).Piscina({ filename: fileURLToPath(new URL(`../scan/apk-worker${ext}`, import.meta.url)), maxThreads: jobs, minThreads: jobs, idleTimeout: 1000 })
      : null;
  }

  /** Queues a task; resolves once there is room for another (back-pressure for the walker). */
  async submit(task: ApkTask, done: (r: TaskResult, error?: unknown) => void): Promise<void> {
    const run = this.pool
      ? this.pool.run(task, { transferList: transferable(task.bytes) }) as Promise<TaskResult>
      : runApkTask(task);
    const p: Promise<void> = run.then((r) => done(r), (e) => done(null, e)).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
  }

  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.race(this.inFlight);
  }

  async close(): Promise<void> {
    await this.drain();
    await this.pool?.destroy();
  }
}

/** Only a buffer we own outright may be moved to a worker (pooled Buffers share their ArrayBuffer). */
function transferable(bytes: Uint8Array): ArrayBuffer[] {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
}

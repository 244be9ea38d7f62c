// Runs ApkTasks in lanes: this thread is one lane and each worker thread (piscina) another. A
// task goes to a worker while one has room in its queue, otherwise this thread analyses it
// itself, so this thread never sits idle while workers load their code and warm up.
//
// Every worker is a fresh V8 isolate: it loads the analyser and warms its JIT up on its own,
// ~0.3 s of CPU on a 2-core machine. A scan smaller than that cost loses by starting workers (the
// 90-APK corpus: 1.30 s on this thread alone, 1.54 s with a worker), while a ROM gains (a 959-APK
// image: 7.62 s alone, 6.91 s with a worker). So the pool can start its workers only once this
// thread has analysed enough APKs to be a ROM (jobs 'auto', the CLI's default; bench/RESULTS.md).
//
// At most QUEUED_PER_WORKER tasks wait per worker and one runs here, so memory stays bounded by a
// small multiple of the largest APK however many the ROM holds.
import type { Piscina } from 'piscina';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { runApkTask, taskRules, type ApkTask, type TaskResult, type TaskRules } from './apk-task.js';
import type { Signatures } from '../rules/signatures.js';
import { sha256Source } from '../io/hash.js';
import type { Source } from '../io/source.js';

/** Tasks handed to a worker at once: it keeps analysing while this thread is busy with its own. */
const QUEUED_PER_WORKER = 2;

/**
 * How many lanes: a number starts them all at once; 'auto' is one lane per core, the workers
 * started once this thread has analysed AUTO_WORKERS_AFTER_BYTES of APKs.
 */
export type Jobs = number | 'auto';

/** Well past the 31.5 MB corpus (which a worker slows down), well short of a ROM's system image. */
export const AUTO_WORKERS_AFTER_BYTES = 64 << 20;

export class ApkPool {
  private pool: Piscina | null = null;
  private readonly inWorkers = new Set<Promise<void>>();
  private readonly workers: number;
  private readonly workersAfterBytes: number;
  private bytesHere = 0;
  /** What the tasks need of the signatures, on this thread (each worker makes its own from workerData). */
  readonly rules: TaskRules;
  /** Tasks run so far on this thread and on the workers. */
  readonly ran = { here: 0, workers: 0 };

  constructor(jobs: Jobs, private readonly sigs: Signatures) {
    this.rules = taskRules(sigs);
    this.workers = (jobs === 'auto' ? availableParallelism() : Math.max(1, jobs)) - 1;
    this.workersAfterBytes = jobs === 'auto' ? AUTO_WORKERS_AFTER_BYTES : 0;
    this.startWorkersWhenDue();
  }

  /** Hands a task to a worker with room, or runs it here; resolves when the walker may go on. */
  async submit(task: ApkTask, done: (r: TaskResult, error?: unknown) => void): Promise<void> {
    this.startWorkersWhenDue();
    // Workers report back through this thread's event loop, which a walk served from memory and
    // the page cache can keep to microtasks for long stretches: let their messages in first.
    if (this.pool) await new Promise(setImmediate);
    if (this.pool && this.inWorkers.size < this.workers * QUEUED_PER_WORKER) {
      const p: Promise<void> = (this.pool.run(task, { transferList: transferable(task.bytes) }) as Promise<TaskResult>)
        .then((r) => done(r), (e) => done(null, e)).finally(() => this.inWorkers.delete(p));
      this.inWorkers.add(p);
      this.ran.workers++;
      return;
    }
    this.bytesHere += task.bytes.length;
    this.ran.here++;
    await runApkTask(task, this.rules).then((r) => done(r), (e) => done(null, e));
  }

  /**
   * SHA-256 of `source`, the file at `path`: on a worker when there are workers, so that it is
   * computed beside what this thread does next (a ROM's rules) rather than after it; here when
   * there are none, or when the worker fails.
   */
  sha256File(source: Source, path: string): Promise<string> {
    if (!this.pool) return sha256Source(source);
    return (this.pool.run(path, { name: 'hashFile' }) as Promise<string>).catch(() => sha256Source(source));
  }

  async drain(): Promise<void> {
    while (this.inWorkers.size) await Promise.race(this.inWorkers);
  }

  async close(): Promise<void> {
    await this.drain();
    await this.pool?.destroy();
  }

  private startWorkersWhenDue(): void {
    if (this.pool || this.workers === 0 || this.bytesHere < this.workersAfterBytes) return;
    // The worker is the same module flavour as this file: .ts under tsx (tests), .js when built.
    // Its path is taken from the package root's subfolders, since the build bundles this module
    // into dist/cli/ or dist/chunks/ (every module and bundle sits two folders below the root).
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const { Piscina } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
    this.pool = new Piscina({
      filename: fileURLToPath(new URL(`../scan/apk-worker${ext}`, import.meta.url)),
      minThreads: this.workers, maxThreads: this.workers, concurrentTasksPerWorker: QUEUED_PER_WORKER, idleTimeout: 1000,
      workerData: this.sigs,
    });
  }
}

/** Only a buffer we own outright may be moved to a worker (pooled Buffers share their ArrayBuffer). */
function transferable(bytes: Uint8Array): ArrayBuffer[] {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [];
}

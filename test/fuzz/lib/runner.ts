// The fuzz runner: hands cases to a few long-lived worker threads (fflate's "run in workers to
// prevent infinite loops from hanging the process"), enforces a time limit per case (the worker
// is terminated and replaced), a heap limit (resourceLimits: V8 kills the worker) and an RSS limit
// for the whole process (sampled; Buffers live outside the V8 heap, so resourceLimits alone would
// miss a huge Buffer.alloc). Every case is named by (format, seed file, case seed), so any failure
// replays exactly.
import { Worker } from 'node:worker_threads';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseSeedOf, mutate, shapeOf } from './mutate.js';
import { loadFile } from './load-file.js';
import { PROJECT_ROOT, seedDigest, type FuzzFormat, type Seed } from './seeds.js';
import type { CaseMode, CaseReply, CaseRequest, WorkerData } from './protocol.js';

export type FailureKind = 'crash' | 'property' | 'hang' | 'memory' | 'worker-exit';

export interface Failure {
  format: FuzzFormat;
  seed: string;
  caseSeed: number;
  kind: FailureKind;
  message: string;
  stack?: string;
  steps: string[];
  ms: number;
  /** Where the failing input was written. */
  savedAs?: string;
}

export interface FormatStats {
  cases: number;
  /** Outcome → count: 'ok' or a RomscanError code. */
  outcomes: Record<string, number>;
  failures: number;
  totalMs: number;
  maxMs: number;
  slowest: string;
}

export interface FuzzSummary {
  iterations: number;
  perFormat: Partial<Record<FuzzFormat, FormatStats>>;
  failures: Failure[];
  peakRssMb: number;
  elapsedMs: number;
  seedDigest: string;
}

export interface CaseSpec {
  format: FuzzFormat;
  seedIndex: number;
  caseSeed: number;
  raw?: Uint8Array;
  /** A file the worker reads itself (.gz / .bz2 unpacked), instead of a mutation. */
  file?: string;
  label?: string;
  /** Default: 'both' for files and raw bytes, for mutations 'both' on one case in `extractEvery`, else 'scan'. */
  mode?: CaseMode;
}

export interface FuzzOptions {
  seeds: Map<FuzzFormat, Seed[]>;
  /** Either a run (iterations × formats round-robin from `seed`) or an explicit list of cases. */
  iterations?: number;
  seed?: number;
  formats?: FuzzFormat[];
  cases?: CaseSpec[];
  jobs?: number;
  /** Per-case wall-clock limit. */
  timeoutMs?: number;
  /** V8 old-generation limit per worker. */
  heapMb?: number;
  /** Whole-process RSS limit; in-flight cases fail when it is crossed. */
  rssLimitMb?: number;
  /** Run extract --out on one case in N (firmware formats and APKs). */
  extractEvery?: number;
  /** Folder for failing inputs (null: do not save). */
  saveDir?: string | null;
  onCase?(done: number, total: number, failure: Failure | null): void;
}

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./worker.ts', import.meta.url).href;
export const DEFAULT_SAVE_DIR = join(PROJECT_ROOT, 'test/.cache/fuzz-failures');

export function planCases(seeds: Map<FuzzFormat, Seed[]>, formats: FuzzFormat[], iterations: number, runSeed: number): CaseSpec[] {
  const usable = formats.filter((f) => (seeds.get(f)?.length ?? 0) > 0);
  const out: CaseSpec[] = [];
  for (let i = 0; i < iterations && usable.length; i++) {
    const format = usable[i % usable.length];
    const caseSeed = caseSeedOf(runSeed, i);
    out.push({ format, seedIndex: caseSeed % seeds.get(format)!.length, caseSeed });
  }
  return out;
}

/** The exact bytes of a case (for saving a failing input or turning it into a fixture). */
export function caseInput(seeds: Map<FuzzFormat, Seed[]>, c: CaseSpec): Uint8Array {
  if (c.raw) return c.raw;
  if (c.file) return loadFile(c.file);
  const seed = seeds.get(c.format)![c.seedIndex];
  return mutate(c.format, seed.bytes, c.caseSeed, shapeOf(seed.bytes), janusDex(seeds)).bytes;
}

function janusDex(seeds: Map<FuzzFormat, Seed[]>): Uint8Array | null {
  return seeds.get('dex')?.find((s) => s.bytes.length < 64 * 1024)?.bytes ?? null;
}

export function caseId(seeds: Map<FuzzFormat, Seed[]>, c: CaseSpec): string {
  return `${c.format}:${c.label ?? seeds.get(c.format)![c.seedIndex].name}:${c.caseSeed}`;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: { spec: CaseSpec; started: number; timer: NodeJS.Timeout; resolve: (r: CaseReply | { failed: FailureKind; message: string }) => void } | null;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const started = Date.now();
  const seeds = opts.seeds;
  const cases = opts.cases ?? planCases(seeds, opts.formats ?? [...seeds.keys()], opts.iterations ?? 100, opts.seed ?? 1);
  const jobs = Math.max(1, Math.min(opts.jobs ?? 2, cases.length || 1));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const rssLimit = (opts.rssLimitMb ?? 1024) * 1024 * 1024;
  const extractEvery = Math.max(1, opts.extractEvery ?? 2);
  const saveDir = opts.saveDir === undefined ? DEFAULT_SAVE_DIR : opts.saveDir;
  const tmpRoot = mkdtempSync(join(tmpdir(), 'romscan-fuzz-'));
  const workerData: WorkerData = { entry: ENTRY, tmpRoot, seeds: Object.fromEntries(seeds) as WorkerData['seeds'], janusDex: janusDex(seeds) };

  const summary: FuzzSummary = { iterations: cases.length, perFormat: {}, failures: [], peakRssMb: 0, elapsedMs: 0, seedDigest: seedDigest(seeds) };
  let peakRss = process.memoryUsage.rss();
  const slots: Slot[] = [];

  const spawn = (): Slot => {
    const worker = new Worker(BOOT, {
      workerData,
      env: { ...process.env, ROMSCAN_STRICT: '1' },
      resourceLimits: { maxOldGenerationSizeMb: opts.heapMb ?? 512, maxYoungGenerationSizeMb: 48, stackSizeMb: 4 },
    });
    const slot: Slot = { worker, busy: null, ready: new Promise((resolve) => worker.once('message', () => resolve())) };
    worker.on('message', (m: CaseReply | string) => {
      if (typeof m === 'string' || !slot.busy) return;
      const b = slot.busy;
      slot.busy = null;
      clearTimeout(b.timer);
      b.resolve(m);
    });
    const lost = (kind: FailureKind, message: string) => {
      const b = slot.busy;
      if (!b) return;
      slot.busy = null;
      clearTimeout(b.timer);
      b.resolve({ failed: kind, message });
    };
    worker.on('error', (e: Error & { code?: string }) => lost(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'worker-exit', `${e.name}: ${e.message}`));
    worker.on('exit', (code) => lost('worker-exit', `worker exited with code ${code}`));
    return slot;
  };

  /** A worker that hung, ran out of memory or died is terminated and replaced before its next case. */
  const replace = (i: number): void => {
    const old = slots[i];
    slots[i] = spawn();
    void old.worker.terminate().catch(() => undefined);
  };

  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
    if (rss > rssLimit) {
      slots.forEach((s, i) => {
        if (!s.busy) return;
        const b = s.busy;
        s.busy = null;
        clearTimeout(b.timer);
        b.resolve({ failed: 'memory', message: `process RSS ${(rss / 2 ** 20).toFixed(0)} MiB over ${(rssLimit / 2 ** 20).toFixed(0)} MiB` });
        void s.worker.terminate().catch(() => undefined);
      });
    }
  }, 20);
  sampler.unref();

  const runOne = (i: number, spec: CaseSpec, mode: CaseMode) => new Promise<CaseReply | { failed: FailureKind; message: string }>((resolve) => {
    const slot = slots[i];
    const timer = setTimeout(() => {
      if (slot.busy?.spec !== spec) return;
      slot.busy = null;
      resolve({ failed: 'hang', message: `no result within ${timeoutMs} ms` });
      void slot.worker.terminate().catch(() => undefined);
    }, timeoutMs);
    slot.busy = { spec, started: Date.now(), timer, resolve };
    const req: CaseRequest = { id: 0, format: spec.format, seedIndex: spec.seedIndex, caseSeed: spec.caseSeed, mode, raw: spec.raw, file: spec.file };
    slot.worker.postMessage(req);
  });

  let next = 0;
  let done = 0;
  const record = (spec: CaseSpec, r: CaseReply | { failed: FailureKind; message: string }, wallMs: number): void => {
    const st = (summary.perFormat[spec.format] ??= { cases: 0, outcomes: {}, failures: 0, totalMs: 0, maxMs: 0, slowest: '' });
    st.cases++;
    const ms = 'ms' in r ? r.ms : wallMs;
    st.totalMs += ms;
    if (ms > st.maxMs) { st.maxMs = ms; st.slowest = caseId(seeds, spec); }
    let failure: Failure | null = null;
    const seedName = spec.label ?? seeds.get(spec.format)![spec.seedIndex].name;
    if ('failed' in r) failure = { format: spec.format, seed: seedName, caseSeed: spec.caseSeed, kind: r.failed, message: r.message, steps: [], ms };
    else if (!r.ok) failure = { format: spec.format, seed: seedName, caseSeed: spec.caseSeed, kind: r.kind, message: r.message, stack: r.stack, steps: r.steps, ms };
    else st.outcomes[r.outcome.result] = (st.outcomes[r.outcome.result] ?? 0) + 1;
    if (failure) {
      st.failures++;
      if (spec.raw === undefined && spec.file === undefined && failure.steps.length === 0) {
        const seed = seeds.get(spec.format)![spec.seedIndex];
        failure.steps = mutate(spec.format, seed.bytes, spec.caseSeed, shapeOf(seed.bytes), janusDex(seeds)).steps;
      }
      if (saveDir && spec.file === undefined) {
        mkdirSync(saveDir, { recursive: true });
        const file = join(saveDir, `${spec.format}-${spec.caseSeed}.bin`);
        writeFileSync(file, caseInput(seeds, spec));
        failure.savedAs = file;
      }
      summary.failures.push(failure);
    }
    done++;
    opts.onCase?.(done, cases.length, failure);
  };

  const loop = async (i: number): Promise<void> => {
    while (next < cases.length) {
      const spec = cases[next++];
      await slots[i].ready;
      const t0 = Date.now();
      const mode: CaseMode = spec.mode ?? (spec.raw !== undefined || spec.file !== undefined || ((spec.caseSeed >>> 3) % extractEvery === 0) ? 'both' : 'scan');
      const r = await runOne(i, spec, mode);
      if ('failed' in r) replace(i);
      record(spec, r, Date.now() - t0);
    }
  };

  for (let i = 0; i < jobs; i++) slots.push(spawn());
  try {
    await Promise.all(slots.map((_, i) => loop(i)));
  } finally {
    clearInterval(sampler);
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
    rmSync(tmpRoot, { recursive: true, force: true });
  }
  summary.peakRssMb = Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20);
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/** One line per format, then failures with the command that replays each. */
export function formatSummary(s: FuzzSummary): string {
  const lines: string[] = [];
  lines.push(`romscan fuzz: ${s.iterations} iterations, ${s.failures.length} failures, peak RSS ${s.peakRssMb} MiB, ${(s.elapsedMs / 1000).toFixed(1)} s (seeds ${s.seedDigest})`);
  lines.push('format    cases  ok     typed errors                                   fail  avg ms  max ms');
  for (const [f, st] of Object.entries(s.perFormat)) {
    const typed = Object.entries(st.outcomes).filter(([k]) => k !== 'ok').sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k.replace(/^E_/, '')} ${n}`).join(', ');
    lines.push(`${f.padEnd(9)} ${String(st.cases).padStart(5)}  ${String(st.outcomes.ok ?? 0).padStart(5)}  ${typed.padEnd(46).slice(0, 46)} ${String(st.failures).padStart(4)}  ${(st.totalMs / Math.max(1, st.cases)).toFixed(0).padStart(6)}  ${st.maxMs.toFixed(0).padStart(6)}`);
  }
  for (const f of s.failures) {
    lines.push('');
    lines.push(`FAIL ${f.kind} ${f.format}:${f.seed}:${f.caseSeed} after ${f.ms.toFixed(0)} ms [${f.steps.join(' ')}]`);
    lines.push(`  ${f.message}`);
    if (f.stack) lines.push(...f.stack.split('\n').slice(1, 6).map((l) => `  ${l.trim()}`));
    lines.push(`  replay: npm run fuzz -- --replay ${f.format}:${f.seed}:${f.caseSeed}${f.savedAs ? `   (input saved: ${f.savedAs})` : ''}`);
  }
  return lines.join('\n');
}

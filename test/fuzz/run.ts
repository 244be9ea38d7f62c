// `npm run fuzz -- [--iterations N] [--seed S] [--format a,b] [--jobs J] [--timeout MS] [--corpus]
//                  [--replay format:seed-file:case-seed …] [--save-regression NAME]`
// Runs N seeded mutation cases round-robin over the formats (plus, with --corpus, every e2fsprogs
// image and every corpus APK unmutated), prints per-format counts, every failure with the command
// that replays it, and the peak RSS. Exit code 1 when anything failed.
// A replayed failure can be stored as a regression fixture (test/fuzz/regressions/), which the
// short run inside `npm test` replays every time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FORMATS, loadSeeds, missingTools, PROJECT_ROOT, type FuzzFormat } from './lib/seeds.js';
import { caseInput, formatSummary, planCases, runFuzz, type CaseSpec, type Failure } from './lib/runner.js';
import { corpusApkCases, e2fsprogsCases } from './lib/corpus-cases.js';

function parseArgs(argv: string[]) {
  const o = { iterations: 1000, seed: Date.now() % 1_000_000, formats: [...FORMATS] as FuzzFormat[], jobs: 2, timeoutMs: 10_000, replay: [] as string[], saveRegression: null as string | null, corpus: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${a} needs a value`); return x; };
    if (a === '--iterations' || a === '-n') o.iterations = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--corpus') o.corpus = true;
    else if (a === '--format') o.formats = v().split(',') as FuzzFormat[];
    else if (a === '--jobs') o.jobs = Number(v());
    else if (a === '--timeout') o.timeoutMs = Number(v());
    else if (a === '--replay') o.replay.push(v());
    else if (a === '--save-regression') o.saveRegression = v();
    else throw new Error(`unknown argument ${a}`);
  }
  for (const f of o.formats) if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`unknown format ${f} (known: ${FORMATS.join(', ')})`);
  if (!Number.isInteger(o.iterations) || o.iterations < 0) throw new Error('--iterations must be a whole number');
  return o;
}

const o = parseArgs(process.argv.slice(2));
const missing = missingTools();
if (missing.length) process.stderr.write(`note: ${missing.join(', ')} not installed: image formats have no seeds\n`);
const seeds = loadSeeds();

let cases: CaseSpec[] | undefined;
if (o.replay.length) {
  cases = o.replay.map((id) => {
    const m = /^([a-z0-9]+):(.+):(\d+)$/.exec(id);
    if (!m) throw new Error(`--replay takes format:seed-file:case-seed, not ${id}`);
    const format = m[1] as FuzzFormat;
    const seedIndex = seeds.get(format)?.findIndex((s) => s.name === m[2]) ?? -1;
    if (seedIndex < 0) throw new Error(`no seed ${m[2]} for ${format}`);
    return { format, seedIndex, caseSeed: Number(m[3]) };
  });
}

const replaying = cases !== undefined;
const tty = process.stderr.isTTY;
const onCase = (done: number, total: number, failure: Failure | null) => {
  if (failure) process.stderr.write(`${tty ? '\r\x1b[K' : ''}FAIL ${failure.kind} ${failure.format}:${failure.seed}:${failure.caseSeed}: ${failure.message.slice(0, 200)}\n`);
  if (tty && (done % 10 === 0 || done === total)) process.stderr.write(`\r\x1b[K${done}/${total}`);
  else if (!tty && done % 1000 === 0) process.stderr.write(`${done}/${total}\n`);
};
if (!cases) {
  cases = planCases(seeds, o.formats, o.iterations, o.seed);
  process.stderr.write(`fuzzing ${o.iterations} iterations, seed ${o.seed}, formats ${o.formats.filter((f) => seeds.get(f)?.length).join(',')}, ${o.jobs} workers\n`);
}
const summaries = [await runFuzz({ seeds, cases, jobs: o.jobs, timeoutMs: o.timeoutMs, onCase })];
if (tty) process.stderr.write('\r\x1b[K');
process.stdout.write(`${formatSummary(summaries[0])}\n`);
if (o.corpus && !replaying) {
  // One worker: the largest e2fsprogs images unpack to 140 MiB each, and their cost is I/O that
  // parallel workers share (one libuv thread pool), so running them side by side only blurs the bounds.
  const extra = [...e2fsprogsCases(), ...corpusApkCases()];
  process.stderr.write(`corpus: ${extra.length} unmutated cases (e2fsprogs images, scan and extract separately; corpus APKs), 1 worker\n`);
  summaries.push(await runFuzz({ seeds, cases: extra, jobs: 1, timeoutMs: o.timeoutMs, onCase }));
  if (tty) process.stderr.write('\r\x1b[K');
  process.stdout.write(`\n${formatSummary(summaries[1])}\n`);
}

if (o.saveRegression && replaying) {
  const dir = join(PROJECT_ROOT, 'test/fuzz/regressions');
  mkdirSync(dir, { recursive: true });
  cases.forEach((c, i) => {
    const name = `${c.format}--${o.saveRegression}${cases!.length > 1 ? `-${i + 1}` : ''}.gz`;
    writeFileSync(join(dir, name), gzipSync(caseInput(seeds, c), { level: 9 }));
    process.stdout.write(`saved ${join('test/fuzz/regressions', name)}\n`);
  });
}
process.exitCode = summaries.some((x) => x.failures.length) ? 1 : 0;

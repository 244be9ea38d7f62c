// `npm run bench`: romscan against its peers and against the I/O floors, on the same inputs, in
// one job; prints medians and ratios and rewrites bench/RESULTS.md (machine, date, load).
//
//   node --import tsx bench/run.ts [--quick] [--reps N] [--sizes 320,640,1280] [--jobs N|auto]
//                                  [--no-images] [--no-analyze] [--no-rom-scan] [--no-rom-dir] [--no-profile]
// --quick: one run per row, no AnalyzeAPK, no full scan of a ROM image or of its APK tree.
//
// Inputs (built once from ../shared/corpus with the real tools, cached in bench/work/):
//   the APK corpus directory, a large multidex APK, and ROM images of three sizes in three forms
//   (ext4 from mke2fs -d, Android sparse from img2simg, EROFS lz4hc from mkfs.erofs); the smallest
//   image's APK tree is also scanned as a directory, a ROM-sized one.
// romscan runs from its own build (npm run bundle into bench/work/romscan/dist), so a half-edited dist/ elsewhere
// in the tree does not change what is measured.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, release } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, measure, measureRounds, median, timeCommand, type Measured, type Run, type Trial } from './lib/measure.js';
import { buildMultidexApk, buildRomImages, fileBytes, listApks, listApksUnder, toolVersion, type CorpusApk, type RomImages } from './lib/inputs.js';
import { renderSummary, summariseProfiles } from './profile-summary.js';
import type { Jobs } from '../src/scan/apk-pool.js';
import { parseJobs } from '../src/cli/parse-options.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = join(ROOT, 'bench');
const WORK = join(BENCH, 'work');
const PEERS = join(BENCH, 'peers');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus', 'apk');
// src/version.ts reads ../package.json and the rules read ../signatures/schema: the build sits one
// level below links to the project's.
const BUILD = join(WORK, 'romscan');
const DIST = join(BUILD, 'dist');
const CLI = join(DIST, 'cli', 'main.js');
const SIGNATURES = join(ROOT, 'signatures');

// ---------------------------------------------------------------- options

interface Options { quick: boolean; reps: number; sizes: number[]; jobs: Jobs; images: boolean; analyze: boolean; profile: boolean; romScan: boolean; romDir: boolean }

function parseArgs(argv: string[]): Options {
  // --jobs defaults to what `romscan scan` uses ('auto'); the APK suite also shows 1 and one per core.
  const o: Options = { quick: false, reps: 3, sizes: [320, 640, 1280], jobs: 'auto', images: true, analyze: true, profile: true, romScan: true, romDir: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') { o.quick = true; o.reps = 1; o.analyze = false; o.romScan = false; o.romDir = false; }
    else if (a === '--reps') o.reps = Math.max(1, Number(next()));
    else if (a === '--sizes') o.sizes = next().split(',').map(Number);
    else if (a === '--jobs') o.jobs = parseJobs(next());
    else if (a === '--no-images') o.images = false;
    else if (a === '--no-analyze') o.analyze = false;
    else if (a === '--no-profile') o.profile = false;
    else if (a === '--no-rom-scan') o.romScan = false;
    else if (a === '--no-rom-dir') o.romDir = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 12).join('\n') + '\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.sizes.length < 1 || o.sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('--sizes wants MiB integers, e.g. 320,640,1280');
  return o;
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// ---------------------------------------------------------------- environment

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The Python that has androguard (Debian's package installs it for /usr/bin/python3). */
function androguardPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import androguard'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

function buildRomscan(): void {
  log('building romscan into bench/work/romscan/dist (npm run bundle)');
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  symlinkSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  symlinkSync(SIGNATURES, join(BUILD, 'signatures'));
  // The same bundle as `npm run build`, without its type check: what matters here is that the CLI runs.
  const r = spawnSync('npm', ['run', '-s', 'bundle'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ROMSCAN_DIST: DIST } });
  if (r.status !== 0 || !existsSync(CLI)) throw new Error(`npm run bundle did not build ${CLI}:\n${r.stdout}${r.stderr}`);
  const v = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
  if (v.status !== 0) throw new Error(`built CLI does not start: ${v.stderr}`);
}

/** The JS peers live in bench/peers with their own package.json, never in the project's dependencies. */
function installPeers(): string | null {
  const libs = ['adbkit-apkreader', 'app-info-parser', 'node-apk'];
  if (libs.every((l) => existsSync(join(PEERS, 'node_modules', l, 'package.json')))) return null;
  log('installing the JS peer libraries into bench/peers');
  const useCi = existsSync(join(PEERS, 'package-lock.json'));
  const r = spawnSync('npm', [useCi ? 'ci' : 'install', '--no-audit', '--no-fund', '--prefix', PEERS], { cwd: PEERS, encoding: 'utf8' });
  if (r.status !== 0) return `npm ${useCi ? 'ci' : 'install'} in bench/peers failed: ${(r.stderr || r.stdout).split('\n').filter(Boolean).slice(-3).join(' / ')}`;
  return null;
}

function machine(): Record<string, string> {
  const cpu = cpus()[0]?.model ?? '?';
  const sh = (c: string) => { try { return execFileSync('sh', ['-c', c], { encoding: 'utf8' }).trim(); } catch { return '?'; } };
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: `${cpu} × ${cpus().length} (node availableParallelism ${availableParallelism()})`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${sh('. /etc/os-release && echo "$PRETTY_NAME"')}, kernel ${release()}`,
    disk: sh(`df -h --output=source,fstype,size,avail ${WORK} | tail -1`).replace(/\s+/g, ' '),
    node: process.version,
    python: sh(`${androguardPython() ?? 'python3'} --version`),
    androguard: sh(`${androguardPython() ?? 'python3'} -c "import androguard; print(androguard.__version__)"`),
    aapt: sh('dpkg-query -W -f=\'${Version}\' aapt'),
    dexdump: sh('dpkg-query -W -f=\'${Version}\' dexdump'),
    'e2fsprogs (mke2fs, debugfs)': sh('dpkg-query -W -f=\'${Version}\' e2fsprogs'),
    'erofs-utils (mkfs.erofs, fsck.erofs)': sh('dpkg-query -W -f=\'${Version}\' erofs-utils'),
    'libsparse utils (img2simg, simg2img)': sh('dpkg-query -W -f=\'${Version}\' android-sdk-libsparse-utils'),
    unzip: toolVersion('unzip', ['-v']),
    'JS peers': (() => {
      try {
        return ['adbkit-apkreader', 'app-info-parser', 'node-apk'].map((l) => `${l} ${JSON.parse(readFileSync(join(PEERS, 'node_modules', l, 'package.json'), 'utf8')).version}`).join(', ');
      } catch { return 'not installed'; }
    })(),
  };
}

// ---------------------------------------------------------------- commands

const shLoop = (body: string, files: string[]): [string, string[]] => ['bash', ['-c', `for f in "$@"; do ${body}; done`, '_', ...files]];

function romscanScan(input: string, jobs: Jobs, outFile: string, extra: string[] = []): [string, string[]] {
  return [process.execPath, [...extra, CLI, 'scan', input, '--format', 'json', '--no-progress', '--jobs', String(jobs), '--signatures', SIGNATURES, '--output', outFile]];
}

function romscanList(image: string, outFile: string, extra: string[] = []): [string, string[]] {
  return ['bash', ['-c', `exec "$0" "$@" > ${JSON.stringify(outFile)}`, process.execPath, ...extra, CLI, 'extract', image, '--list', '--format', 'json']];
}

async function time(cmd: [string, string[]], opts: Parameters<typeof timeCommand>[2] = {}): Promise<Run> {
  return timeCommand(cmd[0], cmd[1], opts);
}

/** Reads every input once so the first timed run does not pay for a cold page cache. */
function warm(files: string[]): void {
  for (let i = 0; i < files.length; i += 200) spawnSync('cat', files.slice(i, i + 200), { stdio: 'ignore' });
}

// ---------------------------------------------------------------- JS peers that hang

/**
 * Some JS libraries never return on some hostile corpus APKs (a busy loop, so no in-process
 * timeout can stop it). Find those once — run the whole list under a timeout, take the file it
 * was on when killed, drop it, repeat — and cache the list in bench/work.
 */
async function jsPeerExclusions(lib: string, apks: string[]): Promise<string[]> {
  const cache = join(WORK, `js-peer-exclusions.json`);
  const all: Record<string, string[]> = existsSync(cache) ? JSON.parse(readFileSync(cache, 'utf8')) : {};
  if (all[lib]) return all[lib];
  const excluded: string[] = [];
  for (let round = 0; round < 20; round++) {
    const list = apks.filter((a) => !excluded.includes(basename(a)));
    const r = spawnSync(process.execPath, [join(PEERS, 'js-peer.mjs'), lib, '--trace', ...list], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    if (r.status === 0) break;
    const last = r.stderr.split('\n').filter((l) => l.startsWith('start ')).pop();
    if (!last) break;
    excluded.push(basename(last.slice(6)));
    log(`${lib} does not finish on ${basename(last.slice(6))}: excluded for this library`);
  }
  all[lib] = excluded;
  writeFileSync(cache, JSON.stringify(all, null, 2));
  return excluded;
}

// ---------------------------------------------------------------- suites

interface Row extends Measured { peerNote?: string; items?: string }

interface ApkSuite {
  title: string;
  inputs: string;
  bytes: number;
  rows: Row[];
  romscan: Row[];
  floor: Row | null;
  androguard: Row | null;
  check: string[];
}

/**
 * `peers`: 'all' runs every peer; 'acceptance' only what the acceptance lines compare (the unzip
 * floor, romscan with --jobs as given, androguard's manifest + strings once), for inputs where the
 * per-APK peers would take many minutes. `ratioReps`: runs of the floor and of the first romscan
 * row, the two rows the ≤ 2× line divides (at a second each on the corpus, a median of 7 costs
 * little and keeps one noisy run from deciding that line).
 */
async function apkSuite(title: string, apks: CorpusApk[], dirInput: string, opts: Options, env: Env, analyze: boolean,
  { peers = 'all', ratioReps = opts.reps }: { peers?: 'all' | 'acceptance'; ratioReps?: number } = {}): Promise<ApkSuite> {
  const files = apks.map((a) => a.path);
  const bytes = apks.reduce((s, a) => s + a.bytes, 0);
  warm(files);
  const reps = opts.reps;
  const tag = title.replace(/\W+/g, '-').toLowerCase();
  // Every row runs in the same rounds (measureRounds), so the ratios compare like with like.
  const trials: Trial[] = [];
  const trial = (label: string, n: number, make: () => Promise<Run>): number => trials.push({ label, reps: n, make }) - 1;

  const floorAt = trial('unzip -p every entry (inflate floor)', ratioReps, () => time(shLoop('unzip -p "$f" >/dev/null 2>&1', files)));
  // The acceptance lines use --jobs as given (default: the CLI's default), the first romscan row.
  const all = peers === 'all';
  const jobsList = all ? [...new Set<Jobs>([opts.jobs, 1, availableParallelism()])] : [opts.jobs];
  const outOf = (jobs: Jobs) => join(WORK, `out-${tag}-j${jobs}.json`);
  const romscanAt = jobsList.map((jobs, i) => trial(`romscan scan --jobs ${jobs}`, i === 0 ? ratioReps : reps, () => time(romscanScan(dirInput, jobs, outOf(jobs)))));
  if (all && env.aapt) {
    trial('aapt dump badging (per APK)', reps, () => time(shLoop('aapt dump badging "$f" >/dev/null 2>&1', files)));
    trial('aapt dump xmltree AndroidManifest.xml (per APK)', reps, () => time(shLoop('aapt dump xmltree "$f" AndroidManifest.xml >/dev/null 2>&1', files)));
  }
  if (all && env.dexdump) trial('dexdump -d (per APK)', reps, () => time(shLoop('dexdump -d "$f" >/dev/null 2>&1', files)));
  let androguardAt = -1, analyzeAt = -1;
  if (env.python) {
    // androguard is an acceptance line's peer: as many runs as romscan. AnalyzeAPK is shown only,
    // and a minute per run: once.
    androguardAt = trial(`androguard APK manifest + DEX strings (one process${all ? '' : ', 1 run'})`, all ? reps : 1,
      () => time([env.python!, [join(PEERS, 'androguard_bench.py'), 'manifest-strings', ...files]], { captureStdout: true }));
    if (analyze) {
      analyzeAt = trial('androguard AnalyzeAPK (one process)', 1,
        () => time([env.python!, [join(PEERS, 'androguard_bench.py'), 'analyze', ...files]], { captureStdout: true }));
    }
  }
  const jsPeerAt: [number, string[]][] = [];
  for (const lib of all ? env.jsPeers : []) {
    const excluded = await jsPeerExclusions(lib, files);
    const list = files.filter((f) => !excluded.includes(basename(f)));
    jsPeerAt.push([trial(`${lib} manifest (one Node process)`, reps, () => time([process.execPath, [join(PEERS, 'js-peer.mjs'), lib, ...list]], { captureStdout: true })), excluded]);
  }

  log(`${title}: ${trials.length} rows, ${Math.max(...trials.map((t) => t.reps))} rounds`);
  const rows: Row[] = await measureRounds(trials);
  for (const r of rows) log(`${title}: ${r.label}: ${r.wallS.toFixed(2)} s wall, ${r.cpuS.toFixed(2)} s CPU, ${r.maxRssMb.toFixed(0)} MB`);
  const floor = rows[floorAt];
  const romscan = romscanAt.map((k, i) => {
    const r = rows[k];
    mustSucceed(r);
    r.items = describeScan(outOf(jobsList[i]));
    return r;
  });
  const androguard = androguardAt >= 0 ? rows[androguardAt] : null;
  if (androguard) androguard.items = peerSummary(androguard);
  if (analyzeAt >= 0) rows[analyzeAt].items = peerSummary(rows[analyzeAt]);
  for (const [k, excluded] of jsPeerAt) {
    rows[k].items = peerSummary(rows[k]) + (excluded.length ? `; never returns on ${excluded.join(', ')} (excluded)` : '');
  }
  const check: string[] = [];
  const chosen = romscan[0];
  check.push(verdict(`${title}: romscan (manifest + DEX strings + endpoints + API call sites, --jobs ${opts.jobs}) ≤ 2× the unzip -p floor`,
    chosen.wallS / floor.wallS, (x) => x <= 2, (x) => `${x.toFixed(2)}× (CPU ${(chosen.cpuS / floor.cpuS).toFixed(2)}×)`));
  if (androguard) {
    check.push(verdict(`${title}: romscan ≥ 20× faster than androguard manifest + DEX strings`,
      androguard.wallS / chosen.wallS, (x) => x >= 20, (x) => `${x.toFixed(1)}× (CPU ${(androguard!.cpuS / chosen.cpuS).toFixed(1)}×)`));
  }
  return { title, inputs: `${apks.length} APK${apks.length > 1 ? 's' : ''}, ${mb(bytes)}`, bytes, rows, romscan, floor, androguard, check };
}

/** Where a directory scan's wall time goes, to set against the 20× line's budget. */
interface FixedCosts {
  /** `scan` of a directory holding one small APK: Node, romscan's modules, the rules, the report. */
  startup: Measured;
  /** The input scanned again and again in one process (bench/warm-pass.ts): the first pass, and the median of the rest. */
  firstPassS: number;
  warmPassS: number;
}

async function fixedCosts(dir: string, opts: Options, reps: number): Promise<FixedCosts> {
  const one = join(WORK, 'one-apk');
  if (!existsSync(one)) {
    mkdirSync(one, { recursive: true });
    copyFileSync(join(ROOT, 'samples', 'apk', 'Weather.apk'), join(one, 'Weather.apk'));
  }
  const startup = await measure('romscan scan of a one-APK directory', reps, () => time(romscanScan(one, opts.jobs, join(WORK, 'out-one-apk.json'))));
  mustSucceed(startup);
  const passes = await time([process.execPath, ['--import', 'tsx', join(BENCH, 'warm-pass.ts'), dir, '6', SIGNATURES]], { cwd: ROOT, captureStdout: true });
  if (passes.code !== 0) throw new Error(`warm-pass exited ${passes.code}:\n${passes.stderrTail}`);
  const { ms } = JSON.parse(passes.stdout.trim().split('\n').pop()!) as { ms: number[] };
  log(`one-APK scan ${s(startup.wallS)}; passes over ${dir} in one process: ${ms.map((x) => x.toFixed(0)).join(', ')} ms`);
  return { startup, firstPassS: ms[0] / 1000, warmPassS: median(ms.slice(1)) / 1000 };
}

function costSplit(suite: ApkSuite, c: FixedCosts): string {
  const budget = suite.androguard!.wallS / 20;
  return `INFO (where the ${suite.title} scan's time goes, against the 20× line's budget of ${s(budget)}): start-up, a scan of a one-APK directory, ${s(c.startup.wallS)}; `
    + `the same directory scanned again in one process once V8 has compiled the analyser (median of passes 2–6), ${s(c.warmPassS)}, against ${s(c.firstPassS)} for that process's first pass; `
    + `start-up plus a warm pass: ${s(c.startup.wallS + c.warmPassS)} (${((c.startup.wallS + c.warmPassS) / budget).toFixed(2)}× the budget, before any warm-up is paid)`;
}

/** A romscan run that failed measured nothing: stop with its error rather than print a ratio. */
function mustSucceed(r: Measured): void {
  const bad = r.runs.find((x) => x.code !== 0);
  if (bad) throw new Error(`${r.label} exited ${bad.code}:\n${bad.stderrTail}`);
}

function peerSummary(r: Row): string {
  const last = r.runs[r.runs.length - 1];
  try {
    const j = JSON.parse(last.stdout.trim().split('\n').pop() ?? '{}') as { apks?: number; failed?: number; strings?: number };
    return `${(j.apks ?? 0) - (j.failed ?? 0)}/${j.apks} APKs read${j.strings !== undefined ? `, ${j.strings} strings` : ''}`;
  } catch {
    return `exit ${last.code}: ${last.stderrTail.split('\n').pop()}`;
  }
}

function describeScan(outFile: string): string {
  try {
    const r = JSON.parse(readFileSync(outFile, 'utf8')) as { apps: { dex: { strings: number }[]; endpoints: unknown[]; apis: unknown[]; package: string | null }[]; errors: unknown[] };
    const strings = r.apps.reduce((s, a) => s + a.dex.reduce((t, d) => t + d.strings, 0), 0);
    const endpoints = r.apps.reduce((s, a) => s + a.endpoints.length, 0);
    const apis = r.apps.reduce((s, a) => s + a.apis.length, 0);
    const manifests = r.apps.filter((a) => a.package).length;
    return `${r.apps.length} apps (${manifests} manifests), ${strings} strings, ${endpoints} endpoints, ${apis} APIs`;
  } catch (e) {
    return `report unreadable: ${(e as Error).message}`;
  }
}

interface ImageRow { size: RomImages; format: 'sparse' | 'ext4' | 'erofs'; image: string; imageBytes: number; read: Measured; peer: Measured; peerLabel: string; romscan: Measured; listed: string; ok: boolean }

async function imageSuite(images: RomImages[], opts: Options, corpusHashes: Map<string, string>): Promise<ImageRow[]> {
  const rows: ImageRow[] = [];
  const scratch = join(WORK, 'extract-scratch');
  // The peers write gigabytes: flush them (untimed) so their writeback does not land in the next run.
  const clean = () => { rmSync(scratch, { recursive: true, force: true }); spawnSync('sync'); mkdirSync(scratch, { recursive: true }); };
  for (const size of images) {
    for (const format of ['sparse', 'ext4', 'erofs'] as const) {
      const image = size[format];
      warm([image]);
      let peerLabel: string;
      let peerCmd: [string, string[]];
      if (format === 'sparse') {
        peerLabel = 'simg2img + debugfs rdump';
        peerCmd = ['bash', ['-c', 'simg2img "$1" "$2/raw.img" && mkdir "$2/out" && debugfs -R "rdump / $2/out" "$2/raw.img" 2>/dev/null', '_', image, scratch]];
      } else if (format === 'ext4') {
        peerLabel = 'debugfs rdump';
        peerCmd = ['bash', ['-c', 'mkdir "$2/out" && debugfs -R "rdump / $2/out" "$1" 2>/dev/null', '_', image, scratch]];
      } else {
        peerLabel = 'fsck.erofs --extract';
        peerCmd = ['fsck.erofs', [`--extract=${join(scratch, 'out')}`, image]];
      }
      const out = join(WORK, `list-${size.sizeMiB}-${format}.json`);
      const [read, peer, romscan] = await measureRounds([
        { label: 'cat', reps: opts.reps, make: () => time(['bash', ['-c', 'cat "$1" > /dev/null', '_', image]]) },
        { label: peerLabel, reps: opts.reps, make: () => time(peerCmd), before: clean },
        // After clean: the peer's output is gone (and flushed) before romscan runs.
        { label: 'romscan extract --list (sha256 of every file)', reps: opts.reps, make: () => time(romscanList(image, out)), before: clean },
      ]);
      mustSucceed(romscan);
      const { text, ok } = checkListing(out, size, corpusHashes);
      const row: ImageRow = { size, format, image, imageBytes: fileBytes(image), read, peer, peerLabel, romscan, listed: text, ok };
      rows.push(row);
      log(`${size.sizeMiB} MiB ${format}: cat ${read.wallS.toFixed(2)} s, ${peerLabel} ${peer.wallS.toFixed(2)} s, romscan ${romscan.wallS.toFixed(2)} s ${romscan.maxRssMb.toFixed(0)} MB (${text})`);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  return rows;
}

interface RomScanRow extends Row { image: string; apks: number }

/**
 * A full `scan` (every APK analysed on the pool, rules, report) of the smallest sparse image: the
 * ROM path end to end, with --jobs as given and with this thread alone (what 'auto' starts workers
 * to beat); then of the largest, whose peak RSS shows what a scan keeps per app.
 */
async function romScan(images: RomImages[], opts: Options): Promise<RomScanRow[]> {
  const runs: [RomImages, Jobs][] = [...new Set<Jobs>([opts.jobs, 1])].map((jobs) => [images[0], jobs]);
  if (images.length > 1) runs.push([images[images.length - 1], opts.jobs]);
  const rows: RomScanRow[] = [];
  for (const [size, jobs] of runs) {
    const out = join(WORK, `out-rom-scan-${size.sizeMiB}-j${jobs}.json`);
    const r = await measure(`romscan scan ${basename(size.sparse)} --jobs ${jobs}`, 1, () => time(romscanScan(size.sparse, jobs, out)));
    mustSucceed(r);
    const row: RomScanRow = { ...r, image: size.sparse, apks: size.apks, items: `${describeScan(out)} (${size.apks} APKs in the image)` };
    log(`${row.label}: ${row.wallS.toFixed(2)} s wall, ${row.cpuS.toFixed(2)} s CPU, ${row.maxRssMb.toFixed(0)} MB (${row.items})`);
    rows.push(row);
  }
  return rows;
}

/** The listing must name every APK of the tree with the sha256 of the corpus file it was copied from. */
function checkListing(outFile: string, size: RomImages, corpusHashes: Map<string, string>): { text: string; ok: boolean } {
  try {
    const r = JSON.parse(readFileSync(outFile, 'utf8')) as { files: { path: string; sha256: string }[]; errors: unknown[] };
    const apks = r.files.filter((f) => f.path.endsWith('.apk'));
    let wrong = 0;
    for (const f of apks) {
      const m = /\/system\/app\/(.+)_\d+\/[^/]+\.apk$/.exec(f.path);
      if (!m || corpusHashes.get(`${m[1]}.apk`) !== f.sha256) wrong++;
    }
    const ok = apks.length === size.apks && wrong === 0;
    return { text: `${apks.length}/${size.apks} APKs hashed${wrong ? `, ${wrong} WRONG sha256` : ', all sha256 match the corpus'}${r.errors.length ? `, ${r.errors.length} errors` : ''}`, ok };
  } catch (e) {
    return { text: `listing unreadable: ${(e as Error).message}`, ok: false };
  }
}

async function profiles(corpusDir: string, multidex: string, largestSparse: string | null): Promise<string[]> {
  const out: string[] = [];
  const dir = join(WORK, 'profiles');
  const one = async (title: string, cmd: [string, string[]], sub: string) => {
    const d = join(dir, sub);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    log(`profiling: ${title}`);
    await time(cmd);
    const files = readdirSync(d).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(d, f));
    if (files.length) out.push(renderSummary(title, summariseProfiles(files, 15, ROOT)));
  };
  const prof = (sub: string) => ['--cpu-prof', '--cpu-prof-dir', join(dir, sub)];
  await one('romscan scan of the APK corpus, --jobs 1', romscanScan(corpusDir, 1, join(WORK, 'out-profile-corpus.json'), prof('corpus')), 'corpus');
  await one('romscan scan of the large multidex APK', romscanScan(multidex, 1, join(WORK, 'out-profile-multidex.json'), prof('multidex')), 'multidex');
  if (largestSparse) await one(`romscan extract --list of ${basename(largestSparse)}`, romscanList(largestSparse, join(WORK, 'list-profile.json'), prof('image')), 'image');
  return out;
}

// ---------------------------------------------------------------- verdicts and rendering

function fitLine(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((p, x) => p + x, 0) / n, my = ys.reduce((p, y) => p + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  const b = sxx ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

function verdict(what: string, value: number, pass: (x: number) => boolean, show: (x: number) => string): string {
  return `${Number.isFinite(value) && pass(value) ? 'PASS' : 'FAIL'}: ${what}: ${show(value)}`;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const s = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 1)} s` : '–');

function apkTable(suite: ApkSuite): string[] {
  const floor = suite.floor!;
  const ref = suite.romscan[0];
  const lines = [
    `### ${suite.title} (${suite.inputs})`,
    '',
    '| tool | wall (median) | CPU user+sys | peak RSS | × unzip floor (wall) | × romscan (wall) | what it read |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of suite.rows) {
    const fails = r.failures ? ` (${r.failures}/${r.runs.length} runs exited non-zero)` : '';
    lines.push(`| ${r.label}${fails} | ${s(r.wallS)} | ${s(r.cpuS)} | ${r.maxRssMb.toFixed(0)} MB | ${(r.wallS / floor.wallS).toFixed(2)} | ${(r.wallS / ref.wallS).toFixed(2)} | ${r.items ?? ''} |`);
  }
  lines.push('', ...suite.check.map((c) => `- ${c}`), '');
  return lines;
}

function imageTables(rows: ImageRow[]): { text: string[]; checks: string[] } {
  const lines = [
    '| image | bytes | APKs | cat (read floor) | peer | peer wall | romscan wall | romscan CPU | romscan MB/s | romscan peak RSS | romscan ÷ peer | listing |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  const checks: string[] = [];
  const largest = Math.max(...rows.map((r) => r.size.sizeMiB));
  for (const r of rows) {
    const ratio = r.romscan.wallS / r.peer.wallS;
    lines.push(`| ${basename(r.image)} | ${mb(r.imageBytes)} | ${r.size.apks} | ${s(r.read.wallS)} | ${r.peerLabel} | ${s(r.peer.wallS)} | ${s(r.romscan.wallS)} | ${s(r.romscan.cpuS)} | ${(r.imageBytes / 1e6 / r.romscan.wallS).toFixed(0)} | ${r.romscan.maxRssMb.toFixed(0)} MB | ${ratio.toFixed(2)} | ${r.listed} |`);
    if (r.size.sizeMiB === largest) {
      checks.push(verdict(`${basename(r.image)} (${mb(r.imageBytes)}${r.imageBytes >= 1e9 ? '' : ', UNDER 1 GB'}): romscan read + sha256 of every APK within 2× of ${r.peerLabel}`,
        r.imageBytes >= 1e9 && r.ok ? ratio : NaN, (x) => x <= 2, (x) => `${x.toFixed(2)}×`));
      checks.push(verdict(`${basename(r.image)}: romscan peak RSS under 300 MB`, r.romscan.maxRssMb, (x) => x < 300, (x) => `${x.toFixed(0)} MB`));
    }
    if (!r.ok) checks.push(`FAIL: ${basename(r.image)}: listing does not match the tree: ${r.listed}`);
  }
  // Linearity: a least-squares line through (image GB, seconds) per format. A fixed start-up cost
  // (Node, module loading) is the intercept; what must not grow faster than the input is the rest,
  // so every size has to sit on the line. CPU time is judged: wall time on a shared machine is noise.
  // 20 %: run-to-run CPU noise on a shared 2-core VM reaches ~15 %; a quadratic term (a per-file
  // cost growing with the file count) would put the middle or last size 30 %+ off the line.
  const sizes = [...new Set(rows.map((r) => r.size.sizeMiB))].sort((a, b) => a - b);
  lines.push('', 'Linearity (romscan extract --list): least-squares line t = fixed + per-GB × GB through the three sizes (median wall / least CPU of the runs).', '',
    '| format | ' + sizes.map((z) => `${z} MiB tree: wall / CPU`).join(' | ') + ' | CPU fit: fixed + per GB | worst point off the CPU line |',
    '|---|' + sizes.map(() => '---:|').join('') + '---:|---:|');
  for (const format of ['sparse', 'ext4', 'erofs'] as const) {
    const fr = rows.filter((r) => r.format === format).sort((a, b) => a.size.sizeMiB - b.size.sizeMiB);
    if (fr.length < 3) continue;
    const xs = fr.map((r) => r.imageBytes / 1e9);
    // The least disturbed run of each size (minimum CPU), since other processes only ever add to it.
    const cpu = fr.map((r) => Math.min(...r.romscan.runs.map((x) => x.userS + x.sysS)));
    const { a, b } = fitLine(xs, cpu);
    const worst = Math.max(...xs.map((x, i) => Math.abs(cpu[i] - (a + b * x)) / cpu[i]));
    lines.push(`| ${format} | ${fr.map((r, i) => `${s(r.romscan.wallS)} / ${s(cpu[i])}`).join(' | ')} | ${a.toFixed(2)} s + ${b.toFixed(2)} s/GB | ${(worst * 100).toFixed(0)} % |`);
    checks.push(verdict(`${format}: cost grows linearly with input (every size within 20 % of the CPU-time line; ${a.toFixed(2)} s fixed + ${b.toFixed(2)} s/GB)`,
      worst, (x) => x <= 0.2, (x) => `worst point ${(x * 100).toFixed(0)} % off`));
  }
  return { text: lines, checks };
}

// ---------------------------------------------------------------- main

interface Env { aapt: boolean; dexdump: boolean; python: string | null; jsPeers: string[]; notes: string[] }

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(CORPUS)) throw new Error(`corpus not found at ${CORPUS}`);
  const loadStart = loadAverage();

  const env: Env = { aapt: which('aapt'), dexdump: which('dexdump'), python: androguardPython(), jsPeers: [], notes: [] };
  for (const t of ['unzip', 'simg2img', 'img2simg', 'debugfs', 'mke2fs', 'mkfs.erofs', 'fsck.erofs']) if (!which(t)) env.notes.push(`${t} is not installed`);
  if (!which('/usr/bin/time')) throw new Error('GNU time is needed for CPU and peak RSS: apt-get install time');
  if (!env.aapt) env.notes.push('aapt is not installed: its rows are missing');
  if (!env.dexdump) env.notes.push('dexdump is not installed: its rows are missing');
  if (!env.python) env.notes.push('androguard is not importable from python3: its rows are missing');
  const peerFailure = installPeers();
  if (peerFailure) env.notes.push(peerFailure);
  for (const l of ['adbkit-apkreader', 'app-info-parser', 'node-apk']) {
    if (existsSync(join(PEERS, 'node_modules', l, 'package.json'))) env.jsPeers.push(l);
    else env.notes.push(`${l} could not be installed: its row is missing`);
  }

  buildRomscan();
  const corpus = listApks(CORPUS);
  const multidex = await buildMultidexApk(CORPUS, WORK);

  let images: RomImages[] = [];
  if (opts.images) {
    const built = opts.sizes.every((z) => existsSync(join(WORK, `rom-${z}.erofs-lz4hc.img`)));
    const free = statfsSync(WORK).bavail * statfsSync(WORK).bsize;
    const need = (built ? 3 : 9) * Math.max(...opts.sizes) * 2 ** 20;
    if (free < need) {
      env.notes.push(`images skipped: ${(free / 1e9).toFixed(1)} GB free under bench/work, about ${(need / 1e9).toFixed(1)} GB needed`);
    } else {
      images = buildRomImages(CORPUS, WORK, opts.sizes);
    }
  }
  const corpusHashes = new Map(corpus.map((a) => [basename(a.path), createHash('sha256').update(readFileSync(a.path)).digest('hex')]));

  const suites: ApkSuite[] = [];
  // AnalyzeAPK runs on the corpus only: on the multidex APK it alone would take minutes.
  const corpusRatioReps = opts.quick ? 1 : Math.max(opts.reps, 7);
  const corpusSuite = await apkSuite('APK corpus directory', corpus, CORPUS, opts, env, opts.analyze, { ratioReps: corpusRatioReps });
  suites.push(corpusSuite);
  const corpusCosts = corpusSuite.androguard ? await fixedCosts(CORPUS, opts, corpusRatioReps) : null;
  suites.push(await apkSuite('Large multidex APK', [{ path: multidex, bytes: fileBytes(multidex) }], multidex, opts, env, false));
  let romDirSuite: ApkSuite | null = null;
  if (images.length && opts.romDir) {
    // The directory line again at a ROM's scale: hundreds of APKs, where start-up and JIT warm-up
    // are spread thin and the worker threads start.
    const tree = images[0].tree;
    romDirSuite = await apkSuite(`ROM-sized APK directory, the ${images[0].sizeMiB} MiB images' tree`, listApksUnder(tree), tree, opts, env, false, { peers: 'acceptance' });
    suites.push(romDirSuite);
  }
  const imageRows = images.length ? await imageSuite(images, opts, corpusHashes) : [];
  const romRows = images.length && opts.romScan ? await romScan(images, opts) : [];
  const prof = opts.profile ? await profiles(CORPUS, multidex, images.length ? images[images.length - 1].sparse : null) : [];
  const loadEnd = loadAverage();

  // ------------------------------------------------------------ RESULTS.md
  const m = machine();
  const img = imageRows.length ? imageTables(imageRows) : null;
  // The directory lines (the multidex APK is one file: its lines stay in its table).
  const checks = [...corpusSuite.check, ...(corpusCosts ? [costSplit(corpusSuite, corpusCosts)] : []), ...(romDirSuite?.check ?? []), ...(img?.checks ?? [])];
  for (const r of romRows) checks.push(`INFO (not an acceptance line): full \`${r.label.replace(/^romscan /, '')}\` (${r.apks} APKs): ${s(r.wallS)} wall, ${s(r.cpuS)} CPU, peak RSS ${r.maxRssMb.toFixed(0)} MB`);
  const md: string[] = [
    '# romscan benchmark results',
    '',
    `Generated by \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (bench/run.ts); do not edit by hand.`,
    `Total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s; ${opts.reps} timed run${opts.reps > 1 ? 's' : ''} per row (median shown; the rows of a table run interleaved, round by round; the corpus's floor and first romscan row run ${corpusRatioReps} time${corpusRatioReps > 1 ? 's' : ''}, AnalyzeAPK once).`,
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    ...Object.entries(m).map(([k, v]) => `| ${k} | ${v} |`),
    `| load average (1/5/15 min) | ${loadStart} at start, ${loadEnd} at end |`,
    '',
    'Wall time is what a user waits; CPU is user+sys of the process and its children. When the load',
    'average is above the core count the machine was shared during the run: wall times stretch, CPU',
    'times much less, so read the CPU column for the cost of the code itself.',
    '',
    '## Acceptance (issue 6)',
    '',
    ...checks.map((c) => `- ${c}`),
    '',
    '## APK inputs',
    '',
    'romscan runs once per input (one process for the whole directory, APKs on worker threads with',
    '`--jobs`); it reads the manifest, every DEX (strings, classes, methods, code), endpoints, API call',
    'sites, signatures and evaluates the rules. Peers that work per APK run in a shell loop over the same files;',
    'androguard and the JS libraries run one process over all files, so each pays its start-up once.',
    '',
    ...suites.flatMap(apkTable),
    '## ROM images',
    '',
    'Images are built from the corpus (system/app/<name>_<copy>/<name>_<copy>.apk, real copies, plus a',
    'build.prop): `mke2fs -t ext4 -d`, then `img2simg` for the sparse form and `mkfs.erofs -zlz4hc` from',
    'the same tree. romscan reads every APK out of the image in place and sha256s it',
    '(`romscan extract <image> --list --format json`); the peers extract every file to disk',
    '(`simg2img` then `debugfs -R "rdump / DIR"`, `debugfs rdump`, `fsck.erofs --extract=DIR`).',
    'The listing is checked: every APK of the tree, each with the sha256 of the corpus file it copies.',
    '',
    ...(img?.text ?? ['(images not measured)']),
    '',
    ...(romRows.length ? [
      'Full scans of sparse images (walk, read, and analyse every APK on the worker pool, rules, report):',
      '',
      '| run | wall | CPU user+sys | peak RSS | image MB/s | what it found |',
      '|---|---:|---:|---:|---:|---|',
      ...romRows.map((r) => `| ${r.label} | ${s(r.wallS)} | ${s(r.cpuS)} | ${r.maxRssMb.toFixed(0)} MB | ${(fileBytes(r.image) / 1e6 / r.wallS).toFixed(0)} | ${r.items} |`),
      '',
    ] : []),
  ];
  if (prof.length) {
    md.push('## Profiles', '', '`node --cpu-prof` of romscan (worker threads off, so every sample is on the main thread).',
      'Self time is spent in the function itself; inclusive time adds what it calls. GC is V8\'s garbage collector.', '', ...prof);
  }
  if (env.notes.length) md.push('## Notes', '', ...env.notes.map((n) => `- ${n}`), '');
  writeFileSync(join(BENCH, 'RESULTS.md'), md.join('\n'));
  writeFileSync(join(WORK, 'results.json'), JSON.stringify({ machine: m, opts, suites, imageRows, checks }, (k, v) => (k === 'stdout' ? undefined : v), 2));

  process.stdout.write(['', ...suites.flatMap(apkTable), ...(img?.text ?? []), '', 'Acceptance:', ...checks.map((c) => `  ${c}`), '', `wrote bench/RESULTS.md (${((Date.now() - t0) / 1000).toFixed(0)} s)`, ''].join('\n'));
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});

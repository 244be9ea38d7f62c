// Runs a command under GNU time and returns wall time, CPU time and peak RSS.
// Wall time is taken here with hrtime (GNU time's %e has only 10 ms resolution); user/sys CPU
// and the peak RSS come from `/usr/bin/time`, which reports the largest resident set of the
// command and every descendant it waited for, so a shell loop of `unzip` counts as one run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  wallS: number;
  userS: number;
  sysS: number;
  maxRssMb: number;
  code: number;
  /** Last lines of stderr, kept to explain a failed run. */
  stderrTail: string;
  stdout: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep stdout (small outputs only, e.g. a peer's JSON summary line); otherwise it goes to /dev/null. */
  captureStdout?: boolean;
  timeoutS?: number;
}

const TIME_BIN = '/usr/bin/time';

export async function timeCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-bench-'));
  const out = join(dir, 'time.txt');
  try {
    const started = process.hrtime.bigint();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(TIME_BIN, ['-f', '%U %S %M', '-o', out, cmd, ...args], {
        cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', opts.captureStdout ? 'pipe' : 'ignore', 'pipe'],
      });
      let so = '', se = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => { so += d; });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => { se = (se + d).slice(-4000); });
      const timer = opts.timeoutS ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutS * 1000) : null;
      child.on('error', reject);
      child.on('close', (c) => { if (timer) clearTimeout(timer); resolve({ code: c ?? -1, stdout: so, stderr: se }); });
    });
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    // GNU time writes "Command exited with non-zero status N" before the format line.
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const [u, s, m] = lines[lines.length - 1].split(' ').map(Number);
    return { wallS, userS: u, sysS: s, maxRssMb: m / 1024, code, stderrTail: stderr.split('\n').slice(-5).join('\n'), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Measured {
  label: string;
  runs: Run[];
  wallS: number;
  cpuS: number;
  maxRssMb: number;
  /** Non-zero exits, counted (peers often reject hostile corpus APKs; the loop goes on). */
  failures: number;
  note?: string;
}

/** Median over runs; peak RSS is the largest seen. */
export function summarise(label: string, runs: Run[], note?: string): Measured {
  return {
    label, runs, note,
    wallS: median(runs.map((r) => r.wallS)),
    cpuS: median(runs.map((r) => r.userS + r.sysS)),
    maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
    failures: runs.filter((r) => r.code !== 0).length,
  };
}

/** One row of a bench table: what to run, how often, and what to do (untimed) before each run. */
export interface Trial {
  label: string;
  reps: number;
  make: () => Promise<Run>;
  before?: () => void | Promise<void>;
}

/**
 * Runs the trials in rounds, each trial once per round until it has its `reps` runs, and
 * summarises each. Interleaving puts every row under the same stretch of a shared machine's
 * load: run one row after another and a busy minute lands on one row only, skewing the ratios
 * between rows that the acceptance lines read.
 */
export async function measureRounds(trials: Trial[]): Promise<Measured[]> {
  const runs: Run[][] = trials.map(() => []);
  const rounds = Math.max(0, ...trials.map((t) => t.reps));
  for (let round = 0; round < rounds; round++) {
    for (const [k, t] of trials.entries()) {
      if (round >= t.reps) continue;
      await t.before?.();
      runs[k].push(await t.make());
    }
  }
  return trials.map((t, k) => summarise(t.label, runs[k]));
}

/** Runs `make()` `reps` times (after `before()` each time, untimed) and summarises. */
export async function measure(label: string, reps: number, make: () => Promise<Run>, before?: () => void | Promise<void>): Promise<Measured> {
  return (await measureRounds([{ label, reps, make, before }]))[0];
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

// Render time per keypress of the TUI on a generated 10,000-app report.
//   node --import tsx bench/tui-render.ts [apps=10000] [cols=120] [rows=40]
// Drives the real Browser component through ink-testing-library's stdin (the same key parsing,
// reducer, React commit and Ink layout/output as in a terminal) and times each key from the write
// to the frame it produces. The bar: median under 30 ms.
// React runs its production build here as in `romscan tui` (run-tui.ts sets NODE_ENV the same
// way); BENCH_DEV=1 measures the development build instead.
import { performance } from 'node:perf_hooks';

if (!process.env.BENCH_DEV) process.env.NODE_ENV ??= 'production';
const { createElement } = await import('react');
const { render } = await import('ink-testing-library');
const { Browser } = await import('../src/tui/components/browser.js');
const { buildModel } = await import('../src/tui/model/build-model.js');
const { reduceKeys } = await import('../src/tui/hooks/key-map.js');
const { initialState, reducer } = await import('../src/tui/state/reducer.js');
const { makeDiff, makeReport } = await import('../test/tui/fixtures/make-report.js');

const apps = Number(process.argv[2] ?? 10_000);
const cols = Number(process.argv[3] ?? 120);
const rows = Number(process.argv[4] ?? 40);

const ENTER = '\r';
const ESC = '\x1b';
const TAB = '\t';
const DOWN = '\x1b[B';
const PGDN = '\x1b[6~';
const PGUP = '\x1b[5~';

/** A browsing session: scroll the list, search, sort, filter, open apps, the findings and the diff. */
const KEYS: string[] = [
  '2',
  ...Array(60).fill('j'), ...Array(20).fill(DOWN), ...Array(15).fill(PGDN), 'G', ...Array(10).fill(PGUP), 'g',
  '/', ...'vendor1'.split(''), ENTER, ...Array(20).fill('j'), ESC,
  's', 'n', ...Array(20).fill('j'), 's', 'n', 'f', 'p', ...Array(10).fill('j'), 'f', 'x',
  ENTER, ...Array(7).fill('j'), TAB, ...Array(5).fill('j'), ESC,
  '3', ...Array(8).fill('j'), TAB, ...Array(30).fill('j'), PGDN, ENTER, ESC,
  '4', 'j', 'j', TAB, 'j', '1', ...Array(10).fill('j'), '?', 'j', ESC,
];

function stats(ms: number[]): { median: number; p95: number; max: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1]!, mean: ms.reduce((a, b) => a + b, 0) / ms.length };
}
const f = (n: number) => n.toFixed(2);

const report = makeReport(apps);
const base = makeReport(Math.floor(apps * 0.9), { region: 'CN' });
const t0 = performance.now();
const model = buildModel({ report, base, diff: makeDiff(), names: ['global.zip', 'cn.zip'] });
const buildMs = performance.now() - t0;

// 1. The reducer alone (what a keypress costs before any rendering).
{
  let st = initialState(model, { cols, rows });
  const times: number[] = [];
  for (const k of KEYS) {
    const a = performance.now();
    st = reduceKeys(st, k.startsWith('\x1b[') ? '' : k, keyFlags(k), reducer);
    times.push(performance.now() - a);
  }
  const s = stats(times);
  console.log(`reducer only      median ${f(s.median)} ms  p95 ${f(s.p95)} ms  max ${f(s.max)} ms`);
}

function keyFlags(k: string) {
  return { downArrow: k === DOWN, pageDown: k === PGDN, pageUp: k === PGUP, return: k === ENTER, escape: k === ESC, tab: k === TAB };
}

// 2. Keypress → frame, through Ink.
const inst = render(createElement(Browser, { model, size: { cols, rows } }));
const tick = () => new Promise<void>((r) => setImmediate(r));
for (let i = 0; i < 5; i++) await tick(); // let effects subscribe to input
const times: number[] = [];
const cpuTimes: number[] = [];
let missed = 0;
for (const k of KEYS) {
  const before = inst.frames.length;
  const cpu0 = process.cpuUsage();
  const a = performance.now();
  inst.stdin.write(k);
  // A key that changes nothing (e.g. j on the last row) renders no frame; give up after a few ticks.
  let spins = 0;
  while (inst.frames.length === before && spins < 20) { await tick(); spins++; }
  if (inst.frames.length === before) { missed++; continue; }
  times.push(performance.now() - a);
  const cpu = process.cpuUsage(cpu0);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
}
inst.unmount();
const s = stats(times);
console.log(`React ${process.env.NODE_ENV === 'production' ? 'production' : 'development'} build; report: ${apps} apps (model built in ${f(buildMs)} ms), terminal ${cols}x${rows}, ${KEYS.length} keys, ${missed} without a new frame`);
console.log(`keypress → frame  median ${f(s.median)} ms  p95 ${f(s.p95)} ms  max ${f(s.max)} ms  mean ${f(s.mean)} ms`);
const c = stats(cpuTimes);
console.log(`  CPU time        median ${f(c.median)} ms  p95 ${f(c.p95)} ms  (this process only; wall time above includes waiting for a busy CPU)`);
console.log(s.median < 30 ? 'PASS: median under 30 ms' : 'FAIL: median 30 ms or more');
process.exitCode = s.median < 30 ? 0 : 1;

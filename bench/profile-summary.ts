// Summarises V8 .cpuprofile files (from `node --cpu-prof`) into the functions that take the most
// self time, named file:function:line with paths relative to the project, so a hotspot can be
// handed to the owner of that file. Several profiles (main thread + workers) are merged.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[]; startTime: number; endTime: number }

export interface Hotspot { name: string; selfMs: number; selfPct: number; totalMs: number; totalPct: number }
export interface ProfileSummary { totalMs: number; bySelf: Hotspot[]; byFile: Hotspot[]; byTotal: Hotspot[] }

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Per generated line, the [generatedColumn, source index, sourceLine] segments of a source map v3, in column order. */
type LineMap = number[][][];
interface SourceMap { lines: LineMap; sources: string[] }

function decodeSourceMap(mapFile: string): SourceMap | null {
  let map: { mappings: string; sources: string[] };
  try {
    map = JSON.parse(readFileSync(mapFile, 'utf8'));
  } catch {
    return null;
  }
  const lines: LineMap = [];
  let src = 0, srcLine = 0;
  for (const lineText of map.mappings.split(';')) {
    const segs: number[][] = [];
    let col = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const vals: number[] = [];
      let shift = 0, value = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        value += (d & 31) << shift;
        if (d & 32) { shift += 5; continue; }
        vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
        shift = 0; value = 0;
      }
      col += vals[0];
      // Fields are deltas: [column, source index, source line, source column, name?].
      if (vals.length >= 4) { src += vals[1]; srcLine += vals[2]; segs.push([col, src, srcLine]); }
    }
    lines.push(segs);
  }
  // Sources are relative to the map's folder (a bundle maps to many of them).
  return { lines, sources: map.sources.map((s) => resolve(dirname(mapFile), s)) };
}

const mapCache = new Map<string, SourceMap | null>();

/** Original source file (absolute) and line (1-based) of a generated position, when the built file has a source map. */
function originalPosition(jsFile: string, line0: number, col0: number): { file: string; line: number } | null {
  if (!mapCache.has(jsFile)) mapCache.set(jsFile, decodeSourceMap(`${jsFile}.map`));
  const map = mapCache.get(jsFile);
  const segs = map?.lines[line0];
  if (!map || !segs?.length) return null;
  let best = segs[0];
  for (const sg of segs) if (sg[0] <= col0) best = sg;
  return { file: map.sources[best[1]], line: best[2] + 1 };
}

const BUILD_DIR = /^bench\/work\/romscan\/dist\//;

function frameName(cf: CallFrame, root: string): string {
  if (!cf.url) return cf.functionName.startsWith('(') ? cf.functionName : `(native ${cf.functionName || '?'})`;
  const abs = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
  let file = abs.startsWith('/') ? relative(root, abs) : abs;
  let line = cf.lineNumber + 1;
  if (/(^|\/)node_modules\//.test(file)) {
    file = file.replace(/^.*node_modules\//, 'node_modules/');
  } else if (BUILD_DIR.test(file)) {
    // The bench's own build: name the source file and line the owner edits.
    const at = originalPosition(abs, cf.lineNumber, cf.columnNumber);
    if (at) { file = relative(root, at.file); line = at.line; }
  }
  return `${file}:${cf.functionName || '(anonymous)'}:${line}`;
}

function fileOf(name: string): string {
  const i = name.startsWith('node:') ? name.indexOf(':', 5) : name.indexOf(':');
  return i < 0 ? name : name.slice(0, i);
}

/** Merges the profiles and ranks functions by self time and by inclusive (total) time. */
export function summariseProfiles(files: string[], top = 15, root = ROOT): ProfileSummary {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalMs = 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(f, 'utf8')) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const nodeMs = new Map<number, number>();
    const samples = p.samples ?? [];
    const deltas = p.timeDeltas ?? [];
    // Each sample's time is the delta to the next sample (V8 records the delta before it).
    for (let i = 0; i < samples.length; i++) {
      const ms = (deltas[i + 1] ?? 0) / 1000;
      nodeMs.set(samples[i], (nodeMs.get(samples[i]) ?? 0) + ms);
    }
    for (const [id, ms] of nodeMs) {
      const node = byId.get(id);
      if (!node) continue;
      const name = frameName(node.callFrame, root);
      if (name === '(idle)') continue;
      totalMs += ms;
      self.set(name, (self.get(name) ?? 0) + ms);
      // Inclusive time: count each distinct function once per stack (recursion must not double count).
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const nm = frameName(byId.get(cur)!.callFrame, root);
        if (seen.has(nm)) continue;
        seen.add(nm);
        total.set(nm, (total.get(nm) ?? 0) + ms);
      }
    }
  }
  const pct = (ms: number) => (totalMs ? (100 * ms) / totalMs : 0);
  const mk = (name: string): Hotspot => {
    const s = self.get(name) ?? 0, t = total.get(name) ?? 0;
    return { name, selfMs: s, selfPct: pct(s), totalMs: t, totalPct: pct(t) };
  };
  const bySelf = [...self.keys()].map(mk).sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  const fileSelf = new Map<string, number>();
  for (const [name, ms] of self) fileSelf.set(fileOf(name), (fileSelf.get(fileOf(name)) ?? 0) + ms);
  const byFile = [...fileSelf].map(([name, ms]) => ({ name, selfMs: ms, selfPct: pct(ms), totalMs: ms, totalPct: pct(ms) }))
    .sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  const byTotal = [...total.keys()].filter((n) => n.startsWith('src/')).map(mk)
    .sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
  return { totalMs, bySelf, byFile, byTotal };
}

export function renderSummary(title: string, s: ProfileSummary): string {
  const row = (h: Hotspot, withTotal: boolean) =>
    `| \`${h.name}\` | ${h.selfMs.toFixed(0)} | ${h.selfPct.toFixed(1)} %${withTotal ? ` | ${h.totalPct.toFixed(1)} %` : ''} |`;
  return [
    `#### ${title} (${(s.totalMs / 1000).toFixed(2)} s of samples, idle excluded)`,
    '',
    'Self time by function:',
    '',
    '| function | self ms | self % | incl. % |',
    '|---|---:|---:|---:|',
    ...s.bySelf.map((h) => row(h, true)),
    '',
    'Self time by file:',
    '',
    '| file | self ms | self % |',
    '|---|---:|---:|',
    ...s.byFile.map((h) => row(h, false)),
    '',
    'Inclusive time of romscan functions:',
    '',
    '| function | self ms | self % | incl. % |',
    '|---|---:|---:|---:|',
    ...s.byTotal.map((h) => row(h, true)),
    '',
  ].join('\n');
}

// `node --import tsx bench/profile-summary.ts FILE.cpuprofile...` prints the tables.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = process.argv.slice(2);
  console.log(renderSummary(files.join(', '), summariseProfiles(files, 25, process.cwd())));
}

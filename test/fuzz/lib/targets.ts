// What one fuzz case runs, per format. APKs and every firmware format go through the real entry
// points (`scanInput` on a file, then `extractInput` into a fresh folder, then every renderer);
// manifests, resource tables and dex files go straight to their parsers. A case passes when it
// returns or throws a RomscanError; it fails when anything else is thrown, when a report carries
// an E_INTERNAL error, or when extraction put anything outside its folder or wrote a link.
import { lstat, mkdir, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { parseAxml } from '../../../src/android/axml/parse-axml.js';
import { readManifest } from '../../../src/android/manifest/index.js';
import { parseArsc } from '../../../src/android/arsc/parse-arsc.js';
import { parseDex } from '../../../src/android/dex/dex-file.js';
import { collectCodeFacts } from '../../../src/analysis/code-facts.js';
import { scanInput } from '../../../src/scan/scan-input.js';
import { extractInput } from '../../../src/extract/extract-files.js';
import { loadSignatures, apiWatchList } from '../../../src/rules/signatures.js';
import { evasionFindings } from '../../../src/rules/evasion.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderMd } from '../../../src/report/render-md.js';
import { renderSarif } from '../../../src/report/render-sarif.js';
import { renderText } from '../../../src/report/render-text.js';
import type { Report } from '../../../src/report/model.js';
import type { FuzzFormat } from './seeds.js';
import type { CaseMode } from './protocol.js';

export const SIGNATURES_DIR = join(new URL('../../..', import.meta.url).pathname, 'signatures');

/** A property of the run that is not a thrown exception but still a bug. */
export class PropertyViolation extends Error {}

export interface CaseOutcome {
  /** 'ok' (a result), 'partial' (a report with errors recorded), or the RomscanError code that ended it. */
  result: string;
  /** Errors the report recorded (partial results), for the statistics. */
  reportErrors?: number;
  apps?: number;
}

const EXT: Partial<Record<FuzzFormat, string>> = { apk: 'apk', sdat: 'zip', ota: 'zip', tar: 'tar', lz4: 'lz4', payload: 'bin' };

let watch: Map<string, string> | null = null;

export async function runTarget(format: FuzzFormat, bytes: Uint8Array, workDir: string, mode: CaseMode): Promise<CaseOutcome> {
  try {
    return await dispatch(format, bytes, workDir, mode);
  } catch (e) {
    if (isRomscanError(e)) return { result: e.code };
    throw e;
  }
}

async function dispatch(format: FuzzFormat, bytes: Uint8Array, workDir: string, mode: CaseMode): Promise<CaseOutcome> {
  switch (format) {
    case 'canary-crash':
      throw new TypeError('canary: not a RomscanError');
    case 'canary-hang':
      for (;;) bytes[0] ^= 1;
    case 'canary-heap': {
      const hog: number[][] = [];
      for (;;) hog.push(new Array(100_000).fill(hog.length));
    }
    case 'canary-rss': {
      // Outside the V8 heap, so only RSS sampling can see it; filled so the pages are really resident.
      const big = Buffer.alloc(768 * 1024 * 1024, 1);
      await new Promise((r) => setTimeout(r, 3000));
      return { result: `ok ${big.length}` };
    }
    case 'axml': {
      const doc = parseAxml(bytes, 'fuzz!/AndroidManifest.xml');
      const m = readManifest(doc, null);
      JSON.stringify(m);
      return { result: 'ok' };
    }
    case 'arsc': {
      const t = parseArsc(bytes, 'fuzz!/resources.arsc');
      let n = 0;
      for (const _ of t.strings()) if (++n > 1_000_000) break;
      for (const p of t.packages) for (let type = 1; type <= 4; type++) for (let e = 0; e < 8; e++) t.resolve(((p.id & 0xff) << 24) | (type << 16) | e);
      return { result: 'ok' };
    }
    case 'dex': {
      watch ??= apiWatchList(loadSignatures(SIGNATURES_DIR));
      const dex = parseDex(bytes, 'classes.dex', 'fuzz!/classes.dex');
      const facts = collectCodeFacts([dex], watch);
      JSON.stringify(facts.dex);
      return { result: 'ok' };
    }
    default:
      return scanAndExtract(format, bytes, workDir, mode);
  }
}

async function scanAndExtract(format: FuzzFormat, bytes: Uint8Array, workDir: string, mode: CaseMode): Promise<CaseOutcome> {
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const input = join(workDir, `input.${EXT[format] ?? 'img'}`);
  await writeFile(input, bytes);
  if (mode === 'extract') {
    await checkExtract(input, join(workDir, 'out'));
    return { result: 'ok' };
  }
  let report: Report;
  try {
    report = await scanInput(input, { signaturesDir: SIGNATURES_DIR, jobs: 1 });
  } catch (e) {
    // An input that is no longer recognisable at all is a usage error for the CLI (exit 2): fine.
    if (isRomscanError(e)) return { result: e.code };
    throw e;
  }
  checkReport(report);
  if (mode === 'both') await checkExtract(input, join(workDir, 'out'));
  const reportErrors = report.errors.length + report.apps.reduce((a, x) => a + x.errors.length, 0);
  return { result: reportErrors ? 'partial' : 'ok', reportErrors, apps: report.apps.length };
}

function checkReport(report: Report): void {
  const internal = [...report.errors, ...report.apps.flatMap((a) => a.errors)].find((e) => e.code === 'E_INTERNAL');
  if (internal) throw new PropertyViolation(`report records an internal error: ${internal.stage}: ${internal.message} (${internal.path ?? ''})`);
  // The scan runs evasionFindings itself; run it again on the finished report (pure, must not throw).
  for (const app of report.apps) evasionFindings(app);
  renderJson(report);
  renderText(report);
  renderMd(report);
  renderSarif(report);
}

/** extract --out must only create plain files and folders under `out`. */
async function checkExtract(input: string, out: string): Promise<void> {
  let result;
  try {
    result = await extractInput(input, out, false);
  } catch (e) {
    if (isRomscanError(e)) return;
    throw e;
  }
  const internal = result.errors.find((e) => e.code === 'E_INTERNAL');
  if (internal) throw new PropertyViolation(`extract records an internal error: ${internal.message} (${internal.path ?? ''})`);
  const root = await realpath(out).catch(() => null);
  if (root === null) return;
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const p = join(dir, name);
      const st = await lstat(p);
      if (st.isSymbolicLink()) throw new PropertyViolation(`extract wrote a symlink: ${p}`);
      if (!(await realpath(p)).startsWith(root + sep)) throw new PropertyViolation(`extract wrote outside its folder: ${p}`);
      if (st.isDirectory()) await walk(p);
      else if (!st.isFile()) throw new PropertyViolation(`extract wrote a special file: ${p}`);
    }
  };
  await walk(root);
}

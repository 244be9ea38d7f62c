// Orchestration: what kind of input is this, walk it, analyse every APK on the pool, put the
// ROM together (privilege, platform signature, pre-grants, build.prop), run the rules.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileSource, readAll, type Source } from '../io/source.js';
import { UsageError, isRomscanError } from '../io/errors/index.js';
import { openDirectory } from '../formats/directory/open-directory.js';
import { openZip } from '../formats/zip/open-zip.js';
import { hasZipEocd } from '../formats/zip/index.js';
import { FirmwareWalker, type FoundFile } from '../firmware/walk.js';
import { detectFormat, readHead } from '../firmware/formats.js';
import { isPrivAppPath, PARTITIONS } from '../firmware/file-roles.js';
import { COMPANION_CODE, companionOwnerKey } from '../android/vdex/companions.js';
import { parseBuildProp, parsePrivappPermissions, parseDefaultPermissions } from '../firmware/rom-config/index.js';
import { loadSignatures, apiWatchList, type Signatures } from '../rules/signatures.js';
import { evaluateApp, type AppContext } from '../rules/evaluate-app.js';
import { evasionFindings } from '../rules/evasion.js';
import { evaluateFirmware } from '../rules/evaluate-firmware.js';
import type { AppReport, Endpoint, Report } from '../report/model.js';
import { SCHEMA_VERSION } from '../report/model.js';
import { TOOL_VERSION } from '../report/version.js';
import { analyzeApk } from './analyze-apk.js';
import { ApkPool, type Jobs } from './apk-pool.js';
import { toAppResult, type AppResult, type CodeResult, type TaskResult } from './apk-task.js';
import { CallGraph } from '../analysis/call-graph.js';
import { LIMITS, checkLimit } from '../io/limits.js';
import { mergeCodeFacts, mergeEndpoints } from './merge-code-facts.js';
import { classifyTextEndpoints, MAX_TEXT_ENTRY_BYTES, MAX_NATIVE_LIB_BYTES } from '../analysis/non-dex-strings.js';
import { toReportError } from './record-error.js';
import { newProgress, type ScanProgress } from './progress.js';

export interface ScanOptions {
  signaturesDir: string;
  /** Analysis lanes: this thread and jobs − 1 worker threads, or 'auto' (see ApkPool). */
  jobs: Jobs;
  onProgress?: (p: ScanProgress) => void;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export async function scanInput(inputPath: string, opts: ScanOptions): Promise<Report> {
  const st = await stat(inputPath).catch(() => null);
  if (!st) throw new UsageError(`cannot read input: ${inputPath}`);
  const name = basename(inputPath);
  if (st.isDirectory()) return scanFirmware(inputPath, name, 'directory', null, opts);
  if (!st.isFile()) throw new UsageError(`not a file or directory: ${inputPath}`);

  const source = await FileSource.open(inputPath, name).catch(() => { throw new UsageError(`cannot open input: ${inputPath}`); });
  try {
    if (await isApk(source)) {
      const sigs = loadSignatures(opts.signaturesDir);
      const { app, context } = await analyzeApk(source, { watch: apiWatchList(sigs), path: name });
      app.findings = appFindings(app, context, sigs);
      return {
        schemaVersion: SCHEMA_VERSION, tool: { name: 'romscan', version: TOOL_VERSION },
        input: { name, kind: 'apk', sha256: app.sha256 || null }, firmware: null, apps: [app], findings: [], errors: [],
      };
    }
    if (!(await detectFormat(source))) {
      throw new UsageError(`unrecognised input (not an APK, firmware image or archive romscan reads): ${inputPath}`);
    }
    return await scanFirmware(inputPath, name, 'firmware', source, opts);
  } finally {
    await source.close();
  }
}

/** Behaviour and ROM rules, plus the parser-confusion tricks the app's anomalies reveal. */
function appFindings(app: AppReport, context: AppContext, sigs: Signatures) {
  return [...evaluateApp(app, context, sigs), ...evasionFindings(app)];
}

/**
 * An APK is a zip (possibly with bytes before it, as Janus does) holding what PackageManager or
 * the class loader reads: AndroidManifest.xml, classes.dex or resources.arsc. A zip named .apk
 * is taken as one too, so that a broken APK still gets an app report with its errors.
 */
async function isApk(source: Source): Promise<boolean> {
  const head = await readHead(source);
  const zipMagic = head[0] === 0x50 && head[1] === 0x4b;
  const named = source.path.toLowerCase().endsWith('.apk');
  if (!zipMagic && !(await hasZipEocd(source))) return false;
  try {
    const zip = await openZip(source);
    return named || APK_MARKERS.some((n) => zip.find(n) !== undefined);
  } catch (e) {
    if (!isRomscanError(e)) throw e; // a bug, not a damaged zip
    return named;
  }
}

const APK_MARKERS = ['AndroidManifest.xml', 'classes.dex', 'resources.arsc'];

interface RomState {
  analyses: { found: FoundFile; result: AppResult }[];
  /** Code of odexed apps (oat/<arch>/X.vdex), by owner key, merged into X.apk at the end. */
  oatCode: Map<string, CodeResult>;
  buildProps: Map<string, Record<string, string>>;
  privapp: Map<string, Set<string>>;
  defaultGrants: Map<string, Set<string>>;
  /** Endpoints in ROM config files and daemons. */
  endpoints: Endpoint[];
}

async function scanFirmware(inputPath: string, name: string, kind: 'firmware' | 'directory', source: Source | null, opts: ScanOptions): Promise<Report> {
  // Workers get the signatures when they start, for the rules that read an app's code.
  const sigs = loadSignatures(opts.signaturesDir);
  const pool = new ApkPool(opts.jobs, sigs);
  try {
    return await scanWithPool(inputPath, name, kind, source, sigs, pool, opts);
  } finally {
    await pool.close();
  }
}

async function scanWithPool(inputPath: string, name: string, kind: 'firmware' | 'directory', source: Source | null, sigs: Signatures,
  pool: ApkPool, opts: ScanOptions): Promise<Report> {
  const started = Date.now();
  const progress = newProgress();
  const tick = (current?: string) => {
    if (current !== undefined) progress.current = current;
    progress.elapsedMs = Date.now() - started;
    opts.onProgress?.(progress);
  };
  const state: RomState = { analyses: [], oatCode: new Map(), buildProps: new Map(), privapp: new Map(), defaultGrants: new Map(), endpoints: [] };
  const fileErrors: Report['errors'] = [];

  const fileContext: FileContext = { kind, state, pool, progress, errors: fileErrors, tick };
  const walker = new FirmwareWalker({
    onContainer: () => { progress.containers++; tick(); },
    onFile: async (found) => {
      tick(found.path);
      try {
        await handleFile(found, fileContext);
      } catch (e) {
        fileErrors.push(toReportError(found.role, e, found.path));
      }
    },
  }, { smallestFirst: true });
  if (kind === 'directory') {
    progress.containers++;
    await walkDirectory(walker, inputPath, name);
  } else {
    await walker.walkSource(source!, name, 0, null);
  }
  // The input's own hash, beside the rules when the pool has a worker for it.
  const inputHash = source ? pool.sha256File(source, inputPath) : null;
  inputHash?.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  await pool.drain();

  const frameworkCerts = new Set(state.analyses
    .filter(({ found }) => /(^|\/)framework\/framework-res\.apk$/.test(found.innerPath))
    .flatMap(({ result }) => result.app.certificates.map((c) => c.sha256)));
  const apps: AppReport[] = [];
  for (const { found, result } of state.analyses) {
    const app = result.app;
    const context: AppContext = { classNames: [], calls: CallGraph.EMPTY, inFirmware: result.inFirmware, code: result.code ?? undefined };
    const key = companionOwnerKey(found.path);
    const oat = key ? state.oatCode.get(key) : undefined;
    // An APK that still carries its dex is read from that dex; the vdex then holds the same code.
    if (oat && app.dex.length === 0) {
      // Searched here, with the code it now has (apk-task.ts toAppResult).
      mergeCodeFacts(app, context, oat.facts, CallGraph.from(oat.calls));
      if (oat.anomalies.length) (app.anomalies ??= []).push(...oat.anomalies);
    }
    const pkg = app.package ?? '';
    const privapp = [...(state.privapp.get(pkg) ?? [])].sort();
    const defaultGranted = [...(state.defaultGrants.get(pkg) ?? [])].sort();
    app.privileged = isPrivAppPath(found.innerPath);
    app.platformSigned = app.certificates.some((c) => frameworkCerts.has(c.sha256));
    app.grants = { privapp, defaultGranted };
    app.findings = appFindings(app, context, sigs);
    apps.push(app);
  }
  apps.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const partitions = Object.fromEntries([...state.buildProps].sort(([a], [b]) => a.localeCompare(b)));
  const report: Report = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'romscan', version: TOOL_VERSION },
    input: { name, kind, sha256: inputHash ? await inputHash : null },
    firmware: { containers: walker.containers, buildProps: mergeBuildProps(state.buildProps), partitions, endpoints: state.endpoints },
    apps, findings: [], errors: [...walker.errors, ...fileErrors],
  };
  report.findings = evaluateFirmware(report, sigs);
  progress.done = true;
  progress.current = null;
  tick();
  return report;
}

async function walkDirectory(walker: FirmwareWalker, dir: string, name: string): Promise<void> {
  // A directory is walked like an archive: roles by place, everything else sniffed by magic.
  await walker.walkContainer(openDirectory(dir, name), name, 0, null);
}

/** What handling one found file needs from the scan around it. */
interface FileContext {
  kind: 'firmware' | 'directory';
  state: RomState;
  pool: ApkPool;
  progress: ScanProgress;
  errors: Report['errors'];
  tick: () => void;
}

async function handleFile(found: FoundFile, ctx: FileContext): Promise<void> {
  const { kind, state, pool, progress, errors, tick } = ctx;
  switch (found.role) {
    case 'apk':
    case 'jar':
    case 'vdex':
    case 'odex': {
      const isCode = found.role === 'vdex' || found.role === 'odex';
      if (!isCode) progress.apksFound++;
      const done = (result: TaskResult, error?: unknown) => {
        if (!isCode) progress.apksAnalysed++;
        if (error !== undefined) errors.push(toReportError(found.role, error, found.path));
        else if (result?.kind === 'app') state.analyses.push({ found, result });
        else if (result?.kind === 'code') {
          const key = companionOwnerKey(found.path);
          if (key) state.oatCode.set(key, result);
        }
        progress.errors = errors.length;
        tick();
      };
      const preinstalled = isPreinstalled(found, kind);
      if (!isCode) checkLimit('MAX_APK_BYTES', found.source.size, `${found.role} size`, undefined, found.path);
      if (!isCode && found.source.size > LIMITS.MAX_POOLED_APK_BYTES) {
        // Too big to copy to a worker: read in place, entry by entry, on this thread.
        const analysis = await analyzeApk(found.source, { watch: pool.rules.watch, path: found.path,
          partition: found.partition, inFirmware: preinstalled, isJar: found.role === 'jar' });
        progress.bytesRead += found.source.size;
        done(found.role === 'jar' && analysis.app.dex.length === 0 ? null : toAppResult(analysis, pool.rules.sigs));
        return;
      }
      const bytes = await readAll(found.source, isCode ? 'MAX_DEX_BYTES' : 'MAX_POOLED_APK_BYTES');
      progress.bytesRead += bytes.length;
      // Named in locations relative to the app's folder: "oat/arm64/Foo.vdex", "arm/Foo.odex".
      const codeName = isCode ? (COMPANION_CODE.exec(found.innerPath)?.[0] ?? found.innerPath).replace(/^\//, '') : undefined;
      await pool.submit({ kind: found.role, bytes, path: found.path, partition: found.partition, inFirmware: preinstalled, codeName }, done);
      return;
    }
    case 'build-prop': {
      const props = parseBuildProp(decoder.decode(await readAll(found.source)));
      const key = found.partition ?? 'unknown';
      state.buildProps.set(key, { ...(state.buildProps.get(key) ?? {}), ...props });
      return;
    }
    case 'permissions-xml':
      mergeGrants(state.privapp, parsePrivappPermissions(decoder.decode(await readAll(found.source))));
      return;
    case 'default-permissions-xml':
      mergeGrants(state.defaultGrants, parseDefaultPermissions(decoder.decode(await readAll(found.source))));
      return;
    case 'config':
    case 'daemon': {
      // Bigger files are firmware blobs or data, not configuration; their strings say little.
      const max = found.role === 'config' ? MAX_TEXT_ENTRY_BYTES : MAX_NATIVE_LIB_BYTES;
      if (found.source.size > max) return;
      const bytes = await found.source.read(0, found.source.size);
      progress.bytesRead += bytes.length;
      mergeEndpoints(state.endpoints, classifyTextEndpoints(bytes, found.path));
      return;
    }
    default:
      return;
  }
}

/**
 * Pre-installed means shipped in a firmware image, or placed in a partition of an unpacked ROM
 * folder; an APK lying loose in a folder of downloads is not.
 */
function isPreinstalled(found: FoundFile, kind: 'firmware' | 'directory'): boolean {
  return kind === 'firmware' || found.partition !== null;
}

function mergeGrants(into: Map<string, Set<string>>, from: Map<string, string[]>): void {
  for (const [pkg, perms] of from) {
    let set = into.get(pkg);
    if (!set) into.set(pkg, (set = new Set()));
    for (const p of perms) set.add(p);
  }
}

/**
 * One flat view of the ROM's properties. Read-only (ro.*) properties keep the first value set,
 * and init loads system before the other partitions, so system's values win; other partitions
 * fill in what system does not set.
 */
function mergeBuildProps(byPartition: Map<string, Record<string, string>>): Record<string, string> {
  const order = [...PARTITIONS, ...[...byPartition.keys()].filter((k) => !(PARTITIONS as readonly string[]).includes(k))];
  const merged: Record<string, string> = {};
  for (const part of order) {
    for (const [k, v] of Object.entries(byPartition.get(part) ?? {})) if (!(k in merged)) merged[k] = v;
  }
  return merged;
}

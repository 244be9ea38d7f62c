// One unit of work for the pool: the bytes of an APK, a jar, or an odexed app's vdex/odex, and
// where it was found. The main thread does the I/O through the container chain; workers only
// parse, so a worker never needs a Source that cannot cross threads.
import { BufferSource } from '../io/source.js';
import type { Anomaly } from '../io/anomaly.js';
import { collectCodeFacts, type CodeFacts } from '../analysis/code-facts.js';
import { parseVdex } from '../android/vdex/parse-vdex.js';
import { parseOat } from '../android/oat/parse-oat.js';
import { analyzeApk, type ApkAnalysis } from './analyze-apk.js';
import { CallGraph, type PackedCalls } from '../analysis/call-graph.js';
import type { AppReport } from '../report/model.js';
import { smsEndpointsFromCode } from '../analysis/sms-numbers.js';
import { mergeEndpoints } from './merge-code-facts.js';
import { mayLinkDataToNetwork } from '../rules/app-traits.js';

export interface ApkTask {
  kind: 'apk' | 'jar' | 'vdex' | 'odex';
  bytes: Uint8Array;
  path: string;
  partition: string | null;
  inFirmware: boolean;
  /** API and field names to report, from the signatures (sent with the task: workers never load rules). */
  watch: Map<string, string>;
  /** For vdex/odex: how the code file is named in locations, e.g. "oat/arm64/Foo.vdex". */
  codeName?: string;
}

/** An analysed APK as the ROM scan holds it until its rules run: the call graph packed. */
export interface AppResult { kind: 'app'; app: AppReport; classNames: string[]; inFirmware: boolean; calls: PackedCalls }
/** Code of an odexed app (vdex/odex), merged into its APK at the end. */
export interface CodeResult { kind: 'code'; facts: Omit<CodeFacts, 'calls'>; calls: PackedCalls; anomalies: Anomaly[] }
export type TaskResult = AppResult | CodeResult | null;

/** Returns null for a jar without code. */
export async function runApkTask(task: ApkTask): Promise<TaskResult> {
  if (task.kind === 'vdex' || task.kind === 'odex') {
    const { dexes, anomalies } = task.kind === 'vdex' ? parseVdex(task.bytes, task.path) : parseOat(task.bytes, task.path);
    const facts = collectCodeFacts(dexes, task.watch);
    mergeEndpoints(facts.endpoints, smsEndpointsFromCode(dexes));
    const { calls, ...rest } = renameDex(facts, task.codeName ?? task.path);
    // Without watched API uses there is no identifier read to link to network code.
    return { kind: 'code', facts: rest, calls: (rest.apis.length ? calls : CallGraph.EMPTY).pack(), anomalies };
  }
  const source = new BufferSource(task.bytes, task.path);
  const analysis = await analyzeApk(source, {
    watch: task.watch, path: task.path, partition: task.partition, inFirmware: task.inFirmware, isJar: task.kind === 'jar',
  });
  if (task.kind === 'jar' && analysis.app.dex.length === 0) return null;
  return toAppResult(analysis);
}

/**
 * The call graph only serves to link data reads to network code (rules/link.ts), so only the
 * graph of an app that could link them is named and packed. A whole-ROM scan holds every such
 * graph until the ROM-level facts (platform key, grants) are known.
 */
export function toAppResult({ app, context }: ApkAnalysis): AppResult {
  const needed = mayLinkDataToNetwork(app);
  return { kind: 'app', app, classNames: context.classNames, inFirmware: context.inFirmware, calls: (needed ? context.calls : CallGraph.EMPTY).pack() };
}

/** "classes.dex" → "oat/arm64/Foo.vdex!/classes.dex" in summaries and every location. */
function renameDex(facts: CodeFacts, container: string): CodeFacts {
  const rename = (n: string) => `${container}!/${n}`;
  for (const d of facts.dex) d.name = rename(d.name);
  for (const e of facts.endpoints) for (const l of e.locations) l.dex = rename(l.dex);
  for (const a of facts.apis) for (const l of a.locations) l.dex = rename(l.dex);
  return facts;
}

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
import { findCodeEvidence, type CodeEvidence } from '../rules/evaluate-app.js';
import { apiWatchList, type Signatures } from '../rules/signatures.js';

export interface ApkTask {
  kind: 'apk' | 'jar' | 'vdex' | 'odex';
  bytes: Uint8Array;
  path: string;
  partition: string | null;
  inFirmware: boolean;
  /** For vdex/odex: how the code file is named in locations, e.g. "oat/arm64/Foo.vdex". */
  codeName?: string;
}

/**
 * What a task needs of the signatures: the API and field names to report, and the rest for the
 * phone-home rule's code search. Made once per thread (a worker gets the signatures as its
 * workerData), not sent with every task.
 */
export interface TaskRules { sigs: Signatures; watch: Map<string, string> }

export function taskRules(sigs: Signatures): TaskRules {
  return { sigs, watch: apiWatchList(sigs) };
}

/**
 * An analysed APK as the ROM scan holds it until its rules run: without its call graph and class
 * list, but with what the rules need from them (`code`) when it has dex code. An app without
 * (odexed: its code is in a vdex/odex found on its own) gets it once that code is merged in.
 */
export interface AppResult { kind: 'app'; app: AppReport; inFirmware: boolean; code: CodeEvidence | null }
/** Code of an odexed app (vdex/odex), merged into its APK at the end. */
export interface CodeResult { kind: 'code'; facts: Omit<CodeFacts, 'calls'>; calls: PackedCalls; anomalies: Anomaly[] }
export type TaskResult = AppResult | CodeResult | null;

/** Returns null for a jar without code. */
export async function runApkTask(task: ApkTask, rules: TaskRules): Promise<TaskResult> {
  if (task.kind === 'vdex' || task.kind === 'odex') {
    const { dexes, anomalies } = task.kind === 'vdex' ? parseVdex(task.bytes, task.path) : parseOat(task.bytes, task.path);
    const facts = collectCodeFacts(dexes, rules.watch);
    mergeEndpoints(facts.endpoints, smsEndpointsFromCode(dexes));
    const { calls, ...rest } = renameDex(facts, task.codeName ?? task.path);
    // Without watched API uses there is no identifier read to link to network code.
    return { kind: 'code', facts: rest, calls: (rest.apis.length ? calls : CallGraph.EMPTY).pack(), anomalies };
  }
  const source = new BufferSource(task.bytes, task.path);
  const analysis = await analyzeApk(source, {
    watch: rules.watch, path: task.path, partition: task.partition, inFirmware: task.inFirmware, isJar: task.kind === 'jar',
  });
  if (task.kind === 'jar' && analysis.app.dex.length === 0) return null;
  return toAppResult(analysis, rules.sigs);
}

/**
 * The call graph and class list only serve rules that need nothing of the ROM around the app, so
 * those parts of the rules run here, on the thread that built them, and they go. (An app that
 * could not link data to the network has its graph neither named nor searched.)
 */
export function toAppResult({ app, context }: ApkAnalysis, sigs: Signatures): AppResult {
  const code = app.dex.length ? findCodeEvidence(app, context.calls, context.classNames, sigs) : null;
  return { kind: 'app', app, inFirmware: context.inFirmware, code };
}

/** "classes.dex" → "oat/arm64/Foo.vdex!/classes.dex" in summaries and every location. */
function renameDex(facts: CodeFacts, container: string): CodeFacts {
  const rename = (n: string) => `${container}!/${n}`;
  for (const d of facts.dex) d.name = rename(d.name);
  for (const e of facts.endpoints) for (const l of e.locations) l.dex = rename(l.dex);
  for (const a of facts.apis) for (const l of a.locations) l.dex = rename(l.dex);
  return facts;
}

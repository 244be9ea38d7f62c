// One unit of work for the pool: the bytes of an APK, a jar, or an odexed app's vdex/odex, and
// where it was found. The main thread does the I/O through the container chain; workers only
// parse, so a worker never needs a Source that cannot cross threads.
import { BufferSource } from '../io/source.js';
import type { Anomaly } from '../io/anomaly.js';
import { collectCodeFacts, type CodeFacts } from '../analysis/code-facts.js';
import { parseVdex } from '../android/vdex/parse-vdex.js';
import { parseOat } from '../android/oat/parse-oat.js';
import { analyzeApk, type ApkAnalysis } from './analyze-apk.js';
import { smsEndpointsFromCode } from '../analysis/sms-numbers.js';
import { mergeEndpoints } from './merge-code-facts.js';

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

export type TaskResult =
  | { kind: 'app'; analysis: ApkAnalysis }
  | { kind: 'code'; facts: CodeFacts; anomalies: Anomaly[] }
  | null;

/** Returns null for a jar without code. */
export async function runApkTask(task: ApkTask): Promise<TaskResult> {
  if (task.kind === 'vdex' || task.kind === 'odex') {
    const { dexes, anomalies } = task.kind === 'vdex' ? parseVdex(task.bytes, task.path) : parseOat(task.bytes, task.path);
    const facts = collectCodeFacts(dexes, task.watch);
    mergeEndpoints(facts.endpoints, smsEndpointsFromCode(dexes));
    if (!facts.apis.length) facts.calls = new Map(); // see dropUnusedCallGraph
    return { kind: 'code', facts: renameDex(facts, task.codeName ?? task.path), anomalies };
  }
  const source = new BufferSource(task.bytes, task.path);
  const analysis = await analyzeApk(source, {
    watch: task.watch, path: task.path, partition: task.partition, inFirmware: task.inFirmware, isJar: task.kind === 'jar',
  });
  if (task.kind === 'jar' && analysis.app.dex.length === 0) return null;
  dropUnusedCallGraph(analysis);
  return { kind: 'app', analysis };
}

/**
 * The call graph only serves to link identifier reads to network code (rules/link.ts), so an app
 * with no watched API use or no endpoint does not need it. Dropping it here keeps a whole-ROM
 * scan, which holds every app's context until the ROM-level facts are known, much smaller.
 */
function dropUnusedCallGraph({ app, context }: ApkAnalysis): void {
  if (!app.apis.length || !app.endpoints.length) context.calls = new Map();
}

/** "classes.dex" → "oat/arm64/Foo.vdex!/classes.dex" in summaries and every location. */
function renameDex(facts: CodeFacts, container: string): CodeFacts {
  const rename = (n: string) => `${container}!/${n}`;
  for (const d of facts.dex) d.name = rename(d.name);
  for (const e of facts.endpoints) for (const l of e.locations) l.dex = rename(l.dex);
  for (const a of facts.apis) for (const l of a.locations) l.dex = rename(l.dex);
  return facts;
}

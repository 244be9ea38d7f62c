// One unit of work for the pool: the bytes of an APK (or jar) and where it was found.
// The main thread does the I/O through the container chain; workers only parse, so a worker
// never needs a Source that cannot cross threads.
import { BufferSource } from '../io/source.js';
import { loadSignatures, apiWatchList } from '../rules/signatures.js';
import { analyzeApk, type ApkAnalysis } from './analyze-apk.js';

export interface ApkTask {
  bytes: Uint8Array;
  path: string;
  partition: string | null;
  inFirmware: boolean;
  /** A jar is scanned only for its code: no manifest expected, skipped when it has no dex. */
  isJar: boolean;
  signaturesDir: string;
}

const watchCache = new Map<string, Map<string, string>>();

function watchFor(dir: string): Map<string, string> {
  let w = watchCache.get(dir);
  if (!w) watchCache.set(dir, (w = apiWatchList(loadSignatures(dir))));
  return w;
}

/** Returns null for a jar without code. */
export async function runApkTask(task: ApkTask): Promise<ApkAnalysis | null> {
  const source = new BufferSource(task.bytes, task.path);
  const result = await analyzeApk(source, {
    watch: watchFor(task.signaturesDir), path: task.path, partition: task.partition, inFirmware: task.inFirmware, isJar: task.isJar,
  });
  if (task.isJar && result.app.dex.length === 0) return null;
  return result;
}

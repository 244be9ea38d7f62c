// Piscina worker entry: runs one ApkTask (the default export), or hashes a file (hashFile).
import { Piscina } from 'piscina';
import { runApkTask, taskRules, type ApkTask } from './apk-task.js';
import { sha256Source } from '../io/hash.js';
import { FileSource } from '../io/source.js';
import type { Signatures } from '../rules/signatures.js';

/** The scan's signatures, given to every worker once (apk-pool.ts). */
const rules = taskRules(Piscina.workerData as Signatures);

export default function (task: ApkTask) {
  return runApkTask(task, rules);
}

/** SHA-256 (hex) of the file at `path`. */
export async function hashFile(path: string): Promise<string> {
  const source = await FileSource.open(path);
  try {
    return await sha256Source(source);
  } finally {
    await source.close();
  }
}

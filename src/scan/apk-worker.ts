// Piscina worker entry: runs one ApkTask (the default export), or hashes a file (hashFile).
import { runApkTask, type ApkTask } from './apk-task.js';
import { sha256Source } from '../io/hash.js';
import { FileSource } from '../io/source.js';

export default function (task: ApkTask) {
  return runApkTask(task);
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

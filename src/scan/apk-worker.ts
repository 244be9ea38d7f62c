// Piscina worker entry: runs one ApkTask.
import { runApkTask, type ApkTask } from './apk-task.js';

export default function (task: ApkTask) {
  return runApkTask(task);
}

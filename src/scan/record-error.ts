// The one place parser errors become report entries. A RomscanError is expected damage in the
// input; anything else is a bug in romscan: rethrown when ROMSCAN_STRICT=1 (tests), recorded otherwise
// so that one bad APK never stops a ROM scan.
import { isRomscanError } from '../io/errors/index.js';
import type { ReportError } from '../report/model.js';

const strict = process.env.ROMSCAN_STRICT === '1';

export function toReportError(stage: string, e: unknown, path?: string): ReportError {
  if (isRomscanError(e)) {
    const out: ReportError = { stage, code: e.code, message: e.message };
    if (e.offset !== undefined) out.offset = e.offset;
    if (path !== undefined || e.path !== undefined) out.path = path ?? e.path;
    return out;
  }
  if (strict) throw e;
  const message = e instanceof Error ? `internal error: ${e.message}` : `internal error: ${String(e)}`;
  return path !== undefined ? { stage, code: 'E_INTERNAL', message, path } : { stage, code: 'E_INTERNAL', message };
}

/** Runs `fn`; on failure pushes a ReportError and returns `fallback`. */
export async function attempt<T>(errors: ReportError[], stage: string, fn: () => Promise<T> | T, fallback: T, path?: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    errors.push(toReportError(stage, e, path));
    return fallback;
  }
}

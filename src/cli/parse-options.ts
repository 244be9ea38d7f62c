import { UsageError } from '../io/errors/index.js';
import type { Jobs } from '../scan/apk-pool.js';

export function parseChoice(flag: string, value: string, choices: readonly string[]): string {
  if (!choices.includes(value)) throw new UsageError(`${flag} must be one of ${choices.join(', ')} (got "${value}")`);
  return value;
}

/** Without --jobs, or with --jobs auto: one lane per core, the workers started once a scan is big enough. */
export function parseJobs(value: string | undefined): Jobs {
  if (value === undefined || value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--jobs must be auto or an integer from 1 to 256 (got "${value}")`);
  return n;
}

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** signatures/ at the package root (two levels above src/cli or dist/cli). */
export const DEFAULT_SIGNATURES_DIR = fileURLToPath(new URL('../../signatures', import.meta.url));

/**
 * One core is left to this thread's walk and to V8's own compiler and GC threads: on a 2-core
 * machine a single analysing thread already keeps both cores busy, and two worker threads made a
 * scan of the APK corpus or of a 959-APK image slower, not faster (bench/RESULTS.md).
 */
export const DEFAULT_JOBS = Math.max(1, availableParallelism() - 1);

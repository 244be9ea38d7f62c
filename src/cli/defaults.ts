import { fileURLToPath } from 'node:url';

/** signatures/ at the package root (two levels above src/cli or dist/cli). */
export const DEFAULT_SIGNATURES_DIR = fileURLToPath(new URL('../../signatures', import.meta.url));

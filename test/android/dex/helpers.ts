// Shared test helpers: corpus and fixture paths, reading dex entries out of corpus APKs.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const CORPUS = join(here, '..', '..', '..', '..', 'shared', 'corpus');

export function fixture(name: string): string { return join(here, '..', '..', 'fixtures', 'dex', name); }

export function hasTool(name: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** One entry of a corpus APK, inflated by `unzip -p` (the project's zip reader is tested elsewhere). */
export function corpusEntry(apk: string, entry: string, dir = 'apk'): Uint8Array {
  const out = execFileSync('unzip', ['-p', join(CORPUS, dir, apk), entry], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

// Maps a virtual path onto a file under an output folder, refusing anything that could land
// outside it: "..", absolute paths, drive letters, NUL, backslashes used as separators.
import { resolve, sep } from 'node:path';
import { RomscanError } from '../io/errors/index.js';

export class UnsafePathError extends RomscanError {
  constructor(virtualPath: string, why: string) {
    super('E_UNSAFE_PATH', `refusing to write: ${why}`, undefined, virtualPath);
  }
}

/** Components of a virtual path ("a.zip!/system/app/X.apk" → ["a.zip", "system", "app", "X.apk"]). */
export function safeComponents(virtualPath: string): string[] {
  if (virtualPath.includes('\0')) throw new UnsafePathError(virtualPath, 'NUL in name');
  const parts = virtualPath.split('!/').flatMap((p) => p.split(/[/\\]/));
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw new UnsafePathError(virtualPath, '".." component');
    if (/^[A-Za-z]:$/.test(p) || /^[A-Za-z]:/.test(p)) throw new UnsafePathError(virtualPath, 'drive letter');
    out.push(p);
  }
  if (!out.length) throw new UnsafePathError(virtualPath, 'empty name');
  if (/^[\\/]/.test(virtualPath)) throw new UnsafePathError(virtualPath, 'absolute path');
  return out;
}

/** Absolute destination under `outDir`, verified to stay inside it. */
export function destinationFor(outDir: string, virtualPath: string): string {
  const root = resolve(outDir);
  const dest = resolve(root, ...safeComponents(virtualPath));
  if (!dest.startsWith(root + sep)) throw new UnsafePathError(virtualPath, 'resolves outside the output folder');
  return dest;
}

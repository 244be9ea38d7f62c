// Maps a virtual path onto a file under an output folder, refusing anything that could land
// outside it or mean something else on another system: "..", absolute names (inside any container
// level, not only at the start), drive letters, NUL, backslashes (split as separators, as Windows
// would), names made only of dots and spaces (Windows strips trailing dots and spaces, so ".. "
// would become ".."), and Windows device names (CON, NUL, COM1 …) when writing on Windows.
import { resolve, sep } from 'node:path';
import { RomscanError } from '../io/errors/index.js';

export class UnsafePathError extends RomscanError {
  constructor(virtualPath: string, why: string) {
    super('E_UNSAFE_PATH', `refusing to write: ${why}`, undefined, virtualPath);
  }
}

/** The file system refused a write (permissions, a full disk, a name too long for it). */
export class ExtractWriteError extends RomscanError {
  constructor(virtualPath: string, e: NodeJS.ErrnoException) {
    super('E_WRITE', `cannot write: ${e.code ?? e.message}`, undefined, virtualPath, { errno: e.code });
  }
}

/** Device names Windows resolves in every folder (with any extension). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\.|$)/i;

/** Components of a virtual path ("a.zip!/system/app/X.apk" → ["a.zip", "system", "app", "X.apk"]). */
export function safeComponents(virtualPath: string, platform: NodeJS.Platform = process.platform): string[] {
  if (virtualPath.includes('\0')) throw new UnsafePathError(virtualPath, 'NUL in name');
  const levels = virtualPath.split('!/');
  const out: string[] = [];
  for (const level of levels) {
    // Each container level names a path inside that container; none may be absolute.
    if (/^[\\/]/.test(level)) throw new UnsafePathError(virtualPath, 'absolute path');
    for (const p of level.split(/[/\\]/)) {
      if (p === '' || p === '.') continue;
      if (p === '..') throw new UnsafePathError(virtualPath, '".." component');
      if (/^[. ]+$/.test(p)) throw new UnsafePathError(virtualPath, `component ${JSON.stringify(p)} is only dots and spaces`);
      if (/^[A-Za-z]:/.test(p)) throw new UnsafePathError(virtualPath, 'drive letter');
      if (platform === 'win32' && (WINDOWS_DEVICE.test(p) || /[<>:"|?*\x01-\x1f]|[. ]$/.test(p))) {
        throw new UnsafePathError(virtualPath, `${JSON.stringify(p)} is not a plain file name on Windows`);
      }
      out.push(p);
    }
  }
  if (!out.length) throw new UnsafePathError(virtualPath, 'empty name');
  return out;
}

/** Absolute destination under `outDir`, verified to stay inside it. */
export function destinationFor(outDir: string, virtualPath: string, platform: NodeJS.Platform = process.platform): string {
  const root = resolve(outDir);
  const dest = resolve(root, ...safeComponents(virtualPath, platform));
  if (!dest.startsWith(root + sep)) throw new UnsafePathError(virtualPath, 'resolves outside the output folder');
  return dest;
}

/**
 * The name as a case-insensitive, Unicode-normalising file system (NTFS, APFS, HFS+, FAT on an
 * SD card) sees it: two names with the same key would be one file there.
 */
export function clashKey(relativePath: string): string {
  return relativePath.normalize('NFC').toLowerCase();
}

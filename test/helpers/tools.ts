// Shared by the fixture builders: finding the Debian tools tests use, and temp folders.
import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Full path of a tool, or null when it is not installed (tests then skip). sbin is searched too: e2fsprogs lives there. */
export function findTool(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin', '/usr/local/bin', '/usr/local/sbin'])) {
    if (!dir) continue;
    try {
      if (lstatSync(join(dir, name)).isFile()) return join(dir, name);
    } catch { /* not here */ }
  }
  return null;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `romscan-${prefix.replace(/^romscan-/, '').replace(/-$/, '')}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// A plain directory tree (an unpacked ROM, or a folder of APKs and images) as a Container.
// Symlinks are reported with their target and never followed, so a link cannot lead the
// walk (or `extract`) outside the tree.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Entry } from '../container.js';
import { FileSource } from '../../io/source.js';
import { UnsupportedError } from '../../io/errors/index.js';
import { LIMITS } from '../../io/limits.js';
import type { Anomaly } from '../../io/anomaly.js';

export function openDirectory(dir: string, path: string): Container {
  const anomalies: Anomaly[] = [];
  return {
    format: 'directory',
    path,
    anomalies,
    async *entries(): AsyncIterable<Entry> {
      let count = 0;
      // Iterative depth-first walk; sorted names give a stable order across runs and machines.
      const stack: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
      while (stack.length) {
        const { rel, depth } = stack.pop()!;
        let names: string[];
        try {
          names = (await readdir(join(dir, rel))).sort();
        } catch (e) {
          anomalies.push({ stage: 'directory', message: `cannot list ${rel || '.'}: ${(e as Error).message}` });
          continue;
        }
        const subdirs: string[] = [];
        for (const n of names) {
          if (++count > LIMITS.MAX_FS_FILES) {
            anomalies.push({ stage: 'directory', message: `stopped after MAX_FS_FILES (${LIMITS.MAX_FS_FILES}) entries` });
            return;
          }
          const name = rel ? `${rel}/${n}` : n;
          const full = join(dir, name);
          const st = await lstat(full).catch(() => null);
          if (!st) continue;
          if (st.isSymbolicLink()) {
            const target = await readlink(full).catch(() => '');
            yield { name, size: 0, type: 'link', linkTarget: target, mode: st.mode, open: () => Promise.reject(new UnsupportedError('a link is not opened', undefined, `${path}/${name}`)) };
          } else if (st.isDirectory()) {
            yield { name, size: 0, type: 'dir', mode: st.mode, open: () => Promise.reject(new UnsupportedError('a directory is not opened', undefined, `${path}/${name}`)) };
            if (depth + 1 < 64) subdirs.push(name);
          } else if (st.isFile()) {
            yield { name, size: st.size, type: 'file', mode: st.mode, open: () => FileSource.open(full, `${path}/${name}`) };
          }
        }
        for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ rel: subdirs[i], depth: depth + 1 });
      }
    },
  };
}

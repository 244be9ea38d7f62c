// Carries out an export the reducer asked for: renders the view, writes the file, reports back.
import { writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { useEffect } from 'react';
import { exportView } from '../export/export-view.js';
import type { Action } from '../state/actions.js';
import type { State } from '../state/state.js';

/** romscan-<view>-20240131-235959.json: names sort by time. */
export function exportFileName(view: string, ext: string, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `romscan-${view}-${stamp}.${ext}`;
}

export function useExport(state: State, dispatch: (a: Action) => void, dir: string): void {
  const pending = state.pendingExport;
  useEffect(() => {
    if (!pending) return;
    let out: { view: string; ext: string; content: string };
    try {
      out = exportView(state, pending.format);
    } catch (e) {
      dispatch({ type: 'exportFailed', message: (e as Error).message });
      return;
    }
    const path = join(dir, exportFileName(out.view, out.ext, new Date()));
    // 'wx': an existing file is never replaced.
    writeFile(path, out.content, { flag: 'wx' })
      .then(() => {
        // Shown in the status bar: short when it is under the current directory.
        const rel = relative(process.cwd(), path);
        dispatch({ type: 'exported', path: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path });
      })
      .catch((e: Error) => dispatch({ type: 'exportFailed', message: e.message }));
    // Only a new request starts an export; the rest of the state is read at that moment.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pending]);
}

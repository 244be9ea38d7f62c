// One self-rewriting progress line on stderr (stdout stays clean for the report).
import type { ScanProgress } from '../scan/progress.js';

/** Redraws at most every 100 ms: faster is unreadable and costs time on big ROMs. */
const REDRAW_MS = 100;

export function progressPrinter(): { update: (p: ScanProgress) => void; finish: () => void } {
  let last = 0;
  let lastLine = '';
  const draw = (p: ScanProgress) => {
    const mb = p.bytesRead / 1e6;
    const secs = Math.max(p.elapsedMs / 1000, 0.001);
    const line = `containers ${p.containers}  apks ${p.apksAnalysed}/${p.apksFound}  ${mb.toFixed(1)} MB  ${(mb / secs).toFixed(1)} MB/s  errors ${p.errors}  ${secs.toFixed(1)} s`;
    const width = process.stderr.columns ?? 100;
    lastLine = line.slice(0, width - 1);
    process.stderr.write(`\r\x1b[K${lastLine}`);
  };
  return {
    update(p) {
      const now = Date.now();
      if (now - last < REDRAW_MS && !p.done) return;
      last = now;
      draw(p);
    },
    finish() {
      if (lastLine) process.stderr.write('\n');
    },
  };
}

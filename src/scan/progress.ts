/** Live counters of a scan, for the stderr progress line and the TUI's progress screen. */
export interface ScanProgress {
  containers: number;
  apksFound: number;
  apksAnalysed: number;
  bytesRead: number;
  errors: number;
  elapsedMs: number;
  current: string | null;
  done: boolean;
}

export function newProgress(): ScanProgress {
  return { containers: 0, apksFound: 0, apksAnalysed: 0, bytesRead: 0, errors: 0, elapsedMs: 0, current: null, done: false };
}

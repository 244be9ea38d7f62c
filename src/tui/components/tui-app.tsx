// Top-level component: the progress screen while load() runs, then the browser on its result.
import { useApp, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { Report } from '../../report/model.js';
import { newProgress, type ScanProgress } from '../../scan/progress.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { buildModel, type TuiModel } from '../model/build-model.js';
import { Browser } from './browser.js';
import { ProgressView } from './progress-view.js';

/** Progress arrives per container and per APK; redrawing more often than this only costs scan time. */
const PROGRESS_REDRAW_MS = 100;

export interface LoadResult { report: Report; base?: Report; diff?: unknown }

export interface TuiAppProps {
  names: string[];
  load: (onProgress: (p: ScanProgress) => void) => Promise<LoadResult>;
  permissionLevels?: Record<string, string>;
  exportDir?: string;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { cols: number; rows: number };
  /** Called once: 'quit' from the browser, 'aborted' when the user quit before load() finished. */
  onExit: (how: 'quit' | 'aborted', error?: unknown) => void;
}

function LoadingKeys({ onQuit }: { onQuit: () => void }) {
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) onQuit();
  });
  return null;
}

export function TuiApp({ names, load, permissionLevels, exportDir, size, onExit }: TuiAppProps) {
  const terminal = useTerminalSize();
  const actual = size ?? terminal;
  const { exit } = useApp();
  const [model, setModel] = useState<TuiModel | null>(null);
  const [progress, setProgress] = useState<ScanProgress>(newProgress);
  const [tick, setTick] = useState(0);
  const [phase, setPhase] = useState(0);
  const latest = useRef<ScanProgress>(newProgress());
  const finished = useRef(false);

  const finish = (how: 'quit' | 'aborted', error?: unknown) => {
    if (finished.current) return;
    finished.current = true;
    onExit(how, error);
    exit();
  };

  useEffect(() => {
    const start = Date.now();
    let alive = true;
    const timer = setInterval(() => {
      const p = latest.current;
      setProgress({ ...p, elapsedMs: Math.max(p.elapsedMs, Date.now() - start) });
      setTick((t) => t + 1);
    }, PROGRESS_REDRAW_MS);
    load((p) => {
      // A diff scans two inputs one after the other; the second scan's clock starts again at zero.
      if (p.elapsedMs < latest.current.elapsedMs) setPhase((n) => n + 1);
      latest.current = { ...p };
    })
      .then((r) => {
        if (!alive) return;
        clearInterval(timer);
        setModel(buildModel({ report: r.report, base: r.base, diff: r.diff, names, permissionLevels }));
      })
      .catch((e: unknown) => {
        clearInterval(timer);
        if (alive) finish('aborted', e);
      });
    return () => { alive = false; clearInterval(timer); };
    // load() runs once per mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (!model) {
    return (
      <>
        <LoadingKeys onQuit={() => finish('aborted')} />
        <ProgressView names={names} phase={phase} progress={progress} cols={actual.cols} tick={tick} />
      </>
    );
  }
  return <Browser model={model} size={actual} exportDir={exportDir} onQuit={() => finish('quit')} />;
}

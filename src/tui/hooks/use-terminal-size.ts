// The terminal's size, following SIGWINCH (Node emits 'resize' on a TTY stdout).
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface Size { cols: number; rows: number }

/** 80×24 when the stream does not know (not a TTY): the size every terminal starts at. */
export function readSize(stdout: { columns?: number; rows?: number }): Size {
  return { cols: stdout.columns || 80, rows: stdout.rows || 24 };
}

export function useTerminalSize(): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => readSize(stdout));
  useEffect(() => {
    const onResize = () => setSize((old) => {
      const next = readSize(stdout);
      return next.cols === old.cols && next.rows === old.rows ? old : next;
    });
    stdout.on('resize', onResize);
    onResize();
    return () => { stdout.off('resize', onResize); };
  }, [stdout]);
  return size;
}

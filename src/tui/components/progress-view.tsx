// The live scan screen shown while an input (not a report) is being scanned.
import { Box, Text } from 'ink';
import type { ScanProgress } from '../../scan/progress.js';
import { fit, formatBytes, formatDuration, sanitize, truncate } from '../text.js';
import { useTheme } from './theme.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function bar(done: number, total: number, width: number): string {
  if (width <= 0) return '';
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const n = Math.round(f * width);
  return '█'.repeat(n) + '░'.repeat(width - n);
}

export function ProgressView({ names, phase = 0, progress, cols, tick }: { names: string[]; phase?: number; progress: ScanProgress; cols: number; tick: number }) {
  const theme = useTheme();
  const p = progress;
  const secs = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = p.bytesRead / secs;
  const label = (s: string) => <Text dimColor={theme.color}>{fit(`  ${s}`, 20)}</Text>;
  const pct = p.apksFound ? Math.floor((p.apksAnalysed / p.apksFound) * 100) : 0;
  const barWidth = Math.max(0, Math.min(30, cols - 42));
  return (
    <Box flexDirection="column" width={cols}>
      <Text bold wrap="truncate">
        <Text color={theme.color ? 'cyanBright' : undefined}>{SPINNER[tick % SPINNER.length]} romscan</Text> scanning {sanitize(names[Math.min(phase, names.length - 1)] ?? '')}
        {names.length > 1 ? <Text dimColor={theme.color}> ({Math.min(phase, names.length - 1) + 1} of {names.length})</Text> : null}
      </Text>
      <Text> </Text>
      <Text wrap="truncate">{label('containers opened')}{p.containers}</Text>
      <Text wrap="truncate">{label('APKs found')}{p.apksFound}</Text>
      <Text wrap="truncate">{label('APKs analysed')}{p.apksAnalysed}{p.apksFound ? ` / ${p.apksFound}  ` : ''}<Text color={theme.color ? 'green' : undefined}>{p.apksFound ? bar(p.apksAnalysed, p.apksFound, barWidth) : ''}</Text>{p.apksFound ? ` ${pct}%` : ''}</Text>
      <Text wrap="truncate">{label('read')}{formatBytes(p.bytesRead)}  ({formatBytes(rate)}/s)</Text>
      <Text wrap="truncate">{label('errors so far')}<Text color={p.errors && theme.color ? 'red' : undefined} bold={p.errors > 0}>{p.errors}</Text></Text>
      <Text wrap="truncate">{label('elapsed')}{formatDuration(p.elapsedMs)}</Text>
      <Text wrap="truncate">{label('now')}<Text dimColor={theme.color}>{p.current ? truncate(sanitize(p.current), Math.max(0, cols - 20)) : '—'}</Text></Text>
      <Text> </Text>
      <Text dimColor wrap="truncate">  the browser opens when the scan is done · q or Ctrl+C quits</Text>
    </Box>
  );
}

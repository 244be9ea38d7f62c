// One screen row: segments cut or padded to exactly `width` columns, so rows never wrap and a
// highlighted cursor row spans the whole pane.
import { memo } from 'react';
import { Text } from 'ink';
import { fitSegs, segsWidth, type Line } from '../model/line.js';
import { useTheme } from './theme.js';

export type Highlight = 'none' | 'focused' | 'unfocused';

export const LineRow = memo(function LineRow({ line, width, highlight = 'none' }: { line: Line | undefined; width: number; highlight?: Highlight }) {
  const theme = useTheme();
  if (!line || width <= 0) return <Text>{' '.repeat(Math.max(0, width))}</Text>;
  const segs = fitSegs(line.segs, width);
  const pad = ' '.repeat(Math.max(0, width - segsWidth(segs)));
  const inverse = highlight !== 'none';
  // An unfocused pane still shows where its cursor is, but quieter than the focused one.
  const dim = highlight === 'unfocused';
  return (
    <Text wrap="truncate" inverse={inverse} dimColor={dim}>
      {segs.map((s, i) => {
        const st = theme.tone(s.tone);
        return <Text key={i} color={inverse ? undefined : st.color} bold={st.bold || s.bold} dimColor={!inverse && st.dimColor}>{s.text}</Text>;
      })}
      {pad}
    </Text>
  );
});

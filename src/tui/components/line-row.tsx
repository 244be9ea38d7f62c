// One screen row: segments cut to `width` columns so rows never wrap. Only the highlighted cursor
// row is padded (its bar spans the pane); other rows are not, because Ink's output pass costs time
// per character drawn, and trailing spaces are most of a sparse screen.
import { memo } from 'react';
import { Text } from 'ink';
import { fitSegs, segsWidth, type Line } from '../model/line.js';
import { useTheme } from './theme.js';

export type Highlight = 'none' | 'focused' | 'unfocused';

export const LineRow = memo(function LineRow({ line, width, highlight = 'none' }: { line: Line | undefined; width: number; highlight?: Highlight }) {
  const theme = useTheme();
  const inverse = highlight !== 'none';
  // An empty Text has no height in Ink's layout; every row must be one row tall, so blank lines hold a space.
  if (!line || width <= 0) return <Text>{inverse ? ' '.repeat(Math.max(1, width)) : ' '}</Text>;
  const segs = fitSegs(line.segs, width);
  const used = segsWidth(segs);
  const pad = inverse ? ' '.repeat(Math.max(0, width - used)) : used === 0 ? ' ' : '';
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

// Left list + right content, as lazygit lays out a panel: a title row over each, a rule between,
// the focused pane's title highlighted. Used by findings, diff and the app detail.
import { Box, Text } from 'ink';
import type { PaneInfo } from '../state/panes.js';
import { fit } from '../text.js';
import { LinePane } from './line-pane.js';
import { useTheme } from './theme.js';

function Title({ text, width, focused, position }: { text: string; width: number; focused: boolean; position: string }) {
  const theme = useTheme();
  const title = fit(` ${text}`, Math.max(0, width - position.length - 1));
  return (
    <Text wrap="truncate" bold={focused} inverse={focused} color={!focused && theme.color ? 'blueBright' : undefined}>
      {title}{' '}{position}
    </Text>
  );
}

export function TwoPaneView({ panes, focus, height }: { panes: PaneInfo[]; focus: number; height: number }) {
  const [left, right] = panes as [PaneInfo, PaneInfo];
  const pos = (p: PaneInfo) => (p.length > p.height ? `${p.state.cursor + 1}/${p.length}` : '');
  return (
    <Box flexDirection="row" height={height}>
      <Box flexDirection="column" width={left.width}>
        <Title text={left.title} width={left.width} focused={focus === 0} position={pos(left)} />
        <LinePane pane={left} focused={focus === 0} />
      </Box>
      <Box flexDirection="column" width={1}>
        <Text dimColor>{Array.from({ length: height }, () => '│').join('\n')}</Text>
      </Box>
      <Box flexDirection="column" width={right.width}>
        <Title text={right.title} width={right.width} focused={focus === 1} position={pos(right)} />
        <LinePane pane={right} focused={focus === 1} />
      </Box>
    </Box>
  );
}

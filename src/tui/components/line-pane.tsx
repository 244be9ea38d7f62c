// A scrolling pane of lines. Only the rows on screen are rendered (a findings pane may hold tens
// of thousands of lines), and it always draws exactly `height` rows so the layout never jumps.
import { Box } from 'ink';
import { visibleScroll, type PaneInfo } from '../state/panes.js';
import { LineRow } from './line-row.js';

export function LinePane({ pane, focused }: { pane: PaneInfo; focused: boolean }) {
  const lines = pane.lines ?? [];
  const scroll = visibleScroll(pane.state, pane.height, lines.length);
  const rows = [];
  // Rows past the end are not drawn at all: the Box's height keeps the layout.
  const n = Math.min(pane.height, Math.max(0, lines.length - scroll));
  for (let i = 0; i < n; i++) {
    const idx = scroll + i;
    const hl = idx === pane.state.cursor && idx < lines.length ? (focused ? 'focused' : 'unfocused') : 'none';
    rows.push(<LineRow key={i} line={lines[idx]} width={pane.width} highlight={hl} />);
  }
  return <Box flexDirection="column" width={pane.width} height={pane.height}>{rows}</Box>;
}

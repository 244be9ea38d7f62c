// The app list: a header and the visible slice of the filtered rows. Rows are built only for what
// is on screen, so 10,000 apps cost the same per keypress as 20.
import { Box, Text } from 'ink';
import type { AppRow } from '../model/build-model.js';
import { seg, type Line } from '../model/line.js';
import { SEVERITY_LABEL, SEVERITY_TONE } from '../model/overview-lines.js';
import { visibleScroll, type PaneInfo } from '../state/panes.js';
import type { State } from '../state/state.js';
import { fit } from '../text.js';
import { LineRow } from './line-row.js';
import { useTheme, type Theme } from './theme.js';

interface Columns { label: number; partition: number; privilege: number; name: number }

export function appColumns(width: number): Columns {
  // risk 6 + severity 5 + findings 5 + gaps; the name takes what is left.
  const fixed = 6 + 5 + 5;
  const partition = width >= 70 ? 11 : 0;
  const privilege = width >= 60 ? 13 : 0;
  const label = width >= 120 ? Math.min(28, Math.floor((width - fixed - partition - privilege) / 3)) : 0;
  return { label, partition, privilege, name: Math.max(8, width - fixed - partition - privilege - label) };
}

export function appRowLine(r: AppRow, c: Columns): Line {
  const segs = [
    seg(fit(String(r.risk), 5, 'right') + ' ', r.risk ? undefined : 'muted'),
    r.worst ? seg(SEVERITY_LABEL[r.worst].padEnd(5), SEVERITY_TONE[r.worst], true) : seg('     '),
    seg(fit(r.name, c.name - 1) + ' ', r.findingCount ? 'accent' : undefined),
  ];
  if (c.label) segs.push(seg(fit(r.label, c.label - 1) + ' ', 'muted'));
  if (c.partition) segs.push(seg(fit(r.partition, c.partition - 1) + ' ', 'muted'));
  if (c.privilege) segs.push(seg(fit(r.privilege, c.privilege - 1) + ' ', r.privilege === 'platform' || r.privilege === 'privileged' ? 'warn' : 'muted'));
  segs.push(seg(fit(r.findingCount ? String(r.findingCount) : '·', 4, 'right'), r.findingCount ? undefined : 'muted'));
  return { segs };
}

/**
 * A row as one Box of fixed-width columns instead of one space-padded string: Ink's output pass
 * costs time per character, and the padding between columns is most of a list row.
 */
function AppRowColumns({ row: r, c }: { row: AppRow; c: Columns }) {
  const theme = useTheme();
  const t = (tone: Parameters<Theme['tone']>[0]) => theme.tone(tone);
  const sev = r.worst ? t(SEVERITY_TONE[r.worst]) : {};
  const priv = r.privilege === 'platform' || r.privilege === 'privileged' ? t('warn') : t('muted');
  return (
    <Box height={1}>
      <Box width={6} justifyContent="flex-end" paddingRight={1}><Text dimColor={!r.risk && theme.color}>{r.risk}</Text></Box>
      <Box width={5}><Text color={sev.color} bold>{r.worst ? SEVERITY_LABEL[r.worst] : ''}</Text></Box>
      <Box width={c.name} paddingRight={1}><Text color={r.findingCount ? t('accent').color : undefined} wrap="truncate">{r.name}</Text></Box>
      {c.label ? <Box width={c.label} paddingRight={1}><Text dimColor={theme.color} wrap="truncate">{r.label}</Text></Box> : null}
      {c.partition ? <Box width={c.partition} paddingRight={1}><Text dimColor={theme.color} wrap="truncate">{r.partition}</Text></Box> : null}
      {c.privilege ? <Box width={c.privilege} paddingRight={1}><Text color={priv.color} dimColor={priv.dimColor} wrap="truncate">{r.privilege}</Text></Box> : null}
      <Box width={4} justifyContent="flex-end"><Text dimColor={!r.findingCount && theme.color}>{r.findingCount || '·'}</Text></Box>
    </Box>
  );
}

export function AppsView({ state, pane }: { state: State; pane: PaneInfo }) {
  const c = appColumns(pane.width);
  const { rows: visible } = state.apps;
  const scroll = visibleScroll(pane.state, pane.height, visible.length);
  const arrow = state.apps.reversed ? '↑' : '↓';
  const mark = (k: string) => (state.apps.sort === k ? arrow : ' ');
  const header = fit(`${mark('risk')}risk`, 5, 'right') + ' sev  ' + fit(`${mark('name')}package`, c.name)
    + (c.label ? fit('label', c.label) : '') + (c.partition ? fit(`${mark('partition')}partition`, c.partition) : '')
    + (c.privilege ? fit(`${mark('privilege')}privilege`, c.privilege) : '') + fit('find', 4, 'right');
  const rows = [];
  const n = Math.min(pane.height, Math.max(0, visible.length - scroll));
  for (let i = 0; i < n; i++) {
    const idx = scroll + i;
    const appIndex = visible[idx];
    const row = appIndex === undefined ? undefined : state.model.rows[appIndex];
    if (!row) continue;
    if (idx === pane.state.cursor) rows.push(<LineRow key={i} line={appRowLine(row, c)} width={pane.width} highlight="focused" />);
    else rows.push(<AppRowColumns key={i} row={row} c={c} />);
  }
  const empty = !visible.length;
  return (
    <Box flexDirection="column" height={pane.height + 1}>
      <Text bold wrap="truncate">{fit(header, pane.width)}</Text>
      {empty
        ? <Box height={pane.height} flexDirection="column"><Text dimColor wrap="truncate">{state.model.rows.length ? '  no app matches the search and filters (Esc clears the search, f → x clears filters)' : '  this report has no apps'}</Text></Box>
        : rows}
    </Box>
  );
}

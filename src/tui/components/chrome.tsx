// The frame around every screen: tab bar on top, status line and key hints at the bottom, and the
// bottom-anchored menu box for sort / filter / export.
import { Box, Text } from 'ink';
import { DETAIL_SECTIONS } from '../model/app-detail-lines.js';
import { keyHints } from '../model/help-lines.js';
import { describeFilters } from '../state/app-rows.js';
import { MENU_TITLES, menuItems } from '../state/menus.js';
import { currentView, detailRow, topDetail, viewPanes } from '../state/panes.js';
import type { State, Tab } from '../state/state.js';
import { fit, sanitize, textWidth, truncate } from '../text.js';
import { useTheme } from './theme.js';

const TAB_NAMES: Record<Tab, string> = { overview: 'Overview', apps: 'Apps', findings: 'Findings', diff: 'Diff' };

export function TabBar({ state }: { state: State }) {
  const theme = useTheme();
  const m = state.model;
  const tabs: [Tab, string, string][] = [
    ['overview', '1', ''], ['apps', '2', ` ${m.rows.length}`], ['findings', '3', ` ${m.findingTotal}`],
  ];
  if (m.diff) tabs.push(['diff', '4', '']);
  let used = 8;
  const parts = tabs.map(([tab, key, count]) => {
    const active = state.tab === tab;
    const text = ` ${key} ${TAB_NAMES[tab]}${count} `;
    used += textWidth(text) + 1;
    return (
      <Text key={tab} inverse={active} bold={active} color={active || !theme.color ? undefined : 'blueBright'}>{text}</Text>
    );
  });
  // File names, not paths: the tab bar has little room and the overview shows the rest.
  const name = sanitize(m.names.map((n) => n.replace(/\/+$/, '').split('/').pop() || n).join(' → '));
  const rest = Math.max(0, state.cols - used - 1);
  return (
    <Box height={1} width={state.cols}>
      <Text wrap="truncate">
        <Text bold color={theme.color ? 'cyanBright' : undefined}>romscan </Text>
        {parts.flatMap((p, i) => [p, <Text key={`s${i}`}> </Text>])}
        <Text dimColor>{fit(truncate(name, rest), rest, 'right')}</Text>
      </Text>
    </Box>
  );
}

/** Where the user is, e.g. "Apps › com.example.app › Permissions". */
export function breadcrumb(state: State): string {
  const parts: string[] = [TAB_NAMES[state.tab]];
  for (const d of state.stack) {
    const row = detailRow(state, d);
    parts.push(`${d.source === 'base' ? 'base: ' : ''}${row ? row.name : '?'}`);
  }
  const d = topDetail(state);
  if (d) parts.push(DETAIL_SECTIONS[Math.min(d.sections.cursor, DETAIL_SECTIONS.length - 1)]!);
  if (state.help) parts.push('Help');
  return parts.join(' › ');
}

export function StatusBar({ state }: { state: State }) {
  const theme = useTheme();
  const view = currentView(state);
  const vp = viewPanes(state);
  const pane = vp.panes[vp.focus]!;
  const position = pane.length ? `${Math.min(pane.state.cursor + 1, pane.length)}/${pane.length}` : '0/0';
  let left: string;
  let tone: 'info' | 'error' | 'prompt' = 'info';
  if (state.search) {
    left = `/${state.search.draft}▏`;
    tone = 'prompt';
  } else if (state.message) {
    left = state.message.text;
    tone = state.message.tone;
  } else {
    left = breadcrumb(state);
    if (view === 'apps') {
      const f = describeFilters(state.apps.filters);
      if (state.apps.query) f.unshift(`“${state.apps.query}”`);
      if (f.length) left += `  [${f.join(', ')}]`;
    }
  }
  const right = ` ${position} `;
  const width = state.cols;
  const leftFit = fit(` ${sanitize(left)}`, Math.max(0, width - right.length));
  const hints = keyHints(view, { twoPane: vp.panes.length === 2, hasDiff: !!state.model.diff, inDetail: state.stack.length > 0 });
  const searchHints = 'type to search  Enter accept  Esc cancel  ↑↓ move';
  return (
    <Box flexDirection="column" height={2} width={width}>
      <Text wrap="truncate" inverse={tone !== 'error' || !theme.color} color={tone === 'error' && theme.color ? 'red' : undefined} bold={tone === 'prompt'}>
        {leftFit}{right}
      </Text>
      <Text wrap="truncate" dimColor>{fit(` ${state.search ? searchHints : state.menu ? 'letter or Enter choose  ↑↓ move  Esc close' : hints}`, width)}</Text>
    </Box>
  );
}

export function MenuBox({ state }: { state: State }) {
  if (!state.menu) return null;
  const items = menuItems(state.menu.kind, state);
  const width = Math.min(state.cols, 48);
  return (
    <Box flexDirection="column" borderStyle="round" width={width} height={items.length + 3}>
      <Text bold wrap="truncate">{fit(` ${MENU_TITLES[state.menu.kind]}`, width - 2)}</Text>
      {items.map((it, i) => {
        const text = fit(` ${it.checked ? '●' : ' '} ${it.hotkey}  ${it.label}`, width - 2);
        return <Text key={it.hotkey} inverse={i === state.menu!.cursor} wrap="truncate">{text}</Text>;
      })}
    </Box>
  );
}

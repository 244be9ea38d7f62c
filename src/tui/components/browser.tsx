// The report browser: owns the state, wires the hooks, and picks the view for the current screen.
import { Box, Text } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useBrowserKeys } from '../hooks/use-browser-keys.js';
import { useExport } from '../hooks/use-export.js';
import type { TuiModel } from '../model/build-model.js';
import type { Action } from '../state/actions.js';
import { bodyHeight, MIN_COLS, MIN_ROWS, tooSmall } from '../state/layout.js';
import { menuItems } from '../state/menus.js';
import { viewPanes } from '../state/panes.js';
import { initialState, reducer } from '../state/reducer.js';
import type { State } from '../state/state.js';
import { AppsView } from './apps-view.js';
import { MenuBox, StatusBar, TabBar } from './chrome.js';
import { LinePane } from './line-pane.js';
import { TwoPaneView } from './two-pane-view.js';

export interface BrowserProps {
  model: TuiModel;
  size: { cols: number; rows: number };
  /** Where `e` writes files (default: the current directory). */
  exportDir?: string;
  onQuit?: () => void;
  /** Test hook: the state after every commit. */
  onState?: (s: State) => void;
}

export function BrowserView({ state }: { state: State }) {
  if (tooSmall(state.cols, state.rows)) {
    return <Text wrap="truncate">terminal too small ({state.cols}×{state.rows}); romscan needs {MIN_COLS}×{MIN_ROWS} — q quits</Text>;
  }
  const vp = viewPanes(state);
  const body = bodyHeight(state, state.menu ? menuItems(state.menu.kind, state).length : 0);
  let view;
  if (vp.view === 'apps') view = <AppsView state={state} pane={vp.panes[0]!} />;
  else if (vp.panes.length === 2) view = <TwoPaneView panes={vp.panes} focus={vp.focus} height={body} />;
  else view = <LinePane pane={vp.panes[0]!} focused />;
  return (
    <Box flexDirection="column" width={state.cols}>
      <TabBar state={state} />
      <Box height={body} flexDirection="column">{view}</Box>
      <MenuBox state={state} />
      <StatusBar state={state} />
    </Box>
  );
}

export function Browser({ model, size, exportDir = process.cwd(), onQuit, onState }: BrowserProps) {
  const [state, setState] = useState(() => initialState(model, size));
  const ref = useRef(state);
  const commit = useCallback((s: State) => {
    ref.current = s;
    setState(s);
    onState?.(s);
  }, [onState]);
  const dispatch = useCallback((a: Action) => commit(reducer(ref.current, a)), [commit]);

  useBrowserKeys(ref, commit, !state.quit);
  useExport(state, dispatch, exportDir);
  useEffect(() => { dispatch({ type: 'resize', cols: size.cols, rows: size.rows }); }, [size.cols, size.rows, dispatch]);
  useEffect(() => { if (state.quit) onQuit?.(); }, [state.quit, onQuit]);

  return <BrowserView state={state} />;
}

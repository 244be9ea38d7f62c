// Screen geometry, shared by the reducer (page size, keeping the cursor visible) and the views
// (how many rows to draw), so the two never disagree about what is on screen.
//
//   row 0            tab bar
//   rows 1..n        body (a menu, when open, takes rows from the bottom of the body)
//   2 rows           status line + key hints
//   1 row            left empty: when its output fills the terminal, Ink clears the whole screen
//                    (and the scrollback) before every frame; one row less and it just rewrites its lines.
import type { State } from './state.js';

export const TAB_BAR_ROWS = 1;
export const STATUS_ROWS = 2;
export const SPARE_ROWS = 1;
/** Below this the layout cannot show a list; the views say so instead of drawing garbage. */
export const MIN_COLS = 40;
export const MIN_ROWS = 8;

export function tooSmall(cols: number, rows: number): boolean {
  return cols < MIN_COLS || rows < MIN_ROWS;
}

export function menuRows(menuLength: number): number {
  return menuLength ? menuLength + 3 : 0; // a bordered box with a title row
}

export function bodyHeight(s: Pick<State, 'rows'>, menuLength = 0): number {
  return Math.max(1, s.rows - TAB_BAR_ROWS - STATUS_ROWS - SPARE_ROWS - menuRows(menuLength));
}

export function leftPaneWidth(cols: number): number {
  return Math.max(14, Math.min(34, Math.floor(cols * 0.3)));
}

export function rightPaneWidth(cols: number): number {
  return Math.max(10, cols - leftPaneWidth(cols) - 1); // 1: the separator column
}

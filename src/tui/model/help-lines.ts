// The help screen and the per-screen key hints of the status bar. Both are written from the same
// table so they cannot disagree about what a key does.
import type { ViewId } from '../state/state.js';
import { SEVERITY_WEIGHT, PRIVILEGE_WEIGHT } from './build-model.js';
import { line, seg, type Line } from './line.js';

const KEYS: [string, string][] = [
  ['1 2 3 4', 'overview, apps, findings, diff (when comparing two reports)'],
  ['↑ ↓  j k', 'move'],
  ['PgUp PgDn  ^B ^F', 'page up / down   (^U ^D half a page)'],
  ['g G  Home End', 'first / last'],
  ['Enter', 'open the app under the cursor (or go to the right-hand pane)'],
  ['Esc  Backspace', 'back; in the app list, clear the search'],
  ['Tab  ← →  h l', 'switch between the left and right panes'],
  ['/', 'search: filters the app list as you type; elsewhere finds text in the (right-hand) pane'],
  ['n N', 'next / previous match'],
  ['s', 'sort the app list: risk, name, partition, privilege (again: reverse)'],
  ['f', 'filter the app list: privileged only, with findings, minimum severity'],
  ['e', 'export the current view to a JSON or Markdown file in the current directory'],
  ['?', 'this help'],
  ['q  ^C', 'quit'],
];

export function helpLines(): Line[] {
  const out: Line[] = [line(seg('KEYS', 'heading', true))];
  for (const [k, v] of KEYS) out.push({ ...line(seg(`  ${k.padEnd(18)}`, 'accent'), seg(v)), hang: 20 });
  out.push(line(''), line(seg('RISK', 'heading', true)));
  out.push(line(seg(`  Sum over the app's findings: ${Object.entries(SEVERITY_WEIGHT).reverse().map(([s, w]) => `${s} ${w}`).join(', ')};`)));
  out.push(line(seg(`  plus ${PRIVILEGE_WEIGHT.platform} if platform-signed, ${PRIVILEGE_WEIGHT.privileged} if privileged.`)));
  out.push(line(''), line(seg('PRIVILEGE', 'heading', true)));
  out.push(line(seg('  platform      signed with the platform key (runs with system powers)')));
  out.push(line(seg('  privileged    in a priv-app directory (can hold signature|privileged permissions)')));
  out.push(line(seg('  preinstalled  on a read-only partition, not privileged')));
  out.push(line(seg('  user          a plain APK (or on /data)')));
  out.push(line(''), line(seg('MARKS', 'heading', true)));
  out.push(line(seg('  E', 'bad', true), seg('  exported component (yellow when a permission guards it)')));
  out.push(line(seg('  [pre-granted]', 'bad', true), seg('  runtime permission granted by default-permissions XML')));
  out.push(line(''), line(seg('Colours follow NO_COLOR; severities are always spelled out as well.', 'muted')));
  return out;
}

/** Keys that do something on this screen, shortest first, for the status bar. */
export function keyHints(view: ViewId, opts: { twoPane: boolean; hasDiff: boolean; inDetail: boolean }): string {
  const h: string[] = [];
  if (view === 'help') return 'j/k scroll  / search  Esc close  q quit';
  h.push('j/k move');
  if (view === 'apps') h.push('Enter open', '/ search', 's sort', 'f filter');
  else if (view === 'overview') h.push('Enter open', '/ find');
  else h.push('Enter open', 'Tab pane', '/ find');
  if (opts.inDetail || view === 'detail') h.push('Esc back');
  h.push('e export', '? help', 'q quit');
  return h.join('  ');
}

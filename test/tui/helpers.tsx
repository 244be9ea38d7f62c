// Mounting the browser in ink-testing-library and pressing keys. A key press waits for the frame
// it causes (a render flush), never a fixed delay; a key that changes nothing gives up after a
// few event-loop turns.
import React from 'react';
import { render } from 'ink-testing-library';
import { Browser } from '../../src/tui/components/browser.js';
import { makeTheme, ThemeContext } from '../../src/tui/components/theme.js';
import type { TuiModel } from '../../src/tui/model/build-model.js';
import type { State } from '../../src/tui/state/state.js';

export const KEY = { enter: '\r', esc: '\x1b', tab: '\t', backspace: '\x7f', up: '\x1b[A', down: '\x1b[B', pgdn: '\x1b[6~', pgup: '\x1b[5~' };

export const tick = () => new Promise<void>((r) => setImmediate(r));

export async function waitFor(cond: () => boolean, turns = 200): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await tick();
}

/** For frames driven by a timer (the progress screen redraws on an interval): polls up to `ms`. */
export async function waitForTimer(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise<void>((r) => setTimeout(r, 5));
}

export interface Mounted {
  frame: () => string;
  lines: () => string[];
  press: (...keys: string[]) => Promise<void>;
  type: (text: string) => Promise<void>;
  state: () => State;
  resize: (cols: number, rows: number) => Promise<void>;
  unmount: () => void;
}

export async function mount(model: TuiModel, opts: { cols?: number; rows?: number; color?: boolean; exportDir?: string } = {}): Promise<Mounted> {
  let last: State | null = null;
  let size = { cols: opts.cols ?? 80, rows: opts.rows ?? 24 };
  const el = () => (
    <ThemeContext.Provider value={makeTheme(opts.color ?? true)}>
      <Browser model={model} size={size} exportDir={opts.exportDir} onState={(s) => { last = s; }} />
    </ThemeContext.Provider>
  );
  const r = render(el());
  await waitFor(() => r.frames.length > 0);
  // Passive effects (the input subscription) run after the first paint.
  for (let i = 0; i < 3; i++) await tick();
  const press1 = async (k: string) => {
    const n = r.frames.length;
    r.stdin.write(k);
    await waitFor(() => r.frames.length > n, 20);
  };
  return {
    frame: () => r.lastFrame() ?? '',
    lines: () => (r.lastFrame() ?? '').split('\n'),
    press: async (...keys) => { for (const k of keys) await press1(k); },
    type: async (text) => { for (const ch of text) await press1(ch); },
    state: () => { if (!last) throw new Error('no state committed yet'); return last; },
    resize: async (cols, rows) => {
      size = { cols, rows };
      const n = r.frames.length;
      r.rerender(el());
      await waitFor(() => r.frames.length > n + 1, 20);
    },
    unmount: () => r.unmount(),
  };
}

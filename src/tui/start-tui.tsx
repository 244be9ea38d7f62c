// Mounts the TUI: the progress screen while load() scans (or reads a report), then the browser,
// on the terminal's alternate screen so quitting gives the shell back untouched. Loaded by
// run-tui.ts after it has chosen React's production build.
import { readFileSync } from 'node:fs';
import { render } from 'ink';
import { colorEnabled, makeTheme, ThemeContext } from './components/theme.js';
import { TuiApp } from './components/tui-app.js';

import type { TuiInput } from './run-tui.js';

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';

/** permission → protectionLevel from signatures/permissions.json; empty if it cannot be read. */
function readPermissionLevels(dir: string | undefined): Record<string, string> {
  try {
    const file = dir ? `${dir.replace(/\/$/, '')}/permissions.json` : new URL('../../signatures/permissions.json', import.meta.url);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { permissions?: { name?: unknown; protectionLevel?: unknown }[] };
    const out: Record<string, string> = {};
    for (const p of data.permissions ?? []) {
      if (typeof p.name === 'string' && typeof p.protectionLevel === 'string') out[p.name] = p.protectionLevel;
    }
    return out;
  } catch {
    return {}; // the report's own declared permissions and the built-in list still apply
  }
}

export async function startTui(input: TuiInput): Promise<void> {
  const stdout = process.stdout;
  const alt = stdout.isTTY === true;
  let outcome: { how: 'quit' | 'aborted'; error?: unknown } = { how: 'quit' };
  // Leave the alternate screen however the process ends (a crash, SIGTERM), not only on q.
  let onAlt = false;
  const leaveAlt = () => { if (onAlt) { onAlt = false; stdout.write(ALT_SCREEN_OFF); } };
  if (alt) { stdout.write(ALT_SCREEN_ON); onAlt = true; process.once('exit', leaveAlt); }
  const instance = render(
    <ThemeContext.Provider value={makeTheme(colorEnabled())}>
      <TuiApp
        names={input.names}
        load={input.load}
        permissionLevels={readPermissionLevels(input.signaturesDir)}
        exportDir={input.exportDir}
        onExit={(how, error) => { outcome = { how, error }; }}
      />
    </ThemeContext.Provider>,
    // Ctrl+C is a key like q (so the terminal is restored the same way); redraws up to 60/s keep
    // held arrow keys smooth. Not incrementalRendering: in Ink 6.8 it moves the cursor one row
    // short when the output ends in a newline (ours does), and the screen drifts down a row per
    // frame. Ink wraps every redraw in synchronized-output marks, so supporting terminals do not flicker.
    { exitOnCtrlC: false, maxFps: 60 },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    instance.cleanup();
    leaveAlt();
    process.removeListener('exit', leaveAlt);
  }
  if (outcome.error !== undefined) throw outcome.error;
  if (outcome.how === 'aborted') {
    // The user quit while the scan was running. load() has no way to be cancelled and its worker
    // threads would keep the process alive, so end it here, with the usual code for an interrupt.
    process.exit(130);
  }
}

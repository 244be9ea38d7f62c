// End to end: the built CLI (`node dist/cli/main.js tui …`) in a real terminal (tmux, 80×24),
// driven with send-keys and checked on captured screens. Builds nothing: run `npm run build`
// (npm ci does) first; skips when dist/ or tmux is missing. ROMSCAN_BIN overrides the CLI path.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeReport, makeSmallReport } from './fixtures/make-report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.ROMSCAN_BIN ?? join(ROOT, 'dist/cli/main.js');
/** One tmux server per session: kill-server returns before the server is gone, and a new session
 * started on the same socket meanwhile fails with "server exited unexpectedly". */
let sessions = 0;
let socket = '';
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = !existsSync(BIN) ? `${BIN} is missing (run npm run build first)` : !hasTmux ? 'tmux is not installed (apt-get install tmux)' : false;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'tui');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the pane until `re` matches (the TUI redraws asynchronously); fails with the last screen. */
async function waitScreen(re: RegExp, what: string, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = screen();
    if (re.test(last)) return last;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what} (${re}); screen was:\n${last}`);
}

/** Keys by tmux name (Enter, Escape, Tab) or literal text with `lit`. */
function keys(...k: string[]): void { tmux('send-keys', '-t', 'tui', ...k); }
function lit(text: string): void { tmux('send-keys', '-t', 'tui', '-l', text); }

function start(args: string[]): void {
  // CI=true makes Ink print only the last frame on exit (it assumes no terminal), so the child
  // gets a clean environment; NO_COLOR is unset so the colour path runs too.
  const cmd = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', '-u', 'NO_COLOR', 'TERM=xterm-256color',
    process.execPath, BIN, 'tui', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  socket = `romscan-tui-test-${process.pid}-${++sessions}`;
  tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', `${cmd}; echo "romscan exited with $?"; sleep 60`);
}

function stop(): void {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
}

describe('romscan tui in tmux', { skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'romscan-tui-tmux-'));
    writeFileSync(join(dir, 'global.json'), JSON.stringify(makeSmallReport()));
    const cn = makeReport(10, { name: 'rom-cn.zip', region: 'CN' });
    cn.apps[3]!.permissions.requested.push('android.permission.READ_SMS');
    writeFileSync(join(dir, 'cn.json'), JSON.stringify(cn));
  });
  after(() => {
    stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('opens a report, searches, opens an app, goes back, quits', async () => {
    start([join(dir, 'global.json')]);
    try {
      let s = await waitScreen(/DEVICE[\s\S]*Model\s+Phone X/, 'the overview');
      assert.match(s.split('\n')[0]!, /^romscan\s+1 Overview\s+2 Apps 12\s+3 Findings 7/);
      keys('2');
      s = await waitScreen(/↓risk sev/, 'the app list');
      assert.match(s, /105 CRIT com\.vendor0\.app00000/);
      keys('/');
      lit('app0001');
      s = await waitScreen(/\/app0001▏/, 'the search prompt');
      await waitScreen(/com\.vendor11\.app00011[\s\S]*com\.vendor10\.app00010/, 'the filtered list');
      s = screen();
      assert.doesNotMatch(s, /com\.vendor0\.app00000/, 'the search filters the list');
      keys('Enter');
      await waitScreen(/2 of 12 apps/, 'the search accepted');
      keys('Enter');
      s = await waitScreen(/│ Manifest[\s\S]*Package\s+com\.vendor11\.app00011/, 'the app detail');
      assert.match(s, /Apps › com\.vendor11\.app00011 › Manifest/);
      keys('j');
      await waitScreen(/│ Permissions[\s\S]*REQUESTED/, 'the permissions section');
      keys('Escape');
      s = await waitScreen(/↓risk sev[\s\S]*Apps\s+\[“app0001”\]/, 'back on the filtered list');
      // The terminal grows: the layout follows (status bar on the new second-to-last row, a label column).
      tmux('resize-window', '-t', 'tui', '-x', '130', '-y', '30');
      s = await waitScreen(/package +label +partition/, 'the wider layout');
      assert.match(s.split('\n')[27]!, /^ Apps {2}\[“app0001”\] +1\/2$/);
      keys('q');
      s = await waitScreen(/romscan exited with 0/, 'the exit');
      assert.doesNotMatch(s, /↓risk sev/, 'the alternate screen is gone after quitting');
    } finally {
      stop();
    }
  });

  test('opens a diff of two reports, browses it, quits', async () => {
    start(['--diff', join(dir, 'cn.json'), join(dir, 'global.json')]);
    try {
      let s = await waitScreen(/4 Diff/, 'the tab bar with a diff tab');
      keys('4');
      s = await waitScreen(/Added apps[\s\S]*Removed apps[\s\S]*Changed apps/, 'the diff screen');
      assert.match(s, /build\.prop/);
      keys('j', 'j');
      s = await waitScreen(/│ Changed apps/, 'the changed apps');
      assert.match(s, /~ com\.vendor0\.app00000/);
      keys('/');
      lit('READ_SMS');
      keys('Enter');
      s = await waitScreen(/- android\.permission\.READ_SMS/, 'the permission the CN build added, gone in global');
      assert.match(s, /~ com\.vendor3\.app00003/);
      keys('h', 'G');
      s = await waitScreen(/│ build\.prop/, 'the build.prop changes');
      assert.match(s, /ro\.product\.locale\.region[\s\S]*- CN[\s\S]*\+ GL/);
      keys('q');
      await waitScreen(/romscan exited with 0/, 'the exit');
    } finally {
      stop();
    }
  });
});

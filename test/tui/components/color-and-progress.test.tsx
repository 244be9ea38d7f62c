// Colour on and off (NO_COLOR), and the progress screen shown while the input is scanned.
// FORCE_COLOR must be set before Ink's chalk is loaded, hence the dynamic imports.
import React from 'react';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanProgress } from '../../../src/scan/progress.js';
import type { Report } from '../../../src/report/model.js';

process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { Browser } = await import('../../../src/tui/components/browser.js');
const { TuiApp } = await import('../../../src/tui/components/tui-app.js');
const { ThemeContext, colorEnabled, makeTheme } = await import('../../../src/tui/components/theme.js');
const { buildModel } = await import('../../../src/tui/model/build-model.js');
const { makeSmallReport } = await import('../fixtures/make-report.js');
const { waitFor, waitForTimer, tick } = await import('../helpers.js');

// eslint-disable-next-line no-control-regex
const COLOR_SGR = /\x1b\[(3[0-7]|9[0-7]|38;|4[0-7]|10[0-7])/;

describe('NO_COLOR', () => {
  test('colorEnabled follows the spec: any non-empty value turns colour off', () => {
    assert.equal(colorEnabled({}), true);
    assert.equal(colorEnabled({ NO_COLOR: '' }), true);
    assert.equal(colorEnabled({ NO_COLOR: '1' }), false);
    assert.equal(colorEnabled({ NO_COLOR: '0' }), false);
  });
  test('with colour the frames carry colour codes; without, none, but the same text and the cursor bar', async () => {
    const frames: Record<string, string> = {};
    for (const color of [true, false]) {
      const r = render(
        <ThemeContext.Provider value={makeTheme(color)}>
          <Browser model={buildModel({ report: makeSmallReport() })} size={{ cols: 80, rows: 24 }} />
        </ThemeContext.Provider>,
      );
      await waitFor(() => r.frames.length > 0);
      for (let i = 0; i < 3; i++) await tick();
      const n = r.frames.length;
      r.stdin.write('2');
      await waitFor(() => r.frames.length > n);
      frames[String(color)] = r.lastFrame()!;
      r.unmount();
    }
    assert.match(frames.true!, COLOR_SGR);
    assert.doesNotMatch(frames.false!, COLOR_SGR);
    assert.match(frames.false!, /\x1b\[7m/, 'the cursor row is still shown (inverse)'); // eslint-disable-line no-control-regex
    // eslint-disable-next-line no-control-regex
    const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
    assert.equal(plain(frames.false!), plain(frames.true!));
    assert.match(plain(frames.false!), /105 CRIT com\.vendor0\.app00000/);
  });
});

describe('progress screen', () => {
  test('shows the scan counters, then opens the browser on the report', async () => {
    let report: (r: { report: Report }) => void = () => {};
    let progress: (p: ScanProgress) => void = () => {};
    const exits: string[] = [];
    const r = render(
      <TuiApp names={['rom.zip']} size={{ cols: 80, rows: 24 }} onExit={(how) => exits.push(how)}
        load={(on) => { progress = on; return new Promise((res) => { report = res; }); }} />,
    );
    try {
      await waitFor(() => r.frames.length > 0);
      progress({ containers: 7, apksFound: 40, apksAnalysed: 10, bytesRead: 52_428_800, errors: 2, elapsedMs: 2000, current: 'rom.zip!/system.img!/system/app/Foo/Foo.apk', done: false });
      // eslint-disable-next-line no-control-regex
      const text = () => (r.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '');
      await waitForTimer(() => /APKs analysed\s+10 \/ 40/.test(text()));
      const f = text();
      assert.match(f, /scanning rom\.zip/);
      assert.match(f, /containers opened\s+7/);
      assert.match(f, /APKs found\s+40/);
      assert.match(f, /APKs analysed\s+10 \/ 40 +█+░+ 25%/);
      assert.match(f, /read\s+50 MiB {2}\(\d+(\.\d)? MiB\/s\)/);
      assert.match(f, /errors so far\s+2/);
      assert.match(f, /elapsed\s+\d+\.\ds/);
      assert.match(f, /now\s+rom\.zip!\/system\.img!\/system\/app\/Foo\/Foo\.apk/);
      report({ report: makeSmallReport() });
      await waitForTimer(() => /DEVICE/.test(text()));
      assert.match(text(), /^romscan\s+1 Overview/);
      assert.deepEqual(exits, []);
    } finally {
      r.unmount(); // its progress timer would keep the test process alive after a failure
    }
  });
  test('a failed load ends the app with the error; q during the scan aborts', async () => {
    const seen: [string, unknown][] = [];
    const r1 = render(<TuiApp names={['x']} size={{ cols: 80, rows: 24 }} onExit={(how, e) => seen.push([how, e])}
      load={() => Promise.reject(new Error('x: not a romscan report'))} />);
    await waitFor(() => seen.length > 0, 2000);
    assert.equal(seen[0]![0], 'aborted');
    assert.match(String(seen[0]![1]), /not a romscan report/);
    r1.unmount();
    const seen2: [string, unknown][] = [];
    const r2 = render(<TuiApp names={['x']} size={{ cols: 80, rows: 24 }} onExit={(how, e) => seen2.push([how, e])}
      load={() => new Promise(() => {})} />);
    await waitFor(() => r2.frames.length > 0);
    for (let i = 0; i < 3; i++) await tick();
    r2.stdin.write('q');
    await waitFor(() => seen2.length > 0, 200);
    assert.deepEqual(seen2, [['aborted', undefined]]);
    r2.unmount();
  });
});

import React from 'react';
import { render } from 'ink-testing-library';
import { TuiApp } from '../../src/tui/components/tui-app.js';
import { makeSmallReport } from './fixtures/make-report.js';
const r = render(<TuiApp names={['x']} load={async (on) => { on({containers: 3, apksFound: 5, apksAnalysed: 2, bytesRead: 1e6, errors: 1, elapsedMs: 100, current: 'a.zip!/b.apk', done: false}); await new Promise(res => setTimeout(res, 500)); return { report: makeSmallReport() }; }} size={{cols: 80, rows: 24}} onExit={() => {}} />);
for (const ms of [50, 300, 700, 1200]) { await new Promise(res => setTimeout(res, ms)); console.log(ms, r.frames.length, (r.lastFrame() ?? '').split('\n').slice(0, 6).join(' | ')); }
r.unmount();

// Memory bound for a big deflated zip entry (issue 3: "nothing buffers a whole partition"): a
// 320 MiB entry of an Info-ZIP archive, read whole and then like an ext4 walk in a fresh process,
// must stay far below its own size above the baseline. Inflating it whole (DecodedSource) would
// cost 320 MiB plus the caller's buffers. The 512 MiB–2 GiB numbers come from
// `node --import tsx test/formats/zip/large-entry-memory.ts <MiB>`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildAndMeasure } from './large-entry-memory.js';

const has = (tool: string) => { try { execFileSync('sh', ['-c', `command -v ${tool}`]); return true; } catch { return false; } };
/** StreamDecodedSource defaults: 64 MiB cache + 64 MiB of parked decoders; the rest is slack for garbage not yet collected. */
const BOUND_MIB = 200;

test('reading a 320 MiB deflated entry keeps peak RSS under 200 MiB above baseline', { skip: !has('zip') && 'zip CLI absent', timeout: 60_000 }, () => {
  const r = buildAndMeasure(320);
  assert.ok(r.hashOk, 'streamed bytes hash like the original image');
  assert.ok(r.peakAboveBaselineMiB < BOUND_MIB, `peak ${r.peakAboveBaselineMiB} MiB above baseline (${JSON.stringify(r)})`);
});

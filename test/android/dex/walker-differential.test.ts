// Differential tests of the instruction walker against `dexdump -d`: for every method, the same
// instruction boundaries and the same string@ / method@ / field@ (sget, iget) / call_site@ references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseDex, type DexFile } from '../../../src/android/dex/dex-file.js';
import { walkInsns, emptyRefs } from '../../../src/android/dex/code-walker.js';
import { parseDexdump } from './dexdump-oracle.js';
import { hasTool, corpusEntry, fixture } from './helpers.js';

function compareWithDump(dex: DexFile, dumpText: string): number {
  const dumped = parseDexdump(dumpText);
  const seen = new Set<number>();
  dex.walkCode((m) => {
    const want = dumped.get(m.codeOffset);
    assert.ok(want, `dexdump has no method at code offset 0x${m.codeOffset.toString(16)} (${m.classDescriptor}->${m.methodName})`);
    seen.add(m.codeOffset);
    const starts: number[] = [];
    const refs = emptyRefs();
    walkInsns(dex.bytes, m.codeOffset + 16, Number(new DataView(dex.bytes.buffer, dex.bytes.byteOffset).getUint32(m.codeOffset + 12, true)), refs, starts);
    const label = want.label;
    assert.deepEqual(starts, want.starts, `instruction offsets of ${label}`);
    assert.deepEqual(m.strings, want.strings, `const-string of ${label}`);
    assert.deepEqual(m.invokes, want.invokes, `invokes of ${label}`);
    assert.deepEqual(m.fieldReads, want.fieldReads, `field reads of ${label}`);
    assert.deepEqual(m.callSites, want.callSites, `call sites of ${label}`);
  });
  assert.equal(seen.size, dumped.size, 'same number of methods with code');
  return seen.size;
}

test('walker matches dexdump on the all-formats fixture (every format, payloads, invoke-polymorphic/custom)', () => {
  const bytes = new Uint8Array(readFileSync(fixture('walker-all-formats.dex')));
  const dex = parseDex(bytes, 'classes.dex', 'walker-all-formats.dex');
  assert.equal(dex.version, '039');
  const n = compareWithDump(dex, readFileSync(fixture('walker-all-formats.dexdump.txt'), 'utf8'));
  assert.equal(n, 8);
  assert.deepEqual(dex.anomalies, []);
});

test('walker matches dexdump on a real 7 MB dex (apidemos-debug.apk)', (t) => {
  if (!hasTool('dexdump') || !hasTool('unzip')) { t.skip('dexdump or unzip not installed'); return; }
  const bytes = corpusEntry('apidemos-debug.apk', 'classes.dex');
  const dex = parseDex(bytes, 'classes.dex', 'apidemos-debug.apk!/classes.dex');
  // dexdump maps its input, so it needs a real file.
  const dir = mkdtempSync(join(tmpdir(), 'romscan-dex-'));
  let dump: string;
  try {
    writeFileSync(join(dir, 'classes.dex'), bytes);
    dump = execFileSync('dexdump', ['-d', join(dir, 'classes.dex')], { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const n = compareWithDump(dex, dump);
  assert.ok(n > 30000, `${n} methods compared`);
});

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
import { hasTool, corpusEntry, fixture, CORPUS } from './helpers.js';

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

/** Runs `dexdump` on bytes (it maps its input, so it needs a real file). */
function dexdump(bytes: Uint8Array, flags: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-dex-'));
  try {
    writeFileSync(join(dir, 'classes.dex'), bytes);
    return execFileSync('dexdump', [...flags, join(dir, 'classes.dex')], { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('walker matches dexdump on a real 7 MB dex (apidemos-debug.apk)', (t) => {
  if (!hasTool('dexdump') || !hasTool('unzip')) { t.skip('dexdump or unzip not installed'); return; }
  const bytes = corpusEntry('apidemos-debug.apk', 'classes.dex');
  const dex = parseDex(bytes, 'classes.dex', 'apidemos-debug.apk!/classes.dex');
  const n = compareWithDump(dex, dexdump(bytes, ['-d']));
  assert.ok(n > 30000, `${n} methods compared`);
});

test('walker matches dexdump 11 on a quickened dex from an Android 8.1 vdex (iget-quick, invoke-virtual-quick)', (t) => {
  if (!hasTool('dexdump')) { t.skip('dexdump not installed'); return; }
  const vdex = new Uint8Array(readFileSync(join(CORPUS, 'vdex', 'qrd8953_android8.1_CtRoamingSettings.vdex')));
  // vdex 010: the dex file follows the 28-byte vdex header (its layout is the vdex reader's business).
  const fileSize = new DataView(vdex.buffer, vdex.byteOffset).getUint32(28 + 32, true);
  const bytes = vdex.slice(28, 28 + fileSize);
  const dex = parseDex(bytes, 'classes.dex', 'CtRoamingSettings.vdex!/classes.dex');
  // -i -j: dex2oat's quickening changed the bytes after the checksum was computed.
  const n = compareWithDump(dex, dexdump(bytes, ['-i', '-j', '-d']));
  assert.ok(n > 150, `${n} methods compared`);
  assert.ok(dex.anomalies.some((a) => /quickened opcodes/.test(a.message)));
});

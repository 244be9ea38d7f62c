// CompactDex against dexdump (which reads a standalone cdex) and against the APK's own dex:
// the packed code_item and its preheader, the instruction walk, the debug info offset table and
// ART's checksum. The cdex files come from the real vdex 019 files of the corpus.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseVdex } from '../../../src/android/vdex/parse-vdex.js';
import { CompactDexFile, readCompactCodeItem, detectCompactDex, compactDexChecksum, openCompactDex } from '../../../src/android/cdex/compact-dex.js';
import { readCompactOffset } from '../../../src/android/cdex/compact-offset-table.js';
import { parseDex } from '../../../src/android/dex/dex-file.js';
import { walkInsns, emptyRefs } from '../../../src/android/dex/code-walker.js';
import { parseDexdump } from '../dex/dexdump-oracle.js';
import { CORPUS, hasTool, corpusEntry } from '../dex/helpers.js';

const VDEX_019 = ['qcom_android9_CNESettings.vdex', 'miui_jason_android9_BasicDreams.vdex', 'nokia_tas_android9_WallpaperBackup.vdex'];

function cdexOf(file: string): CompactDexFile {
  const r = parseVdex(new Uint8Array(readFileSync(join(CORPUS, 'vdex', file))), file);
  assert.equal(r.dexes.length, 1);
  const d = r.dexes[0];
  assert.ok(d instanceof CompactDexFile, `${file} holds a CompactDex`);
  return d;
}

/** The cdex as one standalone file (main section, then its data section), which dexdump opens. */
function standalone(d: CompactDexFile): Uint8Array {
  const { headerPos, dataBase } = d.layout;
  const main = d.bytes.slice(headerPos, headerPos + d.header.fileSize);
  const data = d.bytes.subarray(dataBase, dataBase + d.header.dataSize);
  const out = new Uint8Array(main.length + data.length);
  out.set(main);
  out.set(data, main.length);
  const v = new DataView(out.buffer);
  v.setUint32(108, main.length, true); // data_off: right after the main section
  v.setUint32(32, out.length, true);   // file_size
  return out;
}

function dexdump(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-cdex-'));
  try {
    writeFileSync(join(dir, 'classes.cdex'), bytes);
    return execFileSync('dexdump', ['-d', join(dir, 'classes.cdex')], { maxBuffer: 1 << 28, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** registers / ins / outs / insns size per code offset, as dexdump prints them before each method's code. */
function dumpedCodeItems(text: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let cur: number[] = [];
  for (const line of text.split('\n')) {
    const f = /^\s+(registers|ins|outs|insns size)\s+: (\d+)/.exec(line);
    if (f) { cur.push(Number(f[2])); continue; }
    const h = /^[0-9a-f]{6}:\s+\|\[([0-9a-f]{6})\]/.exec(line);
    if (h) { out.set(parseInt(h[1], 16), cur); cur = []; }
  }
  return out;
}

describe('CompactDex against dexdump', { skip: !hasTool('dexdump') && 'dexdump not installed' }, () => {
  for (const file of VDEX_019) {
    test(`${file}: code items, instruction boundaries and references`, () => {
      const d = cdexOf(file);
      const text = dexdump(standalone(d));
      const items = dumpedCodeItems(text);
      const dumped = parseDexdump(text);
      // dexdump lists code by offset; CompactDex shares identical code items between methods.
      const seen = new Set<number>();
      d.walkCode((m) => {
        const codeOff = m.codeOffset - d.base - d.layout.dataBase;
        seen.add(codeOff);
        const item = d.codeItem(codeOff);
        assert.ok(typeof item !== 'string', item as string);
        assert.deepEqual([item.registersSize, item.insSize, item.outsSize, item.insnsUnits], items.get(codeOff), `code_item of ${m.classDescriptor}->${m.methodName}`);
        const want = dumped.get(codeOff)!;
        const starts: number[] = [];
        walkInsns(d.bytes, item.insnsPos, item.insnsUnits, emptyRefs(), starts);
        assert.deepEqual(starts, want.starts, `instruction offsets of ${want.label}`);
        assert.deepEqual(m.strings, want.strings, `const-string of ${want.label}`);
        assert.deepEqual(m.invokes, want.invokes, `invokes of ${want.label}`);
        assert.deepEqual(m.fieldReads, want.fieldReads, `field reads of ${want.label}`);
      });
      assert.equal(seen.size, dumped.size, 'same number of code items');
      assert.ok(seen.size > 10);
    });
  }
});

/** Bytes of a debug_info_item up to and including DBG_END_SEQUENCE (spec "debug_info_item"). */
function debugInfoStream(b: Uint8Array, pos: number): Uint8Array {
  let p = pos;
  const uleb = () => { while (b[p++] & 0x80); };
  uleb(); // line_start
  let params = 0;
  for (let k = 0, byte = 0x80; byte & 0x80; k++) { byte = b[p++]; params |= (byte & 0x7f) << (7 * k); }
  for (let i = 0; i < params; i++) uleb();
  for (;;) {
    const op = b[p++];
    if (op === 0x00) break;
    if (op === 0x01 || op === 0x02 || op === 0x05 || op === 0x06 || op === 0x09) uleb();
    else if (op === 0x03) { uleb(); uleb(); uleb(); }
    else if (op === 0x04) { uleb(); uleb(); uleb(); uleb(); }
  }
  return b.slice(pos, p);
}

test('the debug info offset table gives each method the debug_info_item the APK dex has', (t) => {
  if (!hasTool('unzip')) { t.skip('unzip not installed'); return; }
  const d = cdexOf('qcom_android9_CNESettings.vdex');
  const apkDex = parseDex(corpusEntry('qcom_android9_CNESettings.apk', 'classes.dex', 'vdex'), 'classes.dex', 'CNESettings.apk!/classes.dex');
  // The same string table on both sides, so parameter-name indices in the streams compare as bytes.
  assert.equal(d.strings, apkDex.strings);
  for (let i = 0; i < d.strings; i++) assert.equal(d.string(i), apkDex.string(i));
  const apkDebug = new Map<string, Uint8Array>();
  apkDex.walkCode((m) => {
    const off = new DataView(apkDex.bytes.buffer, apkDex.bytes.byteOffset).getUint32(m.codeOffset + 8, true);
    if (off) apkDebug.set(`${m.classDescriptor}->${m.methodName}@${m.methodIdx}`, debugInfoStream(apkDex.bytes, off));
  });
  let n = 0;
  d.walkCode((m) => {
    const off = d.debugInfoOffset(m.methodIdx);
    const want = apkDebug.get(`${m.classDescriptor}->${m.methodName}@${m.methodIdx}`);
    if (!want) { assert.equal(off, 0); return; }
    assert.ok(off > 0, `${m.classDescriptor}->${m.methodName} has debug info`);
    assert.deepEqual(debugInfoStream(d.bytes, d.layout.dataBase + off), want, `debug info of ${m.classDescriptor}->${m.methodName}`);
    n++;
  });
  assert.equal(n, apkDebug.size);
  assert.ok(n > 50, `${n} methods compared`);
  assert.deepEqual(d.anomalies, []);
});

test('ART checksum of the unquickened cdex equals its header checksum', () => {
  for (const file of VDEX_019) {
    const d = cdexOf(file);
    const { headerPos, dataBase } = d.layout;
    assert.equal(compactDexChecksum(d.bytes, headerPos, d.header.fileSize, dataBase, d.header.dataSize), d.header.checksum, file);
    // One changed code unit changes it.
    const copy = d.bytes.slice();
    copy[dataBase + 40] ^= 1;
    assert.notEqual(compactDexChecksum(copy, headerPos, d.header.fileSize, dataBase, d.header.dataSize), d.header.checksum);
  }
});

test('standalone cdex opens with openCompactDex and has the same facts', () => {
  const d = cdexOf('miui_jason_android9_BasicDreams.vdex');
  const s = standalone(d);
  assert.ok(detectCompactDex(s));
  const e = openCompactDex(s, { pos: 0, end: s.length }, 'classes.dex', 'x.cdex');
  const list = (x: CompactDexFile) => { const o: string[] = []; x.walkCode((m) => o.push(`${m.classDescriptor}->${m.methodName} ${m.strings.map((i) => x.string(i))} ${m.invokes.map((i) => x.methodName(i))}`)); return o; };
  assert.deepEqual(list(e), list(d));
  assert.equal(e.header.debugInfoBase, d.header.debugInfoBase);
});

describe('compact code_item', () => {
  const item = (words: number[], at: number, size = 64) => {
    const b = new Uint8Array(size);
    words.forEach((w, i) => { b[2 * i] = w & 0xff; b[2 * i + 1] = w >> 8; });
    return readCompactCodeItem(b, at, b.length, 0);
  };
  test('4-bit fields without preheader (registers exclude ins, as stored)', () => {
    // fields: registers 3, ins 2, outs 1, tries 0; 5 insns, no flags
    assert.deepEqual(item([0x3210, 5 << 5], 0), { insnsPos: 4, insnsUnits: 5, registersSize: 5, insSize: 2, outsSize: 1, triesSize: 0 });
  });
  test('every preheader field, read downwards from the code_item', () => {
    // preheader (low → high address): tries+, outs+, ins+, registers+, insns high, insns low
    const pre = [7, 100, 20, 300, 0x0001, 0x0002];
    const r = item([...pre, 0x1111, (3 << 5) | 0x1f], 12, 16 + 2 * (3 + 0x10002));
    assert.deepEqual(r, { insnsPos: 16, insnsUnits: 3 + 0x10002, registersSize: 1 + 300 + 1 + 20, insSize: 21, outsSize: 101, triesSize: 8 });
  });
  test('a preheader that would start before the data section is damage, not a read out of bounds', () => {
    assert.match(String(item([0x0000, 0x10], 0)), /runs below the data section/);
    assert.match(String(item([0x0000, (2000 << 5)], 0)), /runs past the end/);
  });
});

test('compact offset table: bit mask blocks of 16 with uleb128 deltas', () => {
  // data: block table at 0 → one block at 4: mask 0b0000_0000_0010_0101 (indices 0, 2, 5), deltas 3, 4, 200
  const b = new Uint8Array([4, 0, 0, 0, 0x00, 0x25, 3, 4, 0xc8, 0x01]);
  const at = (i: number) => readCompactOffset(b, 0, b.length, 1000, 0, i);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(at), [1003, 0, 1007, 0, 0, 1207, 0]);
  assert.match(String(readCompactOffset(b, 0, b.length, 0, 0, 16)), /outside the data/);
  assert.match(String(readCompactOffset(b.subarray(0, 8), 0, 8, 0, 0, 5)), /runs past the end/);
});

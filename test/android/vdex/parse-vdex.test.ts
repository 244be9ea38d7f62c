// parseVdex on the real vdex 010 / 019 files of the corpus (and a real 010 fixture from the same
// ROM dump), and on 006 / 021 / 027 / dex-less 019 layouts derived from them. The strongest
// oracle: after unquickening, a vdex 010 dex is byte for byte the APK's classes.dex, and every
// dex (CompactDex too) passes its own checksum again.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { parseVdex, detectVdex } from '../../../src/android/vdex/parse-vdex.js';
import { parseDex, type DexFile } from '../../../src/android/dex/dex-file.js';
import { CompactDexFile } from '../../../src/android/cdex/compact-dex.js';
import { FormatError, UnsupportedError, TruncatedError } from '../../../src/io/errors/index.js';
import { CORPUS, hasTool, corpusEntry } from '../dex/helpers.js';
import { corpusVdex, vdex006From010, vdex021From019, vdex027, vdex019WithoutDex } from './vdex-builders.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'vdex');
const fixtureVdex = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

const EXPECTED = [
  { file: 'qrd8953_android8.1_CtRoamingSettings.vdex', version: '010', dex: ['037'], strings: 891 },
  { file: 'qrd8953_android8.1_boot-QPerformance.vdex', version: '010', dex: ['037'], strings: 203 },
  { file: 'qcom_android9_CNESettings.vdex', version: '019', dex: ['001'], strings: 316 },
  { file: 'miui_jason_android9_BasicDreams.vdex', version: '019', dex: ['001'], strings: 300 },
  { file: 'nokia_tas_android9_WallpaperBackup.vdex', version: '019', dex: ['001'], strings: 204 },
];

/** The dex bytes of a parsed standard dex (the unquickened copy). */
const dexBytes = (d: DexFile) => d.bytes.subarray(d.layout.headerPos, d.layout.headerPos + d.header.fileSize);
const quickenedLeft = (d: DexFile) => { let n = 0; d.walkCode((m) => { n += m.quickenedOpcodes; }); return n; };

describe('real vdex files', () => {
  for (const e of EXPECTED) {
    test(`${e.file}: version ${e.version}, unquickened, checksums hold`, () => {
      const bytes = corpusVdex(e.file);
      assert.ok(detectVdex(bytes));
      const r = parseVdex(bytes, e.file);
      assert.equal(r.version, e.version);
      if (e.version === '019') assert.equal(r.dexSectionVersion, '002');
      assert.deepEqual(r.dexes.map((d) => d.version), e.dex);
      assert.deepEqual(r.dexes.map((d) => d.name), ['classes.dex']);
      assert.equal(r.dexes[0].strings, e.strings);
      assert.equal(r.locationChecksums.length, 1);
      assert.equal(r.dexes.reduce((n, d) => n + quickenedLeft(d), 0), 0, 'no quickened instruction left');
      assert.deepEqual(r.anomalies, [], 'no anomaly: every checksum verified after unquickening');
      if (e.version === '019') assert.ok(r.dexes[0] instanceof CompactDexFile);
    });
  }

  test('the dex inside was quickened: read as it stands, it has quick opcodes and a stale checksum', () => {
    const v = corpusVdex('qrd8953_android8.1_CtRoamingSettings.vdex');
    const raw = parseDex(v.slice(28, 28 + new DataView(v.buffer).getUint32(28 + 32, true)), 'classes.dex', 'raw');
    assert.ok(quickenedLeft(raw) > 100);
    assert.ok(raw.anomalies.some((a) => /checksum mismatch/.test(a.message)));
  });
});

describe('vdex against the APK it belongs to', { skip: !hasTool('unzip') && 'unzip not installed' }, () => {
  const pairs = [
    { vdex: () => corpusVdex('qrd8953_android8.1_CtRoamingSettings.vdex'), apk: 'qrd8953_android8.1_CtRoamingSettings.apk', dir: 'vdex' },
    { vdex: () => fixtureVdex('qrd8953_android8.1_AutoRegistration.vdex'), apk: 'PHONEHOME_qcom_autoregistration_v3.0_qrd8953_android8.1.apk', dir: 'vendor' },
  ];
  for (const p of pairs) {
    test(`${p.apk}: the unquickened vdex 010 dex is the APK's classes.dex, byte for byte`, () => {
      const apkDex = corpusEntry(p.apk, 'classes.dex', p.dir);
      const r = parseVdex(p.vdex(), 'x.vdex');
      assert.equal(r.dexes.length, 1);
      assert.ok(Buffer.from(dexBytes(r.dexes[0])).equals(Buffer.from(apkDex)));
      assert.deepEqual(r.locationChecksums, [crc32(apkDex)], 'location checksum = CRC-32 of the APK entry');
    });
  }

  test('vdex 019: the location checksum is the CRC-32 of the APK classes.dex entry', () => {
    const apkDex = corpusEntry('qcom_android9_CNESettings.apk', 'classes.dex', 'vdex');
    const r = parseVdex(corpusVdex('qcom_android9_CNESettings.vdex'), 'x.vdex');
    assert.deepEqual(r.locationChecksums, [crc32(apkDex)]);
  });

  test('vdex 006 (derived from the 010 file: per-method (dex_pc, index) pairs) unquickens to the APK dex too', () => {
    const v006 = vdex006From010(corpusVdex('qrd8953_android8.1_CtRoamingSettings.vdex'));
    const r = parseVdex(v006, 'x.vdex');
    assert.equal(r.version, '006');
    assert.deepEqual(r.anomalies, []);
    assert.ok(Buffer.from(dexBytes(r.dexes[0])).equals(Buffer.from(corpusEntry('qrd8953_android8.1_CtRoamingSettings.apk', 'classes.dex', 'vdex'))));
  });

  test('vdex 027 (dex section in a section table, no quickening) holds the dex as it is', () => {
    const apkDex = corpusEntry('qrd8953_android8.1_CtRoamingSettings.apk', 'classes.dex', 'vdex');
    const second = corpusEntry('qcom_android9_CNESettings.apk', 'classes.dex', 'vdex');
    const r = parseVdex(vdex027([apkDex, second]), 'x.vdex');
    assert.equal(r.version, '027');
    assert.deepEqual(r.dexes.map((d) => d.name), ['classes.dex', 'classes2.dex']);
    assert.ok(Buffer.from(dexBytes(r.dexes[0])).equals(Buffer.from(apkDex)));
    assert.ok(Buffer.from(dexBytes(r.dexes[1])).equals(Buffer.from(second)));
    assert.deepEqual(r.anomalies, []);
  });
});

test('vdex 021 (019 plus boot classpath / class loader context sizes) reads like the 019 it came from', () => {
  const v019 = corpusVdex('qcom_android9_CNESettings.vdex');
  const a = parseVdex(v019, 'a'), b = parseVdex(vdex021From019(v019), 'b');
  assert.equal(b.version, '021');
  assert.deepEqual(b.anomalies, []);
  const methods = (d: DexFile) => { const o: string[] = []; d.walkCode((m) => o.push(`${m.classDescriptor}->${m.methodName}:${m.strings}:${m.invokes}:${m.fieldReads}`)); return o; };
  assert.deepEqual(methods(b.dexes[0]), methods(a.dexes[0]));
  assert.equal(b.dexes[0].base, a.dexes[0].base + 8, 'offsets stay absolute in the vdex');
});

test('vdex 019 with dex section version 000 has no dex (the code stays in the APK)', () => {
  const r = parseVdex(vdex019WithoutDex([0x12345678, 0x9abcdef0]), 'x.vdex');
  assert.equal(r.dexSectionVersion, '000');
  assert.deepEqual(r.dexes, []);
  assert.deepEqual(r.locationChecksums, [0x12345678, 0x9abcdef0]);
});

test('detectVdex and typed errors', () => {
  assert.equal(detectVdex(new TextEncoder().encode('vdex010\0')), true);
  assert.equal(detectVdex(new TextEncoder().encode('vdex01a\0')), false);
  assert.equal(detectVdex(new TextEncoder().encode('dex\n035\0')), false);
  const v = corpusVdex('qcom_android9_CNESettings.vdex');
  const other = v.slice(); other.set([0x30, 0x32, 0x32], 4);
  assert.throws(() => parseVdex(other, 'x'), UnsupportedError);
  const bad = v.slice(); bad[0] = 0x77; // ART's "wdex": an invalidated vdex
  assert.throws(() => parseVdex(bad, 'x'), FormatError);
  assert.throws(() => parseVdex(v.subarray(0, 30), 'x'), TruncatedError);
  // The dex header claims more than the section holds: a truncated dex, noted, not fatal.
  const big = v.slice(); new DataView(big.buffer).setUint32(0x28 + 32, 0x100000, true);
  const r = parseVdex(big, 'x');
  assert.ok(r.anomalies.some((a) => /runs past/.test(a.message)));
});

test('anomaly and error offsets are absolute in the vdex', () => {
  const v = corpusVdex('qrd8953_android8.1_CtRoamingSettings.vdex');
  const copy = v.slice();
  copy[28 + 12] ^= 0xff; // inside the dex's SHA-1 signature: only the checksum notices
  const r = parseVdex(copy, 'x');
  const a = r.anomalies.find((x) => /checksum mismatch/.test(x.message));
  assert.equal(a?.offset, 28 + 8);
  assert.equal(r.dexes[0].base, 28);
});

describe('real vdex 021 (Android 10) and 027 (Android 13) files', () => {
  test('021: CompactDex behind the longer header, checksum verified', () => {
    const r = parseVdex(fixtureVdex('lge_mdh50lm_android10_GoogleLocationHistory.vdex'), 'x');
    assert.deepEqual([r.version, r.dexSectionVersion], ['021', '002']);
    assert.deepEqual(r.anomalies, []);
    assert.deepEqual(r.locationChecksums, [0x1fdc45ae]);
    assert.ok(r.dexes[0] instanceof CompactDexFile);
    assert.deepEqual(r.dexes[0].classes.map((c) => c.descriptor), [
      'Lcom/google/android/gms/location/history/R$drawable;', 'Lcom/google/android/gms/location/history/R$string;', 'Lcom/google/android/gms/location/history/R;']);
    const calls: string[] = [];
    r.dexes[0].walkCode((m) => { for (const i of m.invokes) calls.push(`${m.classDescriptor}->${m.methodName} ${r.dexes[0].methodClass(i)}->${r.dexes[0].methodName(i)}`); });
    assert.equal(calls.length, 3);
    assert.ok(calls.every((c) => c.endsWith('Ljava/lang/Object;-><init>')));
  });

  test('027: section table with checksums and no dex section (the dex stays in the APK)', () => {
    const r = parseVdex(fixtureVdex('miui_grus_android13_WallpaperBackup.vdex'), 'x');
    assert.equal(r.version, '027');
    assert.deepEqual(r.dexes, []);
    // The CRC-32 of WallpaperBackup.apk!/classes.dex in the same dump (unzip -v: 068eed4e).
    assert.deepEqual(r.locationChecksums, [0x068eed4e]);
    assert.deepEqual(r.anomalies, []);
  });
});

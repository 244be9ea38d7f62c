// parseOat on real odex files of Android 5.1 (OAT 045), 7.1 (088) and 8.1 (131): the OAT header,
// the OatDexFile entries, the embedded dex (compared with dexdump), Android 7's quickening info
// (after unquickening, the dex passes the checksum the APK's dex had), and the ELF fallbacks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { parseOat, detectOat, dexNames } from '../../../src/android/oat/parse-oat.js';
import { parseVdex } from '../../../src/android/vdex/parse-vdex.js';
import { parseDex, type DexFile } from '../../../src/android/dex/dex-file.js';
import { walkInsns, emptyRefs } from '../../../src/android/dex/code-walker.js';
import { FormatError } from '../../../src/io/errors/index.js';
import { parseDexdump } from '../dex/dexdump-oracle.js';
import { hasTool } from '../dex/helpers.js';
import { romAppFacts } from '../vdex/code-facts-helper.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const oat = (name: string) => new Uint8Array(readFileSync(join(DIR, 'oat', name)));
const L = 'lollipop_android5.1_qcrilmsgtunnel.odex';
const N = 'sparrow_android7.1_ClockworkFrameworkPackageStubs.odex';
const N_CHECKCAST = 'sparrow_android7.1_KeyChain.odex';
const O = 'qrd8953_android8.1_AutoRegistration.odex';

const dexBytes = (d: DexFile) => d.bytes.slice(d.layout.headerPos, d.layout.headerPos + d.header.fileSize);
const quickened = (d: DexFile) => { let n = 0; d.walkCode((m) => { n += m.quickenedOpcodes; }); return n; };

function dexdump(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-oat-'));
  try {
    writeFileSync(join(dir, 'classes.dex'), bytes);
    return execFileSync('dexdump', ['-i', '-j', '-d', join(dir, 'classes.dex')], { maxBuffer: 1 << 28, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every method's instruction boundaries and references, as dexdump disassembles the dex bytes. */
function assertMatchesDexdump(d: DexFile): number {
  const own = dexBytes(d);
  const standalone = parseDex(own, 'classes.dex', 'x');
  const dumped = parseDexdump(dexdump(own));
  let n = 0;
  standalone.walkCode((m) => {
    const want = dumped.get(m.codeOffset)!;
    assert.ok(want, `dexdump has the method at 0x${m.codeOffset.toString(16)}`);
    const starts: number[] = [];
    walkInsns(standalone.bytes, m.codeOffset + 16, new DataView(own.buffer).getUint32(m.codeOffset + 12, true), emptyRefs(), starts);
    assert.deepEqual(starts, want.starts, want.label);
    assert.deepEqual([m.strings, m.invokes, m.fieldReads], [want.strings, want.invokes, want.fieldReads], want.label);
    n++;
  });
  assert.equal(n, dumped.size);
  return n;
}

test('Android 5.1 odex (OAT 045): header, key/value store, the embedded dex', () => {
  assert.ok(detectOat(oat(L).subarray(0, 65536)));
  const r = parseOat(oat(L), L);
  assert.equal(r.version, '045');
  assert.equal(r.instructionSet, 'thumb2');
  assert.deepEqual(r.entries.map((e) => e.location), ['/system/app/qcrilmsgtunnel/qcrilmsgtunnel.apk']);
  assert.deepEqual(r.dexLocations, ['/system/app/qcrilmsgtunnel/qcrilmsgtunnel.apk']);
  assert.match(r.keyValues['dex2oat-cmdline'], /--dex-location=\/system\/app\/qcrilmsgtunnel\/qcrilmsgtunnel.apk/);
  assert.deepEqual(r.dexes.map((d) => [d.name, d.version, d.strings, d.classes.length]), [['classes.dex', '035', 554, 21]]);
  assert.deepEqual(r.anomalies, []);
  assert.equal(quickened(r.dexes[0]), 0);
});

test('Android 7.1 odex (OAT 088, interpret-only): the quickening info restores every instruction, byte for byte', () => {
  const bytes = oat(N);
  const r = parseOat(bytes, N);
  assert.equal(r.version, '088');
  assert.equal(r.keyValues['compiler-filter'], 'interpret-only');
  const d = r.dexes[0];
  // As stored, the dex is quickened…
  const stored = parseDex(bytes.slice(d.base, d.base + d.header.fileSize), 'classes.dex', 'stored');
  assert.equal(quickened(stored), 900);
  assert.ok(stored.anomalies.some((a) => /checksum mismatch/.test(a.message)));
  // …and after unquickening nothing is left and the APK dex's adler32 holds again.
  assert.equal(quickened(d), 0);
  assert.deepEqual(r.anomalies, []);
  assert.equal(d.base, 0x1000 + r.entries[0].dexFileOffset, 'offsets stay absolute in the odex');
});

test('Android 7.1: dropped check-casts (two nops, no record) are the one thing left, and only the checksum says so', () => {
  const r = parseOat(oat(N_CHECKCAST), N_CHECKCAST);
  assert.equal(quickened(r.dexes[0]), 0);
  assert.deepEqual(r.anomalies.map((a) => a.message), ['/system/app/KeyChain/KeyChain.apk: adler32 checksum mismatch (dex rewritten in place by dex2oat)']);
});

describe('embedded dex against dexdump', { skip: !hasTool('dexdump') && 'dexdump not installed' }, () => {
  for (const f of [L, N, N_CHECKCAST]) {
    test(f, () => { assert.ok(assertMatchesDexdump(parseOat(oat(f), f).dexes[0]) > 50); });
  }
});

test('Android 8.1 odex (OAT 131): entries only, the dex is in the vdex; the location checksums agree', () => {
  const r = parseOat(oat(O), O);
  assert.equal(r.version, '131');
  assert.equal(r.instructionSet, 'arm64');
  assert.equal(r.keyValues['compiler-filter'], 'quicken');
  assert.deepEqual(r.dexes, []);
  assert.deepEqual(r.entries.map((e) => e.location), ['/system/app/AutoRegistration/AutoRegistration.apk']);
  const v = parseVdex(new Uint8Array(readFileSync(join(DIR, 'vdex', 'qrd8953_android8.1_AutoRegistration.vdex'))), 'x');
  assert.deepEqual(r.entries.map((e) => e.locationChecksum), v.locationChecksums);
  assert.match(r.anomalies[0].message, /companion \.vdex/);
});

test('dex names from dex locations', () => {
  assert.deepEqual(dexNames(['/system/app/A/A.apk', '/system/app/A/A.apk:classes2.dex', '/system/app/A/A.apk:classes3.dex']), ['classes.dex', 'classes2.dex', 'classes3.dex']);
  assert.deepEqual(dexNames(['/system/framework/core-libart.jar', '/system/framework/framework.jar', '/system/framework/framework.jar!classes2.dex']),
    ['core-libart.jar!/classes.dex', 'framework.jar!/classes.dex', 'framework.jar!/classes2.dex']);
});

test('detectOat: ELF with an OAT header, raw OAT data; not plain ELF, vdex or dex', () => {
  for (const f of [L, N, N_CHECKCAST, O]) assert.ok(detectOat(oat(f).subarray(0, 65536)), f);
  const b = oat(N);
  assert.ok(detectOat(b.subarray(0x1000)), 'raw OAT data');
  assert.equal(detectOat(new Uint8Array(readFileSync(process.execPath).subarray(0, 65536))), false);
  assert.equal(detectOat(new TextEncoder().encode('vdex010\0')), false);
  assert.equal(detectOat(new TextEncoder().encode('dex\n035\0')), false);
});

test('raw OAT data (no ELF) parses the same', () => {
  const b = oat(L);
  const raw = b.slice(0x1000);
  const a = parseOat(b, 'elf'), r = parseOat(raw, 'raw');
  assert.deepEqual(r.dexes.map((d) => d.strings), a.dexes.map((d) => d.strings));
  assert.equal(r.dexes[0].base, 0);
});

test('ELF fallbacks: no section headers (PT_DYNAMIC), then a bad oatdata symbol (page scan)', () => {
  const b = oat(L);
  const noSections = b.slice();
  new DataView(noSections.buffer).setUint32(0x20, 0, true); // e_shoff
  const r1 = parseOat(noSections, 'x');
  assert.equal(r1.dexes.length, 1);
  assert.deepEqual(r1.anomalies, []);
  const badSymbol = noSections.slice();
  // Every string table copy of "oatdata" renamed: the symbol is gone, the header is found by scanning.
  for (let i = 0; i + 8 < 0x1000; i++) if (String.fromCharCode(...badSymbol.subarray(i, i + 8)) === 'oatdata\0') badSymbol[i] = 0x78;
  const r2 = parseOat(badSymbol, 'x');
  assert.equal(r2.dexes.length, 1);
  assert.match(r2.anomalies[0].message, /no oatdata symbol; OAT header found at 0x1000/);
  const noOat = badSymbol.slice();
  noOat[0x1000] = 0;
  assert.throws(() => parseOat(noOat, 'x'), FormatError);
});

describe('ROM directories of Android 5 and 7 (odex next to the odexed APK)', { skip: !hasTool('unzip') && 'unzip not installed' }, () => {
  test('the app code comes from <isa>/X.odex (5.x) and oat/<isa>/X.odex (6–7)', () => {
    const root = mkdtempSync(join(tmpdir(), 'romscan-rom5-'));
    try {
      const put = (from: string, rel: string) => { mkdirSync(dirname(join(root, rel)), { recursive: true }); copyFileSync(from, join(root, rel)); };
      put(join(DIR, 'oat', 'lollipop_android5.1_qcrilmsgtunnel.apk'), 'system/app/qcrilmsgtunnel/qcrilmsgtunnel.apk');
      put(join(DIR, 'oat', L), 'system/app/qcrilmsgtunnel/arm/qcrilmsgtunnel.odex');
      put(join(DIR, 'oat', 'lollipop_android5.1_qcrilmsgtunnel.apk'), 'system/app/Stubs/Stubs.apk');
      put(join(DIR, 'oat', N), 'system/app/Stubs/oat/arm/Stubs.odex');
      const l5 = romAppFacts(root, 'system/app/qcrilmsgtunnel/qcrilmsgtunnel.apk');
      assert.equal(l5.from, 'system/app/qcrilmsgtunnel/arm/qcrilmsgtunnel.odex');
      assert.deepEqual(l5.facts.dex.map((d) => d.name), ['arm/qcrilmsgtunnel.odex!/classes.dex']);
      assert.ok(l5.facts.classNames.some((c) => c.startsWith('com.qualcomm.qcrilmsgtunnel.')));
      const n7 = romAppFacts(root, 'system/app/Stubs/Stubs.apk');
      assert.equal(n7.from, 'system/app/Stubs/oat/arm/Stubs.odex');
      assert.ok(n7.facts.classNames.length === 16);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDex, descriptorToDotted } from '../../../src/android/dex/dex-file.js';
import { adler32 } from '../../../src/android/dex/adler32.js';
import { RomscanError, FormatError, UnsupportedError, TruncatedError } from '../../../src/io/errors/index.js';
import { collectCodeFacts } from '../../../src/analysis/code-facts.js';
import { buildDex, buildContainer, sampleSpec } from './dex-builder.js';
import { fixture, corpusEntry, hasTool } from './helpers.js';

test('parses a built dex: tables, MUTF-8 strings, refs and walkCode', () => {
  const { bytes } = buildDex(sampleSpec());
  const dex = parseDex(bytes, 'classes.dex', 'app.apk!/classes.dex');
  assert.equal(dex.version, '035');
  assert.equal(dex.strings, 11);
  assert.equal(dex.methods, 2);
  assert.deepEqual(dex.classes.map((c) => c.descriptor), ['Lcom/ex/A;', 'Lcom/ex/B$In;']);
  assert.equal(dex.string(10), 'caf\u00e9 \u0000 \ud83d\ude00 \u4e2d', 'NUL as C0 80, surrogate pair as two 3-byte sequences');
  assert.equal(dex.typeName(1), 'Landroid/os/Build;');
  assert.deepEqual(dex.methodRef(1), { classIdx: 3, classDescriptor: 'Lcom/ex/B$In;', name: 'run', proto: '()V' });
  assert.deepEqual(dex.fieldRef(0), { classIdx: 1, classDescriptor: 'Landroid/os/Build;', name: 'SERIAL', type: 'Ljava/lang/String;' });
  const seen: string[] = [];
  dex.walkCode((m) => seen.push(`${m.classDescriptor}->${m.methodName} s=${m.strings} i=${m.invokes} f=${m.fieldReads}`));
  assert.deepEqual(seen, ['Lcom/ex/A;->run s=8 i=1 f=0', 'Lcom/ex/B$In;->run s=10 i= f=']);
  assert.deepEqual(dex.anomalies, []);
  assert.deepEqual(dex.parts, [dex]);
});

test('descriptorToDotted keeps $ and handles arrays and primitives', () => {
  assert.equal(descriptorToDotted('Landroid/provider/Settings$Secure;'), 'android.provider.Settings$Secure');
  assert.equal(descriptorToDotted('[[Ljava/lang/String;'), 'java.lang.String[][]');
  assert.equal(descriptorToDotted('I'), 'int');
});

test('every dex version 035..041 is accepted; older versions are unsupported', () => {
  for (const v of ['035', '037', '038', '039', '040']) assert.equal(parseDex(buildDex(sampleSpec({ version: v })).bytes, 'c.dex', 'x').version, v);
  assert.equal(parseDex(buildContainer([sampleSpec()]), 'c.dex', 'x').version, '041');
  const old = buildDex(sampleSpec()).bytes;
  old.set([0x30, 0x31, 0x33], 4);
  assert.throws(() => parseDex(old, 'c.dex', 'x'), UnsupportedError);
});

test('v041 container: every dex of it is parsed, with offsets relative to the container', () => {
  const second = sampleSpec({ strings: [...sampleSpec().strings.slice(0, 8), 'https://second.example.com/', 'run', 'z'] });
  const bytes = buildContainer([sampleSpec(), second]);
  const dex = parseDex(bytes, 'classes.dex', 'app.apk!/classes.dex');
  assert.equal(dex.parts.length, 2);
  assert.deepEqual(dex.parts.map((p) => p.name), ['classes.dex', 'classes.dex#1']);
  assert.equal(dex.parts[1].string(8), 'https://second.example.com/');
  assert.deepEqual(dex.anomalies, []);
  const facts = collectCodeFacts([dex], new Map([['android.os.Build.SERIAL', 'serial']]));
  assert.deepEqual(facts.dex.map((d) => [d.name, d.strings, d.version]), [['classes.dex', 11, '041'], ['classes.dex#1', 11, '041']]);
  assert.deepEqual(facts.endpoints.map((e) => [e.value, e.locations.map((l) => `${l.dex}:${l.class}.${l.method}`)]), [
    ['http://zzhc.vnet.cn:9998/', ['classes.dex:com.ex.A.run']],
    ['https://second.example.com/', ['classes.dex#1:com.ex.A.run']],
  ]);
  assert.equal(facts.apis[0].locations.length, 2);
});

test('bad indices in code and items become anomalies and placeholders, never crashes', () => {
  const spec = sampleSpec();
  // const-string #999 (no such string), invoke method #77, sget field #55, then return-void
  spec.classes[0].direct![0].code = [0x001a, 999, 0x0071, 77, 0, 0x0062, 55, 0x000e];
  const dex = parseDex(buildDex(spec).bytes, 'classes.dex', 'x');
  const facts = collectCodeFacts([dex], new Map([['android.os.Build.SERIAL', 'serial']]));
  assert.equal(facts.apis.length, 0);
  assert.equal(dex.string(999), '<bad string index 999>');
  const text = dex.anomalies.map((a) => a.message).join('\n');
  assert.match(text, /method index 77/);
  assert.match(text, /field index 55/);
});

test('payloads and instructions that overrun the code are reported; unused and quickened opcodes are counted', () => {
  const spec = sampleSpec();
  // const-string #8, then a packed-switch payload claiming 1000 targets in a 6-unit method
  spec.classes[0].direct![0].code = [0x001a, 8, 0x0100, 1000, 0, 0];
  // unused 3e, f3, 79; quickened return-void-no-barrier (73) and iget-quick (e3, 2 units); return-void
  spec.classes[1].virtual![0].code = [0x003e, 0x00f3, 0x0079, 0x0073, 0x10e3, 0x0008, 0x000e];
  const dex = parseDex(buildDex(spec).bytes, 'classes.dex', 'x');
  const strings: number[][] = [];
  dex.walkCode((m) => strings.push(m.strings));
  assert.deepEqual(strings, [[8], []], 'refs before the damage are kept');
  const text = dex.anomalies.map((a) => a.message).join('\n');
  assert.match(text, /runs past the end of the code/);
  assert.match(text, /3 unused opcodes/);
  assert.match(text, /2 quickened opcodes/);
});

test('a fill-array-data payload with a huge size and an instruction cut at the end stop the walk of that method only', () => {
  const spec = sampleSpec();
  spec.classes[0].direct![0].code = [0x001a, 8, 0x0300, 4, 0xffff, 0xffff];
  spec.classes[1].virtual![0].code = [0x001a, 10, 0x006e]; // invoke-virtual cut after its first unit
  const dex = parseDex(buildDex(spec).bytes, 'classes.dex', 'x');
  const seen: number[] = [];
  dex.walkCode((m) => seen.push(...m.strings));
  assert.deepEqual(seen, [8, 10]);
  assert.equal(dex.anomalies.filter((a) => /runs past the end/.test(a.message)).length, 2);
});

test('id tables outside the file and huge counts are FormatErrors; checksum and size oddities are anomalies', () => {
  const good = buildDex(sampleSpec()).bytes;
  const huge = good.slice();
  new DataView(huge.buffer).setUint32(56, 0x40000000, true); // string_ids_size
  assert.throws(() => parseDex(huge, 'c.dex', 'x'), FormatError);
  const moved = good.slice();
  new DataView(moved.buffer).setUint32(100, 0xfffffff0, true); // class_defs_off
  assert.throws(() => parseDex(moved, 'c.dex', 'x'), (e) => e instanceof FormatError && e.offset === 100);
  assert.throws(() => parseDex(good.subarray(0, 0x50), 'c.dex', 'x'), TruncatedError);
  const padded = new Uint8Array(good.length + 16);
  padded.set(good);
  assert.match(parseDex(padded, 'c.dex', 'x').anomalies[0].message, /bytes after file_size/);
  const tampered = good.slice();
  tampered[tampered.length - 30] ^= 1;
  assert.ok(parseDex(tampered, 'c.dex', 'x').anomalies.some((a) => /checksum/.test(a.message)));
});

test('adler32 matches the checksum stored by smali', () => {
  const bytes = new Uint8Array(readFileSync(fixture('walker-all-formats.dex')));
  assert.equal(adler32(bytes, 12, bytes.length), new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true));
});

test('counts and strings of a real dex match androguard; every string decodes', (t) => {
  if (!hasTool('unzip')) { t.skip('unzip not installed'); return; }
  // androguard-urzip-unicode-name: non-ASCII names; appium-settings classes.dex: 46k strings, dex 038.
  const dex = parseDex(corpusEntry('appium-settings-debug.apk', 'classes.dex'), 'classes.dex', 'x');
  assert.deepEqual([dex.version, dex.strings, dex.classes.length, dex.methods], ['038', 46753, 5045, 40735]);
  let nonAscii = 0;
  for (let i = 0; i < dex.strings; i++) if (/[^\x00-\x7f]/.test(dex.string(i))) nonAscii++;
  assert.ok(nonAscii > 0);
  assert.deepEqual(dex.anomalies, []);
});

test('dotted type and class names built from the bytes equal decoding then converting', (t) => {
  if (!hasTool('unzip')) { t.skip('unzip not installed'); return; }
  const dex = parseDex(corpusEntry('appium-settings-debug.apk', 'classes.dex'), 'classes.dex', 'x');
  const decoded = Array.from({ length: dex.types }, (_, i) => descriptorToDotted(dex.typeName(i)));
  const classes = dex.classes.map((cd) => descriptorToDotted(cd.descriptor));
  dex.scanStrings(); // from here on, plain ASCII descriptors are read from the bytes
  assert.deepEqual(Array.from({ length: dex.types }, (_, i) => dex.dottedTypeName(i)), decoded);
  assert.deepEqual(dex.classes.map((cd) => dex.className(cd)), classes);
  assert.ok(decoded.some((n) => n.endsWith('[]')) && decoded.includes('int'), 'arrays and primitives take the decoding path');
  assert.deepEqual(dex.anomalies, []);
});

test('errors are RomscanErrors with offsets', () => {
  try { parseDex(new Uint8Array(200), 'c.dex', 'a.apk!/c.dex'); assert.fail('no error'); } catch (e) {
    assert.ok(e instanceof RomscanError);
    assert.equal(e.offset, 0);
    assert.match(e.message, /bad magic at 0x0 in a\.apk!\/c\.dex/);
  }
});

test('adler32 equals the plain byte-by-byte definition at every length and offset', async () => {
  const { adler32: reference } = await import('./dex-builder.js');
  const data = new Uint8Array(20000);
  let x = 12345;
  for (let i = 0; i < data.length; i++) { x = (x * 1103515245 + 12345) >>> 0; data[i] = i % 97 === 0 ? 0xff : x >>> 24; }
  for (const [from, to] of [[0, 0], [0, 1], [3, 11], [12, 5552 + 12], [12, 5553 + 12], [1, 11105], [7, 20000], [0, 20000]]) {
    assert.equal(adler32(data, from, to), reference(data, from, to), `[${from}, ${to})`);
  }
  assert.equal(adler32(new Uint8Array(16000).fill(0xff), 0, 16000), reference(new Uint8Array(16000).fill(0xff), 0, 16000), 'all 0xff: the largest sums');
  // Past zlib's 1 MiB chunks: the chunks' sums are combined, at and around each chunk edge.
  const big = new Uint8Array(3 * 1048576 + 70001);
  for (let i = 0; i < big.length; i++) { x = (x * 1103515245 + 12345) >>> 0; big[i] = i % 5 === 0 ? 0xff : x >>> 24; }
  for (const [from, to] of [[0, 1048576], [0, 1048577], [12, 1048576 + 12], [1, 2 * 1048576 + 1], [12, big.length]]) {
    assert.equal(adler32(big, from, to), reference(big, from, to), `[${from}, ${to})`);
  }
});

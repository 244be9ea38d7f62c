// CodeCursor (the allocation-free walk) and scanStrings (the byte-level look at every string):
// both must record exactly what walkCode and a loop over string(i) record, in the same order,
// because the anomalies go into the report as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDex } from '../../../src/android/dex/dex-file.js';
import { buildDex, sampleSpec } from './dex-builder.js';

test('the refs buffer grows for long methods and is emptied between methods', () => {
  const spec = sampleSpec();
  const code: number[] = [];
  for (let i = 0; i < 100; i++) code.push(0x001a, 8);        // const-string v0, #8
  for (let i = 0; i < 300; i++) code.push(0x0071, 1, 0);     // invoke-static {}, method 1
  for (let i = 0; i < 70; i++) code.push(0x0062, 0);         // sget-object v0, field 0
  spec.classes[0].direct![0].code = [...code, 0x000e];
  const dex = parseDex(buildDex(spec).bytes, 'classes.dex', 'x');
  const cursor = dex.codeCursor();
  const seen: string[] = [];
  while (cursor.next()) {
    const r = cursor.refs;
    seen.push(`${cursor.classDef.descriptor}->${cursor.name()} ${r.stringCount}/${r.invokeCount}/${r.fieldReadCount}`);
    assert.ok(r.strings.subarray(0, r.stringCount).every((s) => s === (cursor.methodIdx === 0 ? 8 : 10)));
    assert.ok(r.invokes.subarray(0, r.invokeCount).every((m) => m === 1));
  }
  assert.deepEqual(seen, ['Lcom/ex/A;->run 100/300/70', 'Lcom/ex/B$In;->run 1/0/0']);
  assert.equal(cursor.next(), false, 'an exhausted cursor stays exhausted');
  const viaWalk: number[][] = [];
  dex.walkCode((m) => viaWalk.push([m.strings.length, m.invokes.length, m.fieldReads.length]));
  assert.deepEqual(viaWalk, [[100, 300, 70], [1, 0, 0]], 'walkCode hands out copies of the same refs');
  assert.deepEqual(dex.anomalies, []);
});

test('a bad method name index is recorded once per walk, as walkCode always did', () => {
  const spec = sampleSpec();
  spec.methods[0].name = 999;
  const dex = parseDex(buildDex(spec).bytes, 'classes.dex', 'x');
  const names: string[] = [];
  dex.walkCode((m) => names.push(m.methodName));
  assert.deepEqual(names, ['<bad string index 999>', 'run']);
  assert.equal(dex.anomalies.filter((a) => /string index 999/.test(a.message)).length, 1);
  const cursor = dex.codeCursor();
  while (cursor.next()) cursor.name();
  assert.equal(dex.anomalies.filter((a) => /string index 999/.test(a.message)).length, 2, 'one more for the second walk, none for asking the name');
});

/** A dex whose strings exercise every way a string can be odd; `patch` edits the built bytes. */
function oddStrings(): Uint8Array {
  const strings = ['<init>', 'I', 'Landroid/os/Build;', 'Lcom/ex/A;', 'Lcom/ex/B$In;', 'Ljava/lang/String;', 'SERIAL', 'V',
    'http://zzhc.vnet.cn:9998/', 'run', 'caf\u00e9 \u0000 \ud83d\ude00 \u4e2d', 'plain ascii', 'size is wrong', '', 'x'];
  const { bytes, offsets } = buildDex(sampleSpec({ strings }));
  const dataOff = (i: number) => new DataView(bytes.buffer).getUint32(offsets.string_ids + 4 * i, true);
  bytes[dataOff(12)] = 5;                      // utf16_size 5 for a 13-character string
  bytes[dataOff(14) + 1] = 0xae;               // "x" → 0xae: a stray continuation byte (malformed)
  return bytes;
}

test('scanStrings records the anomalies a loop over string(i) records, in the same order, and decodes no clean ASCII string', () => {
  const viaLoop = parseDex(oddStrings(), 'classes.dex', 'x');
  for (let i = 0; i < viaLoop.strings; i++) viaLoop.string(i);
  const viaScan = parseDex(oddStrings(), 'classes.dex', 'x');
  const { pos, length } = viaScan.scanStrings();
  assert.deepEqual(viaScan.anomalies, viaLoop.anomalies);
  assert.ok(viaScan.anomalies.some((a) => /utf16_size 5/.test(a.message)));
  assert.ok(viaScan.anomalies.some((a) => /not valid MUTF-8/.test(a.message)));
  const text = new TextDecoder('latin1');
  for (let i = 0; i < viaScan.strings; i++) {
    const s = viaLoop.string(i);
    const ascii = /^[\x01-\x7f]*$/.test(s) && i !== 12 && i !== 14;
    assert.equal(pos[i] >= 0, ascii, `string ${i} ${JSON.stringify(s)} has a span iff it is plain ASCII`);
    if (ascii) assert.equal(text.decode(viaScan.bytes.subarray(pos[i], pos[i] + length[i])), s);
    assert.equal(viaScan.string(i), s);
  }
  assert.deepEqual(viaScan.anomalies, viaLoop.anomalies, 'decoding the rest later records nothing');
});

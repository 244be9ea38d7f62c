import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArsc } from '../../../src/android/arsc/index.js';
import { FormatError, TruncatedError } from '../../../src/io/errors/index.js';
import { FLAG_OFFSET16, FLAG_SPARSE, writeArsc, type WEntry } from './arsc-writer.js';

const S = (str: string) => ({ type: 0x03, str });
const I = (data: number) => ({ type: 0x10, data });
const R = (id: number) => ({ type: 0x01, data: id });
const e = (key: string, value: { type: number; data?: number; str?: string }, extra: Partial<WEntry> = {}): WEntry => ({ key, value, ...extra });

describe('parseArsc', () => {
  test('picks the default configuration, else the first that has the entry', () => {
    const t = parseArsc(writeArsc({
      typeNames: ['attr', 'string'],
      types: [
        { typeId: 2, language: 'fr', entries: [e('app_name', S('Bonjour')), e('only_fr', S('Seulement'))] },
        { typeId: 2, entries: [e('app_name', S('Hello')), null] },
        { typeId: 2, language: 'de', entries: [e('app_name', S('Hallo')), e('only_fr', S('Nur'))] },
      ],
    }), 'resources.arsc');
    assert.deepEqual(t.resolve(0x7f020000), { type: 'string', value: 'Hello' });
    assert.deepEqual(t.resolve(0x7f020001), { type: 'string', value: 'Seulement' });
    assert.equal(t.resolve(0x7f020002), null);
    assert.equal(t.resolve(0x7f030000), null);
    assert.equal(t.resolve(0x7e020000), null);
    assert.deepEqual(t.packages, [{ id: 0x7f, name: 'com.example' }]);
    assert.deepEqual(t.anomalies, []);
  });

  test('sparse, offset16 and compact entries', () => {
    const entries: (WEntry | null)[] = [e('a', I(1)), null, null, null, null, e('f', S('sixth')), null, e('h', { type: 0x12, data: 0xffffffff })];
    const t = parseArsc(writeArsc({
      typeNames: ['attr', 'integer', 'string', 'bool'],
      types: [
        { typeId: 2, flags: FLAG_SPARSE, entries },
        { typeId: 3, flags: FLAG_OFFSET16, entries },
        { typeId: 4, entries: entries.map((x) => (x === null ? null : { ...x, compact: true })) },
      ],
    }), 'r');
    for (const type of [2, 3, 4]) {
      const id = 0x7f000000 | (type << 16);
      assert.deepEqual(t.resolve(id | 0), { type: 'int', value: 1 }, `type ${type}`);
      assert.equal(t.resolve(id | 1), null);
      assert.deepEqual(t.resolve(id | 5), { type: 'string', value: 'sixth' });
      assert.deepEqual(t.resolve(id | 7), { type: 'bool', value: true });
      assert.equal(t.resolve(id | 8), null);
    }
  });

  test('follows reference chains, stops on cycles and overlong chains', () => {
    const chain: WEntry[] = [];
    for (let i = 0; i < 25; i++) chain.push(e(`c${i}`, i === 24 ? S('end') : R(0x7f030000 + i + 1)));
    const t = parseArsc(writeArsc({
      typeNames: ['attr', 'string', 'ref'],
      types: [
        { typeId: 2, entries: [e('label', R(0x7f020001)), e('real', S('Real label')), e('loop1', R(0x7f020003)), e('loop2', R(0x7f020002)), e('nul', R(0)), e('attr', { type: 0x02, data: 0x01010001 }), e('bag', S(''), { value: undefined, map: [{ name: 0x01010000, value: I(3) }] })] },
        { typeId: 3, entries: chain },
      ],
    }), 'r');
    assert.deepEqual(t.resolve(0x7f020000), { type: 'string', value: 'Real label' });
    assert.equal(t.resolve(0x7f020002), null);
    assert.ok(t.anomalies.some((a) => /cycle/.test(a.message)));
    assert.equal(t.resolve(0x7f020004), null, '@null');
    assert.deepEqual(t.resolve(0x7f020005), { type: 'attribute', id: 0x01010001 });
    assert.equal(t.resolve(0x7f020006), null, 'a bag has no single value');
    // resolve(id) stands for an XML attribute holding @id: AssetManager2::ResolveReference makes at most 20 lookups.
    assert.deepEqual(t.resolve(0x7f030005), { type: 'string', value: 'end' }, '20 lookups resolve');
    assert.equal(t.resolve(0x7f030004), null, '21 lookups are more than AssetManager2 makes');
    assert.ok(t.anomalies.some((a) => /longer than 20/.test(a.message)));
  });

  test('strings() yields global, type and key strings', () => {
    const t = parseArsc(writeArsc({ typeNames: ['attr', 'string'], types: [{ typeId: 2, entries: [e('url', S('http://example.com/x'))] }], utf8: false }), 'r');
    assert.deepEqual([...t.strings()], ['http://example.com/x', 'attr', 'string', 'url']);
  });

  test('shared-library package (id 0) gets dynamic id 0x02, and 0x00 references reach it', () => {
    const t = parseArsc(writeArsc({ packageId: 0, typeNames: ['attr', 'string'], types: [{ typeId: 2, entries: [e('n', S('lib'))] }] }), 'r');
    assert.deepEqual(t.packages, [{ id: 0x02, name: 'com.example' }]);
    assert.deepEqual(t.resolve(0x02020000), { type: 'string', value: 'lib' });
    assert.deepEqual(t.resolve(0x00020000), { type: 'string', value: 'lib' });
  });

  test('an entry offset past its type chunk is ignored with an anomaly', () => {
    const bytes = writeArsc({ typeNames: ['attr', 'string'], types: [{ typeId: 2, entries: [e('a', S('x')), e('b', S('y'))] }] });
    const t0 = parseArsc(bytes, 'r');
    assert.deepEqual(t0.resolve(0x7f020001), { type: 'string', value: 'y' });
    // Corrupt the second u32 entry offset (first offset table entry follows the 84-byte type header).
    const dv = new DataView(bytes.buffer);
    const typePos = findChunk(bytes, 0x0201);
    dv.setUint32(typePos + 84 + 4, 0x100000, true);
    const t = parseArsc(bytes, 'r');
    assert.equal(t.resolve(0x7f020001), null);
    assert.deepEqual(t.resolve(0x7f020000), { type: 'string', value: 'x' });
    assert.ok(t.anomalies.some((a) => /beyond its type chunk/.test(a.message)));
  });

  test('unreadable input is a typed error with an offset', () => {
    assert.throws(() => parseArsc(new Uint8Array(4), 'r'), (err: unknown) => err instanceof TruncatedError && err.offset === 0);
    const notTable = new Uint8Array(16); notTable[0] = 3; notTable[2] = 8;
    assert.throws(() => parseArsc(notTable, 'r'), (err: unknown) => err instanceof FormatError && err.offset === 0);
  });
});

function findChunk(bytes: Uint8Array, type: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  for (let p = 0; p + 8 <= bytes.length; p += 4) if (dv.getUint16(p, true) === type && dv.getUint16(p + 2, true) === 84) return p;
  throw new Error('chunk not found');
}

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attr, parseAxml, parseStringPool, typedValueToString, decodeResValue, ANDROID_NS } from '../../../src/android/axml/index.js';
import { FormatError, LimitError, TruncatedError } from '../../../src/io/errors/index.js';
import type { Anomaly } from '../../../src/io/anomaly.js';
import { chunk, doc, el, stringPool, T, writeAxml, type WNode } from './axml-writer.js';

describe('string pool', () => {
  for (const utf8 of [true, false]) {
    test(`${utf8 ? 'UTF-8' : 'UTF-16'}: one- and two-unit lengths, non-ASCII, empty strings`, () => {
      // UTF-8 lengths are 7 or 15 bits, UTF-16 lengths 15 or 31 bits.
      const strings = ['', 'a', 'x'.repeat(0x7f), 'y'.repeat(0x80), 'z'.repeat(utf8 ? 0x7fff : 0x8001), 'Привет 日本 😀'];
      const bytes = stringPool(strings, utf8);
      const anomalies: Anomaly[] = [];
      const pool = parseStringPool(bytes, 0, bytes.length, 100, 'p', 'axml', anomalies);
      assert.equal(pool.count, strings.length);
      assert.deepEqual([...pool.all()], strings);
      assert.equal(pool.get(6), null);
      assert.equal(pool.get(-1), null);
      assert.deepEqual(anomalies, []);
    });
  }

  test('bogus stringCount is clamped to what fits, with an anomaly', () => {
    const bytes = stringPool(['one', 'two'], true);
    new DataView(bytes.buffer).setUint32(8, 0x7fffffff, true);
    const anomalies: Anomaly[] = [];
    const pool = parseStringPool(bytes, 0, bytes.length, 0, 'p', 'axml', anomalies);
    assert.ok(pool.count < 100);
    assert.equal(pool.get(0), 'one');
    assert.equal(pool.get(1), 'two');
    assert.ok(anomalies.some((a) => /stringCount 2147483647 does not fit/.test(a.message) && a.offset === 8));
  });

  test('out-of-range offsets give null; unterminated and over-long strings are read with anomalies', () => {
    const bytes = stringPool(['abc', 'defg'], true);
    const dv = new DataView(bytes.buffer);
    const stringsStart = dv.getUint32(20, true);
    dv.setUint32(28, 0x10000, true); // string #0 offset far outside
    bytes[stringsStart + 12] = 0x41; // string #1 = [4, 4, 'd','e','f','g', 0] at +6: overwrite its terminator
    const anomalies: Anomaly[] = [];
    const pool = parseStringPool(bytes, 0, bytes.length, 0, 'p', 'axml', anomalies);
    assert.equal(pool.get(0), null);
    assert.equal(pool.get(1), 'defg');
    assert.ok(anomalies.some((a) => /string #0 offset 65536 is out of range/.test(a.message)));
    assert.ok(anomalies.some((a) => /string #1 is not 0-terminated/.test(a.message)));
    // A length that runs past the pool is cut at the pool end.
    const b2 = stringPool(['abc'], false);
    const s2 = new DataView(b2.buffer).getUint32(20, true);
    new DataView(b2.buffer).setUint16(s2, 0x7000, true);
    const a2: Anomaly[] = [];
    const p2 = parseStringPool(b2, 0, b2.length, 0, 'p', 'axml', a2);
    assert.ok(p2.get(0)!.startsWith('abc'));
    assert.ok(a2.some((a) => /extends past the pool end/.test(a.message)));
  });

  test('a header size below ResStringPool_header is recorded and read as the standard one', () => {
    const bytes = stringPool(['q'], true);
    new DataView(bytes.buffer).setUint16(2, 8, true);
    const anomalies: Anomaly[] = [];
    assert.equal(parseStringPool(bytes, 0, bytes.length, 0, 'p', 'axml', anomalies).get(0), 'q');
    assert.ok(anomalies.some((a) => /header size 8 is invalid/.test(a.message)));
  });
});

describe('typed values', () => {
  const strs = (i: number) => (i === 0 ? 'zero' : null);
  test('every Res_value type', () => {
    assert.deepEqual(decodeResValue(T.STRING, 0, strs), { type: 'string', value: 'zero' });
    assert.deepEqual(decodeResValue(T.STRING, 9, strs), { type: 'other', dataType: 3, data: 9 });
    assert.deepEqual(decodeResValue(T.INT, 0xffffffff, strs), { type: 'int', value: -1 });
    assert.deepEqual(decodeResValue(T.HEX, 0x10, strs), { type: 'int', value: 16 });
    assert.deepEqual(decodeResValue(T.BOOL, 1, strs), { type: 'bool', value: true });
    assert.deepEqual(decodeResValue(T.BOOL, 0, strs), { type: 'bool', value: false });
    assert.deepEqual(decodeResValue(T.REF, 0x7f040001, strs), { type: 'reference', id: 0x7f040001 });
    assert.deepEqual(decodeResValue(0x07, 0x00040001, strs), { type: 'reference', id: 0x00040001 });
    assert.deepEqual(decodeResValue(T.ATTR, 0x01010036, strs), { type: 'attribute', id: 0x01010036 });
    assert.deepEqual(decodeResValue(T.FLOAT, 0x3fc00000, strs), { type: 'float', value: 1.5 });
    assert.deepEqual(decodeResValue(T.DIM, 0x00001001, strs), { type: 'other', dataType: 5, data: 0x1001 });
  });
  test('text forms follow TypedValue.coerceToString', () => {
    assert.equal(typedValueToString({ type: 'other', dataType: T.DIM, data: (16 << 8) | 1 }), '16.0dip');
    assert.equal(typedValueToString({ type: 'other', dataType: T.DIM, data: (3 << 8) | 0 }), '3.0px');
    assert.equal(typedValueToString({ type: 'other', dataType: T.FRACTION, data: (1 << 8) | 0 }), '100.0%');
    assert.equal(typedValueToString({ type: 'other', dataType: T.ARGB8, data: 0xff00ff00 }), '#ff00ff00');
    assert.equal(typedValueToString({ type: 'reference', id: 0x7f010000 }), '@0x7f010000');
    assert.equal(typedValueToString({ type: 'attribute', id: 0x01010000 }), '?0x01010000');
    assert.equal(typedValueToString({ type: 'bool', value: true }), 'true');
  });
});

describe('parseAxml', () => {
  test('tree, namespaces, text, raw values', () => {
    const d = parseAxml(writeAxml(doc(el('root', [{ name: 'name', resId: 0x01010003, type: T.STRING, str: 'typed', raw: 'raw' }, { ns: null, name: 'plain', type: T.INT, data: 5 }],
      el('child', []), [{ kind: 'cdata', text: 'hello' }], el('child', [])))), 'x');
    assert.equal(d.root?.name, 'root');
    assert.equal(d.root?.children.length, 2);
    assert.equal(d.root?.text, 'hello');
    const [a, b] = d.root!.attributes;
    assert.deepEqual(a, { namespace: ANDROID_NS, name: 'name', resId: 0x01010003, value: { type: 'string', value: 'typed' }, raw: 'raw' });
    assert.deepEqual(b, { namespace: null, name: 'plain', resId: null, value: { type: 'int', value: 5 }, raw: null });
    assert.deepEqual(d.anomalies, []);
  });

  test('attr(): resource id first; duplicates and out-of-order ids are invisible, as in Android; name fallback only without ids', () => {
    const d = parseAxml(writeAxml(doc(el('e', [
      { name: 'name', type: T.STRING, str: 'by-name-no-id' },
      { name: 'label', resId: 0x01010001, type: T.STRING, str: 'label' },
      { name: 'exported', resId: 0x01010010, type: T.BOOL, data: 1 },
      { name: 'icon', resId: 0x01010002, type: T.REF, data: 0x7f020000 },
      { name: 'label', resId: 0x01010001, type: T.STRING, str: 'second label', poolName: 'label2' },
    ]))), 'x');
    const e = d.root!;
    assert.equal((attr(e, 0x01010001, 'label')!.value as { value: string }).value, 'label');
    assert.equal(attr(e, 0x01010002, 'icon'), undefined, 'icon follows exported (0x01010010): Android cannot see it');
    assert.equal((attr(e, 0x01010003, 'name')!.value as { value: string }).value, 'by-name-no-id');
    assert.equal(attr(e, 0x01010024, 'value'), undefined);
    assert.ok(d.anomalies.some((a) => /follows a larger or equal resource id/.test(a.message)));
  });

  test('unreadable input is a typed error with an absolute offset', () => {
    assert.throws(() => parseAxml(new Uint8Array(3), 'x'), (e: unknown) => e instanceof TruncatedError && e.offset === 0);
    const text = new TextEncoder().encode('<?xml version="1.0"?><manifest/>');
    assert.throws(() => parseAxml(text, 'x'), (e: unknown) => e instanceof FormatError && e.offset !== undefined && /not binary XML/.test(e.message));
    // A string pool whose size runs past the end: the document cannot be read.
    const pool = stringPool(['a'], true);
    new DataView(pool.buffer).setUint32(4, 4096, true);
    const bytes = new Uint8Array([3, 0, 8, 0, 8 + pool.length, 0, 0, 0, ...pool]);
    assert.throws(() => parseAxml(bytes, 'x'), (e: unknown) => e instanceof TruncatedError && e.offset === 8);
  });

  test('nesting beyond MAX_XML_DEPTH is a LimitError', () => {
    let nodes: WNode[] = el('leaf', []);
    for (let i = 0; i < 300; i++) nodes = el('n', [], nodes);
    assert.throws(() => parseAxml(writeAxml(doc(nodes)), 'x'), LimitError);
  });

  test('a node with too small a body, or attributes past its end, ends the document where Android stops', () => {
    const bad = chunk(0x0102, 16, new Array(8).fill(0)); // start element with 8 body bytes (needs 20)
    const d = parseAxml(writeAxml([{ kind: 'startNs', prefix: 'a', uri: ANDROID_NS }, { kind: 'start', name: 'm', attrs: [] }, { kind: 'chunk', bytes: bad }, { kind: 'end', name: 'm' }]), 'x');
    assert.equal(d.root?.name, 'm');
    assert.ok(d.anomalies.some((a) => /needs 20; Android stops parsing here/.test(a.message)));
    assert.ok(d.anomalies.some((a) => /document ends inside <m>/.test(a.message)));
  });
});

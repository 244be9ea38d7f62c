// The shared format APIs non-dex scans use instead of their own walks: StringPool.span (a string's
// code units in place) must agree with StringPool.get on every string, real or damaged; walkAxml's
// events must carry what parseAxml builds its tree from; ResourceTable.stringPools() must be the
// pools strings() reads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseAxml, parseStringPool, walkAxml, newAxmlAttribute, NO_INDEX, decodeResValue,
  type AxmlStartElement, type StringPool, type StringSpan, type XmlElement,
} from '../../../src/android/axml/index.js';
import { parseArsc } from '../../../src/android/arsc/index.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import type { Anomaly } from '../../../src/io/anomaly.js';
import { openZip } from '../../../src/formats/zip/index.js';
import { FileSource } from '../../../src/io/source.js';
import { doc, el, stringPool, T, writeAxml, type WNode } from './axml-writer.js';
import { xorshift01 } from '../../helpers/xorshift.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/axml');
const APK_DIR = join(import.meta.dirname, '../../../../shared/corpus/apk');

/** span and get agree on every index (and on some past the end); returns how many strings had a span. */
function assertSpanMatchesGet(pool: StringPool, what: string): number {
  const span: StringSpan = { start: -1, end: -1 };
  const buf = Buffer.from(pool.bytes.buffer, pool.bytes.byteOffset, pool.bytes.byteLength);
  let spans = 0;
  for (let i = 0; i < pool.count + 2; i++) {
    const has = pool.span(i, span);
    const s = pool.get(i);
    assert.equal(has, s !== null, `${what}: #${i} span ${has}, get ${JSON.stringify(s)}`);
    if (!has) continue;
    spans++;
    assert.ok(span.start >= 0 && span.start <= span.end && span.end <= pool.bytes.length, `${what}: #${i} span ${span.start}..${span.end}`);
    assert.equal(buf.toString(pool.utf8 ? 'utf8' : 'utf16le', span.start, span.end), s, `${what}: #${i}`);
  }
  assert.equal(pool.span(-1, span), false);
  assert.equal(pool.span(NO_INDEX, span), false);
  return spans;
}

describe('StringPool.span', () => {
  for (const utf8 of [true, false]) {
    test(`${utf8 ? 'UTF-8' : 'UTF-16'}: the code units get decodes, for clean and damaged pools`, () => {
      const strings = ['', 'a', 'x'.repeat(0x7f), 'y'.repeat(0x80), 'https://example.com/a', 'Привет 日本 😀'];
      const good = stringPool(strings, utf8);
      assert.equal(assertSpanMatchesGet(parseStringPool(good, 0, good.length, 0, 'p', 'axml', []), 'clean'), strings.length);
      // Damage offsets, lengths and the header: span must still say what get says.
      const next = xorshift01(utf8 ? 7 : 11);
      for (let k = 0; k < 400; k++) {
        const bytes = good.slice();
        for (let f = 0; f < 1 + Math.floor(next() * 4); f++) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
        let pool: StringPool;
        try { pool = parseStringPool(bytes, 0, bytes.length, 0, 'p', 'axml', []); } catch (e) { if (isRomscanError(e)) continue; throw e; }
        assertSpanMatchesGet(pool, `flip ${k}`);
      }
    });
  }

  test('span records no anomaly; get still does', () => {
    const bytes = stringPool(['abc'], true);
    new DataView(bytes.buffer).setUint32(28, 0x10000, true); // string #0 offset far outside
    const anomalies: Anomaly[] = [];
    const pool = parseStringPool(bytes, 0, bytes.length, 0, 'p', 'axml', anomalies);
    const before = anomalies.length;
    assert.equal(pool.span(0, { start: 0, end: 0 }), false);
    assert.equal(anomalies.length, before);
    assert.equal(pool.get(0), null);
    assert.ok(anomalies.some((a) => /string #0 offset 65536 is out of range/.test(a.message)));
  });
});

/** The tree parseAxml builds, rebuilt from walkAxml's events (the way a visitor sees the document). */
function treeFromWalk(bytes: Uint8Array): XmlElement | null {
  let strings: StringPool | null = null;
  const str = (i: number) => (i === NO_INDEX ? null : strings!.get(i));
  const rec = newAxmlAttribute();
  let root: XmlElement | null = null;
  const stack: XmlElement[] = [];
  const open: AxmlStartElement[] = [];
  walkAxml(bytes, 'x', {
    begin(c) { strings = c.strings; },
    startElement(node, depth) {
      assert.equal(depth, stack.length);
      const e: XmlElement = { name: str(node.name) ?? '', namespace: str(node.namespace), attributes: [], children: [] };
      for (let i = 0; i < node.usableAttributes; i++) {
        const a = node.readAttribute(i, rec);
        assert.equal(a.pos, node.attributePos(i));
        e.attributes.push({ namespace: str(a.namespace), name: str(a.name) ?? '', resId: null, value: decodeResValue(a.dataType, a.data, str), raw: str(a.raw) });
      }
      if (stack.length) stack[stack.length - 1].children.push(e); else root = e;
      stack.push(e); open.push(node);
    },
    endElement(node) { assert.equal(node, open.pop()); stack.pop(); },
    text(node, index) {
      assert.equal(node, open.length ? open[open.length - 1] : null);
      const t = str(index);
      if (t !== null && node !== null) { const top = stack[stack.length - 1]; top.text = (top.text ?? '') + t; }
    },
  });
  return root;
}

/** parseAxml's tree without resource ids (the walker hands out the map; parseAxml resolves it). */
function withoutIds(e: XmlElement | null): unknown {
  if (e === null) return null;
  return { ...e, attributes: e.attributes.map((a) => ({ ...a, resId: null })), children: e.children.map(withoutIds) };
}

describe('walkAxml', () => {
  test('events carry the names, attributes and text parseAxml builds its tree from', () => {
    const text = (t: string): WNode[] => [{ kind: 'cdata', text: t }];
    const bytes = writeAxml(doc(
      el('manifest', [{ name: 'package', ns: null, type: T.STRING, str: 'com.example' }, { name: 'versionCode', resId: 0x0101021b, type: T.INT, data: 7 }],
        text('one '), el('item', [{ name: 'value', type: T.INT, data: 5, ns: null }], text('sms')), text('two')),
    ));
    const tree = parseAxml(bytes, 'x').root;
    assert.equal(tree?.text, 'one two');
    assert.deepEqual(treeFromWalk(bytes), withoutIds(tree));
  });

  test('text outside any element reaches the visitor with a null element', () => {
    const bytes = writeAxml([{ kind: 'cdata', text: 'before' }, ...doc(el('a', []))]);
    const seen: (string | null)[] = [];
    let strings: StringPool | null = null;
    walkAxml(bytes, 'x', { begin(c) { strings = c.strings; }, startElement() {}, endElement() {}, text(node, i) { seen.push(node === null ? strings!.get(i) : 'inside'); } });
    assert.deepEqual(seen, ['before']);
  });

  test('every fixture: the walk rebuilds parseAxml\'s tree and gives the same anomalies', () => {
    let n = 0;
    for (const dir of readdirSync(FIXTURES)) {
      for (const f of readdirSync(join(FIXTURES, dir))) {
        if (f.endsWith('.txt') || f.endsWith('.sh') || f.endsWith('.md')) continue;
        const bytes = new Uint8Array(readFileSync(join(FIXTURES, dir, f)));
        let parsed;
        try { parsed = parseAxml(bytes, 'x'); } catch (e) {
          if (!isRomscanError(e)) throw e;
          assert.throws(() => walkAxml(bytes, 'x', { begin() {}, startElement() {}, endElement() {}, text() {} }), { message: (e as Error).message });
          continue;
        }
        assert.deepEqual(treeFromWalk(bytes), withoutIds(parsed.root), `${dir}/${f}`);
        n++;
      }
    }
    assert.ok(n > 20, `${n} fixtures`);
  });
});

describe('ResourceTable.stringPools', { skip: !existsSync(APK_DIR) && 'corpus not present' }, () => {
  test('corpus tables: the pools strings() reads, in its order; span agrees with get on every string', async () => {
    let tables = 0, spans = 0;
    for (const f of readdirSync(APK_DIR).filter((n) => n.endsWith('.apk')).sort()) {
      const src = await FileSource.open(join(APK_DIR, f), f);
      try {
        let table;
        try {
          const zip = await openZip(src);
          const e = zip.find('resources.arsc');
          if (!e) continue;
          table = parseArsc(await zip.read(e, 'MAX_ARSC_BYTES'), f);
        } catch (err) {
          if (isRomscanError(err)) continue; // damaged corpus APKs: not this test's subject
          throw err;
        }
        const pools = table.stringPools();
        assert.deepEqual(pools.flatMap((p) => [...p.all()]), [...table.strings()], f);
        for (const p of pools) spans += assertSpanMatchesGet(p, f);
        tables++;
      } finally {
        await src.close();
      }
    }
    assert.ok(tables > 5 && spans > 10_000, `${tables} tables, ${spans} strings`);
  });
});

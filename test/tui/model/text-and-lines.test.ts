// Terminal-safe text and line wrapping: what reaches the screen from untrusted report strings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fitSegs, line, lineText, seg, segsWidth, wrapLines } from '../../../src/tui/model/line.js';
import { partitionOf } from '../../../src/tui/model/build-model.js';
import { fit, sanitize, textWidth, truncate } from '../../../src/tui/text.js';
import { makeApp } from '../fixtures/make-report.js';

describe('sanitize', () => {
  test('control characters, C1 and bidi overrides become visible escapes', () => {
    assert.equal(sanitize('a\x1b[2Jb'), 'a\\x1b[2Jb');
    assert.equal(sanitize('x\r\ny\t'), 'x\\x0d\\x0ay\\x09');
    assert.equal(sanitize('\u009b31m'), '\\x9b31m');
    assert.equal(sanitize('evil\u202egnp.exe'), 'evil\\u202egnp.exe');
    assert.equal(sanitize('中文 ok'), '中文 ok');
  });
  test('seg() sanitises, and copes with a non-string from a broken report', () => {
    assert.equal(seg('\x07').text, '\\x07');
    assert.equal(seg(42 as unknown as string).text, '42');
  });
});

describe('widths', () => {
  test('CJK counts two columns, combining marks none', () => {
    assert.equal(textWidth('abc'), 3);
    assert.equal(textWidth('设置'), 4);
    assert.equal(textWidth('e\u0301'), 1);
    assert.equal(truncate('设置应用', 5), '设置…');
    assert.equal(textWidth(fit('设置', 6)), 6);
    assert.equal(fit('abc', 5, 'right'), '  abc');
  });
  test('fitSegs cuts to the width with an ellipsis', () => {
    const segs = fitSegs([seg('hello '), seg('world', 'accent')], 8);
    assert.equal(segs.map((s) => s.text).join(''), 'hello w…');
    assert.equal(segsWidth(segs), 8);
  });
});

describe('wrapLines', () => {
  test('prose breaks at spaces and continues under the hang column', () => {
    const l = { ...line(seg('  Key   '), seg('the quick brown fox jumps over the lazy dog')), hang: 8 };
    const rows = wrapLines([l], 24).map(lineText);
    assert.deepEqual(rows, ['  Key   the quick brown ', '        fox jumps over ', '        the lazy dog']);
    for (const r of rows) assert.ok(textWidth(r) <= 24);
  });
  test('URLs without spaces break anywhere; every row keeps the target', () => {
    const target = { source: 'report' as const, index: 3 };
    const rows = wrapLines([{ ...line(seg('  http://zzhc.vnet.cn:9998/register/imei/submit')), target }], 20);
    assert.equal(rows.map(lineText).join('').replace(/\s+/g, ''), 'http://zzhc.vnet.cn:9998/register/imei/submit');
    assert.ok(rows.length >= 3 && rows.every((r) => r.target === target && textWidth(lineText(r)) <= 20));
  });
  test('a wide character never straddles the edge', () => {
    const rows = wrapLines([line(seg('ab设置应用设置应用'))], 5).map(lineText);
    for (const r of rows) assert.ok(textWidth(r) <= 5, r);
    assert.equal(rows.join('').replace(/\s+/g, ''), 'ab设置应用设置应用');
  });
});

describe('partitionOf', () => {
  test('from the report field, a path segment, or the container name', () => {
    assert.equal(partitionOf({ ...makeApp(1), partition: 'odm' }), 'odm');
    const p = (path: string) => partitionOf({ ...makeApp(1), partition: null, path });
    assert.equal(p('update.zip!/system.new.dat.br!/system/priv-app/Foo/Foo.apk'), 'system');
    assert.equal(p('super.img!/vendor_a!/app/Bar/Bar.apk'), 'vendor');
    assert.equal(p('rom/product/app/X/X.apk'), 'product');
    assert.equal(p('fw.tar!/my_region.img.lz4!/app/Y.apk'), 'my_region');
    assert.equal(p('Foo.apk'), null);
  });
});

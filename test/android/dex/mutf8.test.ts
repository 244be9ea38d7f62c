import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMutf8, MUTF8_OK, MUTF8_MALFORMED, MUTF8_FOUR_BYTE, MUTF8_UNTERMINATED } from '../../../src/android/dex/mutf8.js';
import { encodeMutf8 } from './dex-builder.js';
import { xorshift32 } from '../../helpers/xorshift.js';

const dec = (bytes: number[]) => decodeMutf8(Uint8Array.from(bytes), 0, bytes.length);

test('ASCII fast path stops at the NUL terminator', () => {
  assert.deepEqual(dec([0x61, 0x62, 0x63, 0, 0x64]), { value: 'abc', flags: MUTF8_OK, end: 3 });
  assert.deepEqual(dec([0]), { value: '', flags: MUTF8_OK, end: 0 });
});

test('encoded NUL (C0 80), 2- and 3-byte forms and surrogate pairs as two 3-byte sequences', () => {
  assert.equal(dec([0x61, 0xc0, 0x80, 0x62, 0]).value, 'a\u0000b');
  assert.equal(dec([0xc3, 0xa9, 0]).value, '\u00e9');
  assert.equal(dec([0xe4, 0xb8, 0xad, 0]).value, '\u4e2d');
  // U+1F600 = D83D DE00, each surrogate as a 3-byte sequence (ED A0 BD, ED B8 80)
  assert.deepEqual(dec([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, 0]), { value: '\ud83d\ude00', flags: MUTF8_OK, end: 6 });
  for (const s of ['', 'plain', 'mixed é 中 \u0000 \ud83d\ude00 end', '\u07ff\u0800\uffff']) {
    assert.equal(dec([...encodeMutf8(s), 0]).value, s);
  }
});

test('4-byte UTF-8 decodes to a surrogate pair and is flagged', () => {
  assert.deepEqual(dec([0xf0, 0x9f, 0x98, 0x80, 0]), { value: '\ud83d\ude00', flags: MUTF8_FOUR_BYTE, end: 4 });
});

test('malformed and unterminated input decode to U+FFFD with flags, never throw', () => {
  assert.deepEqual(dec([0x80, 0x41, 0]), { value: '\ufffdA', flags: MUTF8_MALFORMED, end: 2 });
  assert.equal(dec([0xc3, 0]).flags, MUTF8_MALFORMED);
  assert.equal(dec([0xe4, 0xb8]).flags & MUTF8_UNTERMINATED, MUTF8_UNTERMINATED);
  assert.deepEqual(dec([0x61, 0x62]), { value: 'ab', flags: MUTF8_UNTERMINATED, end: 2 });
  assert.equal(dec([0xff, 0xfe, 0]).value, '\ufffd\ufffd');
});

test('long non-ASCII strings decode whole', () => {
  for (const s of ['\u00e9'.repeat(20000) + 'x', 'a\u0000' + '\u4e2d\ud83d\ude00'.repeat(20000) + '\u0000']) {
    assert.equal(dec([...encodeMutf8(s), 0]).value, s);
  }
});

test('strings that are also plain UTF-8 (decoded natively) and those that are not decode alike', () => {
  assert.deepEqual(dec([0xef, 0xbb, 0xbf, 0x61, 0]), { value: '\ufeffa', flags: MUTF8_OK, end: 4 }, 'a leading U+FEFF is kept');
  const pool = ['a', 'Z', '/', '\u00e9', '\u4e2d', '\ufeff', '\u0000', '\ud83d\ude00', '\u07ff', '\u0800', '\uffff'];
  const next = xorshift32(7);
  for (let n = 0; n < 500; n++) {
    let s = '';
    for (let k = next() % 12; k > 0; k--) s += pool[next() % pool.length];
    const bytes = [...encodeMutf8(s), 0];
    assert.deepEqual(dec(bytes), { value: s, flags: MUTF8_OK, end: bytes.length - 1 }, JSON.stringify(s));
  }
});

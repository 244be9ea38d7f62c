import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader } from '../../src/io/byte-reader.js';
import { TruncatedError, FormatError } from '../../src/io/errors/index.js';

test('reads little- and big-endian integers and moves the position', () => {
  const r = new ByteReader(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff]), 0x100, 'x');
  assert.equal(r.u16le(), 0x0201);
  assert.equal(r.u16be(), 0x0304);
  assert.equal(r.u32le(), 0x08070605);
  assert.equal(r.offset, 0x108);
  assert.equal(r.i32le(), -1);
  assert.equal(r.remaining, 0);
});

test('errors carry the absolute offset and the virtual path', () => {
  const r = new ByteReader(new Uint8Array(6), 0x1000, 'a.zip!/classes.dex');
  r.seek(4);
  assert.throws(() => r.u32le(), (e: unknown) => e instanceof TruncatedError && e.offset === 0x1004 && /a\.zip!\/classes\.dex/.test(e.message));
});

test('uleb128 and sleb128 decode the DEX spec examples', () => {
  const r = new ByteReader(Uint8Array.from([0x00, 0x01, 0x7f, 0x80, 0x7f, 0x7f, 0x80, 0x7f]));
  assert.equal(r.uleb128(), 0);
  assert.equal(r.uleb128(), 1);
  assert.equal(r.uleb128(), 127);
  assert.equal(r.uleb128(), 16256);
  assert.equal(r.sleb128(), -1);
  assert.equal(r.sleb128(), -128);
});

test('an over-long uleb128 is a FormatError, not a loop', () => {
  const r = new ByteReader(new Uint8Array(16).fill(0x80));
  assert.throws(() => r.uleb128(), FormatError);
});

test('u64le refuses values that lose precision', () => {
  const r = new ByteReader(Uint8Array.from([0, 0, 0, 0, 0, 0, 0x20, 0]));
  assert.throws(() => r.u64le(), FormatError);
  assert.equal(new ByteReader(Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0])).u64le(), 0x1_0000_0001);
});

test('sub-windows keep absolute offsets', () => {
  const r = new ByteReader(new Uint8Array(32), 0x200, 'p');
  const s = r.sub(16, 8);
  s.seek(4);
  assert.equal(s.offset, 0x214);
  assert.throws(() => s.u64le(), TruncatedError);
});

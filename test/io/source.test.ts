// Contract suite (strtok3's matrix idea): the same cases against every Source implementation —
// reads at the start, at the end, past the end, of zero bytes, and crossing extent boundaries.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSource, FileSource, SliceSource, ExtentSource, DecodedSource, type Source } from '../../src/io/source.js';
import { TruncatedError, FormatError } from '../../src/io/errors/index.js';

const data = new Uint8Array(10_000).map((_, i) => (i * 31 + 7) & 0xff);
const dir = mkdtempSync(join(tmpdir(), 'romscan-src-'));
const file = join(dir, 'data.bin');
writeFileSync(file, data);

// Each backend presents the same 10,000 bytes.
const backends: [string, () => Promise<Source>][] = [
  ['BufferSource', async () => new BufferSource(data, 'buf')],
  ['FileSource', () => FileSource.open(file, 'file')],
  ['SliceSource', async () => {
    const padded = new Uint8Array(data.length + 300);
    padded.set(data, 100);
    return new SliceSource(new BufferSource(padded, 'p'), 100, data.length, 'slice');
  }],
  ['ExtentSource', async () => {
    // Data in three out-of-order pieces of a parent, so reads cross extent boundaries.
    const parent = new Uint8Array(data.length);
    parent.set(data.subarray(6000), 0);
    parent.set(data.subarray(0, 2500), 4000);
    parent.set(data.subarray(2500, 6000), 6500);
    return new ExtentSource(new BufferSource(parent, 'parent'), [
      { logical: 0, length: 2500, kind: 'data', parentOffset: 4000 },
      { logical: 2500, length: 3500, kind: 'data', parentOffset: 6500 },
      { logical: 6000, length: 4000, kind: 'data', parentOffset: 0 },
    ], data.length, 'extents');
  }],
  ['DecodedSource', async () => new DecodedSource(async () => data.slice(), data.length, 'decoded')],
];

const opened: Source[] = [];
for (const [name, makeRaw] of backends) {
  const make = async () => { const s = await makeRaw(); opened.push(s); return s; };
  describe(`Source contract: ${name}`, () => {
    test('reads at the start', async () => {
      const s = await make();
      assert.deepEqual([...(await s.read(0, 16))], [...data.subarray(0, 16)]);
    });
    test('reads at the end', async () => {
      const s = await make();
      assert.deepEqual([...(await s.read(data.length - 7, 7))], [...data.subarray(data.length - 7)]);
    });
    test('reads of zero bytes', async () => {
      const s = await make();
      assert.equal((await s.read(data.length, 0)).length, 0);
    });
    test('reads across extent boundaries equal the data', async () => {
      const s = await make();
      for (const [off, len] of [[2400, 200], [2000, 5000], [0, data.length], [5999, 2]]) {
        assert.deepEqual(Buffer.from(await s.read(off, len)), Buffer.from(data.subarray(off, off + len)), `${off}+${len}`);
      }
    });
    test('read past the end is a TruncatedError', async () => {
      const s = await make();
      await assert.rejects(s.read(data.length - 1, 2), TruncatedError);
      await assert.rejects(s.read(-1, 1), TruncatedError);
    });
    test('size is the logical size', async () => {
      assert.equal((await make()).size, data.length);
    });
  });
}

describe('ExtentSource', () => {
  test('gaps and zero extents read as zeros, fill extents repeat their 32-bit value', async () => {
    const s = new ExtentSource(null, [
      { logical: 4, length: 8, kind: 'fill', value: 0x04030201 },
      { logical: 16, length: 4, kind: 'zero' },
    ], 24, 'x');
    assert.deepEqual([...(await s.read(0, 24))], [0, 0, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...(await s.read(6, 3))], [3, 4, 1]);
  });
  test('overlapping extents are a FormatError', () => {
    assert.throws(() => new ExtentSource(null, [
      { logical: 0, length: 8, kind: 'zero' }, { logical: 4, length: 8, kind: 'zero' },
    ], 16, 'x'), FormatError);
  });
  test('a data extent past the parent end is a TruncatedError', () => {
    assert.throws(() => new ExtentSource(new BufferSource(new Uint8Array(4), 'p'), [
      { logical: 0, length: 8, kind: 'data', parentOffset: 0 },
    ], 8, 'x'), TruncatedError);
  });
});

test('DecodedSource rejects a decoder that returns the wrong size', async () => {
  const s = new DecodedSource(async () => new Uint8Array(3), 4, 'd');
  await assert.rejects(s.read(0, 1), FormatError);
});

test('cleanup', async () => {
  for (const s of opened) if (s instanceof FileSource) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

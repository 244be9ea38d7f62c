import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoReader, parseManifest } from '../../../src/formats/payload/index.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { encodeManifest, OP_TYPE } from '../../helpers/write-payload.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('protobuf wire reader', () => {
  test('varints, lengths and every skippable wire type', () => {
    // field 1 varint 300; field 2 fixed64; field 3 len "hi"; field 4 fixed32; field 5 varint -1 (10 bytes)
    const msg = bytes(0x08, 0xac, 0x02, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 2, 0x68, 0x69, 0x25, 1, 2, 3, 4,
      0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    const r = new ProtoReader(msg, 100, 'm');
    let f = r.next()!;
    assert.deepEqual([f.field, f.wire, f.offset], [1, 0, 100]);
    assert.equal(r.varint(), 300);
    for (let i = 0; i < 4; i++) r.skip(r.next()!);
    assert.equal(r.next(), null);
  });

  test('rejects what a proto2 reader must not guess at', () => {
    const bad: [string, Uint8Array, (r: ProtoReader) => unknown][] = [
      ['group wire type', bytes(0x0b), (r) => r.skip(r.next()!)],
      ['field number 0', bytes(0x00, 0x01), (r) => r.next()],
      ['11-byte varint', bytes(0x08, ...new Array(11).fill(0x80)), (r) => { r.next(); return r.varint(); }],
      ['varint past 2^53', bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), (r) => { r.next(); return r.varint(); }],
      ['length past the end', bytes(0x12, 0x05, 0x00), (r) => { r.next(); return r.bytesField(); }],
      ['truncated varint', bytes(0x08, 0x80), (r) => { r.next(); return r.varint(); }],
    ];
    for (const [why, b, f] of bad) assert.throws(() => f(new ProtoReader(b, 0, 'm')), (e: unknown) => isRomscanError(e), why);
  });
});

describe('DeltaArchiveManifest', () => {
  test('field numbers round-trip through the writer (update_metadata.proto)', () => {
    const { manifest } = encodeManifest([
      { name: 'system', size: 8192, hash: new Uint8Array(32).fill(1), ops: [
        { type: OP_TYPE.REPLACE, data: new Uint8Array(10), dst: [{ start: 1, num: 1 }, { start: 5, num: 2 }] },
        { type: OP_TYPE.ZERO, dst: [{ start: 0, num: 1 }] },
      ] },
    ], { blockSize: 4096, minorVersion: 0 });
    const m = parseManifest(manifest, 24, 'p');
    assert.equal(m.blockSize, 4096);
    assert.equal(m.minorVersion, 0);
    assert.equal(m.partitions.length, 1);
    const p = m.partitions[0];
    assert.equal(p.name, 'system');
    assert.equal(p.newSize, 8192);
    assert.equal(p.newHash!.length, 32);
    assert.deepEqual(p.operations.map((o) => [o.type, o.dataOffset, o.dataLength, o.dstExtents]), [
      [0, 0, 10, [{ startBlock: 1, numBlocks: 1 }, { startBlock: 5, numBlocks: 2 }]],
      [6, 0, 0, [{ startBlock: 0, numBlocks: 1 }]],
    ]);
    assert.equal(p.operations[0].dataSha256!.length, 32);
  });

  test('block_size must be a sane power of two; partition_name and type are required', () => {
    assert.throws(() => parseManifest(bytes(0x18, 0x03), 0, 'p'), /block_size/);
    assert.throws(() => parseManifest(bytes(0x6a, 0x00), 0, 'p'), /partition_name/);
    assert.throws(() => parseManifest(bytes(0x6a, 0x05, 0x0a, 0x01, 0x73, 0x42, 0x00), 0, 'p'), /without type/);
  });
});

// openZip on crafted archives: each Android leniency, each Android refusal, the inflate bounds,
// zip64 and data descriptors (written by yazl), and the yauzl → own-walk fallback.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { BufferSource } from '../../../src/io/source.js';
import { FormatError, LimitError, UnsupportedError, isRomscanError } from '../../../src/io/errors/index.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';
import { detectZip, hasZipEocd } from '../../../src/formats/zip/detect-zip.js';
import { openZipContainer } from '../../../src/formats/zip/zip-container.js';
import { makeZip, yazlZip } from './make-zip.js';

const enc = new TextEncoder();
const open = (bytes: Uint8Array, path = 'crafted.zip') => openZip(new BufferSource(bytes, path));
const messages = (zip: { anomalies: { message: string }[] }) => zip.anomalies.map((a) => a.message).join('\n');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Byte equality regardless of Buffer vs Uint8Array. */
const eqBytes = (actual: Uint8Array, expected: Uint8Array, msg?: string) => assert.equal(Buffer.compare(Buffer.from(actual), Buffer.from(expected)), 0, msg);


describe('crafted zips', () => {
  test('stored and deflated entries; open() of stored is a zero-copy slice with a virtual path', async () => {
    const data = enc.encode('hello '.repeat(1000));
    const zip = await open(makeZip([{ name: 'a.txt', data }, { name: 'b.txt', data, method: 8 }, { name: 'dir/', data: new Uint8Array(0) }]), 'x.apk');
    assert.deepEqual(zip.entries.map((e) => [e.name, e.method, e.isDirectory]), [['a.txt', 0, false], ['b.txt', 8, false], ['dir/', 0, true]]);
    eqBytes(await zip.read(zip.find('b.txt')!), data);
    const s = await zip.open(zip.find('a.txt')!);
    assert.equal(s.path, 'x.apk!/a.txt');
    assert.equal(s.size, data.length);
    eqBytes(await s.read(6, 5), enc.encode('hello'));
    const d = await zip.open(zip.find('b.txt')!);
    eqBytes(await d.read(0, d.size), data);
    assert.equal(messages(zip), '');
  });

  test('zip64 (yazl forceZip64Format) and data descriptors (streamed entries) read back', async () => {
    const a = enc.encode('zip64 entry body');
    const b = enc.encode('streamed '.repeat(500));
    const bytes = await yazlZip((z) => {
      z.addBuffer(Buffer.from(a), 'a.bin', { forceZip64Format: true });
      z.addReadStream(Readable.from([Buffer.from(b)]), 'b.bin');
      z.addBuffer(Buffer.from(b), 'c.bin', { compress: false });
    });
    const zip = await open(bytes);
    assert.deepEqual(zip.entries.map((e) => e.name), ['a.bin', 'b.bin', 'c.bin']);
    eqBytes(await zip.read(zip.find('a.bin')!), a);
    eqBytes(await zip.read(zip.find('b.bin')!), b);
    eqBytes(await zip.read(zip.find('c.bin')!), b);
    assert.equal(messages(zip), '');
  });

  test('yazl zip64 EOCD (forceZip64Eocd) is followed to the central directory', async () => {
    const bytes = await yazlZip((z) => {
      (z as unknown as { forceZip64Eocd: boolean }).forceZip64Eocd = true;
      z.addBuffer(Buffer.from('x'), 'x');
    });
    const zip = await open(bytes);
    assert.deepEqual(zip.entries.map((e) => e.name), ['x']);
  });

  test('zip64 records and zip64 extra fields also work through the own walk (trailing bytes force it)', async () => {
    const a = enc.encode('zip64 entry body');
    const bytes = await yazlZip((z) => {
      (z as unknown as { forceZip64Eocd: boolean }).forceZip64Eocd = true;
      z.addBuffer(Buffer.from(a), 'a.bin', { forceZip64Format: true });
      z.addBuffer(Buffer.from(a), 'b.bin', { forceZip64Format: true, compress: false });
    });
    const zip = await open(new Uint8Array(Buffer.concat([bytes, Buffer.from('XX')])));
    assert.match(messages(zip), /2 extraneous bytes/);
    assert.deepEqual(zip.entries.map((e) => [e.name, e.uncompressedSize]), [['a.bin', a.length], ['b.bin', a.length]]);
    eqBytes(await zip.read(zip.find('a.bin')!), a);
    eqBytes(await zip.read(zip.find('b.bin')!), a);
  });

  test('trailing bytes after the EOCD: yauzl refuses, we open with the own walk and say Android refuses', async () => {
    const bytes = makeZip([{ name: 'a', data: enc.encode('A') }], { trailing: enc.encode('JUNK') });
    const zip = await open(bytes);
    eqBytes(await zip.read(zip.find('a')!), enc.encode('A'));
    assert.match(messages(zip), /4 extraneous bytes after the EOCD comment/);
  });

  test('a fake EOCD inside the comment is skipped for the one whose comment reaches EOF', async () => {
    const inner = makeZip([{ name: 'fake', data: enc.encode('F') }]).subarray(-22); // an EOCD-looking record
    const bytes = makeZip([{ name: 'real', data: enc.encode('R') }], { comment: Buffer.concat([inner, enc.encode('tail')]) });
    const zip = await open(bytes);
    assert.deepEqual(zip.entries.map((e) => e.name), ['real']);
    assert.match(messages(zip), /libziparchive takes the last signature/);
  });

  test('Android refusals throw FormatError: CD overlapping EOCD, missing CD signature, LFH offset inside the CD, no EOCD', async () => {
    const base = makeZip([{ name: 'a', data: enc.encode('A') }]);
    await assert.rejects(open(makeZip([{ name: 'a', data: enc.encode('A') }], { eocd: { cdSize: 1000 } })), FormatError);
    const noSig = base.slice();
    const cdOffset = new DataView(noSig.buffer).getUint32(noSig.length - 6, true);
    noSig[cdOffset] = 0;
    await assert.rejects(open(noSig), (e: unknown) => e instanceof FormatError && /central directory signature/.test(e.message));
    await assert.rejects(open(makeZip([{ name: 'a', data: enc.encode('A'), central: { localHeaderOffset: 0x10000 } }])), /local header offset/);
    await assert.rejects(open(enc.encode('not a zip at all, just text long enough')), /no end of central directory/);
    await assert.rejects(open(new Uint8Array(5)), FormatError);
  });

  test('gap between CD and EOCD, odd disk numbers: accepted with anomalies', async () => {
    const zip = await open(makeZip([{ name: 'a', data: enc.encode('A') }], { gap: new Uint8Array(7), eocd: { disk: 3 } }));
    assert.match(messages(zip), /7 bytes between the central directory and the EOCD/);
    assert.match(messages(zip), /disk numbers 3/);
    eqBytes(await zip.read(zip.find('a')!), enc.encode('A'));
  });

  test('duplicate names: anomaly, find() returns the first (libziparchive hash order)', async () => {
    const zip = await open(makeZip([{ name: 'classes.dex', data: enc.encode('first') }, { name: 'classes.dex', data: enc.encode('second') }]));
    assert.equal(zip.entries.length, 2);
    eqBytes(await zip.read(zip.find('classes.dex')!), enc.encode('first'));
    assert.match(messages(zip), /duplicate entry name "classes.dex"/);
  });

  test('local header disagreements: central directory wins, each recorded', async () => {
    const data = enc.encode('payload '.repeat(50));
    const zip = await open(makeZip([
      { name: 'm', data, method: 8, local: { method: 0 } },
      { name: 'n', data, local: { name: 'N' } },
      { name: 's', data, local: { uncompressedSize: 1, compressedSize: 1 } },
    ]));
    for (const e of zip.entries) eqBytes(await zip.read(e), data, e.name);
    const m = messages(zip);
    assert.match(m, /"m": local header says compression method 0, central directory says 8/);
    assert.match(m, /"n": local header name "N" differs/);
    assert.match(m, /"s": local header sizes\/crc 1\/1/);
  });

  test('unknown compression method: anomaly at open, UnsupportedError naming the method on read', async () => {
    const zip = await open(makeZip([{ name: 'x.bin', data: enc.encode('abc'), central: { method: 99 }, local: { method: 99 } }]));
    assert.match(messages(zip), /compression method 99/);
    await assert.rejects(zip.read(zip.entries[0]), (e: unknown) => e instanceof UnsupportedError && /method 99/.test(e.message));
    await assert.rejects(zip.open(zip.entries[0]), UnsupportedError);
  });

  test('CRC mismatch is an anomaly only (Android does not check CRCs)', async () => {
    const zip = await open(makeZip([{ name: 'c', data: enc.encode('abc'), central: { crc32: 1 }, local: { crc32: 1 } }]));
    eqBytes(await zip.read(zip.entries[0]), enc.encode('abc'));
    assert.match(messages(zip), /CRC-32/);
  });

  test('invalid UTF-8 / NUL in names: kept, recorded', async () => {
    const zip = await open(makeZip([{ name: new Uint8Array([0x61, 0xff, 0x62]), data: enc.encode('x') }, { name: new Uint8Array([0x61, 0x00]), data: enc.encode('y') }]));
    assert.equal(zip.entries.length, 2);
    assert.match(messages(zip), /not valid UTF-8 or contains NUL/);
  });

  test('Janus-style prefix: entries readable, anomaly recorded; detectZip says no, hasZipEocd says yes', async () => {
    const prefix = enc.encode('dex\n035\0'.padEnd(64, '\0'));
    const inner = makeZip([{ name: 'classes.dex', data: enc.encode('DEX') }], { prefix });
    const zip = await open(inner);
    eqBytes(await zip.read(zip.find('classes.dex')!), enc.encode('DEX'));
    assert.match(messages(zip), /does not start with a local file header \(64 bytes/);
    assert.equal(detectZip(inner.subarray(0, 16)), false);
    assert.equal(await hasZipEocd(new BufferSource(inner, 'j')), true);
  });

  test('detectZip / hasZipEocd on non-zips and the empty zip', async () => {
    const empty = makeZip([]);
    assert.equal(detectZip(empty), true);
    assert.equal(detectZip(makeZip([{ name: 'a', data: enc.encode('a') }])), true);
    assert.equal(detectZip(enc.encode('PK')), false);
    assert.equal(detectZip(enc.encode('\x7fELF....')), false);
    assert.equal(await hasZipEocd(new BufferSource(enc.encode('hello'), 'h')), false);
    assert.equal(await hasZipEocd(new BufferSource(new Uint8Array(100_000), 'z')), false);
    assert.equal(await hasZipEocd(new BufferSource(empty, 'e')), true);
    const zip = await open(empty);
    assert.equal(zip.entries.length, 0);
  });

  test('zip bomb: ratio over MAX_INFLATE_RATIO → LimitError; lying small size → LimitError, never OOM', async () => {
    const zeros = 64 << 20;
    const big = deflateRawSync(Buffer.alloc(zeros), { level: 9 }); // ~65 KiB, ratio ~1030
    // Declared 1 GiB from 65 KiB: ratio far over 1100.
    const ratioZip = await open(makeZip([{ name: 'r', data: new Uint8Array(0), method: 8, payload: big, central: { uncompressedSize: 1 << 30 } }]));
    await assert.rejects(ratioZip.read(ratioZip.entries[0], 'MAX_DECODED_BYTES'), (x: unknown) => x instanceof LimitError && /MAX_INFLATE_RATIO/.test(x.message));
    // Declared 1 KiB, inflates to 64 MiB: zlib stops at 1 KiB + 1.
    const lyingZip = await open(makeZip([{ name: 'l', data: new Uint8Array(0), method: 8, payload: big, central: { uncompressedSize: 1024 } }]));
    const before = process.memoryUsage().rss;
    await assert.rejects(lyingZip.read(lyingZip.entries[0]), (x: unknown) => x instanceof LimitError && /inflates past its declared 1024/.test(x.message));
    assert.ok(process.memoryUsage().rss - before < 48 << 20, 'inflate stopped early');
    // Declared over the named limit: refused before reading the data.
    const overZip = await open(makeZip([{ name: 'o', data: new Uint8Array(0), method: 8, payload: big, central: { uncompressedSize: zeros } }]));
    await assert.rejects(overZip.read(overZip.entries[0], 'MAX_METADATA_BYTES'), (x: unknown) => x instanceof LimitError && /MAX_METADATA_BYTES/.test(x.message));
    // And within limits the same entry is fine.
    const okZip = await open(makeZip([{ name: 'k', data: new Uint8Array(0), method: 8, payload: big, central: { uncompressedSize: zeros, crc32: 0 } }]));
    assert.equal((await okZip.read(okZip.entries[0])).length, zeros);
  });

  test('short inflate and corrupt deflate data are FormatErrors', async () => {
    const data = enc.encode('abcdef'.repeat(100));
    const short = await open(makeZip([{ name: 's', data, method: 8, central: { uncompressedSize: data.length + 10 } }]));
    await assert.rejects(short.read(short.entries[0]), (x: unknown) => x instanceof FormatError && /central directory says/.test(x.message));
    const bad = await open(makeZip([{ name: 'b', data, method: 8, payload: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }]));
    await assert.rejects(bad.read(bad.entries[0]), (x: unknown) => isRomscanError(x));
  });

  test('openZipContainer lists files and dirs with raw names; symlinks resolve their target', async () => {
    const bytes = makeZip([
      { name: 'system/', data: new Uint8Array(0) },
      { name: 'system/build.prop', data: enc.encode('ro.x=1\n') },
      { name: '../evil', data: enc.encode('e') },
      { name: 'link', data: enc.encode('system/build.prop'), central: { versionMadeBy: 0x0314, externalAttributes: (0o120777 << 16) >>> 0 } },
    ]);
    const c = await openZipContainer(new BufferSource(bytes, 'fw.zip'));
    assert.equal(c.format, 'zip');
    const entries = [];
    for await (const e of c.entries()) entries.push(e);
    assert.deepEqual(entries.map((e) => [e.name, e.type, e.size]), [['system', 'dir', 0], ['system/build.prop', 'file', 7], ['../evil', 'file', 1], ['link', 'link', 17]]);
    assert.equal(entries[3].linkTarget, 'system/build.prop');
    const s = await entries[1].open();
    assert.equal(new TextDecoder().decode(await s.read(0, s.size)), 'ro.x=1\n');
    assert.equal(s.path, 'fw.zip!/system/build.prop');
    assert.equal(sha256(await s.read(0, s.size)), sha256(enc.encode('ro.x=1\n')));
  });
});

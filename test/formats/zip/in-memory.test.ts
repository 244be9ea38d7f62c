// openZip over an in-memory BufferSource walks the central directory itself; over any other
// Source it goes through yauzl. Both must give the same entries, anomalies and errors: the real
// APK corpus, plus crafted archives for each case where yauzl reads differently (zip64 locator,
// "strong encryption" flag, saturated sizes, overrunning extra fields, unsigned records).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BufferSource, type Source } from '../../../src/io/source.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';
import { openZipContainer } from '../../../src/formats/zip/zip-container.js';
import { makeZip, yazlZip } from './make-zip.js';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus/apk');
const apks = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.apk')).sort() : [];
const enc = new TextEncoder();

/** The same bytes, but not a BufferSource: openZip takes the yauzl walk. */
function opaque(bytes: Uint8Array, path: string): Source {
  const inner = new BufferSource(bytes, path);
  return { size: inner.size, path, read: (o, n) => inner.read(o, n) };
}

/** Everything openZip exposes at open time (entries, anomalies, unix modes), or the error. */
async function outcome(source: Source): Promise<unknown> {
  try {
    const zip = await openZip(source);
    const modes: (number | undefined)[] = [];
    for await (const e of (await openZipContainer(source)).entries()) modes.push(e.mode);
    return { entries: zip.entries, anomalies: zip.anomalies, cd: zip.centralDirectoryOffset, eocd: zip.eocdOffset, modes };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message, json: JSON.stringify(e) };
  }
}

async function assertSameBothWays(bytes: Uint8Array, what: string): Promise<void> {
  const viaYauzl = await outcome(opaque(bytes, what));
  const inMemory = await outcome(new BufferSource(bytes, what));
  assert.deepEqual(inMemory, viaYauzl, what);
}


/** Overwrites a u16/u32 of the first central directory record. */
function patchFirstCd(bytes: Uint8Array, field: number, value: number, width: 2 | 4): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  const cdOffset = v.getUint32(out.length - 6, true);
  if (width === 2) v.setUint16(cdOffset + field, value, true);
  else v.setUint32(cdOffset + field, value, true);
  return out;
}

/** A zip64 extended information extra field (id 1) holding `values` as u64s. */
function zip64Extra(values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 8 * values.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 1, true);
  v.setUint16(2, 8 * values.length, true);
  values.forEach((x, i) => v.setUint32(4 + 8 * i, x, true));
  return out;
}

/**
 * `zip` with a zip64 EOCD record and locator inserted before its (unsaturated) EOCD. The zip64
 * record names disk 1, so yauzl, which follows any locator, refuses the archive; Android reads
 * the 32-bit EOCD and sees a gap.
 */
function withZip64Locator(zip: Uint8Array): Uint8Array {
  const eocd = zip.length - 22;
  const z64 = new Uint8Array(56 + 20);
  const v = new DataView(z64.buffer);
  v.setUint32(0, 0x06064b50, true);
  v.setUint32(4, 44, true);
  v.setUint32(16, 1, true); // number of this disk
  v.setUint32(56, 0x07064b50, true);
  v.setUint32(64, eocd, true); // zip64 EOCD offset
  const out = new Uint8Array(zip.length + z64.length);
  out.set(zip.subarray(0, eocd));
  out.set(z64, eocd);
  out.set(zip.subarray(eocd), eocd + z64.length);
  return out;
}

describe('in-memory central directory walk = yauzl walk', () => {
  test('every corpus APK: same entries, anomalies and errors', { skip: apks.length === 0 ? 'corpus not found' : false }, async () => {
    for (const f of apks) await assertSameBothWays(new Uint8Array(readFileSync(join(CORPUS, f))), f);
  });

  test('crafted archives where yauzl reads differently fall back to yauzl', async () => {
    const plain = makeZip([{ name: 'a', data: enc.encode('A') }, { name: 'b/', data: new Uint8Array(0), central: { versionMadeBy: 0x0314, externalAttributes: 0o40755 << 16 } }]);
    const cases: Record<string, Uint8Array> = {
      plain,
      'strong encryption flag': makeZip([{ name: 'a', data: enc.encode('A'), central: { flags: 0x0840 } }]),
      'extra field overruns its block': makeZip([{ name: 'a', data: enc.encode('A'), central: { extra: new Uint8Array([0x99, 0x99, 9, 0, 1, 2]) } }]),
      'short trailing extra bytes (yauzl ignores < 4)': makeZip([{ name: 'a', data: enc.encode('A'), central: { extra: new Uint8Array([0x99, 0x99, 0]) } }]),
      'saturated size without zip64 extra': makeZip([{ name: 'a', data: enc.encode('A'), central: { compressedSize: 0xffffffff } }]),
      'saturated offset with a 24-byte zip64 extra (read differently by yauzl)': makeZip([{ name: 'a', data: enc.encode('A'), central: { localHeaderOffset: 0xffffffff, extra: zip64Extra([1, 1, 0]) } }]),
      'unsigned record': patchFirstCd(plain, 0, 0x12345678, 4),
      'records run past the directory': makeZip([{ name: 'a', data: enc.encode('A') }, { name: 'b', data: enc.encode('B') }], { eocd: { cdSize: 46 + 1 } }),
      'entry count larger than the directory': makeZip([{ name: 'a', data: enc.encode('A') }], { eocd: { entryCount: 3 } }),
      'local header offset inside the CD': makeZip([{ name: 'a', data: enc.encode('A'), central: { localHeaderOffset: 0x10000 } }]),
      'duplicate names and bad UTF-8': makeZip([{ name: 'x', data: enc.encode('1') }, { name: 'x', data: enc.encode('2') }, { name: new Uint8Array([0xff, 0x41]), data: enc.encode('3') }]),
      'gap before the EOCD': makeZip([{ name: 'a', data: enc.encode('A') }], { gap: new Uint8Array(5) }),
      'Janus prefix': makeZip([{ name: 'a', data: enc.encode('A') }], { prefix: enc.encode('dex\n035\0') }),
      'empty': makeZip([]),
    };
    cases['zip64 locator before a plain EOCD (yauzl follows it)'] = withZip64Locator(plain);
    cases['zip64 locator with a saturated EOCD'] = await yazlZip((z) => {
      (z as unknown as { forceZip64Eocd: boolean }).forceZip64Eocd = true;
      z.addBuffer(Buffer.from('x'), 'x');
    });
    cases['zip64 extra fields and data descriptors'] = await yazlZip((z) => {
      z.addBuffer(Buffer.from('zip64 body'), 'a.bin', { forceZip64Format: true });
      z.addReadStream(Readable.from([Buffer.from('streamed')]), 'b.bin');
    });
    for (const [what, bytes] of Object.entries(cases)) await assertSameBothWays(bytes, what);
  });
});

// Differential tests: what we decode from files the lz4 CLI wrote must equal the CLI's input (and
// its own `lz4 -d` output), for every frame option Samsung firmware and the CLI produce.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource, FileSource, type Source } from '../../../src/io/source.js';
import { decodeLz4Block, detectLz4Frame, lz4BlockDecodedLength, openLz4Frame, xxh32 } from '../../../src/formats/lz4/index.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { findTool, makeTempDir, prng, removeDir, textish } from '../erofs/helpers.js';

const skip = findTool('lz4') ? false : 'lz4 CLI not installed';

function lz4(args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync('lz4', args, { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`lz4 ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Counts the parent reads and bytes a Source serves. */
class CountingSource implements Source {
  reads = 0;
  bytes = 0;
  constructor(private readonly inner: Source) {}
  get size(): number { return this.inner.size; }
  get path(): string { return this.inner.path; }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    this.bytes += length;
    return this.inner.read(offset, length);
  }
}

async function readInPieces(s: Source, piece: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (let off = 0; off < s.size; off += piece) parts.push(await s.read(off, Math.min(piece, s.size - off)));
  return Buffer.concat(parts);
}

describe('lz4 frame: differential against the lz4 CLI', { skip }, () => {
  let dir = '';
  let input: Buffer;
  before(() => {
    dir = makeTempDir('romscan-lz4-');
    // Compressible text, incompressible noise (stored raw blocks) and zeros, ~6 MiB.
    input = Buffer.concat([textish(7, 2_500_000), prng(8, 1_200_000), new Uint8Array(2_000_000), textish(9, 333_333)]);
    writeFileSync(join(dir, 'input.bin'), input);
  });
  after(() => removeDir(dir));

  const CASES: [string, string[]][] = [
    ['default (B7, independent, content checksum)', []],
    ['-9 (lz4hc)', ['-9']],
    ['-B4 64 KiB blocks', ['-B4']],
    ['-B5 --content-size', ['-B5', '--content-size']],
    ['-B6 --content-size (Samsung)', ['-B6', '--content-size']],
    ['-B4 -BD linked blocks', ['-B4', '-BD']],
    ['-B5 -BD -9 linked + hc + content size', ['-B5', '-BD', '-9', '--content-size']],
    ['-BX block checksums', ['-B4', '-BX']],
    ['--no-frame-crc', ['-B4', '--no-frame-crc']],
    ['-l legacy frame', ['-l']],
  ];
  for (const [name, args] of CASES) {
    test(name, async () => {
      const file = join(dir, `${name.replace(/\W+/g, '_')}.lz4`);
      lz4(['-q', '-f', ...args, join(dir, 'input.bin'), file]);
      // The CLI's own decoding is the oracle for what the frame means.
      assert.ok(lz4(['-d', '-c', file]).equals(input));
      const source = await FileSource.open(file);
      try {
        assert.ok(detectLz4Frame(await source.read(0, 16)));
        const s = await openLz4Frame(source);
        assert.equal(s.size, input.length);
        assert.equal(s.path, source.path);
        assert.ok(Buffer.from(await s.read(0, s.size)).equals(input));
        assert.ok((await readInPieces(s, 99_991)).equals(input));
        assert.deepEqual(Buffer.from(await s.read(input.length - 5, 5)), input.subarray(input.length - 5));
        await assert.rejects(s.read(input.length - 5, 6), { code: 'E_TRUNCATED' });
      } finally {
        await source.close();
      }
    });
  }

  test('concatenated frames and a skippable frame decode as one stream', async () => {
    const a = lz4(['-c', '-B4'], input);
    const b = lz4(['-c', '-B5', '--content-size'], input.subarray(0, 100_000));
    const skippable = Buffer.alloc(8 + 10);
    skippable.writeUInt32LE(0x184d2a5a, 0);
    skippable.writeUInt32LE(10, 4);
    const all = Buffer.concat([a, skippable, b]);
    assert.ok(lz4(['-d', '-c'], all).equals(Buffer.concat([input, input.subarray(0, 100_000)])));
    const s = await openLz4Frame(new BufferSource(all, 'multi.lz4'));
    assert.ok(Buffer.from(await s.read(0, s.size)).equals(Buffer.concat([input, input.subarray(0, 100_000)])));
  });

  test('empty input', async () => {
    const s = await openLz4Frame(new BufferSource(lz4(['-c'], new Uint8Array(0)), 'empty.lz4'));
    assert.equal(s.size, 0);
    const s2 = await openLz4Frame(new BufferSource(lz4(['-c', '--content-size'], new Uint8Array(0)), 'empty.lz4'));
    assert.equal(s2.size, 0);
  });

  test('trailing data after the frame (an md5 line) is tolerated', async () => {
    const f = Buffer.concat([lz4(['-c', '-B4'], input), Buffer.from('d41d8cd98f00b204e9800998ecf8427e  system.img.lz4\n')]);
    const s = await openLz4Frame(new BufferSource(f, 'x.lz4'));
    assert.ok(Buffer.from(await s.read(0, s.size)).equals(input));
  });

  test('a read near the end decodes one block, not the whole frame', async () => {
    // From a file, so the CLI knows and records the content size (it cannot for stdin).
    const f = lz4(['-c', '-B4', '--content-size', join(dir, 'input.bin')]);
    assert.equal(f[4] & 0x08, 0x08);
    const counting = new CountingSource(new BufferSource(f, 'c.lz4'));
    const s = await openLz4Frame(counting);
    const before = counting.bytes;
    assert.deepEqual(Buffer.from(await s.read(s.size - 100, 100)), input.subarray(input.length - 100));
    assert.ok(counting.bytes - before <= 65536 + 8, `read ${counting.bytes - before} compressed bytes`);
    // With the content size and full blocks, opening reads only headers and the last block.
    assert.ok(before < f.length / 4, `open read ${before} of ${f.length} bytes`);
  });
});

describe('lz4 block and xxh32', () => {
  test('xxh32 known answers', () => {
    const e = new TextEncoder();
    assert.equal(xxh32(e.encode('')), 0x02cc5d05);
    assert.equal(xxh32(e.encode('a')), 0x550d7456);
    assert.equal(xxh32(e.encode('abc')), 0x32d153ff);
    assert.equal(xxh32(e.encode('Nobody inspects the spammish repetition')), 0xe2293b2f);
  });

  test('hand-made block: literals, overlapping match, last literals', () => {
    // token 0x14: 1 literal 'a', match len 4+4=8 at offset 1 → "a" * 9; then token 0x30: 3 literals "xyz".
    const block = Uint8Array.from([0x14, 0x61, 0x01, 0x00, 0x30, 0x78, 0x79, 0x7a]);
    const dst = new Uint8Array(12);
    assert.equal(decodeLz4Block(block, 0, block.length, { dst, start: 0, end: 12, dictStart: 0 }, false), 12);
    assert.equal(new TextDecoder().decode(dst), 'aaaaaaaaaxyz');
    assert.equal(lz4BlockDecodedLength(block, 0, block.length, false), 12);
    // Partial decoding stops when the output is full and ignores what follows (EROFS padding).
    const small = new Uint8Array(5);
    const padded = Uint8Array.from([...block, 0xde, 0xad]);
    assert.equal(decodeLz4Block(padded, 0, padded.length, { dst: small, start: 0, end: 5, dictStart: 0 }, true), 5);
    assert.equal(new TextDecoder().decode(small), 'aaaaa');
  });

  test('malformed blocks fail with FormatError, never out of bounds', () => {
    const dst = new Uint8Array(16);
    const cases: number[][] = [
      [0x10, 0x61, 0x05, 0x00], // offset 5 before start
      [0x10, 0x61, 0x00, 0x00], // offset 0
      [0xf0, 0xff], // literal length runs off the end
      [0x50, 0x61], // 5 literals, 1 present
      [0x1f, 0x61, 0x01, 0x00, 0xff, 0xff, 0xff], // match overflows output
      [0x10, 0x61, 0x01], // truncated offset
    ];
    for (const c of cases) {
      assert.throws(() => decodeLz4Block(Uint8Array.from(c), 0, c.length, { dst, start: 0, end: 16, dictStart: 0 }, false), { code: 'E_FORMAT' }, JSON.stringify(c));
    }
  });

  test('bad frames fail with typed errors', async () => {
    const good = lz4(['-c', '-B4', '-BX'], textish(3, 300_000));
    // header checksum (FLG, BD, then HC: no content size from stdin)
    assert.equal(good[4] & 0x08, 0);
    const badHc = Buffer.from(good);
    badHc[4 + 2] ^= 1;
    await assert.rejects(openLz4Frame(new BufferSource(badHc, 'x')), { code: 'E_FORMAT' });
    // block checksum (BX): the corrupt block fails when read
    const badBlock = Buffer.from(good);
    badBlock[100] ^= 0x40;
    const s = await openLz4Frame(new BufferSource(badBlock, 'x')).catch((e) => e);
    if (!isRomscanError(s)) await assert.rejects((s as Source).read(0, (s as Source).size), { code: 'E_FORMAT' });
    // truncated
    await assert.rejects(openLz4Frame(new BufferSource(good.subarray(0, good.length - 10), 'x')), (e: unknown) => isRomscanError(e));
    // not lz4
    await assert.rejects(openLz4Frame(new BufferSource(new Uint8Array(16), 'x')), { code: 'E_FORMAT' });
  });
});

describe('lz4 frame: hostile input', { skip }, () => {
  test('does not hang or crash on truncations and bit flips of frames', async () => {
    const data = Buffer.concat([textish(11, 150_000), prng(12, 20_000)]);
    const frames = [
      lz4(['-c', '-B4', '-BX', '--content-size'], data),
      lz4(['-c', '-B4', '-BD'], data),
      lz4(['-c', '-l'], data),
    ];
    const started = Date.now();
    let x = 99;
    for (const f of frames) {
      const variants: Uint8Array[] = [];
      for (let cut = 0; cut < f.length; cut += Math.max(1, Math.floor(f.length / 60))) variants.push(f.subarray(0, cut));
      for (let k = 0; k < 150; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const m = Buffer.from(f);
        // Bias flips toward headers, where they matter most.
        const at = k % 3 === 0 ? x % Math.min(64, m.length) : x % m.length;
        m[at] ^= 1 << ((x >>> 16) & 7);
        variants.push(m);
      }
      for (const v of variants) {
        const t = Date.now();
        try {
          const s = await openLz4Frame(new BufferSource(v, 'fuzz.lz4'));
          if (s.size <= 64 * 1024 * 1024) await s.read(0, s.size);
        } catch (e) {
          if (!isRomscanError(e)) throw e;
        }
        assert.ok(Date.now() - t < 2000, 'one input took over 2 s');
      }
    }
    assert.ok(Date.now() - started < 15_000);
  });
});

// Keep the fixture reader honest: decode a committed frame without the CLI.
test('committed fixture decodes to its recorded sha256', async (t) => {
  const dir = new URL('../../fixtures/lz4/', import.meta.url).pathname;
  let expected: { file: string; sha256: string; size: number }[];
  try {
    expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  } catch {
    t.skip('no fixtures');
    return;
  }
  const { createHash } = await import('node:crypto');
  for (const e of expected) {
    const s = await openLz4Frame(new BufferSource(readFileSync(join(dir, e.file)), e.file));
    assert.equal(s.size, e.size);
    assert.equal(createHash('sha256').update(await s.read(0, s.size)).digest('hex'), e.sha256);
  }
});

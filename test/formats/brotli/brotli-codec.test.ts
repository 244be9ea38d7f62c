// The brotli codec's window estimate decides how many decoders StreamDecodedSource parks, so it
// must read WBITS (RFC 7932 §9.2) right for every window the reference encoder writes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { BufferSource } from '../../../src/io/source.js';
import { StreamDecodedSource } from '../../../src/io/stream-source.js';
import { BROTLI_CODEC, brotliWindowBits } from '../../../src/formats/brotli/brotli-codec.js';

const has = (tool: string) => { try { execFileSync('sh', ['-c', `command -v ${tool}`]); return true; } catch { return false; } };
const text = new TextEncoder().encode('system/priv-app/Foo/Foo.apk '.repeat(4000));

describe('brotli codec', () => {
  test('window bits from the header match the lgwin the encoder was given (10..24)', () => {
    for (let lgwin = 10; lgwin <= 24; lgwin++) {
      // A large size hint keeps the encoder from shrinking the window for a small input.
      const br = brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_LGWIN]: lgwin, [constants.BROTLI_PARAM_SIZE_HINT]: 1 << 30 } });
      assert.equal(brotliWindowBits(br), lgwin, `lgwin ${lgwin}`);
      assert.equal(BROTLI_CODEC.stateBytes(br), 2 ** lgwin + 512 * 1024);
    }
    assert.equal(brotliWindowBits(new Uint8Array(0)), 24, 'no header: assume the largest window');
  });

  test('the brotli CLI (as AOSP builds system.new.dat.br) decodes through StreamDecodedSource', { skip: !has('brotli') && 'brotli CLI absent' }, async () => {
    const br = execFileSync('brotli', ['-c', '-q', '6', '-w', '24'], { input: text });
    assert.equal(brotliWindowBits(br), 24);
    const s = new StreamDecodedSource(BROTLI_CODEC, new BufferSource(br, 'x.br'), text.length, 'x.br', { chunkBytes: 4096 });
    assert.ok(Buffer.from(await s.read(1000, 50_000)).equals(brotliDecompressSync(br).subarray(1000, 51_000)));
    assert.ok(Buffer.from(await s.read(text.length - 10, 10)).equals(text.subarray(text.length - 10)));
  });
});

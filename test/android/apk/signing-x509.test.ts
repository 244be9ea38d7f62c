// parseCertificate remembers each distinct DER (OpenSSL's parse is the costly part of signing):
// the shared result must not depend on the buffer the bytes came in, and must not keep it alive.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource } from '../../../src/io/source.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';
import { parsePkcs7SignedData } from '../../../src/android/apk/signing-v1.js';
import { parseCertificate } from '../../../src/android/apk/signing-x509.js';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus/apk');
const apks = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.apk')).sort() : [];
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The first v1 signer certificate found in the corpus, as DER. */
async function corpusCertificate(): Promise<Uint8Array> {
  for (const f of apks) {
    const zip = await openZip(new BufferSource(new Uint8Array(readFileSync(join(CORPUS, f))), f)).catch(() => null);
    const rsa = zip?.entries.find((e) => /^META-INF\/[^/]+\.RSA$/.test(e.name));
    if (!zip || !rsa) continue;
    const cert = parsePkcs7SignedData(await zip.read(rsa), f).certificates[0];
    if (cert) return cert.der.slice();
  }
  throw new Error('no v1 certificate in the corpus');
}

describe('certificate cache', { skip: apks.length ? false : 'corpus not found' }, () => {
  test('the same DER in another buffer gives the same facts; the result owns its bytes', async () => {
    // A certificate no other test has parsed yet: the last byte of its signature changed.
    const der = await corpusCertificate();
    der[der.length - 1] ^= 0xff;
    const host = new Uint8Array(der.length + 16).fill(0xee);
    host.set(der, 8);
    const first = parseCertificate(host.subarray(8, 8 + der.length), 'in an APK');
    assert.equal(first.sha256, sha256(der));
    assert.notEqual(first.der.buffer, host.buffer, 'the remembered DER must be a copy, not a view of the APK');
    host.fill(0);
    assert.equal(sha256(first.der), first.sha256);
    const again = parseCertificate(der, 'elsewhere');
    assert.equal(again, first);
  });

  test('trailing bytes after the certificate are not part of its SHA-256 (and get their own entry)', async () => {
    const der = await corpusCertificate();
    const padded = new Uint8Array(der.length + 3);
    padded.set(der);
    const c = parseCertificate(padded, 'padded');
    assert.equal(c.sha256, sha256(der));
    assert.equal(c.der.length, der.length);
    assert.deepEqual(c.info, parseCertificate(der, 'plain').info);
  });

  test('the SHA-256 equals OpenSSL\'s fingerprint, also when answered from the cache', { skip: hasOpenssl ? false : 'openssl not installed' }, async () => {
    const der = await corpusCertificate();
    for (let i = 0; i < 2; i++) {
      const c = parseCertificate(der, 'x');
      const out = spawnSync('openssl', ['x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha256'], { input: der }).stdout.toString();
      assert.equal(c.sha256, /Fingerprint=([0-9A-F:]+)/.exec(out)![1].replace(/:/g, '').toLowerCase());
      assert.equal(c.opensslError, undefined);
    }
  });
});

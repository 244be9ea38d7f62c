// readSigning against apksigner / androguard oracles (expected/<apk>.json → signing) and
// OpenSSL's reading of the same certificates; crafted APK Signing Blocks for the problems.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource, FileSource } from '../../../src/io/source.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';
import { readSigning } from '../../../src/android/apk/signing.js';
import { parsePkcs7SignedData } from '../../../src/android/apk/signing-v1.js';
import { makeZip } from '../../formats/zip/make-zip.js';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus/apk');
const apks = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.apk')).sort() : [];
const expected = (f: string) => JSON.parse(readFileSync(join(CORPUS, 'expected', `${f}.json`), 'utf8'));
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

async function signingOf(f: string) {
  const src = await FileSource.open(join(CORPUS, f), f);
  try {
    const zip = await openZip(src);
    return { zip, s: await readSigning(zip) };
  } finally {
    await src.close();
  }
}

describe('APK signing (corpus)', { skip: apks.length ? false : 'corpus not found' }, () => {
  test('signer certificates and schemes agree with apksigner (else androguard)', async () => {
    let withApksigner = 0, withAndroguard = 0;
    for (const f of apks) {
      if (f === 'apksig-v2-only-truncated-cd.apk') continue; // not a zip Android opens
      const { s } = await signingOf(f);
      const sig = expected(f).signing ?? {};
      const a = sig.apksigner?.signer_cert_sha256 ? sig.apksigner : sig.apksigner_min_sdk_28?.signer_cert_sha256 ? sig.apksigner_min_sdk_28 : null;
      const g = sig.androguard ?? {};
      const ours = new Map(s.certificates.map((c) => [c.sha256, c]));
      if (a) {
        withApksigner++;
        for (const h of a.signer_cert_sha256) assert.ok(ours.has(h), `${f}: apksigner signer ${h} missing from ${[...ours.keys()]}`);
        for (const [scheme, on] of Object.entries(a.schemes ?? {})) {
          if (on && scheme !== 'v4') assert.ok(s.schemes.includes(scheme), `${f}: apksigner verified ${scheme}, we found ${s.schemes}`);
        }
        // apksigner names the newest signer only; with key rotation v1/v2 carry an older one.
      } else if (Array.isArray(g.cert_sha256) && g.cert_sha256.length) {
        withAndroguard++;
        for (const h of g.cert_sha256) assert.ok(ours.has(h), `${f}: androguard cert ${h} missing`);
      }
      // Every scheme we report present, some oracle saw too (neither tool knows v3.1; apksigner only
      // lists the schemes it checked for the APK's minSdk, so androguard must have an answer).
      for (const scheme of s.schemes) {
        if (scheme === 'v3.1' || typeof g.signed_v1 !== 'boolean') continue;
        const seen = a?.schemes?.[scheme] === true || g[`signed_${scheme}`] === true;
        assert.ok(seen, `${f}: we report ${scheme}, no oracle does`);
      }
      const unsigned = !a && !(g.cert_sha256?.length) && g.signed_v1 === false && g.signed_v2 === false && g.signed_v3 === false;
      if (unsigned) assert.equal(s.signed, false, `${f}: oracles say unsigned`);
      else if (a) assert.equal(s.signed, true, f);
    }
    assert.ok(withApksigner >= 55 && withAndroguard >= 5, `${withApksigner} apksigner, ${withAndroguard} androguard comparisons`);
  });

  test('subject, issuer, serial and validity match OpenSSL for v1 certificates', { skip: hasOpenssl ? false : 'openssl not installed' }, async () => {
    const sample = ['fdroid-urzip.apk', 'apksig-debuggable-resource.apk', 'apidemos-debug.apk', 'androguard-urzip-unicode-name.apk', 'com.teleca.jamendo_35.apk', 'apksig-v1-only-with-dsa-sha256-1.2.840.10040.4.1-2048.apk', 'duplicate.permisssions_9999999.apk'];
    for (const f of sample) {
      const { s } = await signingOf(f);
      const src = await FileSource.open(join(CORPUS, f), f);
      const zip = await openZip(src);
      const der = await zip.read(zip.entries.find((e) => /^META-INF\/[^/]+\.(RSA|DSA|EC)$/.test(e.name))!);
      await src.close();
      const pem = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-print_certs'], { input: der }).stdout;
      const out = spawnSync('openssl', ['x509', '-noout', '-subject', '-issuer', '-serial', '-startdate', '-enddate', '-nameopt', 'RFC2253'], { input: pem }).stdout.toString();
      const field = (k: string) => out.match(new RegExp(`^${k}=(.*)$`, 'm'))?.[1];
      const c = s.certificates[0];
      assert.equal(c.subject.replace(/, /g, ','), field('subject'), `${f} subject`);
      assert.equal(c.issuer!.replace(/, /g, ','), field('issuer'), `${f} issuer`);
      assert.equal(c.serial!.toLowerCase(), field('serial')!.toLowerCase(), `${f} serial`);
      assert.equal(c.notBefore, new Date(field('notBefore')!).toISOString().replace('.000', ''), `${f} notBefore`);
      assert.equal(c.notAfter, new Date(field('notAfter')!).toISOString().replace('.000', ''), `${f} notAfter`);
    }
  });

  test('structural problems are reported, not thrown', async () => {
    const magic = await signingOf('apksig-v2-only-wrong-apk-sig-block-magic.apk');
    assert.equal(magic.s.signed, false);
    assert.ok(magic.s.problems.some((p) => /wrong magic "APK Sig Block 43"/.test(p)), JSON.stringify(magic.s.problems));
    const stripped = await signingOf('apksig-v2-stripped.apk');
    assert.deepEqual(stripped.s.schemes, ['v1']);
    assert.ok(stripped.s.problems.some((p) => /declares APK Signature Scheme v2 .* no v2 signature/.test(p)), JSON.stringify(stripped.s.problems));
    const gap = await signingOf('apksig-v2-only-garbage-between-cd-and-eocd.apk');
    assert.equal(gap.s.signed, false);
    assert.ok(gap.s.problems.some((p) => /APK Signing Block ignored: the central directory ends at/.test(p)), JSON.stringify(gap.s.problems));
    const unsigned = await signingOf('fdroid-urzip-release-unsigned.apk');
    assert.deepEqual([unsigned.s.signed, unsigned.s.schemes, unsigned.s.certificates], [false, [], []]);
    const empty = await signingOf('apksig-empty-unsigned.apk');
    assert.equal(empty.s.signed, false);
  });

  test('the v1 signer is the certificate the SignerInfo names, not the first in the bag (fdroidserver issue 1128)', async () => {
    const { s } = await signingOf('fdroid-issue-1128-poc3a.apk');
    assert.deepEqual(s.certificates.map((c) => c.sha256), ['1dbb8be012293e988a0820f7d455b07abd267d2c0b500fc793fcfd80141cb5ce']);
    assert.ok(s.anomalies.some((a) => /signer certificate is #2 of 2/.test(a.message)));
  });

  test('key rotation: v3 carries the new signer, v1/v2 the old one; v3.1 is recognised', async () => {
    const { s } = await signingOf('apksig-v1v2v3-with-rsa-2048-lineage-3-signers.apk');
    const by = Object.fromEntries(s.certificates.map((c) => [c.subject, c.schemes]));
    assert.deepEqual(by, { 'CN=rsa-2048': ['v1', 'v2'], 'CN=rsa-2048_3': ['v3'] });
    const v31 = await signingOf('apksig-v31-ec-p256-2-tgt-33-1-tgt-28-targetSdk-30.apk');
    assert.deepEqual(v31.s.schemes, ['v1', 'v2', 'v3', 'v3.1']);
    assert.deepEqual(v31.s.certificates.find((c) => c.schemes!.includes('v3.1'))!.subject, 'CN=ec-p256_2');
  });
});

// --- crafted APK Signing Blocks ---

function u32(n: number): Uint8Array { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; }
function u64(n: number): Uint8Array { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; }
const cat = (...p: Uint8Array[]) => new Uint8Array(Buffer.concat(p));
const lp = (...p: Uint8Array[]) => { const body = cat(...p); return cat(u32(body.length), body); };

function signingBlock(pairs: { id: number; value: Uint8Array }[], opts: { headerSize?: number; magic?: string } = {}): Uint8Array {
  const body = cat(...pairs.map((p) => cat(u64(p.value.length + 4), u32(p.id), p.value)));
  const size = body.length + 8 + 16;
  return cat(u64(opts.headerSize ?? size), body, u64(size), new TextEncoder().encode(opts.magic ?? 'APK Sig Block 42'));
}

function v2Value(certs: Uint8Array[]): Uint8Array {
  const signedData = lp(lp(), lp(...certs.map((c) => lp(c))), lp());
  return lp(lp(signedData, lp(), lp()));
}

async function realCertDer(): Promise<Uint8Array> {
  const src = await FileSource.open(join(CORPUS, 'fdroid-urzip.apk'), 'u');
  const zip = await openZip(src);
  const der = await zip.read(zip.find('META-INF/CERT.RSA')!);
  await src.close();
  return parsePkcs7SignedData(der, 'u').certificates[0].der;
}

describe('APK Signing Block (crafted)', { skip: apks.length ? false : 'corpus not found' }, () => {
  const zipWith = (block: Uint8Array) => openZip(new BufferSource(makeZip([{ name: 'AndroidManifest.xml', data: new Uint8Array(8) }], { beforeCd: block }), 'c.apk'));

  test('a v2 signer certificate is found; duplicate ids take the first', async () => {
    const cert = await realCertDer();
    const s = await readSigning(await zipWith(signingBlock([{ id: 0x7109871a, value: v2Value([cert]) }, { id: 0x42726577, value: new Uint8Array(16) }])));
    assert.deepEqual(s.schemes, ['v2']);
    assert.equal(s.certificates[0].sha256, '7eabd8c15de883d1e82b5df2fd4f7f769e498078e9ad6dc901f0e96db77ceac3');
    assert.deepEqual(s.problems, []);
  });

  test('size mismatches, bad pair lengths and truncated signers become problems', async () => {
    const cert = await realCertDer();
    const headerMismatch = await readSigning(await zipWith(signingBlock([{ id: 0x7109871a, value: v2Value([cert]) }], { headerSize: 5 })));
    assert.ok(headerMismatch.problems.some((p) => /header size 5 != footer size/.test(p)), JSON.stringify(headerMismatch.problems));
    const truncatedSigner = v2Value([cert]).slice(0, 200);
    const t = await readSigning(await zipWith(signingBlock([{ id: 0x7109871a, value: truncatedSigner }])));
    assert.equal(t.signed, false);
    assert.ok(t.problems.some((p) => /^v2: /.test(p)), JSON.stringify(t.problems));
    const badPair = signingBlock([{ id: 0x7109871a, value: v2Value([cert]) }]);
    new DataView(badPair.buffer).setUint32(8, 0xffffff, true); // first pair length
    const b = await readSigning(await zipWith(badPair));
    assert.ok(b.problems.some((p) => /pair 0 length .* out of range/.test(p)), JSON.stringify(b.problems));
  });

  test('does not hang or throw untyped errors on bit flips of signature data', { timeout: 20_000 }, async () => {
    for (const f of ['apksig-golden-aligned-v1v2v3-out.apk', 'fdroid-urzip.apk', 'apksig-v31-ec-p256-2-tgt-33-1-tgt-28-targetSdk-30.apk']) {
      const orig = new Uint8Array(readFileSync(join(CORPUS, f)));
      const zip0 = await openZip(new BufferSource(orig, f));
      // Flip inside the signing block (just before the CD) and inside the v1 signature block.
      const rsa = zip0.entries.find((e) => /\.(RSA|EC|DSA)$/.test(e.name));
      const regions: [number, number][] = [[Math.max(0, zip0.centralDirectoryOffset - 4096), zip0.centralDirectoryOffset]];
      if (rsa) regions.push([rsa.localHeaderOffset, rsa.localHeaderOffset + 30 + rsa.name.length + rsa.compressedSize]);
      let x = 12345;
      const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
      for (let i = 0; i < 300; i++) {
        const m = orig.slice();
        const [lo, hi] = regions[i % regions.length];
        m[lo + (next() % (hi - lo))] ^= 1 << (next() % 8);
        const t0 = performance.now();
        try {
          await readSigning(await openZip(new BufferSource(m, `${f}#${i}`)));
        } catch (e) {
          if (!isRomscanError(e)) throw e;
        }
        assert.ok(performance.now() - t0 < 1000, `${f}#${i} slow`);
      }
    }
  });
});

// APK signing facts: which schemes are present (v1 JAR signing; v2, v3, v3.1 in the APK Signing
// Block — source.android.com/docs/security/features/apksigning) and the signer certificates each
// carries. Signatures are NOT verified; structural problems (bad block magic or sizes, stripped
// schemes, signer infos that name no certificate) are reported in `problems`.
import { isRomscanError } from '../../io/errors/index.js';
import type { Anomaly } from '../../io/anomaly.js';
import type { ZipArchive, ZipEntryInfo } from '../../formats/zip/open-zip.js';
import type { Certificate } from '../../report/model.js';
import {
  APK_SIGNATURE_SCHEME_V2_BLOCK_ID, APK_SIGNATURE_SCHEME_V31_BLOCK_ID, APK_SIGNATURE_SCHEME_V3_BLOCK_ID,
  STRIPPING_PROTECTION_ATTR_ID, parseSchemeSigners, readApkSigningBlock,
} from './signing-block.js';
import { parsePkcs7SignedData } from './signing-v1.js';
import { parseCertificate } from './signing-x509.js';

export interface SigningInfo {
  /** Schemes with at least one signer, in order "v1", "v2", "v3", "v3.1". */
  schemes: string[];
  signed: boolean;
  /** Signer certificates (deduplicated by SHA-256), each listing the schemes that carry it. */
  certificates: Certificate[];
  problems: string[];
  anomalies: Anomaly[];
}

const SCHEME_ORDER = ['v1', 'v2', 'v3', 'v3.1'];
/**
 * Signature block files as libcore StrictJarVerifier finds them: any entry under "META-INF/"
 * ending in .RSA/.DSA/.EC — including names like "META-INF/../CERT.RSA" (apktool issue 1589),
 * which apksig ignores but Android's own verifier reads. Case-insensitive like OpenJDK's JarFile.
 */
const V1_BLOCK_RE = /^META-INF\/.+\.(RSA|DSA|EC)$/i;

export async function readSigning(zip: ZipArchive): Promise<SigningInfo> {
  const problems: string[] = [];
  const anomalies: Anomaly[] = [];
  const certs = new Map<string, Certificate>();
  const present = new Set<string>();

  const add = (der: Uint8Array, scheme: string, where: string): void => {
    const c = parseCertificate(der, where);
    if (c.opensslError) problems.push(`${scheme}: certificate ${c.sha256} is not parseable by OpenSSL (${c.opensslError})`);
    const known = certs.get(c.sha256);
    if (known) {
      if (!known.schemes!.includes(scheme)) known.schemes!.push(scheme);
    } else {
      certs.set(c.sha256, { ...c.info, schemes: [scheme] });
    }
    present.add(scheme);
  };
  // A broken part of one scheme must not hide the others; only our own typed errors are expected.
  const guard = async (what: string, f: () => Promise<void> | void): Promise<void> => {
    try {
      await f();
    } catch (e) {
      if (!isRomscanError(e)) throw e;
      problems.push(`${what}: ${e.message}`);
    }
  };

  // v1: every signature block that has its .SF (Android ignores orphan blocks).
  const sfDeclared = new Set<number>();
  const blocks = zip.entries.filter((e) => V1_BLOCK_RE.test(e.name));
  for (const block of blocks) {
    const base = block.name.slice(0, block.name.lastIndexOf('.'));
    if (block.name.slice('META-INF/'.length).includes('/')) {
      anomalies.push({ stage: 'signature', message: `v1: signature block name ${JSON.stringify(block.name)} has path components (Android's verifier reads it, apksig does not)` });
    }
    const sf = findCaseInsensitive(zip, `${base}.SF`);
    if (!sf) {
      problems.push(`v1: ${block.name} has no matching ${base}.SF (ignored by Android)`);
      continue;
    }
    await guard(`v1: ${sf.name}`, async () => {
      const text = new TextDecoder('utf-8').decode(await zip.read(sf, 'MAX_METADATA_BYTES'));
      // "X-Android-APK-Signed: 2, 3" in the main section: schemes the signer also applied.
      const m = text.match(/^X-Android-APK-Signed:\s*([^\r\n]*)/im);
      if (m) for (const id of m[1].split(',')) { const n = Number(id.trim()); if (Number.isInteger(n)) sfDeclared.add(n); }
    });
    await guard(`v1: ${block.name}`, async () => {
      const where = `${zip.path}!/${block.name}`;
      const p7 = parsePkcs7SignedData(await zip.read(block, 'MAX_METADATA_BYTES'), where);
      if (p7.signers.length === 0) problems.push(`v1: ${block.name} has no SignerInfo`);
      for (const [k, signer] of p7.signers.entries()) {
        if (!signer) { problems.push(`v1: ${block.name} SignerInfo ${k} names no certificate in the block`); continue; }
        const idx = p7.certificates.indexOf(signer);
        if (idx > 0) {
          anomalies.push({ stage: 'signature', message: `v1: ${block.name} signer certificate is #${idx + 1} of ${p7.certificates.length}; tools that take the first certificate report ${p7.certificates[0].sha256} instead` });
        }
        add(signer.der, 'v1', where);
      }
    });
  }
  if (present.has('v1') && !zip.find('META-INF/MANIFEST.MF')) problems.push('v1: META-INF/MANIFEST.MF is missing');
  for (const sf of zip.entries.filter((e) => /^META-INF\/.+\.SF$/i.test(e.name))) {
    const base = sf.name.slice(0, -3).toLowerCase();
    if (!blocks.some((b) => b.name.slice(0, b.name.lastIndexOf('.')).toLowerCase() === base)) {
      problems.push(`v1: ${sf.name} has no signature block (.RSA/.DSA/.EC)`);
    }
  }

  // v2 / v3 / v3.1 from the APK Signing Block.
  const v2Attributes: Map<number, Uint8Array>[] = [];
  await guard('APK Signing Block', async () => {
    const { block, problems: blockProblems } = await readApkSigningBlock(zip.source, zip.centralDirectoryOffset, zip.eocdOffset);
    problems.push(...blockProblems);
    if (!block) return;
    const schemes: [number, string][] = [
      [APK_SIGNATURE_SCHEME_V2_BLOCK_ID, 'v2'], [APK_SIGNATURE_SCHEME_V3_BLOCK_ID, 'v3'], [APK_SIGNATURE_SCHEME_V31_BLOCK_ID, 'v3.1'],
    ];
    for (const [id, scheme] of schemes) {
      const pairs = block.pairs.filter((p) => p.id === id);
      if (pairs.length > 1) problems.push(`${scheme}: ${pairs.length} blocks with id 0x${id.toString(16)} (Android uses the first)`);
      const pair = pairs[0];
      if (!pair) continue;
      await guard(scheme, () => {
        const signers = parseSchemeSigners(pair.value, pair.offset + 4, zip.path, scheme !== 'v2');
        if (signers.length === 0) problems.push(`${scheme}: block has no signers`);
        for (const [k, s] of signers.entries()) {
          if (scheme === 'v2') v2Attributes.push(s.attributes);
          if (s.certificates.length === 0) { problems.push(`${scheme}: signer ${k} has no certificate`); continue; }
          add(s.certificates[0], scheme, `${zip.path}!/<APK Signing Block ${scheme}>`);
        }
      });
    }
  });

  // Stripping protection: a scheme the signer claims to have applied must be present.
  if (sfDeclared.has(2) && !present.has('v2')) problems.push('v1: META-INF .SF declares APK Signature Scheme v2 (X-Android-APK-Signed) but no v2 signature is present (stripped?)');
  if (sfDeclared.has(3) && !present.has('v3')) problems.push('v1: META-INF .SF declares APK Signature Scheme v3 (X-Android-APK-Signed) but no v3 signature is present (stripped?)');
  for (const attrs of v2Attributes) {
    const v = attrs.get(STRIPPING_PROTECTION_ATTR_ID);
    if (v && v.length >= 4 && (v[0] | (v[1] << 8) | (v[2] << 16) | (v[3] << 24)) === 3 && !present.has('v3')) {
      problems.push('v2: signer declares an APK Signature Scheme v3 signature (stripping protection) but no v3 block is present');
    }
  }

  const schemes = SCHEME_ORDER.filter((s) => present.has(s));
  return { schemes, signed: certs.size > 0, certificates: [...certs.values()], problems, anomalies };
}

function findCaseInsensitive(zip: ZipArchive, name: string): ZipEntryInfo | undefined {
  const exact = zip.find(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return zip.entries.find((e) => e.name.toLowerCase() === lower);
}

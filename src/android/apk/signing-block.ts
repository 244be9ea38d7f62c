// The APK Signing Block (source.android.com/docs/security/features/apksigning/v2, "APK Signing
// Block"): sits right before the ZIP central directory and ends with its size and the magic
// "APK Sig Block 42". Checks follow apksig ApkSigningBlockUtils.findApkSigningBlock. The v2
// (0x7109871a), v3 (0xf05368c0) and v3.1 (0x1b93ad61) values are length-prefixed signer lists
// (ApkSignatureSchemeV2Verifier / V3Verifier): we take their certificates, not verify them.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import type { Source } from '../../io/source.js';

export const APK_SIG_BLOCK_MAGIC = 'APK Sig Block 42';
export const APK_SIGNATURE_SCHEME_V2_BLOCK_ID = 0x7109871a;
export const APK_SIGNATURE_SCHEME_V3_BLOCK_ID = 0xf05368c0;
export const APK_SIGNATURE_SCHEME_V31_BLOCK_ID = 0x1b93ad61;
/** v2 signed attribute: "this APK is also signed with scheme N" (stripping protection). */
export const STRIPPING_PROTECTION_ATTR_ID = 0xbeeff00d;
/** v3.1 block marker in v3 signed attributes: "a v3.1 block with rotation exists". */
export const ROTATION_MIN_SDK_VERSION_ATTR_ID = 0x559f8b02;

const FOOTER_SIZE = 24;
const MIN_BLOCK_SIZE = 32;

export interface SigningBlockPair { id: number; offset: number; value: Uint8Array }
export interface ApkSigningBlock { offset: number; size: number; pairs: SigningBlockPair[] }

/**
 * Returns the block (null when there is none) plus structural problems found on the way.
 * Only a block whose footer magic matches counts, as in apksig; a block that is well-formed
 * apart from its magic is reported as a problem (apksig test vector wrong-apk-sig-block-magic).
 */
export async function readApkSigningBlock(source: Source, cdOffset: number, eocdOffset: number): Promise<{ block: ApkSigningBlock | null; problems: string[] }> {
  const problems: string[] = [];
  const path = source.path;
  if (cdOffset < MIN_BLOCK_SIZE || cdOffset > source.size) return { block: null, problems };
  // android.util.apk.ApkSigningBlockUtils.findSignature: when the central directory does not end
  // exactly at the EOCD, the signature is "not found" and Android falls back to v1.
  const eocd = new ByteReader(await source.read(eocdOffset, 22), eocdOffset, path);
  const cdSize = eocd.u32At(12);
  if (cdSize !== 0xffffffff && eocd.u32At(16) !== 0xffffffff && cdOffset + cdSize !== eocdOffset) {
    const footerMagic = new ByteReader(await source.read(cdOffset - 16, 16), cdOffset - 16, path).ascii(16);
    if (footerMagic === APK_SIG_BLOCK_MAGIC) {
      problems.push(`APK Signing Block ignored: the central directory ends at 0x${(cdOffset + cdSize).toString(16)}, not at the EOCD (0x${eocdOffset.toString(16)}), so Android treats v2+ signatures as absent`);
    }
    return { block: null, problems };
  }
  const footerOffset = cdOffset - FOOTER_SIZE;
  const footer = new ByteReader(await source.read(footerOffset, FOOTER_SIZE), footerOffset, path);
  const sizeLo = footer.u32At(0), sizeHi = footer.u32At(4);
  const size = sizeHi < 0x200000 ? sizeHi * 0x1_0000_0000 + sizeLo : Number.POSITIVE_INFINITY;
  footer.seek(8);
  const magic = footer.ascii(16);
  const plausible = size >= FOOTER_SIZE && size + 8 <= cdOffset;
  if (magic !== APK_SIG_BLOCK_MAGIC) {
    // Only a near-miss of the magic counts as "wrong magic"; anything else is simply no block.
    if (plausible && size <= 16 * 1024 * 1024 && nearMagic(magic)) {
      const header = new ByteReader(await source.read(cdOffset - size - 8, 8), cdOffset - size - 8, path);
      if (header.u32At(0) === sizeLo && header.u32At(4) === sizeHi) {
        problems.push(`APK Signing Block at 0x${(cdOffset - size - 8).toString(16)} has wrong magic ${JSON.stringify(magic)} (expected "${APK_SIG_BLOCK_MAGIC}"); its signatures are ignored`);
      }
    }
    return { block: null, problems };
  }
  if (!plausible) {
    problems.push(`APK Signing Block size ${size} in footer is out of range (central directory at 0x${cdOffset.toString(16)})`);
    return { block: null, problems };
  }
  const start = cdOffset - size - 8;
  checkLimit('MAX_METADATA_BYTES', size, 'APK Signing Block size', start, path);
  const bytes = await source.read(start, size + 8);
  const r = new ByteReader(bytes, start, path);
  if (r.u32At(0) !== sizeLo || r.u32At(4) !== sizeHi) {
    problems.push(`APK Signing Block header size ${r.u32At(0) + r.u32At(4) * 0x1_0000_0000} != footer size ${size}`);
    return { block: null, problems };
  }
  const pairs: SigningBlockPair[] = [];
  r.seek(8);
  const pairsEnd = bytes.length - FOOTER_SIZE;
  for (let n = 0; r.pos < pairsEnd; n++) {
    if (pairsEnd - r.pos < 8) { problems.push(`APK Signing Block: ${pairsEnd - r.pos} stray bytes after pair ${n}`); break; }
    const lo = r.u32le(), hi = r.u32le();
    const len = hi === 0 ? lo : Number.POSITIVE_INFINITY;
    if (len < 4 || len > pairsEnd - r.pos) {
      problems.push(`APK Signing Block pair ${n} length ${hi ? `${hi}:${lo}` : lo} out of range at 0x${(r.offset - 8).toString(16)}`);
      break;
    }
    const offset = r.offset;
    const id = r.u32le();
    pairs.push({ id, offset, value: r.take(len - 4) });
  }
  return { block: { offset: start, size: size + 8, pairs }, problems };
}

function nearMagic(magic: string): boolean {
  let diff = 0;
  for (let i = 0; i < APK_SIG_BLOCK_MAGIC.length; i++) if (magic[i] !== APK_SIG_BLOCK_MAGIC[i]) diff++;
  return diff <= 3;
}

export interface SchemeSigner {
  /** DER certificates; the first is the signer's (v2/v3 spec). */
  certificates: Uint8Array[];
  minSdk?: number;
  maxSdk?: number;
  /** Signed additional attributes (id → value). */
  attributes: Map<number, Uint8Array>;
}

/** A u32-length-prefixed slice (the unit of every v2/v3 structure). */
function lengthPrefixed(r: ByteReader, what: string): ByteReader {
  const at = r.pos;
  const len = r.u32le();
  if (len > r.remaining) throw r.fail(`${what}: length ${len} exceeds the ${r.remaining} bytes left`, at);
  const sub = r.sub(r.pos, len);
  r.skip(len);
  return sub;
}

/** Parses a v2 (`v3 === false`) or v3/v3.1 block value into its signers. */
export function parseSchemeSigners(value: Uint8Array, base: number, path: string, v3: boolean): SchemeSigner[] {
  const r = new ByteReader(value, base, path);
  const signersSeq = lengthPrefixed(r, 'signers');
  const out: SchemeSigner[] = [];
  // Each signer is at least 4 bytes, so this loop is bounded by the block size.
  while (signersSeq.remaining > 0) {
    const signer = lengthPrefixed(signersSeq, 'signer');
    const signedData = lengthPrefixed(signer, 'signed data');
    lengthPrefixed(signedData, 'digests');
    const certSeq = lengthPrefixed(signedData, 'certificates');
    const certificates: Uint8Array[] = [];
    while (certSeq.remaining > 0) certificates.push(lengthPrefixed(certSeq, 'certificate').bytes);
    let minSdk: number | undefined, maxSdk: number | undefined;
    if (v3) { minSdk = signedData.u32le(); maxSdk = signedData.u32le(); }
    const attributes = new Map<number, Uint8Array>();
    if (signedData.remaining > 0) {
      const attrs = lengthPrefixed(signedData, 'additional attributes');
      while (attrs.remaining > 0) {
        const a = lengthPrefixed(attrs, 'attribute');
        if (a.length < 4) throw new FormatError('signing: attribute shorter than its id', a.base, path);
        const id = a.u32le();
        attributes.set(id, a.take(a.remaining));
      }
    }
    out.push({ certificates, minSdk, maxSdk, attributes });
  }
  return out;
}

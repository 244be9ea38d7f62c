// X.509 certificate facts for the report (RFC 5280 TBSCertificate): SHA-256 of the DER, subject
// and issuer as RFC 4514 strings, serial, validity. Parsed with our DER walker so that a
// certificate OpenSSL rejects (APK signers are not validated on Android) is still described;
// node:crypto's X509Certificate is used as a second opinion.
import { createHash, X509Certificate } from 'node:crypto';
import { isRomscanError } from '../../io/errors/index.js';
import type { Certificate } from '../../report/model.js';
import {
  DerReader, TAG_GENERALIZED_TIME, TAG_INTEGER, TAG_SEQUENCE, TAG_SET, TAG_UTC_TIME, content, hex, integerHex, oidText, raw, type Tlv,
} from './signing-der.js';

/** RFC 4514 §3 short names, plus the ones OpenSSL and Java print for APK certificates. */
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress', '2.5.4.5': 'serialNumber', '2.5.4.4': 'SN', '2.5.4.42': 'GN',
  '2.5.4.12': 'title', '2.5.4.43': 'initials', '2.5.4.46': 'dnQualifier', '2.5.4.65': 'pseudonym', '2.5.4.17': 'postalCode',
};

export interface ParsedCertificate {
  der: Uint8Array;
  sha256: string;
  /** Raw DER of the issuer Name and the serial magnitude: how a PKCS#7 SignerInfo names its cert. */
  issuerDer: string;
  /** Issuer in a canonical form (case and string type folded), as X500Principal.equals compares. */
  issuerCanonical: string;
  serialHex: string;
  subjectKeyIdentifier?: string;
  info: Certificate;
  /** Set when OpenSSL refuses the certificate (Android does not care, apksig may). */
  opensslError?: string;
}

/**
 * Distinct certificates remembered per process. A ROM's hundreds of APKs share a few dozen
 * signers (platform, shared, media, networkstack, vendor keys) and one APK names the same
 * certificate in its PKCS#7 bag, its v1 SignerInfo and its v2/v3 blocks, while OpenSSL's parse
 * alone costs ~0.4 ms. 1024 entries of ~1–2 KiB DER plus strings bound the cache to a few MiB.
 */
const CACHE_ENTRIES = 1024;
const cache = new Map<string, ParsedCertificate>();

/**
 * The certificate's facts. Pure in `der` (the path only names failures, which are not cached),
 * so results are shared between calls: callers must not mutate them.
 */
export function parseCertificate(der: Uint8Array, path: string): ParsedCertificate {
  const key = createHash('sha256').update(der).digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parseCertificateUncached(der, path, key);
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, parsed);
  return parsed;
}

/** `derSha256` is the hash of all of `der`; the certificate's own hash covers only its TLV. */
function parseCertificateUncached(der: Uint8Array, path: string, derSha256: string): ParsedCertificate {
  const d = new DerReader(der, path);
  const cert = d.expect(d.tlv(0), TAG_SEQUENCE, 'Certificate', 0);
  const [tbs] = d.children(cert);
  d.expect(tbs, TAG_SEQUENCE, 'TBSCertificate', cert.contentStart);
  const f = d.children(tbs);
  let i = 0;
  if (f[i]?.tag === 0xa0) i++; // [0] EXPLICIT version
  const serial = d.expect(f[i++], TAG_INTEGER, 'serialNumber', tbs.contentStart);
  d.expect(f[i++], TAG_SEQUENCE, 'signature AlgorithmIdentifier', tbs.contentStart);
  const issuer = d.expect(f[i++], TAG_SEQUENCE, 'issuer Name', tbs.contentStart);
  const validity = d.expect(f[i++], TAG_SEQUENCE, 'Validity', tbs.contentStart);
  const subject = d.expect(f[i++], TAG_SEQUENCE, 'subject Name', tbs.contentStart);
  const [notBefore, notAfter] = d.children(validity);
  // A copy: the cache must not keep the whole APK these bytes are a view of alive.
  const certDer = raw(cert).slice();
  const info: Certificate = {
    sha256: certDer.length === der.length ? derSha256 : createHash('sha256').update(certDer).digest('hex'),
    subject: nameToString(d, subject),
    issuer: nameToString(d, issuer),
    serial: integerHex(serial),
    notBefore: notBefore ? timeToIso(notBefore) : undefined,
    notAfter: notAfter ? timeToIso(notAfter) : undefined,
  };
  let opensslError: string | undefined;
  try {
    new X509Certificate(certDer);
  } catch (e) {
    opensslError = (e as Error).message;
  }
  return { der: certDer, sha256: info.sha256, issuerDer: hex(raw(issuer)), issuerCanonical: canonicalName(info.issuer!), serialHex: integerHex(serial), subjectKeyIdentifier: findSubjectKeyIdentifier(d, f.slice(i)), info, opensslError };
}

/** RFC 4514: RDNs last-to-first, "+" inside a multi-valued RDN, special characters escaped. */
export function nameToString(d: DerReader, name: Tlv): string {
  const rdns: string[] = [];
  for (const rdn of d.children(name)) {
    if (rdn.tag !== TAG_SET) continue;
    const parts: string[] = [];
    for (const atv of d.children(rdn)) {
      const [type, value] = atv.tag === TAG_SEQUENCE ? d.children(atv) : [];
      if (!type || !value) continue;
      const oid = oidText(type);
      const short = ATTRIBUTE_NAMES[oid];
      const text = decodeDirectoryString(value);
      parts.push(short && text !== null ? `${short}=${escapeValue(text)}` : `${oid}=#${hex(raw(value))}`);
    }
    rdns.push(parts.join('+'));
  }
  return rdns.reverse().join(', ');
}

/** RFC 2253-style canonical form: case-folded, inner whitespace collapsed. */
export function canonicalName(rfc4514: string): string {
  return rfc4514.toLowerCase().replace(/\s+/g, ' ').trim();
}

function decodeDirectoryString(v: Tlv): string | null {
  const b = content(v);
  switch (v.tag) {
    case 0x0c: return new TextDecoder('utf-8').decode(b); // UTF8String
    case 0x13: case 0x16: case 0x1a: case 0x12: // Printable, IA5, Visible, Numeric
    case 0x14: return latin1(b); // T61String: treated as Latin-1, as OpenSSL does
    case 0x1e: { // BMPString, UTF-16BE
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
      return s;
    }
    case 0x1c: { // UniversalString, UTF-32BE
      let s = '';
      for (let i = 0; i + 3 < b.length; i += 4) {
        const cp = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default: return null;
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function escapeValue(s: string): string {
  let out = s.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** UTCTime (YYMMDDHHMMSSZ, years 50–99 are 19xx) or GeneralizedTime → ISO 8601. */
function timeToIso(t: Tlv): string | undefined {
  const s = latin1(content(t));
  let m: RegExpMatchArray | null;
  if (t.tag === TAG_UTC_TIME && (m = s.match(/^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/))) {
    const yy = Number(m[1]);
    return `${yy >= 50 ? 1900 + yy : 2000 + yy}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`;
  }
  if (t.tag === TAG_GENERALIZED_TIME && (m = s.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:\.\d+)?Z$/))) {
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`;
  }
  return s || undefined;
}

/** extensions [3] → subjectKeyIdentifier (2.5.29.14), which a SignerInfo may use instead of issuer+serial. */
function findSubjectKeyIdentifier(d: DerReader, rest: Tlv[]): string | undefined {
  const ext = rest.find((t) => t.tag === 0xa3);
  if (!ext) return undefined;
  try {
    const [seq] = d.children(ext);
    for (const e of d.children(seq)) {
      const parts = d.children(e);
      if (parts[0] && oidText(parts[0]) === '2.5.29.14') {
        const octets = parts[parts.length - 1];
        const inner = d.tlv(octets.contentStart, octets.contentEnd);
        return hex(content(inner));
      }
    }
  } catch (e) {
    // A malformed extension only costs us the SKI match; the certificate itself stays usable
    // (Android's v1 path never needs the SKI: JAR signers name certs by issuer + serial).
    if (!isRomscanError(e)) throw e;
  }
  return undefined;
}

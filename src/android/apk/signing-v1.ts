// JAR signing (v1): META-INF/<name>.RSA|.DSA|.EC is a PKCS#7 SignedData (RFC 2315, RFC 5652 §5)
// whose SignerInfo names the signer's certificate by issuer + serial (or subject key id).
// Android (StrictJarVerifier, apksig V1SchemeVerifier) uses that certificate, not merely the
// first one in the bag — fdroidserver issue 1128 shows APKs where the two differ.
import { FormatError } from '../../io/errors/index.js';
import { DerReader, TAG_INTEGER, TAG_OID, TAG_SEQUENCE, TAG_SET, content, hex, integerHex, oidText, raw } from './signing-der.js';
import { canonicalName, nameToString, parseCertificate, type ParsedCertificate } from './signing-x509.js';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

export interface Pkcs7Signers {
  /** Every certificate in the bag, in order. */
  certificates: ParsedCertificate[];
  /** For each SignerInfo: its certificate, or null when none in the bag matches. */
  signers: (ParsedCertificate | null)[];
}

export function parsePkcs7SignedData(bytes: Uint8Array, path: string): Pkcs7Signers {
  const d = new DerReader(bytes, path);
  const ci = d.expect(d.tlv(0), TAG_SEQUENCE, 'ContentInfo', 0);
  const [type, explicit] = d.children(ci);
  d.expect(type, TAG_OID, 'contentType', ci.contentStart);
  if (oidText(type) !== OID_SIGNED_DATA) throw new FormatError(`pkcs7: content type ${oidText(type)} is not signedData`, type.start, path);
  d.expect(explicit, 0xa0, '[0] content', type.end);
  const [sd] = d.children(explicit);
  d.expect(sd, TAG_SEQUENCE, 'SignedData', explicit.contentStart);
  const f = d.children(sd);
  d.expect(f[0], TAG_INTEGER, 'SignedData version', sd.contentStart);
  d.expect(f[1], TAG_SET, 'digestAlgorithms', sd.contentStart);
  d.expect(f[2], TAG_SEQUENCE, 'encapContentInfo', sd.contentStart);
  let i = 3;
  const certificates: ParsedCertificate[] = [];
  if (f[i]?.tag === 0xa0) {
    for (const c of d.children(f[i])) {
      if (c.tag === TAG_SEQUENCE) certificates.push(parseCertificate(raw(c), path));
    }
    i++;
  }
  if (f[i]?.tag === 0xa1) i++; // crls
  const signerInfos = d.expect(f[i], TAG_SET, 'signerInfos', sd.contentStart);
  const signers: (ParsedCertificate | null)[] = [];
  for (const si of d.children(signerInfos)) {
    const [, sid] = d.children(si);
    if (!sid) throw new FormatError('pkcs7: SignerInfo without a signer identifier', si.start, path);
    let match: ParsedCertificate | undefined;
    if (sid.tag === TAG_SEQUENCE) {
      const [issuer, serial] = d.children(sid);
      const issuerDer = hex(raw(d.expect(issuer, TAG_SEQUENCE, 'issuer', sid.contentStart)));
      const serialHex = integerHex(d.expect(serial, TAG_INTEGER, 'serialNumber', sid.contentStart));
      match = certificates.find((c) => c.issuerDer === issuerDer && c.serialHex === serialHex);
      // Java matches with X500Principal.equals, which ignores the string types (PrintableString
      // vs UTF8String) that some signers mix between the certificate and the SignerInfo.
      if (!match) {
        const canonical = canonicalName(nameToString(d, issuer));
        match = certificates.find((c) => c.issuerCanonical === canonical && c.serialHex === serialHex);
      }
    } else if (sid.tag === 0x80) {
      const ski = hex(content(sid));
      match = certificates.find((c) => c.subjectKeyIdentifier === ski);
    }
    signers.push(match ?? null);
  }
  return { certificates, signers };
}

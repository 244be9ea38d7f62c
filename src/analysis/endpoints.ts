// Which strings of an app name a network endpoint, and its host and scheme.
//
// The rules, strictest first (each is a deliberate trade between recall and noise):
// 1. Every string that starts with "http://" or "https://" (any letter case) is an endpoint,
//    whatever follows: the report keeps the exact string (INTERFACE.md), and templates such as
//    "http://%s/api" still show that the code talks HTTP. Strings that merely *contain* a URL
//    ("Link: http://…", HTML snippets) are not endpoints: their value would not be the string
//    as it stands in the code.
// 2. Other URLs are endpoints when the scheme is a network protocol with an authority (RFC 3986
//    "//host") — ftp, ws, wss, rtsp, rtmp, mqtt, tcp, udp, ssl, tls, smtp, imap, xmpp, … —
//    and the authority holds a plausible host (a domain with a known TLD, an IP literal or
//    localhost). Local schemes (content://, file://, android.resource://, jar:, data:) never are:
//    they name data on the device.
// 3. A bare host ("zzhc.vnet.cn", "log.umeng.com:80/x") is an endpoint when it is lowercase
//    letters/digits/hyphens in dot-separated labels (Java identifiers of classes and constants
//    carry capitals: "com.foo.Bar", "Dispatchers.IO"), ends in a TLD from a compact list, and
//    does not start with a package root (com., org., android., java., …: reversed-domain package
//    names such as "com.google.android.wearable.app" end in TLD-like words too). TLDs that are
//    also common words or file extensions at the end of property keys and file names ("ro.build.id",
//    "device.info", "margin.top", "main.cc") count only with extra evidence: a "www." prefix or a
//    registry second level ("foo.co.uk", "bar.com.tw").
// 4. An IPv4 literal (optionally with :port and a path): four decimal octets 0..255 without
//    leading zeros. Not 0.x.x.x and not 255.x.x.x (unspecified/netmask). Quads whose octets are
//    all single digits ("1.2.3.4", "4.0.2.1") read as version numbers and are skipped, except the
//    well-known resolvers where all four are equal ("8.8.8.8", "1.1.1.1"). Bare IPv6 is not matched
//    (too close to ordinary text with colons); IPv6 inside URLs is.

export type EndpointKind = 'url' | 'host' | 'ip';

export interface EndpointClass {
  /** The string exactly as given. */
  value: string;
  /** Lowercased host (IPv6 without brackets), or null when there is none ("http://", "https:///x"). */
  host: string | null;
  /** Lowercased scheme, or null for bare hosts and IPs. */
  scheme: string | null;
  kind: EndpointKind;
}

/** Network schemes that take an authority (rule 2). */
export const NETWORK_SCHEMES: ReadonlySet<string> = new Set([
  'ftp', 'ftps', 'sftp', 'ws', 'wss', 'rtsp', 'rtsps', 'rtmp', 'rtmps', 'rtmpt', 'rtmpe', 'mms', 'mmsh', 'mmst',
  'mqtt', 'mqtts', 'tcp', 'udp', 'ssl', 'tls', 'smtp', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s', 'ldap', 'ldaps',
  'telnet', 'ssh', 'git', 'irc', 'ircs', 'xmpp', 'socks', 'socks4', 'socks5', 'coap', 'coaps', 'amqp', 'amqps',
  'stomp', 'nntp', 'gopher', 'dns', 'redis', 'rediss', 'mongodb', 'mysql', 'postgres', 'postgresql', 'grpc', 'grpcs',
  'webdav', 'dav', 'davs', 'ipp', 'ipps', 'sip', 'sips', 'h2', 'http2', 'quic',
]);

/** TLDs that rarely end anything but a host name (rule 3). */
const STRONG_TLDS = new Set(['com', 'net', 'org', 'cn', 'ru', 'edu', 'gov', 'mil', 'mobi', 'xyz', 'su']);
/**
 * Other TLDs (the oracle's HOST_RE list plus common ones). Bare names ending in these need a
 * "www." prefix or a registry second level; in URLs (rule 2) they count as they are.
 */
const WEAK_TLDS = new Set([
  'io', 'info', 'biz', 'co', 'me', 'app', 'dev', 'ai', 'de', 'uk', 'jp', 'fr', 'br', 'in', 'it', 'nl', 'es', 'au',
  'ca', 'ch', 'se', 'no', 'pl', 'kr', 'tv', 'us', 'eu', 'site', 'online', 'cloud', 'tech', 'ly', 'gl', 'gg', 'to',
  'cc', 'fm', 'be', 'at', 'dk', 'fi', 'cz', 'ir', 'tw', 'hk', 'sg', 'vn', 'id', 'top', 'club', 'shop', 'vip', 'pro',
  'asia', 'tk', 'ws', 'ua', 'by', 'kz', 'tr', 'gr', 'pt', 'ro', 'hu', 'il', 'za', 'mx', 'ar', 'cl', 'nz', 'th', 'my',
  'ph', 'pk', 'bd', 'sa', 'ae', 'eg', 'ng', 'ke', 'int', 'name', 'live', 'news', 'store', 'link', 'im', 'la', 'mo',
  'ie', 'sk', 'si', 'hr', 'rs', 'bg', 'lt', 'lv', 'ee', 'is', 'lu', 'pe', 'ga', 'ml', 'cf', 'gq', 'icu', 'wang', 'ren',
]);
/** Registry second levels under country TLDs ("co.uk", "com.cn", "ac.jp"). */
const REGISTRY_SLDS = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'gob', 'nic', 'mil']);
/** First labels of Java/Kotlin package names; a bare host never starts with one. */
const PACKAGE_ROOTS = new Set([
  'com', 'org', 'net', 'edu', 'gov', 'mil', 'io', 'info', 'biz', 'app', 'dev', 'me', 'android', 'androidx', 'java',
  'javax', 'kotlin', 'kotlinx', 'dalvik', 'sun', 'junit', 'libcore', 'okhttp3', 'okio', 'retrofit2', 'dagger', 'butterknife',
]);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Classifies one string; null when it is not an endpoint. */
export function classifyEndpoint(s: string): EndpointClass | null {
  const n = s.length;
  if (n < 4) return null;
  const c0 = s.charCodeAt(0) | 0x20;
  // Rule 1: http(s), checked by char codes first because nearly all strings fail here.
  if (c0 === 0x68 /* h */ && n >= 7) {
    const head = s.slice(0, 8).toLowerCase();
    if (head.startsWith('http://') || head === 'https://') {
      const schemeEnd = head.startsWith('http://') ? 4 : 5;
      return { value: s, host: authorityHost(s, schemeEnd + 3), scheme: head.slice(0, schemeEnd), kind: 'url' };
    }
  }
  const sep = s.indexOf('://');
  if (sep > 0) {
    // Rule 2.
    if (sep > 16 || /\s/.test(s)) return null;
    const scheme = s.slice(0, sep).toLowerCase();
    if (!NETWORK_SCHEMES.has(scheme)) return null;
    const host = authorityHost(s, sep + 3);
    if (host === null || !(isIPv4(host) || host.includes(':') || host === 'localhost' || isDomain(host, false))) return null;
    return { value: s, host, scheme, kind: 'url' };
  }
  // Rules 3 and 4: a bare host or IP with an optional :port and path, no whitespace. Cheap
  // rejections first: most strings (type descriptors, messages, keys) have no dot before a '/'.
  if (s.indexOf('.') < 0 || n > 253 + 6 + 2048) return null;
  let end = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x23 /* # */) { end = i; break; }
    if (c <= 0x20) return null;
  }
  let hostPart = end === n ? s : s.slice(0, end);
  const colon = hostPart.indexOf(':');
  if (colon >= 0) {
    if (!isPort(hostPart.slice(colon + 1))) return null;
    hostPart = hostPart.slice(0, colon);
  }
  if (hostPart.indexOf('.') < 0) return null;
  const c = hostPart.charCodeAt(0);
  let r: EndpointClass | null;
  if (c >= 0x30 && c <= 0x39) {
    r = isIPv4(hostPart) && !looksLikeVersion(hostPart) ? { value: s, host: hostPart, scheme: null, kind: 'ip' } : null;
  } else {
    r = isDomain(hostPart, true) ? { value: s, host: hostPart, scheme: null, kind: 'host' } : null;
  }
  return r && end < n && /\s/.test(s) ? null : r;
}

/**
 * A necessary condition for classifyEndpoint on a plain ASCII string given as its bytes
 * [pos, pos + length): false means classifyEndpoint returns null, so a caller holding
 * undecoded bytes (dex string data) need not decode the string. It follows the rules above:
 * - rules 1 and 2 need a scheme of letters and digits (every NETWORK_SCHEMES entry, http and
 *   https are) ending in ':' at index 1..16 ("://" is searched from the start, and a string
 *   with more than 16 characters before it is rejected);
 * - rules 3 and 4 need a host part (everything before the first ':', '/', '?' or '#') of
 *   lowercase letters, digits, '-' and '.' only (isDomain's labels, isIPv4's digits), holding a '.'.
 * Only for ASCII: a non-ASCII byte sequence may decode to any character (MUTF-8 accepts
 * overlong forms), so such strings must be decoded and classified.
 */
export function mayBeEndpoint(bytes: Uint8Array, pos: number, length: number): boolean {
  if (length < 4) return false;
  const end = pos + length;
  // Rules 3 and 4: the longest prefix of [a-z0-9.-] must be the whole host part.
  let i = pos, dot = false;
  for (; i < end; i++) {
    const c = bytes[i];
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d) continue;
    if (c === 0x2e) { dot = true; continue; }
    break;
  }
  if (dot && (i === end || bytes[i] === 0x3a || bytes[i] === 0x2f || bytes[i] === 0x3f || bytes[i] === 0x23)) return true;
  // Rules 1 and 2: "scheme:" with 1..16 letters or digits.
  const stop = Math.min(end, pos + 17);
  for (let j = pos; j < stop; j++) {
    const c = bytes[j];
    if (c === 0x3a) return j > pos;
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39))) return false;
  }
  return false;
}

/** Host of the authority that starts at `from` (after "://"), lowercased; null when empty. */
function authorityHost(s: string, from: number): string | null {
  let end = s.length;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23 || c === 0x5c /* \ */ || c <= 0x20) { end = i; break; }
  }
  let auth = s.slice(from, end);
  const at = auth.lastIndexOf('@');
  if (at >= 0) auth = auth.slice(at + 1);
  let host: string;
  if (auth.startsWith('[')) {
    const close = auth.indexOf(']');
    host = close > 0 ? auth.slice(1, close) : auth.slice(1);
  } else {
    const colon = auth.indexOf(':');
    host = colon >= 0 ? auth.slice(0, colon) : auth;
  }
  return host ? host.toLowerCase() : null;
}

function isPort(p: string): boolean {
  if (!/^[0-9]{1,5}$/.test(p)) return false;
  const v = Number(p);
  return v >= 1 && v <= 65535;
}

export function isIPv4(h: string): boolean {
  const parts = h.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return false;
  }
  return true;
}

function looksLikeVersion(ip: string): boolean {
  const o = ip.split('.').map(Number);
  if (o[0] === 0 || o[0] === 255) return true;
  return o.every((x) => x < 10) && !o.every((x) => x === o[0]);
}

/**
 * A domain name by the rules above. `bare` applies the stricter rule 3 (lowercase only, no
 * package roots, weak TLDs need evidence); URL authorities (rule 2) are matched case-insensitively.
 */
function isDomain(h: string, bare: boolean): boolean {
  if (h.length < 4 || h.length > 253) return false;
  const name = bare ? h : h.toLowerCase();
  const labels = name.split('.');
  if (labels.length < 2) return false;
  for (const l of labels) if (!LABEL.test(l)) return false;
  const tld = labels[labels.length - 1];
  const strong = STRONG_TLDS.has(tld);
  if (!strong && !WEAK_TLDS.has(tld)) return false;
  if (!bare) return true;
  if (PACKAGE_ROOTS.has(labels[0])) return false;
  if (strong) return true;
  return labels[0] === 'www' || (labels.length >= 3 && REGISTRY_SLDS.has(labels[labels.length - 2]));
}

// Sorting an app's endpoint strings into ones it may contact and ones that only look like URLs
// (XML namespaces, licence texts, content:// URIs), and matching hosts against host signatures.
import type { Endpoint } from '../report/model.js';
import type { HostSignature, Signatures } from './signatures.js';

export interface EndpointInfo {
  endpoint: Endpoint;
  /** Lower-case host without port or trailing dot, or null. */
  host: string | null;
  scheme: string | null;
  /** Plain-text transport: http://, ws://, ftp://, or a raw IP without a TLS scheme. */
  cleartext: boolean;
  rawIp: boolean;
  /** Could be contacted over the network (a URL or address, not a namespace or local URI). */
  remote: boolean;
  sms: boolean;
  known: HostSignature | null;
}

const NETWORK_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp', 'ftps', 'tcp', 'udp', 'mqtt', 'mqtts', 'ssl', 'tls']);
const CLEARTEXT_SCHEMES = new Set(['http', 'ws', 'ftp', 'tcp', 'udp', 'mqtt']);

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Loopback, private, link-local and unspecified addresses are not phone-home destinations. */
export function isLocalIp(host: string): boolean {
  const m = IPV4.exec(host);
  if (!m) return host === '::1' || host.startsWith('fe80:') || host === '::';
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
}

export function isIp(host: string): boolean {
  const m = IPV4.exec(host);
  if (m) return m.slice(1).every((x) => Number(x) <= 255);
  return host.includes(':') && /^[0-9a-f:]+$/i.test(host);
}

/** Host of an endpoint, from the model or parsed out of the value. */
export function endpointHost(e: Endpoint): string | null {
  let h = e.host;
  if (!h) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]]+\]|[^/:?#]+)/i.exec(e.value);
    h = m ? m[1]! : e.kind === 'host' || e.kind === 'ip' ? e.value : null;
  }
  if (!h) return null;
  h = h.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const port = /^([^:]+):\d+$/.exec(h);
  return port ? port[1]! : h;
}

export function endpointScheme(e: Endpoint): string | null {
  if (e.scheme) return e.scheme.toLowerCase();
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(e.value);
  return m ? m[1]!.toLowerCase() : null;
}

export function hostMatches(host: string, sig: { host: string; match?: 'exact' | 'suffix' }): boolean {
  const h = sig.host.toLowerCase();
  return host === h || (sig.match !== 'exact' && host.endsWith(`.${h}`));
}

export function matchHost(host: string | null, sigs: Signatures): HostSignature | null {
  if (!host) return null;
  let best: HostSignature | null = null;
  for (const s of sigs.hosts) {
    // The longest (most specific) matching signature wins.
    if (hostMatches(host, s) && (!best || s.host.length > best.host.length)) best = s;
  }
  return best;
}

export function classifyEndpoint(e: Endpoint, sigs: Signatures): EndpointInfo {
  const host = endpointHost(e);
  const scheme = endpointScheme(e);
  const sms = e.kind === 'sms' || scheme === 'sms' || scheme === 'smsto';
  const known = matchHost(host, sigs);
  const namespace = host !== null && sigs.namespaces.some((n) => hostMatches(host, { host: n.host, match: 'suffix' }));
  const rawIp = host !== null && isIp(host);
  let remote = false;
  if (host && !namespace && !(rawIp && isLocalIp(host)) && !host.includes('%') && host.includes('.')) {
    if (scheme) remote = NETWORK_SCHEMES.has(scheme);
    // A bare host is only a hint (it may be a Java package name); bare IPs and known hosts count.
    else remote = rawIp || known !== null;
  }
  const cleartext = remote && (scheme ? CLEARTEXT_SCHEMES.has(scheme) : rawIp);
  return { endpoint: e, host, scheme, cleartext, rawIp, remote, sms, known };
}

// App-level rules: pure functions from one app's facts (manifest, endpoints, API call sites, call
// graph, certificates, placement in the ROM) to findings. The central rule is phone-home detection
// by behaviour; the rest name known components and risky configuration.
import type { AppReport, CodeLocation, Finding, Severity } from '../report/model.js';
import { classifyEndpoint, type EndpointInfo } from './endpoints.js';
import { findEntryPath, findLink, outerClass, splitKey, type Link, type Site } from './link.js';
import { shiftSeverity } from './severity.js';
import { isSystemUid, mayLinkDataToNetwork } from './app-traits.js';
import type { CallGraph } from '../analysis/call-graph.js';
import { stringCategory, type ApiCategory, type Signatures } from './signatures.js';

export interface AppContext {
  /** Every class defined in the app's dex files, dotted. */
  classNames: string[];
  /** "com.a.B.method" -> app-internal callees "com.c.D.method". */
  calls: CallGraph;
  /** The app was found inside a firmware image (pre-installed), not scanned on its own. */
  inFirmware: boolean;
  /** What the rules need from the code, found already where it was analysed: `classNames` and `calls` are then empty. */
  code?: CodeEvidence;
}

/**
 * What the rules need from an app's code beyond its report. It depends on the app and its code
 * only, not on the ROM around it, so a scan finds it where each app is analysed (scan/apk-task.ts)
 * and need not keep the call graph (tens of MB for a big app) and class list until the ROM's
 * rules run, nor move them between threads.
 */
export interface CodeEvidence {
  /** The phone-home rule's code search; null when that rule cannot apply. */
  links: CodeLinks | null;
  /** Each tracker class prefix of the signatures that a class of the app matches, with the first such class. */
  trackerClasses: Map<string, string>;
}

export function findCodeEvidence(app: AppReport, calls: CallGraph, classNames: string[], sigs: Signatures): CodeEvidence {
  return { links: findCodeLinks(app, calls, sigs), trackerClasses: trackerClassMatches(classNames, sigs) };
}

/** How an app's data reads connect to its network code, and the path a trigger receiver takes to that link. */
export interface CodeLinks {
  found: Link | null;
  /** From a trigger receiver into the linked code, when the link holds a hardcoded endpoint. */
  entry: string[] | null;
}

/** Evidence lists are capped so one noisy app does not flood a report. */
const MAX_EVIDENCE_SITES = 6;

const PERMISSION_INFERRED: Record<string, string> = {
  'android.permission.READ_SMS': 'sms',
  'android.permission.READ_CALL_LOG': 'call_log',
  'android.permission.READ_CONTACTS': 'contacts',
};

export const APP_RULES = {
  'phone-home': 'Phone-home behaviour: reads device identifiers or personal data and sends them to a hardcoded endpoint',
  'known-component': 'Known pre-installed component',
  'known-host': 'Contacts a known phone-home host',
  'tracker-sdk': 'Tracker SDK embedded',
  'reads-personal-data': 'Reads device identifiers or personal data',
  'cleartext-traffic': 'Cleartext (http) endpoints',
  'exported-unprotected': 'Privileged app exports components without a permission',
  'debuggable': 'App is debuggable',
  'test-only': 'App is marked testOnly',
  'test-key-signed': 'Signed with a public AOSP test key',
  'default-granted-permissions': 'Dangerous permissions granted by default (without asking the user)',
  'privileged-permissions': 'Holds privileged (signature|privileged) permissions',
} as const;
export type AppRule = keyof typeof APP_RULES;

function loc(l: CodeLocation): string {
  return `${l.class}.${l.method} (${l.dex})`;
}

function sortUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

function capList(lines: string[], max = MAX_EVIDENCE_SITES): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

/** Human words for how much power an app has, for evidence. Empty when it has none. */
export function privilegeMarkers(app: AppReport, ctx: Pick<AppContext, 'inFirmware'>): string[] {
  const out: string[] = [];
  if (ctx.inFirmware) out.push(`pre-installed${app.partition ? ` on ${app.partition}` : ''}`);
  if (app.privileged) out.push('privileged (priv-app)');
  if (isSystemUid(app)) out.push(`sharedUserId ${app.sharedUserId}`);
  if (app.platformSigned) out.push('platform-signed');
  return out;
}

interface DataSite { category: ApiCategory; api: string; loc: CodeLocation }

/** Permissions that make a provider URI constant an actual read (system uids hold them all). */
const URI_PERMISSIONS: Record<string, string[]> = {
  sms: ['android.permission.READ_SMS', 'android.permission.RECEIVE_SMS', 'android.permission.WRITE_SMS'],
  call_log: ['android.permission.READ_CALL_LOG', 'android.permission.WRITE_CALL_LOG'],
  contacts: ['android.permission.READ_CONTACTS', 'android.permission.WRITE_CONTACTS'],
};

interface Sites { data: DataSite[]; weak: DataSite[]; net: DataSite[]; sms: DataSite[]; exec: DataSite[]; uris: DataSite[] }

function collectSites(app: AppReport, sigs: Signatures): Sites {
  const cats = new Map(sigs.categories.map((c) => [c.id, c]));
  const byApi = new Map<string, string>();
  for (const a of sigs.apis) {
    byApi.set(a.api, a.category);
    byApi.set(a.api.replace(/\$/g, '.'), a.category);
  }
  const requested = new Set(app.permissions.requested);
  const systemUid = isSystemUid(app);
  const inferred = Object.entries(PERMISSION_INFERRED).filter(([p]) => requested.has(p)).map(([, c]) => c);
  const out: Sites = { data: [], weak: [], net: [], sms: [], exec: [], uris: [] };
  // Methods holding the "android_id" constant: Settings.Secure.getString there reads ANDROID_ID.
  const androidIdMethods = new Set<string>();
  const weakSecure: DataSite[] = [];
  for (const use of app.apis) {
    const isString = byApi.get(use.api) === undefined && byApi.get(use.api.replace(/\$/g, '.')) === undefined && stringCategory(sigs, use.api) !== undefined;
    const catId = isString ? (use.category ?? stringCategory(sigs, use.api)) : (use.category ?? byApi.get(use.api) ?? byApi.get(use.api.replace(/\$/g, '.')));
    const cat = catId ? cats.get(catId) : undefined;
    if (!cat) continue;
    for (const l of use.locations) {
      const site = { category: cat, api: use.api, loc: l };
      if (isString) {
        if (cat.id === 'android_id') androidIdMethods.add(`${l.class}.${l.method}`);
        else if (use.api.toLowerCase().startsWith('content://')) {
          out.uris.push(site);
          const need = URI_PERMISSIONS[cat.id];
          if (need && (systemUid || need.some((p) => requested.has(p)))) out.data.push({ ...site, api: `${use.api} (provider URI)` });
        }
        continue;
      }
      if (cat.id === 'network') out.net.push(site);
      else if (cat.id === 'sms_send') out.sms.push(site);
      else if (cat.group === 'exec') out.exec.push(site);
      else if (cat.id === 'android_id') weakSecure.push(site);
      else if (cat.group === 'identifier' || cat.group === 'personal') (cat.weak ? out.weak : out.data).push(site);
      else if (cat.id === 'content_query') {
        // A provider query reads SMS / call log / contacts only if the app may: infer from its permissions.
        for (const c of inferred) {
          const ic = cats.get(c);
          if (ic) out.data.push({ category: ic, api: use.api, loc: l });
        }
        if (!inferred.length) out.weak.push(site);
      }
    }
  }
  for (const w of weakSecure) {
    if (androidIdMethods.has(`${w.loc.class}.${w.loc.method}`)) out.data.push({ ...w, api: `${w.api}(ANDROID_ID)` });
    else out.weak.push(w);
  }
  return out;
}

function toSite(d: DataSite): Site {
  return { key: `${d.loc.class}.${d.loc.method}`, cls: d.loc.class, method: d.loc.method, dex: d.loc.dex, what: d.category.id };
}

function finding(rule: AppRule, severity: Severity, evidence: string[], references: string[], title?: string): Finding {
  return { rule, severity, title: title ?? APP_RULES[rule], evidence, references: sortUnique(references) };
}

function triggerReceivers(app: AppReport, sigs: Signatures): { component: string; action: string; reference: string }[] {
  const triggers = new Map(sigs.triggers.map((t) => [t.action, t.reference]));
  const out: { component: string; action: string; reference: string }[] = [];
  for (const c of app.components) {
    if (c.type !== 'receiver') continue;
    for (const a of c.actions) {
      const ref = triggers.get(a);
      if (ref) out.push({ component: c.name, action: a, reference: ref });
    }
  }
  return out.sort((x, y) => (x.action + x.component < y.action + y.component ? -1 : 1));
}

/**
 * One line per data kind first (the site on the linked path preferred), then the other sites,
 * so a capped list still shows every kind the app reads.
 */
function readEvidence(data: DataSite[], link: Link | null): string[] {
  const line = (d: DataSite): string => `reads ${d.category.id} at ${loc(d.loc)} via ${d.api}`;
  const linkedClass = link ? outerClass(link.read.cls) : null;
  const sorted = [...data].sort((a, b) => {
    const la = outerClass(a.loc.class) === linkedClass ? 0 : 1;
    const lb = outerClass(b.loc.class) === linkedClass ? 0 : 1;
    return la - lb || (line(a) < line(b) ? -1 : line(a) > line(b) ? 1 : 0);
  });
  const first = new Map<string, string>();
  for (const d of sorted) if (!first.has(d.category.id)) first.set(d.category.id, line(d));
  const lead = [...first.values()].sort();
  const rest = sortUnique(sorted.map(line)).filter((l) => !lead.includes(l));
  return capList([...lead, ...rest], Math.max(MAX_EVIDENCE_SITES, lead.length));
}

function describeLink(link: Link): string {
  if (link.kind === 'same-method') return `linked: ${link.read.key} reads ${link.read.what} and does network I/O in the same method`;
  if (link.kind === 'same-class') return `linked: ${link.read.key} (${link.read.what}) and ${link.net.key} (network) are in the same class ${link.toRead[0]}`;
  const [r, n] = [link.toRead, link.toNet];
  const tag = link.kind === 'class-path' ? ' (class level)' : '';
  const ends = link.kind === 'class-path' ? ` (reads ${link.read.what} at ${link.read.key}; network at ${link.net.key})` : '';
  // One chain when the read site itself leads to the network site (or the other way round).
  if (r.length === 1) return `linked${tag}: ${n.join(' → ')}${ends}`;
  if (n.length === 1) return `linked${tag}: ${r.join(' → ')}${ends}`;
  return `linked${tag}: ${r.join(' → ')}; ${n.join(' → ')}${ends}`;
}

/** Entry points of a ContentProvider that a content:// URI reaches through the framework. */
const PROVIDER_ENTRIES = ['call', 'query', 'insert', 'update', 'delete', 'openFile', 'getType'];

/**
 * The app's call graph plus the hops the framework makes for it: code that holds a content:// URI
 * of the app's own provider reaches that provider's query/call methods (Binder IPC, invisible to
 * method references). Returns `calls` itself when there is nothing to add.
 */
export function bridgedCalls(app: AppReport, calls: CallGraph): CallGraph {
  const providers = new Map<string, string>();
  for (const c of app.components) {
    if (c.type !== 'provider' || !c.authorities) continue;
    for (const auth of c.authorities.split(';')) if (auth.trim()) providers.set(auth.trim().toLowerCase(), c.name);
  }
  if (!providers.size) return calls;
  const extra: [string, string][] = [];
  // URI constants arrive as string "apis" (the analysis layer's string watch) or, from other
  // producers, as endpoints; both carry the methods that hold them.
  for (const e of [...app.endpoints.map((x) => ({ value: x.value, locations: x.locations })), ...app.apis.map((x) => ({ value: x.api, locations: x.locations }))]) {
    const m = /^content:\/\/([^/?#]+)/i.exec(e.value);
    const provider = m ? providers.get(m[1]!.toLowerCase()) : undefined;
    if (!provider) continue;
    for (const l of e.locations) {
      for (const entry of PROVIDER_ENTRIES) extra.push([`${l.class}.${l.method}`, `${provider}.${entry}`]);
    }
  }
  return calls.withPairs(extra);
}

/** What the phone-home rule reads off an app before searching its code. */
interface PhoneHomeInputs {
  /** Hardcoded endpoints the app can send to: remote hosts with INTERNET, SMS numbers with SEND_SMS. */
  transportEps: EndpointInfo[];
  readSites: Site[];
  netSites: Site[];
  receivers: { component: string; action: string; reference: string }[];
}

/** Null when the rule cannot apply: nothing read, or nothing to send it to. */
function phoneHomeInputs(app: AppReport, sigs: Signatures, sites: Sites, eps: EndpointInfo[]): PhoneHomeInputs | null {
  if (!mayLinkDataToNetwork(app)) return null;
  const remote = eps.filter((e) => e.remote);
  const smsEps = eps.filter((e) => e.sms);
  const requested = new Set(app.permissions.requested);
  const canNet = requested.has('android.permission.INTERNET') || isSystemUid(app);
  const canSms = requested.has('android.permission.SEND_SMS') || isSystemUid(app);
  const transportEps = [...(canNet ? remote : []), ...(canSms && sites.sms.length ? smsEps : [])];
  if (!sites.data.length || !transportEps.length) return null;

  // Network code: call sites of network APIs and SMS senders. Only when the app has none (native
  // or unlisted HTTP stacks) do the methods holding the endpoint strings stand in for it.
  const netSites: Site[] = [...sites.net, ...sites.sms].map(toSite);
  if (!netSites.length) {
    for (const e of transportEps) {
      for (const l of e.endpoint.locations) netSites.push({ key: `${l.class}.${l.method}`, cls: l.class, method: l.method, dex: l.dex, what: e.endpoint.value });
    }
  }
  return { transportEps, readSites: sites.data.map(toSite), netSites, receivers: triggerReceivers(app, sigs) };
}

/** The phone-home rule's code search for `app`, or null when the rule cannot apply. */
function findCodeLinks(app: AppReport, calls: CallGraph, sigs: Signatures): CodeLinks | null {
  if (!mayLinkDataToNetwork(app)) return null; // before the sites: most apps stop here
  const inputs = phoneHomeInputs(app, sigs, collectSites(app, sigs), app.endpoints.map((e) => classifyEndpoint(e, sigs)));
  return inputs && searchCode(app, calls, inputs);
}

function searchCode(app: AppReport, calls: CallGraph, inputs: PhoneHomeInputs): CodeLinks {
  const graph = bridgedCalls(app, calls);
  const found = findLink(inputs.readSites, inputs.netSites, graph);
  if (!found || !endpointsNear(found, inputs.transportEps).length) return { found, entry: null };
  const targets = new Set([found.toRead[0]!, found.read.key, found.net.key]);
  return { found, entry: findEntryPath(inputs.receivers.map((r) => r.component), targets, graph) };
}

/**
 * The endpoints held in the linked code (a class on the path): a link counts only if one is, as
 * an app that reads the clipboard next to a sample URL and uses a library's HTTP elsewhere does
 * not send the clipboard there.
 */
function endpointsNear(found: Link, transportEps: EndpointInfo[]): EndpointInfo[] {
  const linkedClasses = new Set<string>([outerClass(found.net.cls), outerClass(found.read.cls)]);
  // call paths list methods ("pkg.Class.method"); class-level links list classes already.
  const methods = found.kind === 'call-path' || found.kind === 'same-method';
  for (const k of [...found.toNet, ...found.toRead]) linkedClasses.add(outerClass(methods ? splitKey(k).cls : k));
  return transportEps.filter((e) => e.endpoint.locations.some((l) => linkedClasses.has(outerClass(l.class))));
}

function phoneHome(app: AppReport, ctx: AppContext, sigs: Signatures, sites: Sites, eps: EndpointInfo[]): Finding[] {
  const inputs = phoneHomeInputs(app, sigs, sites, eps);
  if (!inputs) return [];
  const { transportEps, receivers } = inputs;
  const { found, entry } = ctx.code?.links ?? searchCode(app, ctx.calls, inputs);
  const kinds = sortUnique(sites.data.map((d) => d.category.id));
  const identifierKinds = kinds.filter((k) => sigs.categories.find((c) => c.id === k)?.group === 'identifier');
  const nearEps = found ? endpointsNear(found, transportEps) : [];
  const link = found && nearEps.length ? found : null;
  const boostEps = nearEps.length ? nearEps : transportEps;
  const cleartext = boostEps.some((e) => e.cleartext || e.sms);
  const knownEps = transportEps.filter((e) => e.known && e.known.kind !== 'tracker');
  const systemUid = isSystemUid(app);
  const powerful = app.privileged || app.platformSigned || systemUid;

  const boosts: string[] = [];
  if (cleartext) boosts.push(boostEps.some((e) => e.sms) && !boostEps.some((e) => e.cleartext) ? 'SMS transport' : 'cleartext transport');
  if (knownEps.length) boosts.push(`known host ${sortUnique(knownEps.map((e) => e.host ?? e.endpoint.value)).join(', ')}`);
  if (powerful) boosts.push(systemUid ? `system uid (${app.sharedUserId})` : app.privileged ? 'privileged app' : 'platform-signed');
  if (identifierKinds.length >= 3) boosts.push(`${identifierKinds.length} identifier kinds`);

  let severity: Severity;
  const wakes = receivers.length > 0;
  if (link && wakes) {
    if (ctx.inFirmware) severity = boosts.length >= 4 ? 'critical' : 'high';
    // Outside a ROM a system-uid app can still only run as platform code; a clear case keeps its weight.
    else if (systemUid && boosts.length >= 3) severity = 'high';
    else severity = 'medium';
  } else if (wakes || (link && ctx.inFirmware)) {
    severity = ctx.inFirmware ? 'medium' : 'low';
  } else if (link) {
    severity = 'low';
  } else {
    severity = 'info';
  }
  // Without any privilege or a known host, an ordinary app's behaviour stays at medium at most.
  if (!ctx.inFirmware && !systemUid && severity === 'high') severity = 'medium';

  const evidence: string[] = [];
  evidence.push(...readEvidence(sites.data, link));
  const sendLines = sortUnique(transportEps.flatMap((e) => e.endpoint.locations.length
    ? e.endpoint.locations.map((l) => `sends to ${e.endpoint.value} from ${l.class}.${l.method}`)
    : [`holds endpoint ${e.endpoint.value}`]));
  evidence.push(...capList(sendLines));
  const netLines = sortUnique([...sites.net, ...sites.sms].map((d) => `${d.category.id === 'sms_send' ? 'sends SMS' : 'network I/O'} at ${loc(d.loc)} via ${d.api}`));
  evidence.push(...capList(netLines, 3));
  for (const r of receivers.slice(0, MAX_EVIDENCE_SITES)) evidence.push(`wakes on ${r.action} via receiver ${r.component}`);
  if (link) {
    evidence.push(describeLink(link));
    if (entry && entry.length > 1) evidence.push(`entry: ${entry.join(' → ')}`);
  } else if (found) {
    evidence.push(`${describeLink(found)}, but no hardcoded endpoint sits in that code`);
  } else {
    evidence.push('no code path found between the data reads and the network code');
  }
  const priv = privilegeMarkers(app, ctx);
  if (priv.length) evidence.push(priv.join(', '));
  if (boosts.length && (severity === 'critical' || severity === 'high')) evidence.push(`severity raised by: ${boosts.join(', ')}`);
  else if (boosts.length) evidence.push(`aggravating: ${boosts.join(', ')}`);

  const refs = [
    ...sites.data.map((d) => d.category.reference),
    ...receivers.map((r) => r.reference),
    ...knownEps.flatMap((e) => e.known!.references),
  ];
  const title = wakes && link
    ? `Phone-home behaviour: sends ${kinds.join(', ')} to a hardcoded endpoint, starts on ${sortUnique(receivers.map((r) => r.action.split('.').pop()!)).join('/')}`
    : APP_RULES['phone-home'];
  return [finding('phone-home', severity, evidence, refs, title)];
}

function readsPersonalData(app: AppReport, ctx: AppContext, sites: Sites, phoneHomeFound: boolean): Finding[] {
  if (phoneHomeFound || !sites.data.length) return [];
  const kinds = sortUnique(sites.data.map((d) => d.category.id));
  const evidence = capList(sortUnique(sites.data.map((d) => `reads ${d.category.id} at ${loc(d.loc)} via ${d.api}`)));
  const severity: Severity = ctx.inFirmware && (app.privileged || isSystemUid(app)) ? 'low' : 'info';
  return [finding('reads-personal-data', severity, evidence, sites.data.map((d) => d.category.reference),
    `Reads ${kinds.join(', ')}`)];
}

function knownComponent(app: AppReport, ctx: AppContext, sigs: Signatures): Finding[] {
  const sig = sigs.packages.find((p) => p.package === app.package || (app.package?.toLowerCase() === p.package.toLowerCase()));
  if (!sig) return [];
  const evidence = [`package ${app.package} is ${sig.name}`];
  if (sig.note) evidence.push(sig.note);
  const priv = privilegeMarkers(app, ctx);
  if (priv.length) evidence.push(priv.join(', '));
  // A known component found loose (not pre-installed) is worth knowing, but is not on a device.
  const severity = ctx.inFirmware ? sig.severity : shiftSeverity(sig.severity, -1);
  return [finding('known-component', severity, evidence, sig.references, `Known ${sig.kind} component: ${sig.name}`)];
}

function knownHosts(eps: EndpointInfo[]): Finding[] {
  const byId = new Map<string, EndpointInfo[]>();
  for (const e of eps) {
    if (!e.known || e.known.kind === 'tracker') continue;
    const list = byId.get(e.known.id) ?? [];
    list.push(e);
    byId.set(e.known.id, list);
  }
  const out: Finding[] = [];
  for (const [, list] of [...byId].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sig = list[0]!.known!;
    const evidence = capList(sortUnique(list.flatMap((e) => e.endpoint.locations.length
      ? e.endpoint.locations.map((l) => `${e.endpoint.value} at ${loc(l)}`)
      : [e.endpoint.value])));
    evidence.unshift(`${sig.host}: ${sig.name}`);
    if (sig.note) evidence.push(sig.note);
    out.push(finding('known-host', sig.severity, evidence, sig.references, `Contacts ${sig.name} (${sig.host})`));
  }
  return out;
}

function trackers(ctx: AppContext, eps: EndpointInfo[], sigs: Signatures): Finding[] {
  const out: Finding[] = [];
  const classHits = ctx.code?.trackerClasses ?? trackerClassMatches(ctx.classNames, sigs);
  for (const t of sigs.trackers) {
    const evidence: string[] = [];
    for (const prefix of t.classPrefixes) {
      const hit = classHits.get(prefix);
      if (hit) evidence.push(`class ${hit} matches ${prefix}${prefix.endsWith('.') ? '*' : ''}`);
    }
    for (const h of t.hosts) {
      const e = eps.find((x) => x.host !== null && (x.host === h || x.host.endsWith(`.${h}`)));
      if (e) evidence.push(`endpoint ${e.endpoint.value} matches host ${h}`);
    }
    if (evidence.length) out.push(finding('tracker-sdk', 'info', evidence, t.references, `Tracker SDK: ${t.name} (${t.kind})`));
  }
  return out;
}

/**
 * The first class, in name order, that a tracker prefix names: a prefix ending in '.' is a
 * package; otherwise it names a class and its inner classes (prefix$…). Binary search: an app
 * has up to ~100k classes and the signatures hundreds of prefixes.
 */
function trackerClassMatches(classNames: string[], sigs: Signatures): Map<string, string> {
  const classes = [...classNames].sort();
  const hits = new Map<string, string>();
  for (const t of sigs.trackers) {
    for (const prefix of t.classPrefixes) {
      if (hits.has(prefix)) continue;
      const hit = firstClassMatching(classes, prefix);
      if (hit) hits.set(prefix, hit);
    }
  }
  return hits;
}

function firstClassMatching(sorted: string[], prefix: string): string | undefined {
  const at = (p: string): string | undefined => sorted[lowerBound(sorted, p)];
  if (prefix.endsWith('.')) { const c = at(prefix); return c?.startsWith(prefix) ? c : undefined; }
  if (at(prefix) === prefix) return prefix;
  const c = at(`${prefix}$`);
  return c?.startsWith(`${prefix}$`) ? c : undefined;
}

/** Index of the first element >= `key` in a sorted array. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function cleartextTraffic(app: AppReport, ctx: AppContext, eps: EndpointInfo[]): Finding[] {
  const clear = eps.filter((e) => e.remote && e.cleartext);
  if (!clear.length) return [];
  const explicit = app.flags?.usesCleartextTraffic === true;
  // Android 9 (API 28) blocks cleartext by default unless the app opts in or targets an older SDK.
  const allowed = explicit || (app.flags?.usesCleartextTraffic == null && (app.targetSdk ?? 0) < 28 && !app.flags?.networkSecurityConfig);
  const evidence = capList(sortUnique(clear.flatMap((e) => e.endpoint.locations.length
    ? e.endpoint.locations.map((l) => `${e.endpoint.value} at ${loc(l)}`) : [e.endpoint.value])));
  if (explicit) evidence.push('android:usesCleartextTraffic="true"');
  else if (allowed) evidence.push(`cleartext allowed by default (targetSdk ${app.targetSdk ?? 'unset'} < 28)`);
  else if (app.flags?.networkSecurityConfig) evidence.push(`network security config ${app.flags.networkSecurityConfig} decides`);
  const severity: Severity = allowed && ctx.inFirmware && (app.privileged || isSystemUid(app)) ? 'medium' : allowed ? 'low' : 'info';
  return [finding('cleartext-traffic', severity, evidence, ['https://developer.android.com/privacy-and-security/security-config#CleartextTrafficPermitted'])];
}

function exportedUnprotected(app: AppReport, ctx: AppContext): Finding[] {
  const powerful = app.privileged || app.platformSigned || isSystemUid(app);
  if (!powerful || !(ctx.inFirmware || isSystemUid(app))) return [];
  const open = app.components.filter((c) => c.exported && !c.permission && c.type !== 'activity' && c.type !== 'activity-alias');
  if (!open.length) return [];
  const evidence = capList(open.map((c) => `${c.type} ${c.name} exported without permission${c.actions.length ? ` (actions: ${c.actions.slice(0, 4).join(', ')})` : ''}${c.authorities ? ` authorities ${c.authorities}` : ''}`), 10);
  evidence.push(privilegeMarkers(app, ctx).join(', '));
  return [finding('exported-unprotected', 'medium', evidence, [
    'https://developer.android.com/privacy-and-security/risks/android-exported',
    'https://developer.android.com/guide/topics/manifest/receiver-element#exported',
  ])];
}

function debuggable(app: AppReport, ctx: AppContext): Finding[] {
  const out: Finding[] = [];
  const powerful = app.privileged || app.platformSigned || isSystemUid(app);
  if (app.flags?.debuggable) {
    // A debuggable system app lets `run-as`/JDWP inject code into a privileged process.
    const severity: Severity = ctx.inFirmware ? (powerful ? 'high' : 'medium') : 'info';
    out.push(finding('debuggable', severity, ['android:debuggable="true"', ...privilegeMarkers(app, ctx)],
      ['https://developer.android.com/guide/topics/manifest/application-element#debug']));
  }
  if (app.flags?.testOnly) {
    out.push(finding('test-only', ctx.inFirmware ? 'medium' : 'info', ['android:testOnly="true"', ...privilegeMarkers(app, ctx)],
      ['https://developer.android.com/guide/topics/manifest/application-element#testOnly']));
  }
  return out;
}

function testKey(app: AppReport, ctx: AppContext, sigs: Signatures): Finding[] {
  const hits = app.certificates.flatMap((c) => sigs.certificates.filter((s) => s.sha256 === c.sha256.toLowerCase()).map((s) => ({ c, s })));
  if (!hits.length) return [];
  const keys = sortUnique(hits.map((h) => h.s.key));
  const powerful = app.privileged || app.platformSigned || isSystemUid(app) || keys.includes('platform');
  // Anyone holding the public key can ship an "update" to this app, or join its shared uid. In a
  // ROM that is usually true of every platform app at once, so the ROM-level rule carries the
  // weight (one high finding) and each app stays at medium.
  const severity: Severity = (ctx.inFirmware || isSystemUid(app)) && powerful ? 'medium' : 'low';
  const evidence = hits.map((h) => `certificate ${h.c.sha256} is the ${h.s.name}${h.c.subject ? ` (${h.c.subject})` : ''}`);
  const priv = privilegeMarkers(app, ctx);
  if (priv.length) evidence.push(priv.join(', '));
  return [finding('test-key-signed', severity, evidence, hits.map((h) => h.s.reference), `Signed with public AOSP test key${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`)];
}

const SENSITIVE_GRANT = new Set(['sms', 'call_log', 'contacts', 'location', 'microphone', 'camera', 'phone_number', 'calendar']);

function grants(app: AppReport, ctx: AppContext, sigs: Signatures, eps: EndpointInfo[]): Finding[] {
  const out: Finding[] = [];
  const perms = new Map(sigs.permissions.map((p) => [p.name, p]));
  const granted = sortUnique(app.grants?.defaultGranted ?? []);
  if (granted.length) {
    const sensitive = granted.filter((g) => SENSITIVE_GRANT.has(perms.get(g)?.category ?? ''));
    const networked = eps.some((e) => e.remote) && app.permissions.requested.includes('android.permission.INTERNET');
    const severity: Severity = sensitive.length && networked ? 'medium' : 'low';
    const evidence = granted.map((g) => `${g}${perms.get(g) ? ` (${perms.get(g)!.category})` : ''} granted by default-permissions`);
    if (networked) evidence.push('app also has network access and endpoints');
    out.push(finding('default-granted-permissions', ctx.inFirmware ? severity : 'info', evidence,
      ['https://source.android.com/docs/core/permissions/runtime_perms#creating-exceptions', ...granted.map((g) => perms.get(g)?.reference ?? '').filter(Boolean)]));
  }
  if (ctx.inFirmware && (app.privileged || isSystemUid(app))) {
    const privPerms = sortUnique(app.permissions.requested.filter((p) => /privileged|signature/.test(perms.get(p)?.protectionLevel ?? '') && !/dangerous|normal/.test(perms.get(p)?.protectionLevel ?? '')));
    if (privPerms.length) {
      const allowed = new Set(app.grants?.privapp ?? []);
      const evidence = privPerms.map((p) => `${p} (${perms.get(p)!.protectionLevel})${allowed.has(p) ? ' granted by privapp-permissions' : ''}`);
      out.push(finding('privileged-permissions', 'info', evidence, ['https://source.android.com/docs/core/permissions/perms-allowlist', ...privPerms.map((p) => perms.get(p)!.reference)]));
    }
  }
  return out;
}

/** All app-level findings for one app, in a stable order. */
export function evaluateApp(app: AppReport, ctx: AppContext, sigs: Signatures): Finding[] {
  const eps = app.endpoints.map((e) => classifyEndpoint(e, sigs));
  const sites = collectSites(app, sigs);
  const ph = phoneHome(app, ctx, sigs, sites, eps);
  return [
    ...ph,
    ...knownComponent(app, ctx, sigs),
    ...knownHosts(eps),
    ...testKey(app, ctx, sigs),
    ...debuggable(app, ctx),
    ...exportedUnprotected(app, ctx),
    ...cleartextTraffic(app, ctx, eps),
    ...grants(app, ctx, sigs, eps),
    ...readsPersonalData(app, ctx, sites, ph.length > 0),
    ...trackers(ctx, eps, sigs),
  ];
}

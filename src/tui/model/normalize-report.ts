// A report handed to the TUI may be partial: a scan that died halfway, a hand-edited file, an older
// or newer writer. The views index into every array, so fill what is missing with empty values
// once, here, and say what was repaired instead of crashing on the first `undefined`.
import type { AppReport, Finding, Report, ReportError, Severity } from '../../report/model.js';
import { SEVERITIES } from '../../report/model.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const isStr = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown) => v === null || typeof v === 'string';
const numOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const optStr = (v: unknown) => v === undefined || typeof v === 'string';
const optStrOrNull = (v: unknown) => v === undefined || strOrNull(v);
const optNum = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));
const allOf = (v: unknown, ok: (x: unknown) => boolean) => Array.isArray(v) && v.every(ok);
const optAllStr = (v: unknown) => v === undefined || allOf(v, isStr);
/** Copies the optional string fields `keys` of `o` that really are strings. */
function pick(o: Record<string, unknown>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof o[k] === 'string') out[k] = o[k] as string;
  return out;
}

const locsOk = (v: unknown) => allOf(v, (l) => isObj(l) && isStr(l.dex) && isStr(l.class) && isStr(l.method));
const findingOk = (f: unknown) => isObj(f) && isStr(f.rule) && SEVERITIES.includes(f.severity as Severity) && isStr(f.title)
  && allOf(f.evidence, isStr) && optAllStr(f.references) && optStr(f.path) && optStr(f.package);
const errorOk = (e: unknown) => isObj(e) && isStr(e.stage) && isStr(e.message) && optNum(e.offset) && optStr(e.code) && optStr(e.path);

/** True when an app entry already has every field the TUI reads, with the right type (the normal case: no copy). */
function appOk(a: Record<string, unknown>): boolean {
  const p = a.permissions;
  const f = a.flags;
  return isStr(a.path) && isStr(a.sha256) && typeof a.bytes === 'number' && strOrNull(a.package) && numOrNull(a.versionCode)
    && strOrNull(a.versionName) && numOrNull(a.minSdk) && numOrNull(a.targetSdk) && strOrNull(a.label) && strOrNull(a.sharedUserId)
    && typeof a.privileged === 'boolean' && typeof a.platformSigned === 'boolean' && (a.maxSdk === undefined || numOrNull(a.maxSdk))
    && isObj(p) && allOf(p.requested, isStr) && allOf(p.declared, (d) => isObj(d) && isStr(d.name) && isStr(d.protectionLevel))
    && allOf(a.components, (c) => isObj(c) && isStr(c.type) && isStr(c.name) && typeof c.exported === 'boolean' && allOf(c.actions, isStr)
      && optStrOrNull(c.permission) && optStr(c.authorities) && optStr(c.targetActivity))
    && allOf(a.dex, (d) => isObj(d) && isStr(d.name) && typeof d.strings === 'number' && typeof d.classes === 'number' && typeof d.methods === 'number' && optStr(d.version))
    && allOf(a.endpoints, (e) => isObj(e) && isStr(e.value) && strOrNull(e.host) && strOrNull(e.scheme) && optStr(e.kind) && locsOk(e.locations))
    && allOf(a.apis, (x) => isObj(x) && isStr(x.api) && optStr(x.category) && locsOk(x.locations))
    && allOf(a.certificates, (c) => isObj(c) && isStr(c.sha256) && isStr(c.subject) && optStr(c.issuer) && optStr(c.serial)
      && optStr(c.notBefore) && optStr(c.notAfter) && optAllStr(c.schemes))
    && allOf(a.findings, findingOk) && allOf(a.errors, errorOk)
    && (a.anomalies === undefined || allOf(a.anomalies, errorOk))
    && (a.grants === undefined || (isObj(a.grants) && allOf(a.grants.privapp, isStr) && allOf(a.grants.defaultGranted, isStr)))
    && optStrOrNull(a.partition)
    && (a.signing === undefined || (isObj(a.signing) && allOf(a.signing.schemes, isStr) && allOf(a.signing.problems, isStr)))
    && (f === undefined || (isObj(f) && typeof f.debuggable === 'boolean' && (f.allowBackup === null || typeof f.allowBackup === 'boolean')
      && (f.usesCleartextTraffic === null || typeof f.usesCleartextTraffic === 'boolean') && strOrNull(f.networkSecurityConfig)
      && typeof f.persistent === 'boolean' && (f.testOnly === undefined || typeof f.testOnly === 'boolean')));
}

function normFinding(v: unknown): Finding | null {
  if (!isObj(v)) return null;
  if (findingOk(v)) return v as unknown as Finding;
  const out: Finding = {
    rule: str(v.rule) ?? '(no rule)',
    severity: SEVERITIES.includes(v.severity as Severity) ? (v.severity as Severity) : 'info',
    title: str(v.title) ?? '',
    evidence: arr<unknown>(v.evidence).map((e) => (typeof e === 'string' ? e : JSON.stringify(e) ?? String(e))),
    ...pick(v, ['path', 'package']),
  };
  if (Array.isArray(v.references)) out.references = v.references.filter(isStr);
  return out;
}

function normError(v: unknown): ReportError | null {
  if (!isObj(v)) return null;
  if (errorOk(v)) return v as unknown as ReportError;
  return {
    stage: str(v.stage) ?? '?', message: str(v.message) ?? JSON.stringify(v), ...pick(v, ['path', 'code']),
    ...(num(v.offset) !== null ? { offset: num(v.offset)! } : {}),
  };
}

function normLocations(v: unknown): { dex: string; class: string; method: string }[] {
  return arr<unknown>(v).filter(isObj).map((l) => ({ dex: str(l.dex) ?? '?', class: str(l.class) ?? '?', method: str(l.method) ?? '?' }));
}

const COMPONENT_TYPES = ['activity', 'activity-alias', 'service', 'receiver', 'provider'];

function normApp(v: unknown, i: number): AppReport {
  if (isObj(v) && appOk(v)) return v as unknown as AppReport;
  const a = isObj(v) ? v : {};
  const perms = isObj(a.permissions) ? a.permissions : {};
  const flags = isObj(a.flags) ? a.flags : null;
  const app: AppReport = {
    path: str(a.path) ?? `(app #${i + 1} without a path)`,
    sha256: str(a.sha256) ?? '',
    bytes: num(a.bytes) ?? 0,
    package: str(a.package),
    versionCode: num(a.versionCode),
    versionName: str(a.versionName),
    minSdk: num(a.minSdk),
    targetSdk: num(a.targetSdk),
    maxSdk: num(a.maxSdk),
    label: str(a.label),
    sharedUserId: str(a.sharedUserId),
    privileged: a.privileged === true,
    platformSigned: a.platformSigned === true,
    permissions: {
      requested: arr<unknown>(perms.requested).filter(isStr),
      declared: arr<unknown>(perms.declared).filter(isObj).map((d) => ({ name: str(d.name) ?? '?', protectionLevel: str(d.protectionLevel) ?? '' })),
    },
    components: arr<unknown>(a.components).filter(isObj).map((c) => ({
      type: (COMPONENT_TYPES.includes(c.type as string) ? c.type : 'activity') as AppReport['components'][number]['type'],
      name: str(c.name) ?? '?',
      exported: c.exported === true,
      actions: arr<unknown>(c.actions).filter(isStr),
      ...pick(c, ['permission', 'authorities', 'targetActivity']),
    })),
    dex: arr<unknown>(a.dex).filter(isObj).map((d) => ({
      name: str(d.name) ?? '?', strings: num(d.strings) ?? 0, classes: num(d.classes) ?? 0, methods: num(d.methods) ?? 0, ...pick(d, ['version']),
    })),
    endpoints: arr<unknown>(a.endpoints).filter(isObj).map((e) => ({
      value: str(e.value) ?? '?', host: str(e.host), scheme: str(e.scheme), locations: normLocations(e.locations),
      ...(['url', 'host', 'ip', 'sms'].includes(e.kind as string) ? { kind: e.kind as 'url' } : {}),
    })),
    apis: arr<unknown>(a.apis).filter(isObj).map((x) => ({ api: str(x.api) ?? '?', locations: normLocations(x.locations), ...pick(x, ['category']) })),
    certificates: arr<unknown>(a.certificates).filter(isObj).map((c) => ({
      sha256: str(c.sha256) ?? '', subject: str(c.subject) ?? '', ...pick(c, ['issuer', 'serial', 'notBefore', 'notAfter']),
      ...(Array.isArray(c.schemes) ? { schemes: c.schemes.filter(isStr) } : {}),
    })),
    findings: arr<unknown>(a.findings).map(normFinding).filter((f): f is Finding => f !== null),
    errors: arr<unknown>(a.errors).map(normError).filter((e): e is ReportError => e !== null),
    anomalies: arr<unknown>(a.anomalies).map(normError).filter((e): e is ReportError => e !== null),
    partition: str(a.partition),
  };
  if (isObj(a.grants)) app.grants = { privapp: arr<unknown>(a.grants.privapp).filter(isStr), defaultGranted: arr<unknown>(a.grants.defaultGranted).filter(isStr) };
  if (isObj(a.signing)) app.signing = { schemes: arr<unknown>(a.signing.schemes).filter(isStr), signed: a.signing.signed === true, problems: arr<unknown>(a.signing.problems).filter(isStr) };
  if (flags) {
    app.flags = {
      debuggable: flags.debuggable === true,
      allowBackup: typeof flags.allowBackup === 'boolean' ? flags.allowBackup : null,
      usesCleartextTraffic: typeof flags.usesCleartextTraffic === 'boolean' ? flags.usesCleartextTraffic : null,
      networkSecurityConfig: str(flags.networkSecurityConfig),
      persistent: flags.persistent === true,
      ...(typeof flags.testOnly === 'boolean' ? { testOnly: flags.testOnly } : {}),
    };
  }
  return app;
}

export interface NormalizedReport { report: Report; problems: string[] }

/** A report with every field the TUI reads present and of the right type; `problems` says what was filled in. */
export function normalizeReport(raw: unknown): NormalizedReport {
  const problems: string[] = [];
  const r = isObj(raw) ? raw : {};
  if (!isObj(raw)) problems.push('the report is not a JSON object');
  if (!Array.isArray(r.apps)) problems.push('the report has no apps list');
  const input = isObj(r.input) ? r.input : {};
  const fw = isObj(r.firmware) ? r.firmware : null;
  const appsRaw = arr<unknown>(r.apps);
  const badApps = appsRaw.filter((a) => !isObj(a)).length;
  if (badApps) problems.push(`${badApps} app entries are not objects`);
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'romscan', version: isObj(r.tool) ? str(r.tool.version) ?? '?' : '?' },
    input: {
      name: str(input.name) ?? '(unnamed input)',
      kind: (['apk', 'firmware', 'directory'].includes(input.kind as string) ? input.kind : 'firmware') as Report['input']['kind'],
      sha256: str(input.sha256),
    },
    firmware: fw ? {
      ...(fw as object),
      containers: arr<unknown>(fw.containers).filter(isObj).map((c) => ({ path: str(c.path) ?? '?', format: str(c.format) ?? '?' })),
      buildProps: isObj(fw.buildProps)
        ? Object.fromEntries(Object.entries(fw.buildProps).filter(([, v]) => typeof v === 'string')) as Record<string, string>
        : {},
    } : null,
    apps: appsRaw.filter(isObj).map(normApp),
    findings: arr<unknown>(r.findings).map(normFinding).filter((f): f is Finding => f !== null),
    errors: arr<unknown>(r.errors).map(normError).filter((e): e is ReportError => e !== null),
  };
  return { report, problems };
}

// A report handed to the TUI may be partial: a scan that died halfway, a hand-edited file, an older
// or newer writer. The views index into every array, so fill what is missing with empty values
// once, here, and say what was repaired instead of crashing on the first `undefined`.
import type { AppReport, Finding, Report, ReportError, Severity } from '../../report/model.js';
import { SEVERITIES } from '../../report/model.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function normFinding(v: unknown): Finding | null {
  if (!isObj(v)) return null;
  const sev = SEVERITIES.includes(v.severity as Severity) ? (v.severity as Severity) : 'info';
  return {
    ...(v as object),
    rule: str(v.rule) ?? '(no rule)',
    severity: sev,
    title: str(v.title) ?? '',
    evidence: arr<unknown>(v.evidence).map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
  } as Finding;
}

function normError(v: unknown): ReportError | null {
  if (!isObj(v)) return null;
  return { ...(v as object), stage: str(v.stage) ?? '?', message: str(v.message) ?? JSON.stringify(v) } as ReportError;
}

function normLocations(v: unknown): { dex: string; class: string; method: string }[] {
  return arr<unknown>(v).filter(isObj).map((l) => ({ dex: str(l.dex) ?? '?', class: str(l.class) ?? '?', method: str(l.method) ?? '?' }));
}

function normApp(v: unknown, i: number): AppReport {
  const a = isObj(v) ? v : {};
  const perms = isObj(a.permissions) ? a.permissions : {};
  return {
    ...(a as object),
    path: str(a.path) ?? `(app #${i + 1} without a path)`,
    sha256: str(a.sha256) ?? '',
    bytes: num(a.bytes) ?? 0,
    package: str(a.package),
    versionCode: num(a.versionCode),
    versionName: str(a.versionName),
    minSdk: num(a.minSdk),
    targetSdk: num(a.targetSdk),
    label: str(a.label),
    sharedUserId: str(a.sharedUserId),
    privileged: a.privileged === true,
    platformSigned: a.platformSigned === true,
    permissions: {
      requested: arr<unknown>(perms.requested).filter((p): p is string => typeof p === 'string'),
      declared: arr<unknown>(perms.declared).filter(isObj)
        .map((d) => ({ name: str(d.name) ?? '?', protectionLevel: str(d.protectionLevel) ?? '' })),
    },
    components: arr<unknown>(a.components).filter(isObj).map((c) => ({
      ...(c as object),
      type: (str(c.type) ?? 'activity') as AppReport['components'][number]['type'],
      name: str(c.name) ?? '?',
      exported: c.exported === true,
      actions: arr<unknown>(c.actions).filter((x): x is string => typeof x === 'string'),
    })),
    dex: arr<unknown>(a.dex).filter(isObj).map((d) => ({
      ...(d as object), name: str(d.name) ?? '?', strings: num(d.strings) ?? 0, classes: num(d.classes) ?? 0, methods: num(d.methods) ?? 0,
    })),
    endpoints: arr<unknown>(a.endpoints).filter(isObj).map((e) => ({
      ...(e as object), value: str(e.value) ?? '?', host: str(e.host), scheme: str(e.scheme), locations: normLocations(e.locations),
    })),
    apis: arr<unknown>(a.apis).filter(isObj).map((x) => ({ ...(x as object), api: str(x.api) ?? '?', locations: normLocations(x.locations) })),
    certificates: arr<unknown>(a.certificates).filter(isObj)
      .map((c) => ({ ...(c as object), sha256: str(c.sha256) ?? '', subject: str(c.subject) ?? '' })),
    findings: arr<unknown>(a.findings).map(normFinding).filter((f): f is Finding => f !== null),
    errors: arr<unknown>(a.errors).map(normError).filter((e): e is ReportError => e !== null),
    anomalies: arr<unknown>(a.anomalies).filter(isObj)
      .map((x) => ({ stage: str(x.stage) ?? '?', message: str(x.message) ?? '', ...(num(x.offset) !== null ? { offset: num(x.offset)! } : {}) })),
    grants: isObj(a.grants)
      ? { privapp: arr<string>(a.grants.privapp).filter((p) => typeof p === 'string'), defaultGranted: arr<string>(a.grants.defaultGranted).filter((p) => typeof p === 'string') }
      : undefined,
    partition: str(a.partition),
  } as AppReport;
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

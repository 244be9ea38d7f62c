// (Report, Report) → ReportDiff, pure. Apps are paired by package name (by package and path
// inside the image when a package occurs more than once, e.g. in /system and /data); paths are
// compared without the input's own file name, so two firmware files of different names line up.
import { SEVERITIES, type AppReport, type Report, type Severity } from '../report/model.js';
import type { AppChange, AppChanges, AppRef, DiffFinding, ListChange, ReportDiff } from './report-diff.js';

/** The path inside the input: "a.zip!/system/app/X.apk" → "system/app/X.apk". */
export function innerPath(path: string): string {
  const i = path.indexOf('!/');
  return i < 0 ? path : path.slice(i + 2);
}

function listChange(a: Iterable<string>, b: Iterable<string>): ListChange | undefined {
  const sa = new Set(a);
  const sb = new Set(b);
  const added = [...sb].filter((x) => !sa.has(x)).sort();
  const removed = [...sa].filter((x) => !sb.has(x)).sort();
  return added.length || removed.length ? { added, removed } : undefined;
}

function pair<T>(a: T, b: T): [T, T] | undefined {
  return a === b ? undefined : [a, b];
}

function ref(app: AppReport): AppRef {
  return { package: app.package, path: app.path, versionCode: app.versionCode, versionName: app.versionName };
}

/** Keys apps by package, or by package@inner path where a package is not unique on either side. */
function keyApps(a: AppReport[], b: AppReport[]): { ka: Map<string, AppReport>; kb: Map<string, AppReport> } {
  const count = new Map<string, number>();
  for (const app of [...a, ...b]) {
    if (app.package) count.set(app.package, (count.get(app.package) ?? 0) + 1);
  }
  const dupInside = (list: AppReport[]): Set<string> => {
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const x of list) {
      if (!x.package) continue;
      if (seen.has(x.package)) dup.add(x.package);
      seen.add(x.package);
    }
    return dup;
  };
  const dups = new Set([...dupInside(a), ...dupInside(b)]);
  const key = (app: AppReport): string => (app.package && !dups.has(app.package) ? app.package : `${app.package ?? ''}@${innerPath(app.path)}`);
  const build = (list: AppReport[]): Map<string, AppReport> => {
    const m = new Map<string, AppReport>();
    for (const app of list) {
      let k = key(app);
      // Identical keys on one side (same package at the same path twice) stay distinct.
      for (let n = 2; m.has(k); n++) k = `${key(app)}#${n}`;
      m.set(k, app);
    }
    return m;
  };
  return { ka: build(a), kb: build(b) };
}

function componentKeys(app: AppReport): Map<string, AppReport['components'][number]> {
  return new Map(app.components.map((c) => [`${c.type} ${c.name}`, c]));
}

function diffApp(x: AppReport, y: AppReport): AppChanges {
  const c: AppChanges = {};
  const set = <K extends keyof AppChanges>(k: K, v: AppChanges[K] | undefined): void => {
    if (v !== undefined) c[k] = v;
  };
  set('versionCode', pair(x.versionCode, y.versionCode));
  set('versionName', pair(x.versionName, y.versionName));
  set('minSdk', pair(x.minSdk, y.minSdk));
  set('targetSdk', pair(x.targetSdk, y.targetSdk));
  set('sha256', pair(x.sha256, y.sha256));
  set('path', innerPath(x.path) === innerPath(y.path) ? undefined : [x.path, y.path]);
  set('partition', pair(x.partition ?? null, y.partition ?? null));
  set('sharedUserId', pair(x.sharedUserId, y.sharedUserId));
  set('privileged', pair(x.privileged, y.privileged));
  set('platformSigned', pair(x.platformSigned, y.platformSigned));
  set('debuggable', pair(x.flags?.debuggable ?? false, y.flags?.debuggable ?? false));
  set('permissions', listChange(x.permissions.requested, y.permissions.requested));
  set('declaredPermissions', listChange(x.permissions.declared.map((d) => `${d.name} (${d.protectionLevel})`), y.permissions.declared.map((d) => `${d.name} (${d.protectionLevel})`)));
  set('endpoints', listChange(x.endpoints.map((e) => e.value), y.endpoints.map((e) => e.value)));
  set('apis', listChange(x.apis.map((a) => a.api), y.apis.map((a) => a.api)));
  set('certificates', listChange(x.certificates.map((k) => `${k.sha256} ${k.subject}`), y.certificates.map((k) => `${k.sha256} ${k.subject}`)));
  const cx = componentKeys(x);
  const cy = componentKeys(y);
  const comps = listChange(cx.keys(), cy.keys());
  const changed: string[] = [];
  for (const [k, a] of [...cx].sort(([p], [q]) => (p < q ? -1 : 1))) {
    const b = cy.get(k);
    if (!b) continue;
    if (a.exported !== b.exported) changed.push(`${k}: exported ${a.exported} → ${b.exported}`);
    if ((a.permission ?? null) !== (b.permission ?? null)) changed.push(`${k}: permission ${a.permission ?? 'none'} → ${b.permission ?? 'none'}`);
    const acts = listChange(a.actions, b.actions);
    if (acts) changed.push(`${k}: actions${acts.added.map((s) => ` +${s}`).join('')}${acts.removed.map((s) => ` -${s}`).join('')}`);
  }
  if (comps || changed.length) c.components = { added: comps?.added ?? [], removed: comps?.removed ?? [], changed };
  const privapp = listChange(x.grants?.privapp ?? [], y.grants?.privapp ?? []);
  const defaultGranted = listChange(x.grants?.defaultGranted ?? [], y.grants?.defaultGranted ?? []);
  if (privapp || defaultGranted) c.grants = { ...(privapp ? { privapp } : {}), ...(defaultGranted ? { defaultGranted } : {}) };
  return c;
}

function allFindings(r: Report): DiffFinding[] {
  const out: DiffFinding[] = r.findings.map((f) => ({ ...f }));
  for (const app of r.apps) {
    for (const f of app.findings) out.push({ ...f, package: f.package ?? app.package ?? undefined, path: f.path ?? app.path });
  }
  return out;
}

/** A finding is "the same" across reports when rule, owner and title agree (severity changes count as a change). */
function findingKey(f: DiffFinding): string {
  const owner = f.package ?? (f.path ? innerPath(f.path) : '');
  return `${f.rule}\u0000${owner}\u0000${f.title}\u0000${f.severity}`;
}

function diffFindings(a: Report, b: Report): { added: DiffFinding[]; removed: DiffFinding[] } {
  const fa = allFindings(a);
  const fb = allFindings(b);
  const count = (list: DiffFinding[]): Map<string, DiffFinding[]> => {
    const m = new Map<string, DiffFinding[]>();
    for (const f of list) {
      const k = findingKey(f);
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push(f);
    }
    return m;
  };
  const ma = count(fa);
  const mb = count(fb);
  const added: DiffFinding[] = [];
  const removed: DiffFinding[] = [];
  for (const [k, list] of mb) added.push(...list.slice(ma.get(k)?.length ?? 0));
  for (const [k, list] of ma) removed.push(...list.slice(mb.get(k)?.length ?? 0));
  const order = (x: DiffFinding, y: DiffFinding): number => SEVERITIES.indexOf(y.severity) - SEVERITIES.indexOf(x.severity)
    || (findingKey(x) < findingKey(y) ? -1 : findingKey(x) > findingKey(y) ? 1 : 0);
  return { added: added.sort(order), removed: removed.sort(order) };
}

function diffProps(a: Record<string, string>, b: Record<string, string>): Record<string, [string | null, string | null]> {
  const out: Record<string, [string | null, string | null]> = {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const va = Object.hasOwn(a, k) ? a[k]! : null;
    const vb = Object.hasOwn(b, k) ? b[k]! : null;
    if (va !== vb) out[k] = [va, vb];
  }
  return out;
}

export function diffReports(a: Report, b: Report): ReportDiff {
  const { ka, kb } = keyApps(a.apps, b.apps);
  const added: AppRef[] = [];
  const removed: AppRef[] = [];
  const changed: AppChange[] = [];
  for (const [k, app] of [...kb].sort(([p], [q]) => (p < q ? -1 : 1))) if (!ka.has(k)) added.push(ref(app));
  for (const [k, app] of [...ka].sort(([p], [q]) => (p < q ? -1 : 1))) {
    const other = kb.get(k);
    if (!other) {
      removed.push(ref(app));
      continue;
    }
    const changes = diffApp(app, other);
    if (Object.keys(changes).length) changed.push({ package: other.package, path: other.path, changes });
  }
  const findings = diffFindings(a, b);
  const buildProps: ReportDiff['buildProps'] = { changed: diffProps(a.firmware?.buildProps ?? {}, b.firmware?.buildProps ?? {}) };
  const pa = a.firmware?.partitions;
  const pb = b.firmware?.partitions;
  if (pa && pb) {
    const parts: Record<string, Record<string, [string | null, string | null]>> = {};
    for (const part of [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort()) {
      const d = diffProps(pa[part] ?? {}, pb[part] ?? {});
      if (Object.keys(d).length) parts[part] = d;
    }
    if (Object.keys(parts).length) buildProps.partitions = parts;
  }
  let worst: Severity | null = null;
  for (const f of findings.added) if (worst === null || SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(worst)) worst = f.severity;
  return {
    schemaVersion: 1,
    a: { name: a.input.name, sha256: a.input.sha256 },
    b: { name: b.input.name, sha256: b.input.sha256 },
    apps: { added, removed, changed },
    findings,
    buildProps,
    summary: {
      appsAdded: added.length, appsRemoved: removed.length, appsChanged: changed.length,
      findingsAdded: findings.added.length, findingsRemoved: findings.removed.length,
      buildPropsChanged: Object.keys(buildProps.changed).length, worstAdded: worst,
    },
  };
}


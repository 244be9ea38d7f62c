// The per-APK pipeline: zip → manifest (+resources) → dex → code facts → signing → rules.
// Each stage's failure is recorded in the app's `errors` and the rest goes on.
import type { Source } from '../io/source.js';
import type { Anomaly } from '../io/anomaly.js';
import { sha256Source } from '../io/hash.js';
import { openZip, type ZipArchive, type ZipEntryInfo } from '../formats/zip/open-zip.js';
import { parseAxml } from '../android/axml/parse-axml.js';
import { parseArsc, type ResourceTable } from '../android/arsc/parse-arsc.js';
import { readManifest, type Manifest } from '../android/manifest/index.js';
import { parseDex, type DexFile } from '../android/dex/dex-file.js';
import { collectCodeFacts, type CodeFacts } from '../analysis/code-facts.js';
import { CallGraph } from '../analysis/call-graph.js';
import { readSigning } from '../android/apk/signing.js';
import { apkNonDexEndpoints } from '../analysis/non-dex-strings.js';
import { smsEndpointsFromCode } from '../analysis/sms-numbers.js';
import { mergeEndpoints } from './merge-code-facts.js';
import { canTransmit } from '../rules/app-traits.js';
import type { AppReport, ReportError } from '../report/model.js';
import type { AppContext } from '../rules/evaluate-app.js';
import { attempt } from './record-error.js';

export interface ApkAnalysis {
  app: AppReport;
  /** Facts the rules need that the report does not carry. */
  context: AppContext;
}

const DEX_MAGIC = [0x64, 0x65, 0x78, 0x0a]; // "dex\n"

/**
 * Dex entries in the order Android's class loader sees them — classes.dex, classes2.dex, … —
 * followed by every other `*.dex` entry (loaded dynamically by some apps; still code to scan).
 */
export function dexEntryOrder(entries: ZipEntryInfo[]): ZipEntryInfo[] {
  const multidex = (n: string): number => {
    const m = /^classes(\d*)\.dex$/.exec(n);
    if (!m) return -1;
    return m[1] === '' ? 1 : Number(m[1]);
  };
  const seen = new Set<string>();
  const dexes = entries.filter((e) => !e.isDirectory && e.name.endsWith('.dex') && !seen.has(e.name) && seen.add(e.name));
  return dexes.sort((a, b) => {
    const ka = multidex(a.name), kb = multidex(b.name);
    if (ka >= 0 && kb >= 0) return ka - kb;
    if (ka >= 0) return -1;
    if (kb >= 0) return 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

export interface AnalyzeOptions {
  /** API and field names to report call sites of, with their data category. */
  watch: Map<string, string>;
  /** Virtual path to report (defaults to source.path). */
  path?: string;
  /** Partition the APK sits in, when inside firmware. */
  partition?: string | null;
  inFirmware?: boolean;
  /** A jar carries code only: its META-INF/MANIFEST.MF is not an Android manifest. */
  isJar?: boolean;
}

export async function analyzeApk(source: Source, opts: AnalyzeOptions): Promise<ApkAnalysis> {
  const errors: ReportError[] = [];
  const anomalies: Anomaly[] = [];
  const app: AppReport = {
    path: opts.path ?? source.path, sha256: '', bytes: source.size,
    package: null, versionCode: null, versionName: null, minSdk: null, targetSdk: null, label: null,
    sharedUserId: null, privileged: false, platformSigned: false,
    permissions: { requested: [], declared: [] }, components: [], dex: [], endpoints: [], apis: [],
    certificates: [], findings: [], errors, maxSdk: null, partition: opts.partition ?? null,
  };
  const context: AppContext = { classNames: [], calls: CallGraph.EMPTY, inFirmware: opts.inFirmware ?? false };

  app.sha256 = await attempt(errors, 'hash', () => sha256Source(source), '');
  const zip = await attempt<ZipArchive | null>(errors, 'zip', () => openZip(source), null);
  if (zip) {
    let arsc: ResourceTable | null = null;
    if (!opts.isJar) {
      const manifest = await attempt(errors, 'manifest', () => readApkManifest(zip, errors, (parsed) => { arsc = parsed; }), null);
      if (manifest) applyManifest(app, manifest, anomalies);
    }

    const dexes: DexFile[] = [];
    for (const entry of dexEntryOrder(zip.entries)) {
      const dex = await attempt(errors, 'dex', async () => {
        const bytes = await zip.read(entry, 'MAX_DEX_BYTES');
        if (!DEX_MAGIC.every((b, i) => bytes[i] === b)) return null; // a ".dex" name alone is not code
        return parseDex(bytes, entry.name, `${app.path}!/${entry.name}`);
      }, null, `${app.path}!/${entry.name}`);
      if (dex) dexes.push(dex);
    }
    // The call graph only serves the phone-home rule, which needs an app that can transmit: known
    // from the manifest already (without one, the app requests nothing and cannot).
    const callGraph = canTransmit(app);
    const facts = await attempt<CodeFacts | null>(errors, 'dex', () => collectCodeFacts(dexes, opts.watch, { callGraph }), null);
    if (facts) {
      app.dex = facts.dex;
      app.endpoints = facts.endpoints;
      app.apis = facts.apis;
      context.classNames = facts.classNames;
      context.calls = facts.calls;
    }
    // Endpoints beyond the dex: SMS numbers used as a data channel, resources, assets, native code.
    mergeEndpoints(app.endpoints, await attempt(errors, 'dex', () => smsEndpointsFromCode(dexes), []));
    mergeEndpoints(app.endpoints, await attempt(errors, 'resources', () => apkNonDexEndpoints(zip, anomalies, arsc), []));
    for (const d of dexes) for (const a of d.anomalies) anomalies.push(a);

    const signing = await attempt(errors, 'signature', () => readSigning(zip), null);
    if (signing) {
      app.certificates = signing.certificates;
      app.signing = { schemes: signing.schemes, signed: signing.signed, problems: signing.problems };
      anomalies.push(...signing.anomalies);
    }
  }
  // Zip anomalies grow as entries are read (local headers are checked on read), so take them last.
  if (zip) anomalies.unshift(...zip.anomalies);
  if (anomalies.length) app.anomalies = anomalies;
  return { app, context };
}

/** `onArsc` receives resources.arsc as read and parsed here, for the non-dex string scan to reuse. */
async function readApkManifest(zip: ZipArchive, errors: ReportError[], onArsc: (arsc: ResourceTable) => void): Promise<Manifest | null> {
  const entry = zip.find('AndroidManifest.xml');
  if (!entry) {
    errors.push({ stage: 'manifest', code: 'E_FORMAT', message: 'no AndroidManifest.xml entry' });
    return null;
  }
  const doc = parseAxml(await zip.read(entry, 'MAX_AXML_BYTES'), `${zip.path}!/AndroidManifest.xml`);
  const arscEntry = zip.find('resources.arsc');
  const resources = arscEntry
    ? await attempt(errors, 'resources', async () => {
      const bytes = await zip.read(arscEntry, 'MAX_ARSC_BYTES');
      const table = parseArsc(bytes, `${zip.path}!/resources.arsc`);
      onArsc(table);
      return table;
    }, null)
    : null;
  const manifest = readManifest(doc, resources);
  manifest.anomalies.unshift(...doc.anomalies);
  if (resources) manifest.anomalies.push(...resources.anomalies);
  return manifest;
}

function applyManifest(app: AppReport, m: Manifest, anomalies: Anomaly[]): void {
  app.package = m.package;
  app.versionCode = m.versionCode;
  app.versionName = m.versionName;
  app.minSdk = m.minSdk;
  app.targetSdk = m.targetSdk;
  app.maxSdk = m.maxSdk;
  app.label = m.label;
  app.sharedUserId = m.sharedUserId;
  app.permissions = { requested: m.requestedPermissions, declared: m.declaredPermissions };
  app.components = m.components;
  app.flags = m.flags;
  anomalies.push(...m.anomalies);
}

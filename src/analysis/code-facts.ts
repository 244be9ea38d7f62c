// Per-app code facts across all dex files of an app: endpoints (strings → classifyEndpoint, with
// the methods whose const-string loads them), uses of watched APIs (invokes, static/instance
// field reads and string constants), the app's own class names, and the app-internal call graph.
//
// Watch keys (the `watch` map, dotted name → category):
// - "android.telephony.TelephonyManager.getDeviceId": invoke-* of that method (any overload, any
//   invoke kind). Nested classes may be written with '$' or '.'; the key is reported as written.
// - "android.os.Build.SERIAL": sget/iget of that field (Build.SERIAL is a static field read,
//   not a call, so method watches alone would miss it).
// - "string:<value>" or "string:<prefix>*": a const-string of that exact value (or prefix) in
//   code. Constants like Settings.Secure.ANDROID_ID ("android_id") and provider URIs
//   ("content://sms", "content://call_log/calls") are inlined by javac/d8 as plain strings,
//   so the only trace of `Settings.Secure.getString(cr, ANDROID_ID)` is the string next to the
//   call. The ApiUse's `api` is the string as found in the code, its category the watch value.
//   When `watch` has no "string:" keys, DEFAULT_STRING_WATCH applies.
import type { DexFile, ClassDef } from '../android/dex/dex-file.js';
import { descriptorToDotted } from '../android/dex/descriptor.js';
import type { ApiUse, CodeLocation, DexSummary, Endpoint } from '../report/model.js';
import { classifyEndpoint } from './endpoints.js';

export interface CodeFacts {
  dex: DexSummary[];
  endpoints: Endpoint[];
  apis: ApiUse[];
  /** Dotted names of the classes defined in the app's dex files, sorted. */
  classNames: string[];
  /** "com.a.B.method" → the app-internal "com.c.D.method"s it invokes (lambdas via invoke-custom included). */
  calls: Map<string, Set<string>>;
  /** string_ids summed over all dex files. */
  stringCount: number;
}

export const STRING_WATCH_PREFIX = 'string:';

/** String constants worth reporting when the caller's watch list names none. */
export const DEFAULT_STRING_WATCH: ReadonlyMap<string, string> = new Map([
  ['string:content://sms*', 'sms'],
  ['string:content://mms-sms*', 'sms'],
  ['string:content://call_log*', 'calllog'],
  ['string:android_id', 'android_id'],
]);

interface StringWatch { exact: Map<string, string>; prefixes: [string, string][] }

const normalize = (api: string) => (api.indexOf('$') < 0 ? api : api.replace(/\$/g, '.'));

export function collectCodeFacts(dexes: DexFile[], watch: Map<string, string>): CodeFacts {
  // v41 containers: a DexFile stands for all dex files of its container.
  const files: DexFile[] = [];
  const seen = new Set<DexFile>();
  for (const d of dexes) for (const p of d.parts) if (!seen.has(p)) { seen.add(p); files.push(p); }

  const memberWatch = new Map<string, { api: string; category: string }>();
  const stringWatch: StringWatch = { exact: new Map(), prefixes: [] };
  for (const [key, category] of watch) {
    if (key.startsWith(STRING_WATCH_PREFIX)) addStringWatch(stringWatch, key, category);
    else memberWatch.set(normalize(key), { api: key, category });
  }
  if (stringWatch.exact.size === 0 && stringWatch.prefixes.length === 0) {
    for (const [key, category] of DEFAULT_STRING_WATCH) addStringWatch(stringWatch, key, category);
  }

  // Simple names of watched members: most invoke targets fail this test before any name is built.
  const watchedNames = new Set<string>();
  for (const key of memberWatch.keys()) watchedNames.add(key.slice(key.lastIndexOf('.') + 1));

  const classSet = new Set<string>();
  const dottedClass = new Map<ClassDef, string>();
  for (const d of files) {
    for (const cd of d.classes) {
      const name = descriptorToDotted(cd.descriptor);
      dottedClass.set(cd, name);
      classSet.add(name);
    }
  }

  const endpoints = new Map<string, Endpoint>();
  const apis = new Map<string, ApiUse>();
  const locSeen = new Map<object, Set<string>>();
  const addLoc = (target: { locations: CodeLocation[] }, loc: CodeLocation, key: string) => {
    let keys = locSeen.get(target);
    if (!keys) { keys = new Set(); locSeen.set(target, keys); }
    if (keys.has(key)) return;
    keys.add(key);
    target.locations.push(loc);
  };
  const useApi = (api: string, category: string, loc: CodeLocation, key: string) => {
    let a = apis.get(api);
    if (!a) { a = { api, category, locations: [] }; apis.set(api, a); }
    addLoc(a, loc, key);
  };
  const calls = new Map<string, Set<string>>();
  let stringCount = 0;

  for (const d of files) {
    stringCount += d.strings;
    // Every string is classified once, referenced by code or not.
    const epByString = new Map<number, Endpoint>();
    const watchByString = new Map<number, string>();
    for (let i = 0; i < d.strings; i++) {
      const s = d.string(i);
      const cls = classifyEndpoint(s);
      if (cls) {
        let ep = endpoints.get(s);
        if (!ep) { ep = { value: s, host: cls.host, scheme: cls.scheme, kind: cls.kind, locations: [] }; endpoints.set(s, ep); }
        epByString.set(i, ep);
      }
      const cat = matchStringWatch(stringWatch, s);
      if (cat !== undefined) watchByString.set(i, cat);
    }

    // Dotted class names per type index, and per method/field index the watch entry (null =
    // none), resolved on first use: many call sites share few targets.
    const dottedByType: (string | undefined)[] = new Array(d.types);
    const dottedType = (typeIdx: number) => {
      let s = dottedByType[typeIdx];
      if (s === undefined) { s = descriptorToDotted(d.typeName(typeIdx)); if (typeIdx >= 0 && typeIdx < d.types) dottedByType[typeIdx] = s; }
      return s;
    };
    // Per method_ids / field_ids index: 0 = not resolved yet, 1 = nothing to report, 2 + k = watched[k].
    const watched: { api: string; category: string }[] = [];
    const methodState = new Int32Array(d.methods);
    const methodInternal: (string | null)[] = new Array(d.methods).fill(null);
    const fieldState = new Int32Array(d.fields);
    const resolve = (owner: string, simple: string): number => {
      if (!watchedNames.has(simple)) return 1;
      const w = memberWatch.get(normalize(`${owner}.${simple}`));
      if (!w) return 1;
      watched.push(w);
      return watched.length + 1;
    };
    d.walkCode((m) => {
      const cls = dottedClass.get(m.classDef)!;
      // The location and its dedupe key are built only when something in the method matches.
      let loc: CodeLocation | undefined;
      let key = '';
      const here = (): CodeLocation => {
        if (!loc) { loc = { dex: d.name, class: cls, method: m.methodName }; key = `${d.name}\0${cls}\0${m.methodName}`; }
        return loc;
      };
      for (const s of m.strings) {
        const ep = epByString.get(s);
        if (ep) addLoc(ep, here(), key);
        const cat = watchByString.get(s);
        if (cat !== undefined) useApi(d.string(s), cat, here(), key);
      }
      let callees: Set<string> | undefined;
      let targets = m.invokes;
      // invoke-custom: the bootstrap method and, for lambdas, the implementation method it binds.
      if (m.callSites.length) targets = targets.concat(m.callSites.flatMap((cs) => d.callSiteMethods(cs)));
      for (const idx of targets) {
        if (!(idx < methodState.length)) { d.methodName(idx); continue; } // records the bad index
        let st = methodState[idx];
        if (st === 0) {
          const owner = dottedType(d.methodClassIdx(idx));
          const simple = d.methodName(idx);
          st = methodState[idx] = resolve(owner, simple);
          if (classSet.has(owner)) methodInternal[idx] = `${owner}.${simple}`;
        }
        if (st > 1) useApi(watched[st - 2].api, watched[st - 2].category, here(), key);
        const internal = methodInternal[idx];
        if (internal !== null) {
          if (!callees) {
            const caller = `${cls}.${m.methodName}`;
            callees = calls.get(caller);
            if (!callees) { callees = new Set(); calls.set(caller, callees); }
          }
          callees.add(internal);
        }
      }
      for (const f of m.fieldReads) {
        if (!(f < fieldState.length)) { d.fieldName(f); continue; }
        let st = fieldState[f];
        if (st === 0) st = fieldState[f] = resolve(dottedType(d.fieldClassIdx(f)), d.fieldName(f));
        if (st > 1) useApi(watched[st - 2].api, watched[st - 2].category, here(), key);
      }
    });
  }

  const byLoc = (a: CodeLocation, b: CodeLocation) => cmp(a.dex, b.dex) || cmp(a.class, b.class) || cmp(a.method, b.method);
  const endpointList = [...endpoints.values()].sort((a, b) => cmp(a.value, b.value));
  for (const e of endpointList) e.locations.sort(byLoc);
  const apiList = [...apis.values()].sort((a, b) => cmp(a.api, b.api));
  for (const a of apiList) a.locations.sort(byLoc);
  return {
    dex: files.map((d) => ({ name: d.name, strings: d.strings, classes: d.classes.length, methods: d.methods, version: d.version })),
    endpoints: endpointList,
    apis: apiList,
    classNames: [...classSet].sort(cmp),
    calls,
    stringCount,
  };
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

function addStringWatch(w: StringWatch, key: string, category: string): void {
  const v = key.slice(STRING_WATCH_PREFIX.length);
  if (v.endsWith('*')) w.prefixes.push([v.slice(0, -1), category]);
  else w.exact.set(v, category);
}

function matchStringWatch(w: StringWatch, s: string): string | undefined {
  const exact = w.exact.get(s);
  if (exact !== undefined) return exact;
  for (const [prefix, category] of w.prefixes) if (s.startsWith(prefix)) return category;
  return undefined;
}

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
//
// Speed (an app has hundreds of thousands of strings and invokes): strings are tested on their
// bytes (DexFile.scanStrings spans; mayBeEndpoint, the watch's keys and the watched member names
// as bytes) and only candidates are decoded; code is walked with a CodeCursor (no allocation
// per method); state is kept per method_ids / type_ids / string_ids index in typed arrays; the
// call graph is gathered as integer pairs and added to `calls` once per dex. Every step
// records the same anomalies, in the same order, as decoding and looking up everything did.
import type { DexFile, StringSpans } from '../android/dex/dex-file.js';
import type { CodeCursor } from '../android/dex/code-cursor.js';
import type { ApiUse, CodeLocation, DexSummary, Endpoint } from '../report/model.js';
import { classifyEndpoint, mayBeEndpoint } from './endpoints.js';
import { CallGraph, CallGraphBuilder } from './call-graph.js';

export interface CodeFacts {
  dex: DexSummary[];
  endpoints: Endpoint[];
  apis: ApiUse[];
  /** Dotted names of the classes defined in the app's dex files, sorted. */
  classNames: string[];
  /** "com.a.B.method" → the app-internal "com.c.D.method"s it invokes (lambdas via invoke-custom included). */
  calls: CallGraph;
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

/**
 * `callGraph: false` leaves the graph empty: the caller knows no rule will search it (an app that
 * cannot transmit), and building it is a third of the walk.
 */
export function collectCodeFacts(dexes: DexFile[], watch: Map<string, string>, { callGraph = true } = {}): CodeFacts {
  // v41 containers: a DexFile stands for all dex files of its container.
  const files: DexFile[] = [];
  const seen = new Set<DexFile>();
  for (const d of dexes) for (const p of d.parts) if (!seen.has(p)) { seen.add(p); files.push(p); }

  const tables = watchTables(watch);
  const app = new AppFacts();
  // Files are visited smallest first: V8 compiles the code while it runs on the small ones, so
  // the big ones (most of the work) run compiled. No fact depends on the order (all are sorted).
  const bySize = files.map((_, i) => i).sort((a, b) => files[a].bytes.length - files[b].bytes.length);
  // Per file, the dotted name of each class_def (by ClassDef.index), built from the bytes once
  // the string spans are known.
  const dottedClasses: string[][] = [];
  for (const i of bySize) {
    const d = files[i];
    d.scanStrings();
    dottedClasses[i] = d.classes.map((cd) => {
      const name = d.className(cd);
      app.classSet.add(name);
      return name;
    });
  }
  for (const i of bySize) new DexWalk(files[i], dottedClasses[i], tables, app, callGraph).run();
  return app.result(files);
}

// The walk is split into a class with small methods on purpose: V8 compiles (and, after a
// deopt, recompiles) a function with a hot loop whole, and one big closure-laden function cost
// more compile time than the walk itself.

/** A scan passes the same watch map for every APK: its tables are built once per map. */
const tablesByWatch = new WeakMap<Map<string, string>, WatchTables>();
function watchTables(watch: Map<string, string>): WatchTables {
  let t = tablesByWatch.get(watch);
  if (!t) tablesByWatch.set(watch, (t = new WatchTables(watch)));
  return t;
}

/** The watch list in the forms the walk tests: member watches by simple name and owner, string watches, byte matchers. */
class WatchTables {
  readonly stringWatch: StringWatch = { exact: new Map(), prefixes: [] };
  /** Simple names of watched members: most invoke targets fail this test before any name is built. */
  readonly watchedNames = new Set<string>();
  readonly nameMatcher: AsciiNameMatcher;
  /** The watched members by simple name, then by (normalized) owner. */
  readonly byName = new Map<string, Map<string, Watched>>();
  readonly stringFilter: AsciiPrefixMatcher;

  constructor(watch: Map<string, string>) {
    const memberWatch = new Map<string, Watched>();
    for (const [key, category] of watch) {
      if (key.startsWith(STRING_WATCH_PREFIX)) addStringWatch(this.stringWatch, key, category);
      else memberWatch.set(normalize(key), { api: key, category });
    }
    if (this.stringWatch.exact.size === 0 && this.stringWatch.prefixes.length === 0) {
      for (const [key, category] of DEFAULT_STRING_WATCH) addStringWatch(this.stringWatch, key, category);
    }
    for (const key of memberWatch.keys()) this.watchedNames.add(key.slice(key.lastIndexOf('.') + 1));
    this.nameMatcher = new AsciiNameMatcher(this.watchedNames);
    for (const [key, w] of memberWatch) {
      const dot = key.lastIndexOf('.');
      if (dot < 0) continue; // "owner.name" always has a dot: such a key never matched
      const simple = key.slice(dot + 1);
      let owners = this.byName.get(simple);
      if (!owners) { owners = new Map(); this.byName.set(simple, owners); }
      owners.set(key.slice(0, dot), w);
    }
    this.stringFilter = new AsciiPrefixMatcher(this.stringWatch);
  }
}

interface Watched { api: string; category: string }

/** What the app's dex files add up to: endpoints and API uses with their locations, class names, the call graph. */
class AppFacts {
  readonly classSet = new Set<string>();
  readonly endpoints = new Map<string, Endpoint>();
  readonly apis = new Map<string, ApiUse>();
  readonly calls = new CallGraphBuilder();
  stringCount = 0;
  /** Which locations each endpoint / API use already has, by "dex\0class\0method" key. */
  private readonly locSeen = new Map<object, Set<string>>();

  addLoc(target: { locations: CodeLocation[] }, loc: CodeLocation, key: string): void {
    let keys = this.locSeen.get(target);
    if (!keys) { keys = new Set(); this.locSeen.set(target, keys); }
    if (keys.has(key)) return;
    keys.add(key);
    target.locations.push(loc);
  }

  useApi(api: string, category: string, loc: CodeLocation, key: string): void {
    let a = this.apis.get(api);
    if (!a) { a = { api, category, locations: [] }; this.apis.set(api, a); }
    this.addLoc(a, loc, key);
  }

  result(files: DexFile[]): CodeFacts {
    const byLoc = (a: CodeLocation, b: CodeLocation) => cmp(a.dex, b.dex) || cmp(a.class, b.class) || cmp(a.method, b.method);
    const endpointList = [...this.endpoints.values()].sort((a, b) => cmp(a.value, b.value));
    for (const e of endpointList) e.locations.sort(byLoc);
    const apiList = [...this.apis.values()].sort((a, b) => cmp(a.api, b.api));
    for (const a of apiList) a.locations.sort(byLoc);
    return {
      dex: files.map((d) => ({ name: d.name, strings: d.strings, classes: d.classes.length, methods: d.methods, version: d.version })),
      endpoints: endpointList,
      apis: apiList,
      classNames: [...this.classSet].sort(), // default order = code-unit order, as cmp
      calls: this.calls.build(),
      stringCount: this.stringCount,
    };
  }
}

/** One dex file's walk: its strings classified once, then every method's code. */
class DexWalk {
  private readonly spans: StringSpans;
  private readonly stringIdsSize: number;
  private readonly typeCount: number;
  private readonly methodCount: number;
  private readonly fieldCount: number;
  /** What a const-string of each string index reports (few strings do). */
  private readonly epByString = new Map<number, Endpoint>();
  private readonly watchByString = new Map<number, string>();
  /** 1 for the strings that are the simple name of a watched member. */
  private readonly watchedName: Uint8Array;
  /** Dotted class names per type index, built on first use. */
  private readonly dottedByType: (string | undefined)[];
  /** normalize(dotted name) per type index, built on first use. */
  private readonly normalByType: (string | undefined)[];
  /**
   * Per type_ids index: 0 = not looked up yet, 1 = a class of the app, 2 = not. The dex's own
   * classes are known without a lookup.
   */
  private readonly internalByType: Uint8Array;
  /** Per method_ids / field_ids index: 0 = not resolved yet, 1 = nothing to report, 2 + k = watched[k]. */
  private readonly watched: Watched[] = [];
  private readonly methodState: Int32Array;
  private readonly fieldState: Int32Array;
  /**
   * The app's own methods are named "owner.name" in the call graph. Overloads share the name,
   * and method_ids sorts them next to each other (by class, name, proto), so the name is built
   * once per run of such ids: nameGroup[i] is the first id of i's run, plus 1 (0 = not known
   * yet), and groupName[g] the name of run g (undefined: not the app's, not resolved yet, or
   * left to the graph: see lazyName).
   */
  private readonly nameGroup: Int32Array;
  private readonly groupName: (string | undefined)[];
  /**
   * Per name group: a method id plus 1 whose name memberName can build from the bytes; the graph
   * builds it only if its names are ever read (0 = named by groupName).
   */
  private readonly lazyName: Int32Array;
  /** Per name group: its node in the app's graph, plus 1 (0 = none yet). */
  private readonly groupNode: Int32Array;
  /** Per method_ids index: its name group plus 1 when the method is the app's own, else 0. */
  private readonly internalGroup: Int32Array;
  /**
   * App-internal calls as (caller id, callee name group) pairs, added to the app's graph after
   * the walk. A caller id stands for a caller name: by its name group when the method is
   * declared by the class walked (always, in a well-formed dex), else by the name itself.
   */
  private readonly edges = new EdgeList();
  private readonly callerNames: string[] = [];
  /** Per caller id, its name group (-1: named by the name itself). */
  private readonly callerGroups: number[] = [];
  /** Caller id plus 1 by name group (0 = none yet). */
  private readonly callerIdByGroup: Int32Array;
  private readonly callerIdByName = new Map<string, number>();
  /** The caller id plus 1 that last called each name group: a repeated call adds no pair. */
  private readonly lastCaller: Int32Array;
  private readonly cursor: CodeCursor;
  /** The method the cursor is on: its location and dedupe key, built when something in it matches. */
  private loc: CodeLocation | null = null;
  private key = '';
  /** Its caller id, once it calls one of the app's methods (-1: not yet). */
  private callerId = -1;

  constructor(private readonly d: DexFile, private readonly classNames: string[], private readonly tables: WatchTables,
    private readonly app: AppFacts, private readonly callGraph: boolean) {
    app.stringCount += d.strings;
    this.stringIdsSize = d.strings;
    this.typeCount = d.types;
    this.methodCount = d.methods;
    this.fieldCount = d.fields;
    this.spans = d.scanStrings();
    this.watchedName = new Uint8Array(d.strings);
    this.dottedByType = new Array(d.types);
    this.normalByType = new Array(d.types);
    this.internalByType = new Uint8Array(d.types);
    for (const cd of d.classes) if (cd.classIdx < this.typeCount) this.internalByType[cd.classIdx] = 1;
    // Per-index state lives in one zeroed scratch block (see takeScratch).
    const m = d.methods;
    const scratch = takeScratch(7 * m + d.fields);
    this.methodState = scratch.subarray(0, m);
    this.nameGroup = scratch.subarray(m, 2 * m);
    this.internalGroup = scratch.subarray(2 * m, 3 * m);
    this.callerIdByGroup = scratch.subarray(3 * m, 4 * m);
    this.lastCaller = scratch.subarray(4 * m, 5 * m);
    this.lazyName = scratch.subarray(5 * m, 6 * m);
    this.groupNode = scratch.subarray(6 * m, 7 * m);
    this.fieldState = scratch.subarray(7 * m);
    this.groupName = new Array(m);
    this.cursor = d.codeCursor();
  }

  run(): void {
    this.classifyStrings();
    const stringFacts = this.epByString.size + this.watchByString.size > 0;
    while (this.cursor.next()) {
      this.loc = null;
      this.callerId = -1;
      if (stringFacts) this.visitStrings();
      this.visitInvokes();
      this.visitFieldReads();
    }
    this.addEdges();
  }

  /**
   * Every string is classified once, referenced by code or not. Plain ASCII strings are first
   * tested on their bytes (mayBeEndpoint, the watch's first bytes): most are never decoded.
   */
  private classifyStrings(): void {
    const { d, tables } = this;
    const { pos, length } = this.spans;
    const bytes = d.bytes;
    for (let i = 0; i < this.stringIdsSize; i++) {
      const p = pos[i];
      if (p >= 0) {
        const n = length[i];
        if (tables.nameMatcher.matches(bytes, p, n)) this.watchedName[i] = 1;
        if (!mayBeEndpoint(bytes, p, n) && !tables.stringFilter.mayMatch(bytes, p, n)) continue;
      }
      this.classifyString(i, p < 0);
    }
  }

  private classifyString(i: number, decodedOnly: boolean): void {
    const s = this.d.string(i);
    if (decodedOnly && this.tables.watchedNames.has(s)) this.watchedName[i] = 1;
    const cls = classifyEndpoint(s);
    if (cls) {
      let ep = this.app.endpoints.get(s);
      if (!ep) { ep = { value: s, host: cls.host, scheme: cls.scheme, kind: cls.kind, locations: [] }; this.app.endpoints.set(s, ep); }
      this.epByString.set(i, ep);
    }
    const cat = matchStringWatch(this.tables.stringWatch, s);
    if (cat !== undefined) this.watchByString.set(i, cat);
  }

  /** The location of the method the cursor is on (this.key is its dedupe key once called). */
  private here(): CodeLocation {
    if (this.loc === null) {
      const cls = this.classNames[this.cursor.classDef.index], method = this.cursor.name();
      this.loc = { dex: this.d.name, class: cls, method };
      this.key = `${this.d.name}\0${cls}\0${method}`;
    }
    return this.loc;
  }

  private visitStrings(): void {
    const refs = this.cursor.refs;
    const stringRefs = refs.strings;
    for (let k = 0, n = refs.stringCount; k < n; k++) {
      const s = stringRefs[k];
      const ep = this.epByString.get(s);
      const cat = this.watchByString.get(s);
      if (ep === undefined && cat === undefined) continue;
      const loc = this.here();
      if (ep) this.app.addLoc(ep, loc, this.key);
      if (cat !== undefined) this.app.useApi(this.d.string(s), cat, loc, this.key);
    }
  }

  private visitInvokes(): void {
    const refs = this.cursor.refs;
    let targets = refs.invokes;
    let targetCount = refs.invokeCount;
    // invoke-custom: the bootstrap method and, for lambdas, the implementation method it binds.
    if (refs.callSiteCount) {
      const extra: number[] = [];
      for (let k = 0; k < refs.callSiteCount; k++) for (const m of this.d.callSiteMethods(refs.callSites[k])) extra.push(m);
      const all = new Uint32Array(targetCount + extra.length);
      all.set(targets.subarray(0, targetCount));
      all.set(extra, targetCount);
      targets = all;
      targetCount = all.length;
    }
    for (let k = 0; k < targetCount; k++) {
      const idx = targets[k];
      if (!(idx < this.methodCount)) { this.d.methodName(idx); continue; } // records the bad index
      let st = this.methodState[idx];
      if (st === 0) st = this.methodState[idx] = this.resolveMethod(idx);
      if (st > 1) this.useWatched(st);
      const calleeGroup = this.internalGroup[idx];
      if (calleeGroup !== 0) this.addCall(calleeGroup - 1);
    }
  }

  /** Watch state of a method_ids index met for the first time; names the group of the app's own methods. */
  private resolveMethod(idx: number): number {
    const d = this.d;
    const classIdx = d.methodClassIdx(idx);
    let owner: string | undefined;
    let internal: number;
    // Without a call graph no method is the app's own (internal = 2): nothing is named or linked.
    if (classIdx < this.typeCount) {
      internal = this.callGraph ? this.internalByType[classIdx] : 2;
      if (internal === 0) internal = this.internalByType[classIdx] = this.app.classSet.has(this.dottedType(classIdx)) ? 1 : 2;
    } else {
      owner = this.dottedType(classIdx); // records the bad index
      internal = this.callGraph && this.app.classSet.has(owner) ? 1 : 2;
    }
    const nameIdx = d.methodNameIdx(idx);
    let st = 1;
    // The names are looked at only when the method is the app's own or may be watched.
    const goodName = nameIdx < this.stringIdsSize;
    if (!goodName || this.watchedName[nameIdx] === 1) {
      owner ??= this.dottedType(classIdx);
      const simple = d.methodName(idx); // records a bad name index
      if (goodName || this.tables.watchedNames.has(simple)) st = this.resolve(classIdx, owner, simple);
      if (internal === 1) {
        const g = this.groupOf(idx);
        this.groupName[g] ??= `${owner}.${simple}`;
        this.internalGroup[idx] = g + 1;
      }
    } else if (internal === 1) {
      // The app's own method, not watched: its call-graph name, from the bytes when it can be.
      const g = this.groupOf(idx);
      if (this.groupName[g] === undefined && this.lazyName[g] === 0) {
        if (fitsMemberName(d, this.spans, classIdx, nameIdx)) this.lazyName[g] = idx + 1;
        else this.groupName[g] = `${owner ?? this.dottedType(classIdx)}.${d.methodName(idx)}`;
      }
      this.internalGroup[idx] = g + 1;
    }
    return st;
  }

  private visitFieldReads(): void {
    const refs = this.cursor.refs;
    const fieldRefs = refs.fieldReads;
    for (let k = 0, n = refs.fieldReadCount; k < n; k++) {
      const f = fieldRefs[k];
      if (!(f < this.fieldCount)) { this.d.fieldName(f); continue; }
      let st = this.fieldState[f];
      if (st === 0) st = this.fieldState[f] = this.resolveField(f);
      if (st > 1) this.useWatched(st);
    }
  }

  private resolveField(f: number): number {
    const d = this.d;
    const typeIdx = d.fieldClassIdx(f);
    const owner = this.dottedType(typeIdx); // records a bad index
    const nameIdx = d.fieldNameIdx(f);
    if (nameIdx < this.stringIdsSize) return this.watchedName[nameIdx] === 1 ? this.resolve(typeIdx, owner, d.fieldName(f)) : 1;
    const simple = d.fieldName(f); // records the bad index
    return this.tables.watchedNames.has(simple) ? this.resolve(typeIdx, owner, simple) : 1;
  }

  private useWatched(st: number): void {
    const w = this.watched[st - 2];
    this.app.useApi(w.api, w.category, this.here(), this.key);
  }

  /** Watch state of member `simple` of type `typeIdx` (dotted name `owner`). */
  private resolve(typeIdx: number, owner: string, simple: string): number {
    const owners = this.tables.byName.get(simple);
    if (owners === undefined) return 1;
    // `simple` is a watched name, so it holds no '$' or '.': normalize(`${owner}.${simple}`) is
    // normalize(owner) + '.' + simple, and it splits at its last dot as the watch keys do.
    let normal = typeIdx < this.typeCount ? this.normalByType[typeIdx] : undefined;
    if (normal === undefined) { normal = normalize(owner); if (typeIdx < this.typeCount) this.normalByType[typeIdx] = normal; }
    const w = owners.get(normal);
    if (!w) return 1;
    this.watched.push(w);
    return this.watched.length + 1;
  }

  private dottedType(typeIdx: number): string {
    let s = this.dottedByType[typeIdx];
    if (s === undefined) { s = this.d.dottedTypeName(typeIdx); if (typeIdx >= 0 && typeIdx < this.typeCount) this.dottedByType[typeIdx] = s; }
    return s;
  }

  private groupOf(idx: number): number {
    const { d, nameGroup } = this;
    let g = nameGroup[idx];
    if (g === 0) {
      let first = idx;
      const classIdx = d.methodClassIdx(idx), nameIdx = d.methodNameIdx(idx);
      while (first > 0 && nameGroup[first - 1] === 0 && d.methodClassIdx(first - 1) === classIdx && d.methodNameIdx(first - 1) === nameIdx) first--;
      g = first > 0 && d.methodClassIdx(first - 1) === classIdx && d.methodNameIdx(first - 1) === nameIdx ? nameGroup[first - 1] : first + 1;
      for (let k = first; k <= idx; k++) nameGroup[k] = g;
    }
    return g - 1;
  }

  /** A call from the method the cursor is on to name group `callee` of the app's own methods. */
  private addCall(callee: number): void {
    if (this.callerId < 0) this.callerId = this.callerIdOf();
    if (this.lastCaller[callee] !== this.callerId + 1) {
      this.lastCaller[callee] = this.callerId + 1;
      this.edges.push(this.callerId, callee);
    }
  }

  /** The caller id of the method the cursor is on. */
  private callerIdOf(): number {
    const { d, cursor } = this;
    const cd = cursor.classDef, methodIdx = cursor.methodIdx;
    if (d.methodClassIdx(methodIdx) === cd.classIdx) {
      const g = this.groupOf(methodIdx);
      let id = this.callerIdByGroup[g] - 1;
      if (id < 0) {
        id = this.callerNames.length;
        this.callerIdByGroup[g] = id + 1;
        // Equal to the callee name of the group: "dotted class.name" either way.
        if (this.groupName[g] === undefined && this.lazyName[g] === 0) {
          if (fitsMemberName(d, this.spans, cd.classIdx, d.methodNameIdx(methodIdx))) this.lazyName[g] = methodIdx + 1;
          else this.groupName[g] = `${this.classNames[cd.index]}.${cursor.name()}`;
        }
        this.callerNames.push(''); // named by its group
        this.callerGroups.push(g);
      }
      return id;
    }
    const name = `${this.classNames[cd.index]}.${cursor.name()}`;
    let id = this.callerIdByName.get(name);
    if (id === undefined) { id = this.callerNames.length; this.callerNames.push(name); this.callerGroups.push(-1); this.callerIdByName.set(name, id); }
    return id;
  }

  /**
   * The pairs into the app's graph, one node per name group (a caller and a callee of one group
   * share it). Names are not looked up: the same method named from another dex file, or a
   * damaged dex's repeated name, is merged when the graph is searched (CallGraph.searchable).
   */
  private addEdges(): void {
    const pairs = this.edges.pairs;
    const n = 2 * this.edges.count;
    if (n === 0) return;
    const { d, spans } = this;
    const calls = this.app.calls;
    const namer = calls.namer((idx) => memberName(d, spans, d.methodClassIdx(idx), d.methodNameIdx(idx)));
    const callerNode = new Int32Array(this.callerNames.length).fill(-1);
    for (let k = 0; k < n; k += 2) {
      const callerId = pairs[k];
      let from = callerNode[callerId];
      if (from < 0) {
        const g = this.callerGroups[callerId];
        from = callerNode[callerId] = g >= 0 ? this.nodeOfGroup(g, namer) : calls.node(this.callerNames[callerId]);
      }
      calls.add(from, this.nodeOfGroup(pairs[k + 1], namer));
    }
  }

  private nodeOfGroup(g: number, namer: number): number {
    let node = this.groupNode[g] - 1;
    if (node < 0) {
      const name = this.groupName[g];
      node = name !== undefined ? this.app.calls.node(name) : this.app.calls.lazyNode(namer, this.lazyName[g] - 1);
      this.groupNode[g] = node + 1;
    }
    return node;
  }
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

function addStringWatch(w: StringWatch, key: string, category: string): void {
  const v = key.slice(STRING_WATCH_PREFIX.length);
  if (v.endsWith('*')) w.prefixes.push([v.slice(0, -1), category]);
  else w.exact.set(v, category);
}

/**
 * Tests undecoded plain ASCII strings against the string watch on their bytes: false means
 * matchStringWatch cannot match the string. Non-ASCII keys never equal or prefix an ASCII
 * string, so only ASCII keys are kept.
 */
class AsciiPrefixMatcher {
  /** By first byte: the bytes of the keys starting with it, and whether each must match the whole string. */
  private readonly keysByFirst: Uint8Array[][] = Array.from({ length: 256 }, () => []);
  private readonly exactByFirst: boolean[][] = Array.from({ length: 256 }, () => []);
  /** A key or prefix "" matches every string. */
  private readonly matchesAll: boolean;

  constructor(w: StringWatch) {
    let all = false;
    const add = (key: string, exact: boolean) => {
      if (key.length === 0) { all = true; return; }
      if (!/^[\x00-\x7f]*$/.test(key)) return;
      const bytes = new Uint8Array(key.length);
      for (let k = 0; k < key.length; k++) bytes[k] = key.charCodeAt(k);
      this.keysByFirst[bytes[0]].push(bytes);
      this.exactByFirst[bytes[0]].push(exact);
    };
    for (const key of w.exact.keys()) add(key, true);
    for (const [prefix] of w.prefixes) add(prefix, false);
    this.matchesAll = all;
  }

  mayMatch(bytes: Uint8Array, pos: number, length: number): boolean {
    if (this.matchesAll) return true;
    if (length === 0) return false;
    // Indexed loops: this runs for every candidate string, and iterating pairs allocated.
    const keys = this.keysByFirst[bytes[pos]], exact = this.exactByFirst[bytes[pos]];
    next: for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (exact[j] ? length !== key.length : length < key.length) continue;
      for (let k = 1; k < key.length; k++) if (bytes[pos + k] !== key[k]) continue next;
      return true;
    }
    return false;
  }
}

let scratchInts = new Int32Array(0);

/**
 * `length` zeroed ints from one block kept between calls: the per-index state of a dex (five
 * arrays over method_ids) would otherwise be allocated and zeroed afresh for every dex of every
 * app. collectCodeFacts is synchronous, so one block serves every call; it keeps the size of
 * the largest dex seen (7 × method_ids + field_ids ints, at most a few MB).
 */
function takeScratch(length: number): Int32Array {
  if (scratchInts.length < length) scratchInts = new Int32Array(Math.max(length, 2 * scratchInts.length));
  const block = scratchInts.subarray(0, length);
  block.fill(0);
  return block;
}

/** Scratch space for memberName (names longer than this are built as strings instead). */
const memberScratch = Buffer.allocUnsafe(4096);
type Latin1Slicer = { latin1Slice(start: number, end: number): string };

/**
 * Whether memberName can build the name from the dex bytes: the descriptor ("L...;") and the
 * name are plain ASCII strings (scanStrings spans) and fit the scratch space. Then the name is
 * `${descriptorToDotted(typeName(typeIdx))}.${string(nameIdx)}`, as decoding would build it.
 */
function fitsMemberName(d: DexFile, spans: StringSpans, typeIdx: number, nameIdx: number): boolean {
  const descIdx = d.typeDescriptorIdx(typeIdx);
  if (!(descIdx >= 0 && descIdx < d.strings && nameIdx >= 0 && nameIdx < d.strings)) return false;
  const dp = spans.pos[descIdx], dl = spans.length[descIdx], np = spans.pos[nameIdx], nl = spans.length[nameIdx];
  if (dp < 0 || np < 0 || dl < 2 || dl - 1 + nl > memberScratch.length) return false;
  return d.bytes[dp] === 0x4c /* L */ && d.bytes[dp + dl - 1] === 0x3b /* ; */;
}

/**
 * The "dotted.Class.name" of a type and a method name that fitsMemberName accepted, built from
 * the bytes in one decode (decoding the name, concatenating and flattening would each allocate).
 */
function memberName(d: DexFile, spans: StringSpans, typeIdx: number, nameIdx: number): string {
  const descIdx = d.typeDescriptorIdx(typeIdx);
  const dp = spans.pos[descIdx], dl = spans.length[descIdx], np = spans.pos[nameIdx], nl = spans.length[nameIdx];
  const b = d.bytes;
  const out = memberScratch;
  let n = 0;
  for (let k = dp + 1, end = dp + dl - 1; k < end; k++) { const c = b[k]; out[n++] = c === 0x2f ? 0x2e : c; }
  out[n++] = 0x2e;
  for (let k = np, end = np + nl; k < end; k++) out[n++] = b[k];
  return (out as unknown as Latin1Slicer).latin1Slice(0, n);
}

/** A growable list of int pairs. */
class EdgeList {
  pairs = new Int32Array(1024);
  count = 0;
  push(a: number, b: number): void {
    if (2 * this.count === this.pairs.length) {
      const next = new Int32Array(2 * this.pairs.length);
      next.set(this.pairs);
      this.pairs = next;
    }
    this.pairs[2 * this.count] = a;
    this.pairs[2 * this.count + 1] = b;
    this.count++;
  }
}

/** Tests undecoded plain ASCII strings for membership in a set of names, without decoding them. */
class AsciiNameMatcher {
  /** By (length << 8 | first byte): the ASCII names of that length and first byte, as bytes. */
  private readonly buckets = new Map<number, Uint8Array[]>();
  /** 1 at (length << 8 | first byte) for the buckets that exist: most strings stop here. */
  private readonly seen = new Uint8Array(256 * 256);
  /** Whether some name is longer than 255 (those are looked up in `buckets` only). */
  private anyLong = false;

  constructor(names: Iterable<string>) {
    for (const name of names) {
      // A non-ASCII name never equals a plain ASCII string; an empty one is no member name.
      if (name.length === 0 || !/^[\x00-\x7f]*$/.test(name)) continue;
      const key = (name.length << 8) | name.charCodeAt(0);
      if (name.length <= 255) this.seen[key] = 1;
      else this.anyLong = true;
      let list = this.buckets.get(key);
      if (!list) { list = []; this.buckets.set(key, list); }
      const bytes = new Uint8Array(name.length);
      for (let k = 0; k < name.length; k++) bytes[k] = name.charCodeAt(k);
      list.push(bytes);
    }
  }

  /** Whether bytes[pos, pos + length) (plain ASCII) spell one of the names. */
  matches(bytes: Uint8Array, pos: number, length: number): boolean {
    if (length === 0 || (length <= 255 ? this.seen[(length << 8) | bytes[pos]] === 0 : !this.anyLong)) return false;
    const list = this.buckets.get((length << 8) | bytes[pos]);
    if (list === undefined) return false;
    next: for (let j = 0; j < list.length; j++) {
      const name = list[j];
      for (let k = 1; k < length; k++) if (bytes[pos + k] !== name[k]) continue next;
      return true;
    }
    return false;
  }
}

function matchStringWatch(w: StringWatch, s: string): string | undefined {
  const exact = w.exact.get(s);
  if (exact !== undefined) return exact;
  for (const [prefix, category] of w.prefixes) if (s.startsWith(prefix)) return category;
  return undefined;
}

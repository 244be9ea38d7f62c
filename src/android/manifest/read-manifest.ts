// The typed manifest model, read from a binary XML tree the way Android's package parser reads it:
// frameworks/base core/java/android/content/pm/PackageParser.java (and its successor
// ParsingPackageUtils / ParsedActivityUtils / ParsedIntentInfoUtils). Where Android and
// `aapt dump badging` differ, Android wins: it decides what is installed and what is exposed.
import type { Anomaly } from '../../io/anomaly.js';
import type { Component, DeclaredPermission } from '../../report/model.js';
import { ANDROID_NS, ATTR } from '../axml/android-attrs.js';
import { attr, type AxmlDocument, type XmlElement } from '../axml/parse-axml.js';
import type { TypedValue } from '../axml/res-value.js';
import type { ResourceTable } from '../arsc/parse-arsc.js';
import { protectionLevelToString } from './protection-level.js';

export interface ManifestFlags {
  debuggable: boolean;
  allowBackup: boolean | null;
  usesCleartextTraffic: boolean | null;
  networkSecurityConfig: string | null;
  persistent: boolean;
  testOnly: boolean;
}

export interface Manifest {
  package: string | null;
  /** Low 32 bits of the long version code, unsigned (versionCodeMajor is separate). */
  versionCode: number | null;
  versionCodeMajor: number | null;
  versionName: string | null;
  minSdk: number | null;
  targetSdk: number | null;
  maxSdk: number | null;
  label: string | null;
  sharedUserId: string | null;
  /** uses-permission, uses-permission-sdk-23 and uses-permission-sdk-m under <manifest>: unique, document order. */
  requestedPermissions: string[];
  /** Permissions the platform adds for old targetSdk values or as splits (PackageParser.NEW_PERMISSIONS / SPLIT_PERMISSIONS, as aapt prints them). */
  impliedPermissions: string[];
  declaredPermissions: DeclaredPermission[];
  components: Component[];
  flags: ManifestFlags;
  applicationName: string | null;
  anomalies: Anomaly[];
}

const COMPONENT_TAGS = new Set(['activity', 'activity-alias', 'service', 'receiver', 'provider']);
const USES_PERMISSION_TAGS = new Set(['uses-permission', 'uses-permission-sdk-23', 'uses-permission-sdk-m']);
/** Build.VERSION_CODES */
const JELLY_BEAN = 16, JELLY_BEAN_MR1 = 17, S = 31, DONUT = 4, CUR_DEVELOPMENT = 10000;

/**
 * PackageParser.buildClassName: ".Foo" → pkg + ".Foo"; "Foo" (no dot) → pkg + ".Foo"; else as is.
 */
export function buildClassName(pkg: string | null, name: string): string {
  if (name.startsWith('.')) return (pkg ?? '') + name;
  if (!name.includes('.')) return pkg ? `${pkg}.${name}` : name;
  return name;
}

export function readManifest(doc: AxmlDocument, resources: ResourceTable | null): Manifest {
  const anomalies: Anomaly[] = [];
  const seen = new Set<string>();
  const note = (message: string) => {
    if (seen.has(message)) return;
    seen.add(message);
    anomalies.push({ stage: 'manifest', message });
  };

  const m: Manifest = {
    package: null, versionCode: null, versionCodeMajor: null, versionName: null, minSdk: null, targetSdk: null, maxSdk: null,
    label: null, sharedUserId: null, requestedPermissions: [], impliedPermissions: [], declaredPermissions: [], components: [],
    flags: { debuggable: false, allowBackup: null, usesCleartextTraffic: null, networkSecurityConfig: null, persistent: false, testOnly: false },
    applicationName: null, anomalies,
  };
  const root = doc.root;
  if (root === null) { note('no root element'); return m; }
  if (root.name !== 'manifest') note(`root element is <${root.name}>, not <manifest> (Android rejects the package)`);

  /** attr(), noting matches Android itself would not make (by name, no resource id). */
  const find = (el: XmlElement, id: number, name: string) => {
    const a = attr(el, id, name);
    if (a !== undefined && a.resId === null) {
      note(`<${el.name}> android:${name} has no resource id; Android looks manifest attributes up by id and would not see it`);
    }
    return a;
  };
  /** Follows a reference through the resource table (TypedArray resolves references when it reads XML attributes). */
  const deref = (v: TypedValue, what: string): TypedValue | null => {
    if (v.type !== 'reference') return v;
    if (v.id === 0) return null;
    if (resources === null) { note(`${what} is a reference 0x${v.id.toString(16)} and there is no resource table`); return null; }
    const r = resources.resolve(v.id);
    if (r === null) note(`${what} reference 0x${v.id.toString(16)} does not resolve`);
    return r;
  };
  /** getNonConfigurationString: a literal, or a reference resolved to a string. */
  const stringAttr = (el: XmlElement, id: number, name: string, literalOnly = false): string | null => {
    const a = find(el, id, name);
    if (a === undefined) return null;
    if (a.value.type === 'reference' && literalOnly) {
      note(`<${el.name}> android:${name} is a resource reference; Android ignores it (getNonResourceString)`);
      return null;
    }
    const v = deref(a.value, `<${el.name}> android:${name}`);
    if (v === null) return null;
    if (v.type === 'string') return v.value;
    // A non-string typed value: Android would coerce it; the raw string is the closest literal.
    return a.raw;
  };
  const intAttr = (el: XmlElement, id: number, name: string): number | null => {
    const a = find(el, id, name);
    if (a === undefined) return null;
    const v = deref(a.value, `<${el.name}> android:${name}`);
    if (v === null) return null;
    if (v.type === 'int') return v.value;
    if (v.type === 'bool') return v.value ? -1 : 0;
    if (v.type === 'string' && /^\s*-?(0x[0-9a-f]+|\d+)\s*$/i.test(v.value)) {
      note(`<${el.name}> android:${name} is the string "${v.value}", not an integer`);
      return Number(v.value.trim()) | 0;
    }
    note(`<${el.name}> android:${name} is not an integer (${v.type})`);
    return null;
  };
  const boolAttr = (el: XmlElement, id: number, name: string): boolean | null => {
    const a = find(el, id, name);
    if (a === undefined) return null;
    const v = deref(a.value, `<${el.name}> android:${name}`);
    if (v === null) return null;
    if (v.type === 'bool') return v.value;
    if (v.type === 'int') return v.value !== 0;
    if (v.type === 'string' && (v.value === 'true' || v.value === 'false')) return v.value === 'true';
    note(`<${el.name}> android:${name} is not a boolean (${v.type})`);
    return null;
  };

  // package is read by name with no namespace (XmlPullParser.getAttributeValue(null, "package")):
  // rawValue first, else the typed value coerced to text.
  const pkgAttr = root.attributes.find((a) => a.name === 'package' && a.namespace === null);
  if (pkgAttr !== undefined) {
    m.package = pkgAttr.raw ?? (pkgAttr.value.type === 'string' ? pkgAttr.value.value : null);
    if (m.package === null) note('manifest package attribute is not a string');
  } else note('<manifest> has no package attribute');
  const pkg = m.package;

  const vc = intAttr(root, ATTR.versionCode, 'versionCode');
  m.versionCode = vc === null ? null : vc >>> 0;
  const major = intAttr(root, ATTR.versionCodeMajor, 'versionCodeMajor');
  m.versionCodeMajor = major;
  m.versionName = stringAttr(root, ATTR.versionName, 'versionName');
  m.sharedUserId = stringAttr(root, ATTR.sharedUserId, 'sharedUserId');

  let usesSdkSeen = false;
  let application: XmlElement | null = null;
  const requested = new Set<string>();
  for (const child of root.children) {
    switch (child.name) {
      case 'uses-sdk': {
        // PackageParser.parseUsesSdk runs for every <uses-sdk>: the last one wins.
        if (usesSdkSeen) note('more than one <uses-sdk>; the last one wins, as in Android');
        usesSdkSeen = true;
        const min = sdkAttr(child, ATTR.minSdkVersion, 'minSdkVersion');
        const target = sdkAttr(child, ATTR.targetSdkVersion, 'targetSdkVersion');
        m.minSdk = min ?? 1;
        m.targetSdk = target ?? m.minSdk;
        m.maxSdk = sdkAttr(child, ATTR.maxSdkVersion, 'maxSdkVersion');
        break;
      }
      case 'uses-permission':
      case 'uses-permission-sdk-23':
      case 'uses-permission-sdk-m': {
        // "don't allow this value to be a reference to a resource that may change" (getNonResourceString)
        const name = stringAttr(child, ATTR.name, 'name', true);
        if (name === null || name === '') { note(`<${child.name}> without a name`); break; }
        requested.add(name);
        break;
      }
      case 'permission': {
        const raw = stringAttr(child, ATTR.name, 'name');
        if (raw === null || raw === '') { note('<permission> without a name (Android rejects the package)'); break; }
        // parsePackageItemInfo runs buildClassName on permission names too.
        const name = buildClassName(pkg, raw);
        if (name !== raw) note(`declared permission "${raw}" is qualified by Android as "${name}"`);
        const level = intAttr(child, ATTR.protectionLevel, 'protectionLevel') ?? 0;
        m.declaredPermissions.push({ name, protectionLevel: protectionLevelToString(level) });
        break;
      }
      case 'application':
        if (application !== null) { note('more than one <application>; Android uses only the first'); break; }
        application = child;
        break;
      default:
        if (COMPONENT_TAGS.has(child.name)) note(`<${child.name}> directly under <manifest> is ignored by Android`);
    }
  }
  for (const el of walk(root)) {
    if (USES_PERMISSION_TAGS.has(el.name) && !root.children.includes(el)) note(`<${el.name}> outside <manifest> level is ignored by Android`);
  }
  m.requestedPermissions = [...requested];
  if (!usesSdkSeen) {
    // No <uses-sdk>: Android's DEFAULT_MIN_SDK_VERSION is 1, and every targetSdk test it makes treats
    // the app as a pre-DONUT one; report the target as the min, as for a <uses-sdk> without a target.
    m.minSdk = 1;
    m.targetSdk = 1;
  }
  const effectiveTarget = m.targetSdk ?? m.minSdk ?? 1;
  m.impliedPermissions = impliedPermissions(m.requestedPermissions, effectiveTarget);

  if (application !== null) {
    const app = application;
    m.label = labelOf(app);
    const appName = stringAttr(app, ATTR.name, 'name');
    m.applicationName = appName ? buildClassName(pkg, appName) : null;
    m.flags.debuggable = boolAttr(app, ATTR.debuggable, 'debuggable') ?? false;
    m.flags.allowBackup = boolAttr(app, ATTR.allowBackup, 'allowBackup');
    m.flags.usesCleartextTraffic = boolAttr(app, ATTR.usesCleartextTraffic, 'usesCleartextTraffic');
    m.flags.persistent = boolAttr(app, ATTR.persistent, 'persistent') ?? false;
    m.flags.testOnly = boolAttr(app, ATTR.testOnly, 'testOnly') ?? false;
    m.flags.networkSecurityConfig = resourceName(app, ATTR.networkSecurityConfig, 'networkSecurityConfig');
    const appPermission = stringAttr(app, ATTR.permission, 'permission');
    for (const el of app.children) {
      if (!COMPONENT_TAGS.has(el.name)) continue;
      const c = readComponent(el, appPermission);
      if (c !== null) m.components.push(c);
    }
  }
  return m;

  function sdkAttr(el: XmlElement, id: number, name: string): number | null {
    const a = find(el, id, name);
    if (a === undefined) return null;
    const v = deref(a.value, `<uses-sdk> android:${name}`);
    if (v === null) return null;
    if (v.type === 'int') return v.value;
    if (v.type === 'string') {
      // A string is a platform codename to Android (a preview SDK); numeric strings are read as numbers.
      if (/^\d+$/.test(v.value.trim())) return Number(v.value.trim());
      // PackageParser.computeMinSdkVersion/computeTargetSdkVersion: a codename means
      // CUR_DEVELOPMENT (10000) on a preview platform; a release platform refuses the package.
      note(`<uses-sdk> android:${name} is the codename "${v.value}" (a preview platform; read as ${CUR_DEVELOPMENT})`);
      return CUR_DEVELOPMENT;
    }
    note(`<uses-sdk> android:${name} has type ${v.type}`);
    return null;
  }

  function labelOf(app: XmlElement): string | null {
    const a = find(app, ATTR.label, 'label');
    if (a === undefined) return null;
    const v = deref(a.value, '<application> android:label');
    return v !== null && v.type === 'string' ? v.value : null;
  }

  /** For attributes that name a resource (networkSecurityConfig): the file path the table gives, else "@0x7f…". */
  function resourceName(el: XmlElement, id: number, name: string): string | null {
    const a = find(el, id, name);
    if (a === undefined) return null;
    if (a.value.type === 'reference') {
      const r = resources?.resolve(a.value.id) ?? null;
      if (r !== null && r.type === 'string') return r.value;
      return `@0x${a.value.id.toString(16).padStart(8, '0')}`;
    }
    return a.value.type === 'string' ? a.value.value : a.raw;
  }

  function readComponent(el: XmlElement, appPermission: string | null): Component | null {
    const type = el.name as Component['type'];
    const rawName = stringAttr(el, ATTR.name, 'name');
    if (rawName === null || rawName === '') {
      note(`<${type}> without android:name (Android rejects the package)`);
      return null;
    }
    const name = buildClassName(pkg, rawName);
    const exported = boolAttr(el, ATTR.exported, 'exported');
    const actions: string[] = [];
    let filters = 0;
    for (const f of el.children) {
      if (f.name !== 'intent-filter') continue;
      let count = 0;
      for (const a of f.children) {
        if (a.name !== 'action') continue;
        const v = actionName(a);
        if (v === null) continue;
        count++;
        if (!actions.includes(v)) actions.push(v);
      }
      // PackageParser: "No actions in intent filter" — such a filter is dropped and does not export.
      if (count > 0) filters++;
      else if (type !== 'provider') note(`<${type}> ${name} has an intent-filter without actions; Android drops it`);
    }
    const c: Component = { type, name, exported: false, actions, exportedExplicit: exported !== null };
    if (exported !== null) c.exported = exported;
    else if (type === 'provider') c.exported = effectiveTarget < JELLY_BEAN_MR1;
    else {
      c.exported = filters > 0 && effectiveTarget < S;
      if (filters > 0 && effectiveTarget >= S) {
        note(`${name} has intent filters but no android:exported while targeting API ${effectiveTarget}; Android 12+ refuses to install it`);
      }
    }
    let permission = stringAttr(el, ATTR.permission, 'permission') ?? appPermission;
    if (type === 'provider') {
      permission = stringAttr(el, ATTR.permission, 'permission') ?? stringAttr(el, ATTR.readPermission, 'readPermission') ?? appPermission;
      const auth = stringAttr(el, ATTR.authorities, 'authorities');
      if (auth !== null) c.authorities = auth;
    }
    c.permission = permission;
    if (type === 'activity-alias') {
      const target = stringAttr(el, ATTR.targetActivity, 'targetActivity');
      if (target === null || target === '') note(`<activity-alias> ${name} without android:targetActivity (Android rejects the package)`);
      else c.targetActivity = buildClassName(pkg, target);
    }
    return c;
  }

  /**
   * ParsedIntentInfoUtils reads <action android:name> with getAttributeValue(ANDROID_NS, "name"):
   * by namespace and name, not resource id; rawValue first, else the typed value as text.
   */
  function actionName(a: XmlElement): string | null {
    const byName = a.attributes.find((x) => x.namespace === ANDROID_NS && x.name === 'name');
    if (byName !== undefined) {
      const v = byName.raw ?? (byName.value.type === 'string' ? byName.value.value : null);
      return v === '' ? null : v;
    }
    const byId = attr(a, ATTR.name, 'name');
    if (byId !== undefined) {
      note('an <action> name is found only by resource id (its name string is masked); Android looks it up by name and would not see it');
    }
    return null;
  }
}

function* walk(el: XmlElement): Generator<XmlElement> {
  const stack = [el];
  while (stack.length > 0) {
    const e = stack.pop()!;
    yield e;
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]);
  }
}

/**
 * Permissions Android adds on its own: NEW_PERMISSIONS for targetSdk < DONUT and the split of
 * WRITE_EXTERNAL_STORAGE into READ_EXTERNAL_STORAGE, and of the contacts permissions into the call
 * log ones below JELLY_BEAN (the set `aapt dump badging` also prints).
 */
function impliedPermissions(requested: string[], targetSdk: number): string[] {
  const have = new Set(requested);
  const out: string[] = [];
  const add = (p: string) => { if (!have.has(p)) { have.add(p); out.push(p); } };
  const P = 'android.permission.';
  if (targetSdk < DONUT) { add(`${P}WRITE_EXTERNAL_STORAGE`); add(`${P}READ_PHONE_STATE`); }
  if (have.has(`${P}WRITE_EXTERNAL_STORAGE`)) add(`${P}READ_EXTERNAL_STORAGE`);
  if (targetSdk < JELLY_BEAN) {
    if (have.has(`${P}READ_CONTACTS`)) add(`${P}READ_CALL_LOG`);
    if (have.has(`${P}WRITE_CONTACTS`)) add(`${P}WRITE_CALL_LOG`);
  }
  return out;
}

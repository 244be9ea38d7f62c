// Builds an AppReport + AppContext for a real APK from reference tools' output (aapt dump
// xmltree for the manifest, dexdump -d for code), independent of romscan's own parsers, so the
// rules can be checked against real vendor apps. Tests skip when the tools are missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppContext } from '../../src/rules/evaluate-app.js';
import type { ApiUse, AppReport, Component, Endpoint } from '../../src/report/model.js';
import { blankApp } from './helpers.js';
import { CallGraph } from '../../src/analysis/call-graph.js';

export function haveTools(): boolean {
  // Only whether they exist: dexdump prints usage and exits non-zero without a file.
  return ['aapt', 'dexdump', 'unzip'].every((tool) => spawnSync(tool, [], { stdio: 'ignore' }).error === undefined);
}

interface XmlNode { name: string; attrs: Record<string, string>; children: XmlNode[] }

function parseXmltree(text: string): XmlNode {
  const root: XmlNode = { name: '#root', attrs: {}, children: [] };
  const stack: { indent: number; node: XmlNode }[] = [{ indent: -1, node: root }];
  for (const line of text.split('\n')) {
    const m = /^(\s*)(E|A): (.*)$/.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    if (m[2] === 'E') {
      while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
      const node: XmlNode = { name: m[3]!.split(' ')[0]!, attrs: {}, children: [] };
      stack[stack.length - 1]!.node.children.push(node);
      stack.push({ indent, node });
    } else {
      const a = /^(?:android:)?([\w]+)(?:\([^)]*\))?=(?:"((?:[^"\\]|\\.)*)"|\(type 0x(\w+)\)0x(\w+))/.exec(m[3]!);
      if (!a) continue;
      while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
      const value = a[2] !== undefined ? a[2] : a[3] === '12' ? String(a[4] !== '0') : String(parseInt(a[4]!, 16));
      stack[stack.length - 1]!.node.attrs[a[1]!] = value;
    }
  }
  return root;
}

function all(node: XmlNode, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode): void => {
    if (n.name === name) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}

/** The analysis layer's "string:" watch keys: exact, or prefix when ending in '*'; first match wins. */
function stringWatch(watch: Map<string, string>, value: string): string | undefined {
  for (const [k, cat] of watch) {
    if (!k.startsWith('string:')) continue;
    const v = k.slice(7);
    if (v.endsWith('*') ? value.startsWith(v.slice(0, -1)) : value === v) return cat;
  }
  return undefined;
}

export function toolFacts(apk: string, watch: Map<string, string>): { app: AppReport; ctx: AppContext } {
  const manifest = parseXmltree(execFileSync('aapt', ['dump', 'xmltree', apk, 'AndroidManifest.xml'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const m = all(manifest, 'manifest')[0]!;
  const pkg = m.attrs.package!;
  const qualify = (n: string): string => (n.startsWith('.') ? pkg + n : n.includes('.') ? n : `${pkg}.${n}`);
  const target = Number(all(manifest, 'uses-sdk')[0]?.attrs.targetSdkVersion ?? 0);
  const components: Component[] = [];
  for (const type of ['activity', 'activity-alias', 'service', 'receiver', 'provider'] as const) {
    for (const c of all(manifest, type)) {
      const actions = all(c, 'action').map((a) => a.attrs.name!).filter(Boolean);
      const hasFilter = all(c, 'intent-filter').length > 0;
      const exported = c.attrs.exported !== undefined ? c.attrs.exported === 'true' : hasFilter && target < 31;
      components.push({ type, name: qualify(c.attrs.name!), exported, actions, permission: c.attrs.permission ?? null, ...(c.attrs.authorities ? { authorities: c.attrs.authorities } : {}) });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'romscan-facts-'));
  const classNames: string[] = [];
  const calls = new Map<string, Set<string>>();
  const apis = new Map<string, ApiUse>();
  const endpoints = new Map<string, Endpoint>();
  try {
    execFileSync('unzip', ['-q', '-o', apk, 'classes*.dex', '-d', dir], { stdio: 'ignore' });
    for (const dex of readdirSync(dir).filter((f) => /^classes\d*\.dex$/.test(f)).sort()) {
      const text = execFileSync('dexdump', ['-d', join(dir, dex)], { encoding: 'utf8', maxBuffer: 512 << 20 });
      const own = new Set<string>();
      for (const c of text.matchAll(/Class descriptor\s+: 'L([^;]+);'/g)) own.add(c[1]!.replace(/\//g, '.'));
      classNames.push(...own);
      let cur: { cls: string; method: string } | null = null;
      for (const line of text.split('\n')) {
        const start = /\|\[[0-9a-f]+\] ([\w$.]+)\.([\w$<>-]+):\(/.exec(line);
        if (start) { cur = { cls: start[1]!, method: start[2]! }; continue; }
        if (!cur) continue;
        const loc = { dex, class: cur.cls, method: cur.method };
        const inv = /invoke-[\w/-]+ \{[^}]*\}, L([^;]+);\.([^:]+):/.exec(line);
        const field = /sget-object v\d+, L([^;]+);\.(\w+):/.exec(line);
        const str = /const-string(?:\/jumbo)? v\d+, "(.*)" \/\/ string@/.exec(line);
        if (inv || field) {
          const cls = (inv ?? field)![1]!.replace(/\//g, '.');
          const name = `${cls}.${(inv ?? field)![2]}`;
          if (watch.has(name)) {
            const use = apis.get(name) ?? { api: name, category: watch.get(name), locations: [] };
            if (!use.locations.some((l) => l.class === loc.class && l.method === loc.method)) use.locations.push(loc);
            apis.set(name, use);
          }
          if (inv && own.has(cls)) {
            const caller = `${cur.cls}.${cur.method}`;
            if (!calls.has(caller)) calls.set(caller, new Set());
            calls.get(caller)!.add(name);
          }
        }
        if (str) {
          const cat = stringWatch(watch, str[1]!);
          if (cat) {
            const use = apis.get(str[1]!) ?? { api: str[1]!, category: cat, locations: [] };
            if (!use.locations.some((l) => l.class === loc.class && l.method === loc.method)) use.locations.push(loc);
            apis.set(str[1]!, use);
          }
        }
        if (str && /^https?:\/\//.test(str[1]!)) {
          const value = str[1]!;
          const hm = /^(https?):\/\/([^/:?#]+)/.exec(value);
          const e = endpoints.get(value) ?? { value, host: hm?.[2] ?? null, scheme: hm?.[1] ?? null, kind: 'url' as const, locations: [] };
          if (!e.locations.some((l) => l.class === loc.class && l.method === loc.method)) e.locations.push(loc);
          endpoints.set(value, e);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const app = blankApp({
    path: apk.split('/').pop()!, package: pkg,
    versionCode: Number(m.attrs.versionCode ?? 0), versionName: m.attrs.versionName ?? null,
    targetSdk: target || null, sharedUserId: m.attrs.sharedUserId ?? null,
    permissions: { requested: all(manifest, 'uses-permission').map((p) => p.attrs.name!).filter(Boolean), declared: [] },
    components, apis: [...apis.values()], endpoints: [...endpoints.values()],
  });
  return { app, ctx: { classNames, calls: CallGraph.fromPairs([...calls].flatMap(([k, v]) => [...v].map((c): [string, string] => [k, c]))), inFirmware: false } };
}

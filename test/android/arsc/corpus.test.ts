// Differential test of resources.arsc resolution against `aapt dump --values resources`
// (libandroidfw's ResTable) over every corpus APK that aapt reads without warnings.
// aapt 0.2-debian predates sparse, offset16 and compact entries; the tables that use them are
// checked against facts their test suites state (apktool issue APKs) and by unit tests.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { apkEntry } from '../manifest/apk-entry.js';
import { parseArsc } from '../../../src/android/arsc/index.js';
import type { TypedValue } from '../../../src/android/axml/index.js';

const APK_DIR = join(import.meta.dirname, '../../../../shared/corpus/apk');

interface AaptValue { id: number; config: string; t: number; d: number; str?: string }

function aaptValues(apk: string): { values: AaptValue[]; warned: boolean } | null {
  const r = spawnSync('aapt', ['dump', '--values', 'resources', apk], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) return null;
  const values: AaptValue[] = [];
  let config = '';
  const lines = r.stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const c = /^\s+config (.*):$/.exec(lines[i]);
    if (c) { config = c[1]; continue; }
    const m = /^\s+resource (0x[0-9a-f]+) \S+: t=0x([0-9a-f]+) d=0x([0-9a-f]+)/.exec(lines[i]);
    if (!m) continue;
    const v: AaptValue = { id: Number(m[1]), config, t: parseInt(m[2], 16), d: parseInt(m[3], 16) };
    const str = /^\s+\(string(8|16)\) "(.*)"$/.exec(lines[i + 1] ?? '');
    if (str) v.str = str[2];
    values.push(v);
  }
  // aapt warns (and skips entries) on layouts it predates: sparse/offset16 types, compact entries.
  return { values, warned: /ResourceType W /.test(r.stderr) };
}

/** ResTable::normalizeForOutput */
const norm = (s: string) => s.split('\0')[0].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const f32 = new DataView(new ArrayBuffer(4));

/** Our value in aapt's terms: [dataType, data] for scalars, or the string. */
function asAapt(v: TypedValue): { t: number; d?: number; str?: string } {
  switch (v.type) {
    case 'string': return { t: 3, str: norm(v.value) };
    case 'int': return { t: 0x10, d: v.value >>> 0 };
    case 'bool': return { t: 0x12, d: v.value ? 1 : 0 };
    case 'float': f32.setFloat32(0, v.value, true); return { t: 4, d: f32.getUint32(0, true) };
    case 'reference': return { t: 1, d: v.id };
    case 'attribute': return { t: 2, d: v.id };
    case 'other': return { t: v.dataType, d: v.data };
  }
}

function hasAapt(): boolean {
  try { execFileSync('aapt', ['version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

describe('resources.arsc vs aapt dump --values resources', { skip: (!existsSync(APK_DIR) && 'corpus not present') || (!hasAapt() && 'aapt not installed') }, () => {
  test('default-config scalar and string values agree', () => {
    let compared = 0, agreed = 0, tables = 0, fallbackResolved = 0, fallbackTotal = 0;
    const problems: string[] = [];
    for (const f of readdirSync(APK_DIR).filter((n) => n.endsWith('.apk')).sort()) {
      const apk = join(APK_DIR, f);
      const bytes = apkEntry(apk, 'resources.arsc');
      if (bytes === null) continue;
      const dump = aaptValues(apk);
      if (dump === null || dump.warned) continue;
      tables++;
      const table = parseArsc(bytes, 'resources.arsc');
      const withDefault = new Set<number>();
      for (const v of dump.values) {
        if (v.config !== '(default)') continue;
        withDefault.add(v.id);
        // References are followed by resolve(); aapt prints them unresolved.
        if (v.t === 1 || v.t === 2 || v.t === 7 || v.t === 8) continue;
        const ours = table.resolve(v.id);
        compared++;
        const o = ours === null ? null : asAapt(ours);
        const same = o !== null && o.t === (v.t === 0x11 ? 0x10 : v.t) && (v.t === 3 ? o.str === v.str : v.t === 0x12 ? o.d === (v.d !== 0 ? 1 : 0) : o.d === v.d);
        if (same) agreed++;
        else if (problems.length < 20) problems.push(`${f} 0x${v.id.toString(16)}: ours ${JSON.stringify(ours)} aapt ${JSON.stringify(v)}`);
      }
      // Resources with no default value resolve to some configuration's value.
      const noDefault = new Set(dump.values.filter((v) => !withDefault.has(v.id) && v.t !== 0).map((v) => v.id));
      for (const id of noDefault) {
        fallbackTotal++;
        if (table.resolve(id) !== null) fallbackResolved++;
      }
    }
    console.log(`# arsc: ${tables} tables, default-config values ${agreed}/${compared} agree; non-default-only resources resolved ${fallbackResolved}/${fallbackTotal}`);
    assert.deepEqual(problems, []);
    assert.ok(compared > 10000, `compared ${compared}`);
  });
});

describe('tables aapt cannot read (sparse, offset16, compact entries)', { skip: !existsSync(APK_DIR) && 'corpus not present' }, () => {
  // App names these apktool test APKs were built with (apktool's brut.apktool test resources).
  const cases: [string, number | null, string][] = [
    ['apktool-issue3705.apk', null, 'CompactEntries'],
    ['apktool-issue3366.apk', null, 'Issue3366'],
    ['apktool-shared_library-client.apk', null, 'SharedLibrary client'],
  ];
  for (const [apk, , label] of cases) {
    test(`${apk}: application label resolves to "${label}"`, async () => {
      const { parseAxml, ATTR, attr } = await import('../../../src/android/axml/index.js');
      const table = parseArsc(apkEntry(join(APK_DIR, apk), 'resources.arsc')!, 'resources.arsc');
      const doc = parseAxml(apkEntry(join(APK_DIR, apk), 'AndroidManifest.xml')!, 'AndroidManifest.xml');
      const app = doc.root!.children.find((c) => c.name === 'application')!;
      const ref = attr(app, ATTR.label, 'label')!.value;
      assert.equal(ref.type, 'reference');
      assert.deepEqual(table.resolve((ref as { id: number }).id), { type: 'string', value: label });
    });
  }
});

// collectCodeFacts looks at the bytes of most dex strings and decodes only the ones that may
// matter (endpoint candidates, string-watch candidates, watched member names). These tests
// hold it to what decoding every string and matching it would give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDex } from '../../src/android/dex/dex-file.js';
import { collectCodeFacts } from '../../src/analysis/code-facts.js';
import { buildDex, sampleSpec } from '../android/dex/dex-builder.js';

const base = sampleSpec().strings;
const extra = ['content://sms/inbox', 'content://smsx', 'content://', 'content:/', 'Content://sms', 'android_id', 'android_idx',
  'android_i', 'caf\u00e9', 'cafe', '', 'c', 'a', 'http://h\u00e9.example.com/', 'www.example.com', 'x\u00e9.example.com'];

/** A dex whose A.run loads every string with const-string. */
function dexLoadingAll() {
  const strings = [...base, ...extra];
  const code: number[] = [];
  for (let i = 0; i < strings.length; i++) code.push(0x001a, i);
  code.push(0x000e);
  const spec = sampleSpec({ strings });
  spec.classes[0].direct![0].code = code;
  return { dex: parseDex(buildDex(spec).bytes, 'classes.dex', 'x'), strings };
}

/** The string watch as code-facts.ts documents it: exact keys first, then prefixes in order. */
function reference(watch: Map<string, string>, s: string): string | undefined {
  const exact = new Map<string, string>(), prefixes: [string, string][] = [];
  for (const [k, c] of watch) {
    if (!k.startsWith('string:')) continue;
    const v = k.slice(7);
    if (v.endsWith('*')) prefixes.push([v.slice(0, -1), c]); else exact.set(v, c);
  }
  return exact.get(s) ?? prefixes.find(([p]) => s.startsWith(p))?.[1];
}

test('string watch matches as if every string were decoded: exact, prefix, non-ASCII and empty keys', () => {
  const watches = [
    new Map([['string:content://sms*', 'sms'], ['string:content://*', 'uri'], ['string:android_id', 'id'], ['string:caf\u00e9', 'cafe'], ['string:', 'empty']]),
    new Map([['string:*', 'all'], ['string:android_id', 'id']]),
    new Map([['string:c*', 'c'], ['string:a', 'a']]),
  ];
  for (const watch of watches) {
    const { dex, strings } = dexLoadingAll();
    const facts = collectCodeFacts([dex], watch);
    const want = new Map<string, string>();
    for (const s of strings) { const c = reference(watch, s); if (c !== undefined) want.set(s, c); }
    assert.deepEqual(new Map(facts.apis.map((a) => [a.api, a.category])), want, [...watch.keys()].join(' '));
  }
});

test('endpoints are found in non-ASCII strings too (they are decoded, not pre-filtered)', () => {
  const { dex } = dexLoadingAll();
  const facts = collectCodeFacts([dex], new Map());
  assert.deepEqual(facts.endpoints.map((e) => e.value), ['http://h\u00e9.example.com/', 'http://zzhc.vnet.cn:9998/', 'www.example.com']);
});

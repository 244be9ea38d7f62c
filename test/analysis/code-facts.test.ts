// collectCodeFacts against the corpus oracles (shared/corpus/apk/expected/<apk>.json, dex[]):
// per-dex counts = androguard's; every http(s) string of the dex string tables is an endpoint;
// endpoint locations ⊇ dexdump's const-string sites of those URLs (xrefs.url_xrefs); API
// locations ⊇ dexdump's call sites of the sensitive APIs (xrefs.api_xrefs). The same checks as
// shared/tools/check-corpus.mjs, run on our layer alone.
import { test, describe } from 'node:test';
import { callLists } from './call-lists.js';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDex } from '../../src/android/dex/dex-file.js';
import { collectCodeFacts, DEFAULT_STRING_WATCH } from '../../src/analysis/code-facts.js';
import { CORPUS, corpusEntry, hasTool, fixture } from '../android/dex/helpers.js';

interface OracleDex {
  entry: string;
  androguard?: { strings: number; class_defs: number; method_ids: number; error?: string };
  url_strings?: string[];
  xrefs?: { url_xrefs: Record<string, { class: string; method: string }[]>; api_xrefs: Record<string, { class: string; method: string }[]> };
}

const apkDir = join(CORPUS, 'apk');
const apks = readdirSync(apkDir).filter((f) => f.endsWith('.apk')).sort();
/** 'Landroid/os/Build;->getSerial' → 'android.os.Build.getSerial'. */
const apiName = (k: string) => { const m = /^L([^;]*);->(.*)$/.exec(k)!; return `${m[1].replace(/\//g, '.')}.${m[2]}`; };

describe('collectCodeFacts agrees with the corpus oracles', { skip: !hasTool('unzip') && 'unzip not installed' }, () => {
  for (const apk of apks) {
    const oracle = JSON.parse(readFileSync(join(apkDir, 'expected', `${apk}.json`), 'utf8'));
    const dexO: OracleDex[] = (oracle.dex ?? []).filter((d: OracleDex) => d.androguard && !d.androguard.error);
    if (!dexO.length) continue;
    test(apk, () => {
      const dexes = dexO.map((d) => parseDex(corpusEntry(apk, d.entry), d.entry, `${apk}!/${d.entry}`));
      const watch = new Map<string, string>();
      for (const d of dexO) for (const k of Object.keys(d.xrefs?.api_xrefs ?? {})) watch.set(apiName(k), 'oracle');
      const facts = collectCodeFacts(dexes, watch);
      for (const d of dexO) {
        const s = facts.dex.find((x) => x.name === d.entry);
        assert.deepEqual(s && [s.strings, s.classes, s.methods], [d.androguard!.strings, d.androguard!.class_defs, d.androguard!.method_ids], `${d.entry} strings/classes/methods`);
      }
      const values = new Set(facts.endpoints.map((e) => e.value));
      const missing = dexO.flatMap((d) => d.url_strings ?? []).filter((u) => /^https?:\/\//.test(u) && !values.has(u));
      assert.deepEqual(missing, [], 'http(s) strings missing from endpoints');
      const got = (list: { locations: { class: string; method: string }[] } | undefined) =>
        new Set((list?.locations ?? []).map((l) => `${l.class}.${l.method}`.replace(/\$/g, '.')));
      const uncovered: string[] = [];
      for (const d of dexO) {
        for (const [u, locs] of Object.entries(d.xrefs?.url_xrefs ?? {})) {
          const have = got(facts.endpoints.find((e) => e.value === u));
          for (const l of locs) if (!have.has(`${l.class}.${l.method}`.replace(/\$/g, '.'))) uncovered.push(`${u} @ ${l.class}.${l.method}`);
        }
        for (const [k, locs] of Object.entries(d.xrefs?.api_xrefs ?? {})) {
          const have = got(facts.apis.find((a) => a.api === apiName(k)));
          for (const l of locs) if (!have.has(`${l.class}.${l.method}`.replace(/\$/g, '.'))) uncovered.push(`${k} @ ${l.class}.${l.method}`);
        }
      }
      assert.deepEqual(uncovered, [], 'oracle locations not covered');
      assert.equal(facts.stringCount, dexO.reduce((n, d) => n + d.androguard!.strings, 0));
    });
  }
});

test('collectCodeFacts on the all-formats fixture: locations, field reads, string watches, lambdas, calls', () => {
  const dex = parseDex(new Uint8Array(readFileSync(fixture('walker-all-formats.dex'))), 'classes.dex', 'fixture.dex');
  const facts = collectCodeFacts([dex], new Map([
    ['android.telephony.TelephonyManager.getDeviceId', 'imei'],
    ['android.os.Build.SERIAL', 'serial'],
  ]));
  assert.deepEqual(facts.dex, [{ name: 'classes.dex', strings: dex.strings, classes: 1, methods: dex.methods, version: '039' }]);
  assert.deepEqual(facts.classNames, ['fixture.AllFormats']);
  const ep = (v: string) => facts.endpoints.find((e) => e.value === v);
  assert.deepEqual(ep('http://zzhc.vnet.cn:9998/reg'), {
    value: 'http://zzhc.vnet.cn:9998/reg', host: 'zzhc.vnet.cn', scheme: 'http', kind: 'url',
    locations: [{ dex: 'classes.dex', class: 'fixture.AllFormats', method: 'strings' }],
  });
  assert.equal(ep('https://jumbo.example.com/x')?.locations[0].method, 'strings', 'const-string/jumbo is attributed');
  assert.equal(ep('https://lambda.example.org/')?.locations[0].method, 'lambda$0');
  const api = (a: string) => facts.apis.find((x) => x.api === a);
  assert.deepEqual(api('android.os.Build.SERIAL')?.locations.map((l) => l.method), ['strings']);
  assert.equal(api('android.os.Build.SERIAL')?.category, 'serial');
  assert.deepEqual(api('android.telephony.TelephonyManager.getDeviceId')?.locations.map((l) => l.method), ['lambda$0', 'widths']);
  // Default string watches: const-string "content://sms/inbox" and "android_id".
  assert.equal(api('content://sms/inbox')?.category, 'sms');
  assert.equal(api('android_id')?.category, 'android_id');
  assert.ok(DEFAULT_STRING_WATCH.size > 0);
  // App-internal calls, including the lambda bound by invoke-custom.
  const callees = new Map(callLists(facts.calls));
  assert.deepEqual(callees.get('fixture.AllFormats.widths'), ['fixture.AllFormats.strings']);
  assert.deepEqual(callees.get('fixture.AllFormats.custom'), ['fixture.AllFormats.lambda$0']);
});

test('without a call graph the walk reports the same facts and an empty graph', () => {
  const watch = new Map([['android.telephony.TelephonyManager.getDeviceId', 'imei'], ['android.os.Build.SERIAL', 'serial']]);
  const read = () => parseDex(new Uint8Array(readFileSync(fixture('walker-all-formats.dex'))), 'classes.dex', 'fixture.dex');
  const withGraph = read(), withoutGraph = read();
  const full = collectCodeFacts([withGraph], watch);
  const bare = collectCodeFacts([withoutGraph], watch, { callGraph: false });
  assert.ok(full.calls.edges.length > 0);
  assert.equal(bare.calls.edges.length, 0);
  const { calls: _a, ...fullRest } = full, { calls: _b, ...bareRest } = bare;
  assert.deepEqual(bareRest, fullRest);
  assert.deepEqual(withoutGraph.anomalies, withGraph.anomalies);
});

test('string watches in the watch map replace the defaults; nested classes may use $ or .', () => {
  const dex = parseDex(new Uint8Array(readFileSync(fixture('walker-all-formats.dex'))), 'classes.dex', 'fixture.dex');
  const facts = collectCodeFacts([dex], new Map([['string:content://sms*', 'sms'], ['android.telephony$TelephonyManager.getDeviceId', 'imei']]));
  assert.deepEqual(facts.apis.map((a) => a.api), ['android.telephony$TelephonyManager.getDeviceId', 'content://sms/inbox']);
});

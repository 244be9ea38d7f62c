// Hand-built AppReports for rule tests: a blank app plus small builders for call sites.
import type { ApiUse, AppReport, CodeLocation, Endpoint, Report } from '../../src/report/model.js';
import { CallGraph } from '../../src/analysis/call-graph.js';

export function blankApp(over: Partial<AppReport> = {}): AppReport {
  return {
    path: 'test.apk', sha256: '0'.repeat(64), bytes: 1000,
    package: 'com.example.app', versionCode: 1, versionName: '1.0', minSdk: 21, targetSdk: 33,
    label: 'Example', sharedUserId: null, privileged: false, platformSigned: false,
    permissions: { requested: [], declared: [] }, components: [], dex: [{ name: 'classes.dex', strings: 10, classes: 2, methods: 5 }],
    endpoints: [], apis: [], certificates: [], findings: [], errors: [],
    ...over,
  };
}

export function at(cls: string, method: string, dex = 'classes.dex'): CodeLocation {
  return { dex, class: cls, method };
}

export function api(name: string, ...locations: CodeLocation[]): ApiUse {
  return { api: name, locations };
}

export function url(value: string, ...locations: CodeLocation[]): Endpoint {
  const m = /^([a-z]+):\/\/([^/:]+)/.exec(value);
  return { value, host: m ? m[2]! : null, scheme: m ? m[1]! : null, kind: 'url', locations };
}

export function calls(edges: [string, string][]): CallGraph {
  return CallGraph.fromPairs(edges);
}

/** An app that behaves like a carrier self-registration client. */
export function activationApp(over: Partial<AppReport> = {}): AppReport {
  return blankApp({
    path: 'system/app/Reg/Reg.apk', package: 'com.x.reg', sharedUserId: 'android.uid.phone', partition: 'system',
    permissions: { requested: ['android.permission.INTERNET', 'android.permission.RECEIVE_BOOT_COMPLETED', 'android.permission.READ_PRIVILEGED_PHONE_STATE'], declared: [] },
    components: [
      { type: 'receiver', name: 'com.x.reg.BootReceiver', exported: true, actions: ['android.intent.action.BOOT_COMPLETED', 'android.intent.action.SIM_STATE_CHANGED'] },
      { type: 'service', name: 'com.x.reg.RegService', exported: false, actions: [] },
    ],
    apis: [
      api('android.telephony.TelephonyManager.getImei', at('com.x.reg.Collector', 'collect')),
      api('android.telephony.TelephonyManager.getSubscriberId', at('com.x.reg.Collector', 'collect')),
      api('android.telephony.TelephonyManager.getSimSerialNumber', at('com.x.reg.Collector', 'iccid')),
      api('org.apache.http.client.HttpClient.execute', at('com.x.reg.Net', 'post')),
    ],
    endpoints: [url('http://zzhc.vnet.cn:9998/', at('com.x.reg.Net', 'post'))],
    ...over,
  });
}

export const ACTIVATION_CALLS: [string, string][] = [
  ['com.x.reg.BootReceiver.onReceive', 'com.x.reg.Task.run'],
  ['com.x.reg.Task.run', 'com.x.reg.Collector.collect'],
  ['com.x.reg.Task.run', 'com.x.reg.Net.post'],
  ['com.x.reg.Collector.collect', 'com.x.reg.Collector.iccid'],
];

/** A benign reader app: fetches https content when the user opens it. */
export function benignApp(over: Partial<AppReport> = {}): AppReport {
  return blankApp({
    package: 'com.example.reader',
    permissions: { requested: ['android.permission.INTERNET'], declared: [] },
    components: [{ type: 'activity', name: 'com.example.reader.Main', exported: true, actions: ['android.intent.action.MAIN'] }],
    apis: [api('java.net.URL.openConnection', at('com.example.reader.Feed', 'load'))],
    endpoints: [url('https://news.example.net/feed.json', at('com.example.reader.Feed', 'load'))],
    ...over,
  });
}

export function blankReport(over: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1, tool: { name: 'romscan', version: '0.0.0-test' },
    input: { name: 'rom.zip', kind: 'firmware', sha256: 'a'.repeat(64) },
    firmware: { containers: [], buildProps: {} }, apps: [], findings: [], errors: [],
    ...over,
  };
}

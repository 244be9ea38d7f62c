import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateApp, findCodeEvidence, type AppContext } from '../../src/rules/evaluate-app.js';
import { CallGraph } from '../../src/analysis/call-graph.js';
import { findLink, outerClass } from '../../src/rules/link.js';
import { mayLinkDataToNetwork } from '../../src/rules/app-traits.js';
import { atOrAbove, maxSeverity } from '../../src/rules/severity.js';
import { loadSignatures } from '../../src/rules/signatures.js';
import type { Finding } from '../../src/report/model.js';
import { ACTIVATION_CALLS, activationApp, api, at, benignApp, blankApp, calls, url } from './helpers.js';

const sigs = loadSignatures();
const ctx = (over: Partial<AppContext> = {}): AppContext => ({ classNames: [], calls: calls(ACTIVATION_CALLS), inFirmware: true, ...over });
const rule = (fs: Finding[], id: string): Finding | undefined => fs.find((f) => f.rule === id);

describe('phone-home rule', () => {
  test('an activation client pre-installed with a system uid is critical, with class/method evidence', () => {
    const fs = evaluateApp(activationApp(), ctx(), sigs);
    const f = rule(fs, 'phone-home')!;
    assert.equal(f.severity, 'critical');
    assert.match(f.title, /sends iccid, imei, imsi to a hardcoded endpoint, starts on BOOT_COMPLETED\/SIM_STATE_CHANGED/);
    assert.ok(f.evidence.includes('reads imei at com.x.reg.Collector.collect (classes.dex) via android.telephony.TelephonyManager.getImei'));
    assert.ok(f.evidence.includes('sends to http://zzhc.vnet.cn:9998/ from com.x.reg.Net.post'));
    assert.ok(f.evidence.includes('wakes on android.intent.action.BOOT_COMPLETED via receiver com.x.reg.BootReceiver'));
    assert.ok(f.evidence.includes('linked: com.x.reg.Task.run → com.x.reg.Collector.collect; com.x.reg.Task.run → com.x.reg.Net.post'));
    assert.ok(f.evidence.includes('entry: com.x.reg.BootReceiver.onReceive → com.x.reg.Task.run'));
    assert.ok(f.evidence.some((e) => e.startsWith('severity raised by: cleartext transport, known host zzhc.vnet.cn, system uid')));
    assert.ok(f.references!.includes('https://github.com/nrfconnect/sdk-nrf/blob/main/doc/nrf/libraries/modem/zzhc.rst'));
  });

  test('pre-installed privileged with https to an unknown host is high (fewer aggravating factors)', () => {
    const app = activationApp({ sharedUserId: null, privileged: true, endpoints: [url('https://reg.vendor.example.net/api', at('com.x.reg.Net', 'post'))] });
    assert.equal(rule(evaluateApp(app, ctx(), sigs), 'phone-home')!.severity, 'high');
  });

  test('the same app scanned on its own: high only because its system uid means platform code', () => {
    assert.equal(rule(evaluateApp(activationApp(), ctx({ inFirmware: false }), sigs), 'phone-home')!.severity, 'high');
    const plain = activationApp({ sharedUserId: null });
    const f = rule(evaluateApp(plain, ctx({ inFirmware: false }), sigs), 'phone-home')!;
    assert.equal(f.severity, 'medium');
  });

  test('without a boot/SIM/network trigger it stays medium even pre-installed', () => {
    const app = activationApp({ components: [] });
    assert.equal(rule(evaluateApp(app, ctx(), sigs), 'phone-home')!.severity, 'medium');
  });

  test('reads and network code with no connection: medium, and the evidence says so', () => {
    const f = rule(evaluateApp(activationApp(), ctx({ calls: calls([]) }), sigs), 'phone-home')!;
    assert.equal(f.severity, 'medium');
    assert.ok(f.evidence.includes('no code path found between the data reads and the network code'));
  });

  test('reads and network in the same class link without a call graph', () => {
    const app = activationApp({
      apis: [api('android.telephony.TelephonyManager.getDeviceId', at('com.x.reg.Reg$1', 'run')), api('java.net.URL.openConnection', at('com.x.reg.Reg', 'send'))],
      endpoints: [url('http://203.0.113.7/reg', at('com.x.reg.Reg', 'send'))],
    });
    const f = rule(evaluateApp(app, ctx({ calls: calls([]) }), sigs), 'phone-home')!;
    assert.equal(f.severity, 'high');
    assert.ok(f.evidence.some((e) => e.includes('are in the same class com.x.reg.Reg')));
  });

  test('a content:// URI of the app\'s own provider bridges the IPC hop', () => {
    const app = activationApp({
      components: [
        { type: 'receiver', name: 'com.x.reg.Boot', exported: true, actions: ['android.intent.action.BOOT_COMPLETED'] },
        { type: 'provider', name: 'com.x.info.InfoProvider', exported: false, actions: [], authorities: 'com.x.info' },
      ],
      apis: [api('android.telephony.TelephonyManager.getImei', at('com.x.info.Pool', 'imei')), api('java.net.URL.openConnection', at('com.x.reg.Net', 'post'))],
      endpoints: [url('http://reg.example.cn/r', at('com.x.reg.Net', 'post')), { value: 'content://com.x.info/imei', host: 'com.x.info', scheme: 'content', locations: [at('com.x.reg.Query', 'get')] }],
    });
    const c = calls([['com.x.info.InfoProvider.call', 'com.x.info.Pool.imei'], ['com.x.reg.Job.run', 'com.x.reg.Query.get'], ['com.x.reg.Job.run', 'com.x.reg.Net.post']]);
    const f = rule(evaluateApp(app, ctx({ calls: c }), sigs), 'phone-home')!;
    assert.ok(f.evidence.includes('linked: com.x.reg.Job.run → com.x.reg.Query.get → com.x.info.InfoProvider.call → com.x.info.Pool.imei; com.x.reg.Job.run → com.x.reg.Net.post'), f.evidence.join('\n'));
  });

  test('SMS to a hardcoded number is a transport too', () => {
    const app = activationApp({
      permissions: { requested: ['android.permission.SEND_SMS', 'android.permission.READ_PHONE_STATE'], declared: [] },
      sharedUserId: null, privileged: true,
      apis: [api('android.telephony.TelephonyManager.getImei', at('com.x.reg.Sms', 'send')), api('android.telephony.SmsManager.sendTextMessage', at('com.x.reg.Sms', 'send'))],
      endpoints: [{ value: '10659000', host: null, scheme: null, kind: 'sms', locations: [at('com.x.reg.Sms', 'send')] }],
    });
    const f = rule(evaluateApp(app, ctx({ calls: calls([]) }), sigs), 'phone-home')!;
    assert.equal(f.severity, 'high');
    assert.ok(f.evidence.some((e) => e.startsWith('sends SMS at com.x.reg.Sms.send')));
  });

  test('a benign app fetching https content when opened gets nothing above low', () => {
    for (const inFirmware of [false, true]) {
      const fs = evaluateApp(benignApp({ privileged: inFirmware }), ctx({ calls: calls([]), inFirmware }), sigs);
      assert.ok(!fs.some((f) => atOrAbove(f.severity, 'medium')), JSON.stringify(fs));
      assert.equal(rule(fs, 'phone-home'), undefined);
    }
  });

  test('a benign app that reads location and fetches https when opened stays low', () => {
    const app = benignApp({ apis: [api('android.location.LocationManager.getLastKnownLocation', at('com.example.reader.Feed', 'load')), api('java.net.URL.openConnection', at('com.example.reader.Feed', 'load'))] });
    const fs = evaluateApp(app, ctx({ calls: calls([]), inFirmware: false }), sigs);
    assert.equal(maxSeverity(fs), 'low');
    assert.equal(rule(fs, 'phone-home')!.severity, 'low');
  });

  test('XML namespace and licence URLs are not endpoints', () => {
    const app = activationApp({ endpoints: [url('http://schemas.android.com/apk/res/android', at('com.x.reg.Net', 'post')), url('http://www.apache.org/licenses/LICENSE-2.0', at('com.x.reg.Net', 'post'))] });
    assert.equal(rule(evaluateApp(app, ctx(), sigs), 'phone-home'), undefined);
  });

  test('reading identifiers without any endpoint is only informational', () => {
    const app = activationApp({ endpoints: [], apis: [api('android.telephony.TelephonyManager.getImei', at('com.x.Info', 'show'))] });
    const fs = evaluateApp(app, ctx({ inFirmware: false }), sigs);
    assert.equal(rule(fs, 'phone-home'), undefined);
    assert.deepEqual(rule(fs, 'reads-personal-data')!.severity, 'info');
  });
});

describe('what the rules need from the code, found at analysis time (findCodeEvidence), as a ROM scan does it', () => {
  // The scan finds it where each app is analysed and drops the graph and class list; the rules
  // then read it where they would have searched. The ROM-level facts (placement, privilege) come later.
  const classNames = ['com.umeng.analytics.MobclickAgent', 'com.facebook.FacebookSdk$1', 'com.x.reg.Task', 'com.facebook.ads.B'];
  const apps = {
    'linked, with a boot receiver': activationApp(),
    'linked, no receiver': activationApp({ components: [] }),
    'privileged, https': activationApp({ sharedUserId: null, privileged: true, endpoints: [url('https://reg.vendor.example.net/api', at('com.x.reg.Net', 'post'))] }),
    'endpoint outside the linked code': activationApp({ endpoints: [url('http://203.0.113.9/x', at('com.y.Other', 'm'))] }),
    'cannot link data to the network': benignApp(),
  };
  for (const [name, app] of Object.entries(apps)) {
    for (const inFirmware of [true, false]) {
      test(`${name}, ${inFirmware ? 'pre-installed' : 'on its own'}: the same findings as a search at rule time`, () => {
        const graph = calls(ACTIVATION_CALLS);
        const code = findCodeEvidence(app, graph, classNames, sigs);
        const ahead = evaluateApp(app, ctx({ inFirmware, calls: CallGraph.EMPTY, classNames: [], code }), sigs);
        assert.deepEqual(ahead, evaluateApp(app, ctx({ inFirmware, calls: graph, classNames }), sigs));
        assert.equal(code.links === null, !mayLinkDataToNetwork(app) || !rule(ahead, 'phone-home'));
        assert.deepEqual(ahead.filter((f) => f.rule === 'tracker-sdk').map((f) => f.evidence.length), [2, 1], 'Facebook by two classes, Umeng by one');
      });
    }
  }

  test('a link found ahead reaches the evidence with its entry path, without the graph', () => {
    const code = findCodeEvidence(activationApp(), calls(ACTIVATION_CALLS), [], sigs);
    assert.deepEqual(code.links!.entry, ['com.x.reg.BootReceiver.onReceive', 'com.x.reg.Task.run']);
    const f = rule(evaluateApp(activationApp(), ctx({ calls: CallGraph.EMPTY, code }), sigs), 'phone-home')!;
    assert.ok(f.evidence.includes('entry: com.x.reg.BootReceiver.onReceive → com.x.reg.Task.run'));
  });
});

describe('mayLinkDataToNetwork: the precondition of phone-home the analysis reads', () => {
  const perms = (requested: string[]) => ({ requested, declared: [] });
  const net = { api: 'java.net.URL.openConnection', category: 'network', locations: [] };
  const imei = { api: 'android.telephony.TelephonyManager.getImei', category: 'imei', locations: [] };
  const ordinary = { sharedUserId: null };

  test('needs a way to send, an endpoint and an API use that is not network I/O', () => {
    assert.equal(mayLinkDataToNetwork(activationApp()), true);
    assert.equal(mayLinkDataToNetwork(activationApp({ ...ordinary, permissions: perms([]) })), false);
    assert.equal(mayLinkDataToNetwork(activationApp({ ...ordinary, permissions: perms(['android.permission.SEND_SMS']) })), true);
    assert.equal(mayLinkDataToNetwork(activationApp({ permissions: perms([]) })), true, 'a system uid may send without asking');
    assert.equal(mayLinkDataToNetwork(activationApp({ endpoints: [] })), false);
    assert.equal(mayLinkDataToNetwork(activationApp({ apis: [net] })), false);
    assert.equal(mayLinkDataToNetwork(activationApp({ apis: [net, imei] })), true);
  });

  test('an app that reads identifiers and holds an endpoint but cannot send gets no phone-home finding', () => {
    const app = activationApp({ ...ordinary, permissions: perms(['android.permission.READ_PRIVILEGED_PHONE_STATE']) });
    assert.equal(mayLinkDataToNetwork(app), false);
    assert.equal(rule(evaluateApp(app, ctx(), sigs), 'phone-home'), undefined);
  });
});

describe('other app rules', () => {
  test('known component by package: severity from the signature when pre-installed, one lower loose', () => {
    const app = blankApp({ package: 'com.adups.fota' });
    assert.equal(rule(evaluateApp(app, ctx({ calls: calls([]) }), sigs), 'known-component')!.severity, 'high');
    assert.equal(rule(evaluateApp(app, ctx({ calls: calls([]), inFirmware: false }), sigs), 'known-component')!.severity, 'medium');
  });

  test('known host on a subdomain', () => {
    const app = blankApp({ endpoints: [url('http://fota5.adups.com/otainter/', at('com.a.B', 'c'))] });
    const f = rule(evaluateApp(app, ctx({ calls: calls([]) }), sigs), 'known-host')!;
    assert.equal(f.severity, 'high');
    assert.deepEqual(f.evidence.slice(0, 2), ['adups.com: Adups FOTA', 'http://fota5.adups.com/otainter/ at com.a.B.c (classes.dex)']);
  });

  test('tracker SDKs by class prefix and host', () => {
    const fs = evaluateApp(blankApp({ endpoints: [url('https://app-measurement.com/a', at('x.Y', 'z'))] }),
      ctx({ calls: calls([]), classNames: ['com.umeng.analytics.MobclickAgent', 'com.example.Main', 'com.google.firebase.analytics.FirebaseAnalytics'] }), sigs);
    const titles = fs.filter((f) => f.rule === 'tracker-sdk').map((f) => f.title).sort();
    assert.deepEqual(titles, ['Tracker SDK: Google Firebase Analytics (analytics)', 'Tracker SDK: Umeng Analytics (analytics)']);
    assert.ok(fs.every((f) => f.severity === 'info'));
  });

  test('a tracker prefix without a trailing dot names a class and its inner classes, not a longer name', () => {
    const facebook = (classNames: string[]) => rule(evaluateApp(blankApp(), ctx({ calls: calls([]), classNames }), sigs), 'tracker-sdk')?.evidence;
    assert.deepEqual(facebook(['a.A', 'com.facebook.FacebookSdk$1', 'com.facebook.FacebookSdk$2', 'z.Z']),
      ['class com.facebook.FacebookSdk$1 matches com.facebook.FacebookSdk']);
    assert.deepEqual(facebook(['com.facebook.FacebookSdk', 'com.facebook.FacebookSdk$1']), ['class com.facebook.FacebookSdk matches com.facebook.FacebookSdk']);
    assert.equal(facebook(['com.facebook.FacebookSdkX', 'com.facebook.FacebookSdk2']), undefined);
    assert.deepEqual(facebook(['com.facebook.ads.internal.A', 'com.facebook.ads.B']), ['class com.facebook.ads.B matches com.facebook.ads.*']);
  });

  test('AOSP test key: medium for a pre-installed privileged app (the ROM-level rule carries the high), low loose', () => {
    const cert = { sha256: 'c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8', subject: 'CN=Android' };
    const app = blankApp({ certificates: [cert], privileged: true });
    assert.equal(rule(evaluateApp(app, ctx({ calls: calls([]) }), sigs), 'test-key-signed')!.severity, 'medium');
    assert.equal(rule(evaluateApp(blankApp({ certificates: [cert] }), ctx({ calls: calls([]), inFirmware: false }), sigs), 'test-key-signed')!.severity, 'low');
  });

  test('debuggable / testOnly system apps', () => {
    const flags = { debuggable: true, allowBackup: null, usesCleartextTraffic: null, networkSecurityConfig: null, persistent: false, testOnly: true };
    const fs = evaluateApp(blankApp({ flags, privileged: true }), ctx({ calls: calls([]) }), sigs);
    assert.equal(rule(fs, 'debuggable')!.severity, 'high');
    assert.equal(rule(fs, 'test-only')!.severity, 'medium');
    const loose = evaluateApp(blankApp({ flags }), ctx({ calls: calls([]), inFirmware: false }), sigs);
    assert.equal(rule(loose, 'debuggable')!.severity, 'info');
  });

  test('exported components without permission only matter for privileged apps', () => {
    const components = [
      { type: 'service' as const, name: 'com.a.Open', exported: true, actions: ['com.a.DO'] },
      { type: 'service' as const, name: 'com.a.Guarded', exported: true, actions: [], permission: 'com.a.PERM' },
      { type: 'activity' as const, name: 'com.a.Main', exported: true, actions: ['android.intent.action.MAIN'] },
    ];
    const f = rule(evaluateApp(blankApp({ components, privileged: true }), ctx({ calls: calls([]) }), sigs), 'exported-unprotected')!;
    assert.equal(f.severity, 'medium');
    assert.equal(f.evidence[0], 'service com.a.Open exported without permission (actions: com.a.DO)');
    assert.equal(f.evidence.length, 2);
    assert.equal(rule(evaluateApp(blankApp({ components }), ctx({ calls: calls([]), inFirmware: false }), sigs), 'exported-unprotected'), undefined);
  });

  test('cleartext allowed by an old targetSdk', () => {
    const app = blankApp({ targetSdk: 27, endpoints: [url('http://api.example.net/x', at('a.B', 'c'))] });
    const f = rule(evaluateApp(app, ctx({ calls: calls([]), inFirmware: false }), sigs), 'cleartext-traffic')!;
    assert.equal(f.severity, 'low');
    assert.ok(f.evidence.includes('cleartext allowed by default (targetSdk 27 < 28)'));
  });

  test('default-granted dangerous permissions', () => {
    const app = blankApp({
      privileged: true, permissions: { requested: ['android.permission.INTERNET', 'android.permission.READ_SMS'], declared: [] },
      endpoints: [url('https://x.example.net/', at('a.B', 'c'))], grants: { privapp: [], defaultGranted: ['android.permission.READ_SMS'] },
    });
    const f = rule(evaluateApp(app, ctx({ calls: calls([]) }), sigs), 'default-granted-permissions')!;
    assert.equal(f.severity, 'medium');
    assert.equal(f.evidence[0], 'android.permission.READ_SMS (sms) granted by default-permissions');
  });
});

describe('link search', () => {
  const site = (key: string, what: string) => {
    const i = key.lastIndexOf('.');
    return { key, cls: key.slice(0, i), method: key.slice(i + 1), dex: 'classes.dex', what };
  };
  test('prefers the shortest common caller', () => {
    const l = findLink([site('a.R.read', 'imei')], [site('a.N.send', 'network')], calls([['a.X.go', 'a.R.read'], ['a.X.go', 'a.N.send'], ['a.Y.far', 'a.X.go']]))!;
    assert.equal(l.kind, 'call-path');
    assert.deepEqual([l.toRead, l.toNet], [['a.X.go', 'a.R.read'], ['a.X.go', 'a.N.send']]);
  });
  test('the read site calling the sender directly is one chain', () => {
    const l = findLink([site('a.R.read', 'imei')], [site('a.N.send', 'network')], calls([['a.R.read', 'a.N.send']]))!;
    assert.deepEqual([l.toRead, l.toNet], [['a.R.read'], ['a.R.read', 'a.N.send']]);
  });
  test('unrelated code does not link', () => {
    assert.equal(findLink([site('a.R.read', 'imei')], [site('b.N.send', 'network')], calls([['a.R.read', 'a.R.other'], ['b.M.x', 'b.N.send']])), null);
  });
  test('class-level fallback through inner classes', () => {
    const l = findLink([site('a.R.read', 'imei')], [site('a.N.send', 'network')], calls([['a.C$1.run', 'a.R.read'], ['a.C.start', 'a.N$2.<init>']]))!;
    assert.equal(l.kind, 'class-path');
    assert.deepEqual([l.toRead, l.toNet], [['a.C', 'a.R'], ['a.C', 'a.N']]);
  });
  test('outerClass folds nested classes', () => {
    assert.equal(outerClass('com.a.B$1$Inner'), 'com.a.B');
    assert.equal(outerClass('com.a.B'), 'com.a.B');
  });
  test('stays bounded on a large call graph', () => {
    const edges: [string, string][] = [];
    for (let i = 0; i < 100_000; i++) edges.push([`p.C${i % 5000}.m${i}`, `p.C${(i * 7) % 5000}.m${(i * 13) % 100_000}`]);
    const t0 = Date.now();
    findLink([site('p.C1.m1', 'imei')], [site('q.Z.none', 'network')], calls(edges));
    assert.ok(Date.now() - t0 < 15_000);
  });
});

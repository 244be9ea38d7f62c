import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classifyEndpoint, mayBeEndpoint, NETWORK_SCHEMES } from '../../src/analysis/endpoints.js';
import { parseDex } from '../../src/android/dex/dex-file.js';
import { CORPUS, corpusEntry, hasTool } from '../android/dex/helpers.js';

const kindOf = (s: string) => classifyEndpoint(s)?.kind ?? null;

test('every string starting with http:// or https:// is a url endpoint, kept exactly', () => {
  for (const s of ['http://zzhc.vnet.cn:9998/', 'https://a.b/c?d#e', 'http://', 'http://%s/api', 'HTTPS://EXAMPLE.COM/X', 'http://x y z', 'https://[2001:db8::1]:8443/p']) {
    const r = classifyEndpoint(s);
    assert.ok(r, s);
    assert.equal(r.value, s);
    assert.equal(r.kind, 'url');
  }
  assert.deepEqual(classifyEndpoint('http://user:pw@Zzhc.Vnet.CN:9998/reg'), { value: 'http://user:pw@Zzhc.Vnet.CN:9998/reg', host: 'zzhc.vnet.cn', scheme: 'http', kind: 'url' });
  assert.equal(classifyEndpoint('https://[2001:db8::1]:8443/p')?.host, '2001:db8::1');
  assert.equal(classifyEndpoint('http://')?.host, null);
  assert.equal(classifyEndpoint('HTTPS://EXAMPLE.COM/X')?.scheme, 'https');
  // Strings that only contain a URL are not endpoints: the value must be the string as it stands.
  assert.equal(classifyEndpoint('Link: http://www.android.com'), null);
  assert.equal(classifyEndpoint('<a href="http://www.google.com">'), null);
});

test('other network schemes need an authority with a plausible host', () => {
  assert.deepEqual(classifyEndpoint('wss://push.example.com:443/ws'), { value: 'wss://push.example.com:443/ws', host: 'push.example.com', scheme: 'wss', kind: 'url' });
  assert.equal(kindOf('ftp://10.0.0.1/pub'), 'url');
  assert.equal(kindOf('mqtt://broker.hivemq.com:1883'), 'url');
  assert.equal(kindOf('tcp://localhost:5555'), 'url');
  assert.equal(kindOf('rtsp://cam.example.io/live'), 'url');
  assert.equal(kindOf('ws://%s:%d'), null, 'template host');
  for (const s of ['content://sms/inbox', 'content://call_log/calls', 'file:///sdcard/x', 'android.resource://com.x/raw/y', 'jar:file:/x!/y', 'myapp://open/page', 'intent://scan/#Intent;end']) {
    assert.equal(classifyEndpoint(s), null, s);
  }
});

test('bare hosts: lowercase, known TLD, not a package or class name', () => {
  assert.deepEqual(classifyEndpoint('zzhc.vnet.cn'), { value: 'zzhc.vnet.cn', host: 'zzhc.vnet.cn', scheme: null, kind: 'host' });
  assert.equal(classifyEndpoint('log.umeng.com:80/upload')?.host, 'log.umeng.com');
  for (const s of ['www.google-analytics.com', 'api.example.org', 'google.com', 'cn.bing.com', 'www.example.io', 'foo.co.uk', 'bar.com.tw']) {
    assert.equal(kindOf(s), 'host', s);
  }
  // The oracle's HOST_RE accepts these; they are Java identifiers, package names or property keys.
  for (const s of ['Dispatchers.IO', 'android.intent.extra.CC', 'android.intent.extra.shortcut.ID', 'com.google.android.tv',
    'com.google.android.wearable.app', 'com.google.app.id', 'java.vm.info', 'com.foo.Bar', 'ro.build.id', 'device.info',
    'margin.top', 'main.cc', 'script.pl', 'androidx.work', 'io.reactivex.network', 'a.b', 'foo.bar', 'x.html', 'config.json']) {
    assert.equal(classifyEndpoint(s), null, s);
  }
});

test('IPv4 literals: valid octets, not versions, netmasks or 0.x', () => {
  assert.deepEqual(classifyEndpoint('10.0.0.172'), { value: '10.0.0.172', host: '10.0.0.172', scheme: null, kind: 'ip' });
  assert.equal(kindOf('203.0.113.5:8080'), 'ip');
  assert.equal(kindOf('115.239.210.27/api'), 'ip');
  assert.equal(kindOf('8.8.8.8'), 'ip');
  assert.equal(kindOf('127.0.0.1'), 'ip');
  for (const s of ['1.2.3.4', '4.0.2.1', 'v1.2.3.4', '256.1.1.1', '01.2.3.40', '0.0.0.0', '255.255.255.0', '1.2.3', '1.2.3.4.5', '10.0.0.1:99999']) {
    assert.equal(classifyEndpoint(s), null, s);
  }
});

test('no oracle url string is lost and no oracle host false positive is kept (whole corpus)', () => {
  const dir = join(CORPUS, 'apk', 'expected');
  for (const f of readdirSync(dir)) {
    const o = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const d of o.dex ?? []) {
      for (const u of d.url_strings ?? []) if (/^https?:\/\//.test(u)) assert.equal(kindOf(u), 'url', `${f}: ${u}`);
      for (const h of d.host_strings ?? []) {
        // Of the oracle HOST_RE matches only the "www." one is a host; the rest are identifiers and package names.
        const expected = /^www\./.test(h) ? 'host' : null;
        assert.equal(kindOf(h), expected, `${f}: ${h}`);
      }
    }
  }
});

describe('mayBeEndpoint (the byte-level pre-filter code facts run before decoding a dex string)', () => {
  const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const check = (s: string) => {
    if (!/^[\x00-\x7f]*$/.test(s) || classifyEndpoint(s) === null) return;
    const b = bytesOf(`..${s}`); // at an offset, as in a dex
    assert.ok(mayBeEndpoint(b, 2, s.length), `mayBeEndpoint rejects ${JSON.stringify(s)}, an endpoint`);
  };

  test('every network scheme is letters and digits (what the filter assumes of rule 2)', () => {
    for (const s of NETWORK_SCHEMES) assert.match(s, /^[a-z0-9]{1,16}$/);
  });

  test('never rejects an endpoint: hand-made cases', () => {
    const cases = ['http://', 'HTTP://X', 'https://[::1]/', 'hTtPs://a b', 'ftp://1.2.3.4', 'FTP://Example.COM/x', 'wss://a.io', 'h2://x.com',
      'zzhc.vnet.cn', 'log.umeng.com:80/x', 'www.example.io', 'a-b.c.co.uk?q=1', 'x.com#frag', '8.8.8.8', '10.0.0.1:8080/p',
      '192.168.1.1/', 'foo.com:99999', 'a.b', 'abc', '1.2.3.4', 'localhost', 'Foo.com', 'com.google.x', 'x.y/z w', 'mqtt://h:1'];
    for (const s of cases) check(s);
    // and a few it must let through to classifyEndpoint even though they are no endpoint
    assert.equal(mayBeEndpoint(bytesOf('ro.build.id'), 0, 11), true);
    assert.equal(mayBeEndpoint(bytesOf('Lcom/a/B;'), 0, 9), false);
    assert.equal(mayBeEndpoint(bytesOf('getDeviceId'), 0, 11), false);
  });

  test('never rejects an endpoint: every string of a corpus dex, and variants of each', { skip: !hasTool('unzip') && 'unzip not installed' }, () => {
    const dex = parseDex(corpusEntry('apidemos-debug.apk', 'classes.dex'), 'classes.dex', 'x');
    let endpoints = 0;
    for (let i = 0; i < dex.strings; i++) {
      const s = dex.string(i);
      if (classifyEndpoint(s)) endpoints++;
      for (const v of [s, s.toLowerCase(), s.toUpperCase(), `http://${s}`, `${s}.com`, `www.${s}.net:8080/x`]) check(v);
    }
    assert.ok(endpoints > 0);
  });
});

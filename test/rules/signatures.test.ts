import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/io/errors/index.js';
import { apiWatchList, defaultSignaturesDir, loadSignatures, validateSignatures } from '../../src/rules/signatures.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'rules');

function withCopy(edit: (dir: string) => void): { ok: boolean; problems: string[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-sigs-'));
  for (const f of readdirSync(defaultSignaturesDir()).filter((n) => n.endsWith('.json'))) cpSync(join(defaultSignaturesDir(), f), join(dir, f));
  edit(dir);
  const r = validateSignatures(dir);
  return { ...r, dir };
}

function editJson(dir: string, file: string, fn: (j: any) => void): void {
  const p = join(dir, file);
  const j = JSON.parse(readFileSync(p, 'utf8'));
  fn(j);
  writeFileSync(p, JSON.stringify(j));
}

describe('shipped signatures', () => {
  test('validate against their schemas', () => {
    const r = validateSignatures();
    assert.deepEqual(r.problems, []);
    assert.equal(r.ok, true);
  });

  test('every rule entry carries a public reference', () => {
    const s = loadSignatures();
    const refs = [
      ...s.apis.map((a) => a.reference), ...s.permissions.map((p) => p.reference), ...s.hosts.flatMap((h) => h.references),
      ...s.packages.flatMap((p) => p.references), ...s.trackers.flatMap((t) => t.references), ...s.certificates.map((c) => c.reference),
      ...s.triggers.map((t) => t.reference),
    ];
    assert.ok(refs.length > 150);
    for (const r of refs) assert.match(r, /^https?:\/\/[^\s]+$/);
  });

  test('apiWatchList covers the APIs the corpus oracle checks and the identifier/network families', () => {
    const w = apiWatchList(loadSignatures());
    const expect: Record<string, string> = {
      'android.content.ContentResolver.query': 'content_query',
      'android.provider.Settings$Secure.getString': 'android_id',
      'android.location.LocationManager.getLastKnownLocation': 'location',
      'android.location.LocationManager.requestLocationUpdates': 'location',
      'android.telephony.SmsManager.sendTextMessage': 'sms_send',
      'android.telephony.TelephonyManager.getDeviceId': 'imei',
      'android.telephony.TelephonyManager.getImei': 'imei',
      'android.content.pm.PackageManager.getInstalledApplications': 'installed_apps',
      'java.net.NetworkInterface.getHardwareAddress': 'mac',
      'android.telephony.TelephonyManager.getMeid': 'meid',
      'android.telephony.TelephonyManager.getSubscriberId': 'imsi',
      'android.telephony.TelephonyManager.getSimSerialNumber': 'iccid',
      'android.telephony.TelephonyManager.getLine1Number': 'phone_number',
      'android.os.Build.getSerial': 'serial',
      'android.os.Build.SERIAL': 'serial',
      'android.net.wifi.WifiInfo.getMacAddress': 'mac',
      'android.telephony.SmsManager.sendMultipartTextMessage': 'sms_send',
      'android.content.pm.PackageManager.getInstalledPackages': 'installed_apps',
      'java.lang.Runtime.exec': 'exec',
      'java.net.URL.openConnection': 'network',
      'java.net.HttpURLConnection.connect': 'network',
      'okhttp3.OkHttpClient.newCall': 'network',
      'org.apache.http.client.HttpClient.execute': 'network',
      'java.net.Socket.<init>': 'network',
      'java.net.DatagramSocket.send': 'network',
    };
    for (const [api, cat] of Object.entries(expect)) assert.equal(w.get(api), cat, api);
  });

  test('AOSP test certificate fingerprints match the published PEMs', () => {
    const certs = loadSignatures().certificates;
    const dir = join(fixtures, 'aosp-keys');
    const pems = readdirSync(dir).filter((f) => f.endsWith('.x509.pem'));
    assert.equal(pems.length, 8);
    for (const f of pems) {
      const der = new X509Certificate(readFileSync(join(dir, f))).raw;
      const sha = createHash('sha256').update(der).digest('hex');
      const sig = certs.find((c) => c.sha256 === sha);
      assert.ok(sig, `${f} (${sha}) missing from certificates.json`);
      assert.equal(`${sig.key}.x509.pem`, f);
    }
  });
});

describe('broken signature files', () => {
  test('a schema violation names the file and the JSON pointer', (t) => {
    const r = withCopy((dir) => editJson(dir, 'hosts.json', (j) => { j.hosts[1].severity = 'severe'; j.hosts[2].extra = 1; delete j.hosts[3].references; }));
    t.after(() => rmSync(r.dir, { recursive: true, force: true }));
    assert.equal(r.ok, false);
    assert.ok(r.problems.some((p) => p.startsWith('hosts.json/hosts/1/severity: must be equal to one of the allowed values (info, low, medium, high, critical)')), r.problems.join('\n'));
    assert.ok(r.problems.some((p) => p.startsWith('hosts.json/hosts/2: must NOT have additional properties (extra)')), r.problems.join('\n'));
    assert.ok(r.problems.some((p) => p.startsWith("hosts.json/hosts/3: must have required property 'references'")), r.problems.join('\n'));
  });

  test('loadSignatures throws a UsageError listing the problems', (t) => {
    const r = withCopy((dir) => editJson(dir, 'certificates.json', (j) => { j.certificates[0].sha256 = 'XYZ'; }));
    t.after(() => rmSync(r.dir, { recursive: true, force: true }));
    assert.throws(() => loadSignatures(r.dir), (e: unknown) => e instanceof UsageError && /certificates\.json\/certificates\/0\/sha256: must match pattern/.test(e.message));
  });

  test('bad JSON, unknown kind, duplicates, unknown category and a missing kind are each reported', (t) => {
    const r = withCopy((dir) => {
      writeFileSync(join(dir, 'zz-broken.json'), '{"kind": "hosts", ');
      writeFileSync(join(dir, 'zz-other.json'), '{"kind": "weather", "version": 1}');
      editJson(dir, 'packages.json', (j) => { j.packages.push({ ...j.packages[0] }); });
      editJson(dir, 'apis.json', (j) => { j.apis[0].category = 'horoscope'; });
      rmSync(join(dir, 'triggers.json'));
    });
    t.after(() => rmSync(r.dir, { recursive: true, force: true }));
    const all = r.problems.join('\n');
    assert.match(all, /zz-broken\.json: not JSON/);
    assert.match(all, /zz-other\.json\/kind: must be one of apis, /);
    assert.match(all, /packages\.json\/packages\/\d+: duplicate of packages\.json\/packages\/0/);
    assert.match(all, /apis\.json\/apis\/0\/category: unknown category "horoscope"/);
    assert.match(all, /no file of kind "triggers"/);
  });

  test('an unreadable directory is a problem, not a crash', () => {
    const r = validateSignatures(join(tmpdir(), 'romscan-no-such-dir-xyz'));
    assert.equal(r.ok, false);
    assert.match(r.problems[0]!, /cannot read signature directory \(ENOENT\)/);
  });
});

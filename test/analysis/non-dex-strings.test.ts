// Endpoints outside dex code: text and binary files (classifyTextEndpoints), an APK's resources,
// res/ XML, assets and native libraries (apkNonDexEndpoints), and SMS destinations. Oracles:
// strings(1) for printable runs, aapt2's dump of the resource string pool and aapt's XML tree
// for the URLs an APK's resources hold.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { classifyTextEndpoints, apkNonDexEndpoints, MAX_NATIVE_LIB_BYTES } from '../../src/analysis/non-dex-strings.js';
import { printableRuns, isProbablyText } from '../../src/analysis/printable-strings.js';
import { smsNumbersIn, smsEndpointsFromCode, isSmsKey } from '../../src/analysis/sms-numbers.js';
import { openZip, type ZipArchive, type ZipEntryInfo } from '../../src/formats/zip/index.js';
import { FileSource } from '../../src/io/source.js';
import { FormatError } from '../../src/io/errors/index.js';
import { parseDex } from '../../src/android/dex/dex-file.js';
import { buildDex } from '../android/dex/dex-builder.js';
import { CORPUS, hasTool, corpusEntry } from '../android/dex/helpers.js';
import type { Anomaly } from '../../src/io/anomaly.js';

const values = (eps: { value: string }[]) => eps.map((e) => e.value);
const byKind = (eps: { value: string; kind?: string }[], kind: string) => eps.filter((e) => e.kind === kind).map((e) => e.value);

describe('classifyTextEndpoints on text', () => {
  test('URLs inside config lines, bare hosts and IPs as tokens; package names, file names and versions are not hosts', () => {
    const text = [
      '# gps.conf',
      'XTRA_SERVER_1=http://xtrapath1.izatcloud.net/xtra2.bin',
      'NTP_SERVER=time.izatcloud.net',
      'SUPL_HOST=supl.google.com:7275',
      '<server url="https://reg.example.cn/api?a=1&amp;b=2">backup 203.0.113.7:8080</server>',
      '{"endpoint": "wss://push.example.com/ws", "fallback": "10.0.0.172"}',
      'ro.build.id=PKQ1.180904.001 ro.product.name=com.android.phone version 1.2.3.4 file config.xml lib libfoo.so',
      'see (http://example.org/doc). and www.example.co.uk, then 8.8.8.8',
      'content://sms/inbox file:///sdcard/x.txt',
    ].join('\n');
    const eps = classifyTextEndpoints(text, 'system/etc/x.conf');
    assert.deepEqual(byKind(eps, 'url'), ['http://example.org/doc', 'http://xtrapath1.izatcloud.net/xtra2.bin', 'https://reg.example.cn/api?a=1&b=2', 'wss://push.example.com/ws']);
    assert.deepEqual(byKind(eps, 'host'), ['supl.google.com:7275', 'time.izatcloud.net', 'www.example.co.uk']);
    assert.deepEqual(byKind(eps, 'ip'), ['10.0.0.172', '203.0.113.7:8080', '8.8.8.8']);
    for (const e of eps) assert.deepEqual(e.locations, [{ dex: 'system/etc/x.conf', class: '', method: '' }]);
    const url = eps.find((e) => e.value.startsWith('https://reg'))!;
    assert.deepEqual([url.host, url.scheme], ['reg.example.cn', 'https']);
  });

  test('bytes that look like text are decoded (UTF-8, UTF-16 with BOM); one endpoint per value', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('host=zzhc.vnet.cn\nagain zzhc.vnet.cn\n', 'utf16le')]);
    assert.ok(isProbablyText(utf16));
    assert.deepEqual(values(classifyTextEndpoints(new Uint8Array(utf16), 'f')), ['zzhc.vnet.cn']);
    assert.deepEqual(values(classifyTextEndpoints(new TextEncoder().encode('Grüße → http://ex.com/ü'), 'f')), ['http://ex.com/ü']);
  });

  test('binaries are read as printable runs (ELF, or NUL bytes in the first 8 KiB)', () => {
    const bin = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.from('\0\0ab\0http://zzhc.vnet.cn:9998/reg\0\x01\x02mqtt://broker.example.com:1883\0x.cn\0', 'latin1')]);
    assert.equal(isProbablyText(bin), false);
    assert.deepEqual(values(classifyTextEndpoints(new Uint8Array(bin), 'system/bin/regd')), ['http://zzhc.vnet.cn:9998/reg', 'mqtt://broker.example.com:1883', 'x.cn']);
  });
});

describe('printable runs equal strings(1)', { skip: !(hasTool('strings') && hasTool('unzip')) && 'strings or unzip not installed' }, () => {
  test('native libraries of a corpus APK', () => {
    const dir = mkdtempSync(join(tmpdir(), 'romscan-strings-'));
    try {
      for (const entry of ['lib/arm64-v8a/libnativehelper_compat_libc++.so', 'lib/arm64-v8a/libnetworkstackutilsjni.so']) {
        const bytes = corpusEntry('apkparser-NetworkStack_210000000.apk', entry);
        const file = join(dir, 'lib.so');
        writeFileSync(file, bytes);
        const want = execFileSync('strings', ['-a', '-n', '4', file], { maxBuffer: 1 << 28, encoding: 'latin1' }).split('\n');
        want.pop();
        assert.deepEqual([...printableRuns(bytes)], want, entry);
        assert.ok(want.length > 20);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SMS destinations', () => {
  test('keyed numbers and SMS URIs in config lines', () => {
    const cases: [string, string[]][] = [
      ['#define TELECOM_DM_SMS_CENTER "10659401"', ['10659401']],
      ['ro.cdma.sms.number=10659401', ['10659401']],
      ['<item name="activation_sms_number" value="+447786209730"/>', ['+447786209730']],
      ['"smsDest": "10690700511"', ['10690700511']],
      ['<sms_center>10086</sms_center>', ['10086']],
      ['shortcode=4567', ['4567']],
      ['<a href="smsto:10086">', ['smsto:10086']],
      ['mms:1234567 sms://+8613800138000', ['mms:1234567', 'sms://+8613800138000']],
      // No SMS context, or a number that is not a destination:
      ['phone=10659401', []], ['sms_timeout=3000', []], ['sms_port=16998', []], ['smsId=12345', []],
      ['sms.max=100', []], ['sms_number=0000', []], ['sms_number=12', []], ['sms_number=1.2.3', []],
    ];
    for (const [line, want] of cases) assert.deepEqual(smsNumbersIn(line).map((m) => m.value), want, line);
    assert.equal(isSmsKey('TELECOM_DM_SMS_CENTER'), true);
    assert.equal(isSmsKey('sms_retry_count'), false);
  });

  test('sms endpoints carry kind "sms", the number as host and the file as location', () => {
    const eps = classifyTextEndpoints('dm.sms.dest_number=10659401\nurl=http://zzhc.vnet.cn', 'vendor/etc/dm.conf');
    assert.deepEqual(eps.map((e) => [e.value, e.kind, e.host, e.scheme]), [['10659401', 'sms', '10659401', 'sms'], ['http://zzhc.vnet.cn', 'url', 'zzhc.vnet.cn', 'http']]);
  });

  test('numbers an app texts to: const-strings in methods that call SmsManager.sendTextMessage', () => {
    // Lcom/ex/Reg;->register: const-string v0 "10659401"; invoke-virtual {v1..v6} SmsManager.sendTextMessage; const-string "smsto:10086"; return-void
    // Lcom/ex/Other;->run: const-string "12345678" (no send: not an endpoint)
    const { bytes } = buildDex({
      strings: ['10659401', '12345678', 'Landroid/app/PendingIntent;', 'Landroid/telephony/SmsManager;', 'Lcom/ex/Other;', 'Lcom/ex/Reg;',
        'Ljava/lang/String;', 'V', 'VLLLLL', 'register', 'run', 'sendTextMessage', 'smsto:10086'],
      types: [2, 3, 4, 5, 6, 7],
      protos: [{ shorty: 7, ret: 5 }, { shorty: 8, ret: 5, params: [4, 4, 4, 0, 0] }],
      methods: [{ cls: 1, proto: 1, name: 11 }, { cls: 3, proto: 0, name: 9 }, { cls: 2, proto: 0, name: 10 }],
      classes: [
        { type: 3, direct: [{ idx: 1, code: [0x001a, 0, 0x506e, 0, 0x4321, 0x001a, 12, 0x000e] }] },
        { type: 2, direct: [{ idx: 2, code: [0x001a, 1, 0x000e] }] },
      ],
    });
    const dex = parseDex(bytes, 'oat/arm64/Reg.vdex!/classes.dex', 'x');
    const eps = smsEndpointsFromCode([dex]);
    assert.deepEqual(eps.map((e) => [e.value, e.kind, e.locations]), [
      ['10659401', 'sms', [{ dex: 'oat/arm64/Reg.vdex!/classes.dex', class: 'com.ex.Reg', method: 'register' }]],
      ['smsto:10086', 'sms', [{ dex: 'oat/arm64/Reg.vdex!/classes.dex', class: 'com.ex.Reg', method: 'register' }]],
    ]);
  });
});

/** A ZipArchive over in-memory entries, for the selection and budget rules. */
function memoryZip(files: Record<string, Uint8Array | string | Error>): ZipArchive {
  const entries: ZipEntryInfo[] = Object.entries(files).map(([name, v]) => ({
    name, method: 0, compressedSize: 0, crc32: 0, localHeaderOffset: 0, isDirectory: name.endsWith('/'),
    uncompressedSize: v instanceof Error ? 10 : typeof v === 'string' ? Buffer.byteLength(v) : v.length,
  }));
  return {
    source: undefined as never, path: 'mem.apk', entries, anomalies: [], centralDirectoryOffset: 0, eocdOffset: 0,
    find: (n) => entries.find((e) => e.name === n),
    read: async (e) => {
      const v = files[e.name];
      if (v instanceof Error) throw v;
      return typeof v === 'string' ? new TextEncoder().encode(v) : v;
    },
    open: async () => { throw new Error('not used'); },
  };
}

describe('apkNonDexEndpoints', () => {
  test('which entries are read, and the entry name as location', async () => {
    const anomalies: Anomaly[] = [];
    const zip = memoryZip({
      'assets/config.json': '{"api": "https://api.example.com/v1", "sms_number": "10659401"}',
      'assets/img.png': 'http://in.a.png.example.com',
      'assets/blob.dat': 'http://in.a.dat.example.com',
      'assets/bin': new Uint8Array([0, 1, 2, ...new TextEncoder().encode('http://binary.asset.example.com')]),
      'res/raw/servers.txt': 'backup.example.net\n',
      'res/xml/plain.xml': '<?xml version="1.0"?><cfg host="cfg.example.org"/>',
      'res/xml/broken.xml': new Uint8Array([0x03, 0x00, 0x08, 0x00, 0xff, 0xff, 0xff, 0x7f]),
      'res/layout-land/main.xml': '<?xml version="1.0"?><View app:url="https://layout.example.org/x"/>',
      'res/navigation/nav.xml': '<?xml version="1.0"?><deepLink app:uri="https://links.example.org/p"/>',
      'res/a1.xml': '<?xml version="1.0"?><cfg host="shrunk.example.org"/>',
      // graphics, colours and motion: never read (NO_ADDRESS_RES_XML), not even when broken
      'res/drawable/d.xml': '<?xml version="1.0"?><bitmap src="http://drawable.example.org"/>',
      'res/drawable-v21/broken.xml': new Uint8Array([0x03, 0x00, 0x08, 0x00, 0xff, 0xff, 0xff, 0x7f]),
      'res/color/c.xml': '<?xml version="1.0"?><selector x="color.example.org"/>',
      'res/anim/a.xml': '<?xml version="1.0"?><set x="anim.example.org"/>',
      'res/animator-v26/a.xml': '<?xml version="1.0"?><set x="animator.example.org"/>',
      'res/interpolator/i.xml': '<?xml version="1.0"?><path x="interpolator.example.org"/>',
      'res/mipmap-anydpi-v26/ic.xml': '<?xml version="1.0"?><adaptive-icon x="mipmap.example.org"/>',
      'res/font/f.xml': '<?xml version="1.0"?><font-family x="font.example.org"/>',
      'res/drawables/d.xml': '<?xml version="1.0"?><cfg host="not.a.type.example.org"/>',
      'lib/arm64-v8a/libreg.so': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, ...new TextEncoder().encode('zzhc.vnet.cn'), 0]),
      'lib/armeabi-v7a/libreg.so': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, ...new TextEncoder().encode('zzhc.vnet.cn'), 0]),
      'classes.dex': 'http://dex.is.not.read.here.com',
      'AndroidManifest.xml': 'http://manifest.example.com',
      'META-INF/CERT.SF': 'http://meta.example.com',
      'assets/sub/': '',
    });
    const eps = await apkNonDexEndpoints(zip, anomalies);
    assert.deepEqual(eps.map((e) => [e.value, e.locations.map((l) => l.dex)]), [
      ['10659401', ['assets/config.json']],
      ['backup.example.net', ['res/raw/servers.txt']],
      ['cfg.example.org', ['res/xml/plain.xml']],
      ['https://api.example.com/v1', ['assets/config.json']],
      ['https://layout.example.org/x', ['res/layout-land/main.xml']],
      ['https://links.example.org/p', ['res/navigation/nav.xml']],
      ['not.a.type.example.org', ['res/drawables/d.xml']],
      ['shrunk.example.org', ['res/a1.xml']],
      ['zzhc.vnet.cn', ['lib/arm64-v8a/libreg.so', 'lib/armeabi-v7a/libreg.so']],
    ]);
    assert.equal(anomalies.length, 1);
    assert.match(anomalies[0].message, /^res\/xml\/broken.xml: /);
  });

  test('size caps: a native library over the cap is skipped with an anomaly; non-RomscanErrors propagate', async () => {
    const zip = memoryZip({ 'lib/x86/libbig.so': 'x' });
    zip.entries[0].uncompressedSize = MAX_NATIVE_LIB_BYTES + 1;
    const anomalies: Anomaly[] = [];
    assert.deepEqual(await apkNonDexEndpoints(zip, anomalies), []);
    assert.match(anomalies[0].message, /over the .* cap/);
    await assert.rejects(apkNonDexEndpoints(memoryZip({ 'assets/a.txt': new TypeError('bug') })), TypeError);
    const ok: Anomaly[] = [];
    await apkNonDexEndpoints(memoryZip({ 'assets/a.txt': new FormatError('zip: bad entry', 12, 'x') }), ok);
    assert.equal(ok[0].offset, 12);
  });
});

describe('apkNonDexEndpoints on corpus APKs against aapt', { skip: !(hasTool('aapt2') && hasTool('aapt')) && 'aapt/aapt2 not installed' }, () => {
  const open = async (apk: string) => openZip(await FileSource.open(join(CORPUS, 'apk', apk), apk));
  for (const apk of ['apidemos-debug.apk', 'apkparser-NetworkStack_210000000.apk']) {
    test(`${apk}: every URL in the resource string pool is an endpoint located in resources.arsc`, async () => {
      const dump = execFileSync('aapt2', ['dump', 'strings', join(CORPUS, 'apk', apk)], { maxBuffer: 1 << 28, encoding: 'utf8' });
      const want = [...new Set([...dump.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0].replace(/[.,;:!?)\]}*]+$/, '')))];
      assert.ok(want.length > 2);
      const eps = await apkNonDexEndpoints(await open(apk));
      for (const u of want) {
        const e = eps.find((x) => x.value === u);
        assert.ok(e, `${u} missing`);
        assert.ok(e.locations.some((l) => l.dex === 'resources.arsc'), u);
      }
    });
  }

  test('apidemos: URL attributes of compiled XML under res/xml, as aapt prints them', async () => {
    const apk = join(CORPUS, 'apk', 'apidemos-debug.apk');
    const eps = await apkNonDexEndpoints(await open('apidemos-debug.apk'));
    const e = eps.find((x) => x.value === 'http://www.android.com')!;
    const xmls = execFileSync('unzip', ['-Z1', apk], { encoding: 'utf8' }).split('\n').filter((n) => n.startsWith('res/xml/'));
    const want = xmls.filter((x) => /="http:\/\/www\.android\.com"/.test(execFileSync('aapt', ['dump', 'xmltree', apk, x], { encoding: 'utf8' })));
    assert.ok(want.length >= 3);
    assert.deepEqual(e.locations.map((l) => l.dex), want.sort());
  });
});

test('does not crash or hang on hostile APKs of the corpus (zip tricks, tampered XML and resources)', async () => {
  const t0 = performance.now();
  let apks = 0;
  for (const apk of readdirSync(join(CORPUS, 'apk')).filter((f) => f.endsWith('.apk')).sort()) {
    let zip: ZipArchive;
    try { zip = await openZip(await FileSource.open(join(CORPUS, 'apk', apk), apk)); } catch { continue; }
    await apkNonDexEndpoints(zip, []);
    apks++;
  }
  assert.ok(apks > 60);
  assert.ok(performance.now() - t0 < 15000);
});

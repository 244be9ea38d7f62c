// Checks that the committed demo samples (samples/apk/*.apk, samples/rom/*/image-*.zip) are what
// samples/README.md and the build scripts say they are, using only the real Android/Debian tools:
// aapt dump badging/xmltree, dexdump -d, apksigner verify, unzip, simg2img, e2fsck, debugfs.
// romscan's own code is not used here, so these facts can serve as an oracle for its tests.
// Each part skips with a message when a tool is missing (CI installs them all).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLES = join(ROOT, 'samples');
const APK_DIR = join(SAMPLES, 'apk');
const KEYS = join(SAMPLES, 'keys');

/** Full path of an installed tool, or null; debugfs/e2fsck live in sbin, which CI PATHs may lack. */
function findTool(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function missing(...tools: string[]): string | false {
  const absent = tools.filter((t) => findTool(t) === null);
  return absent.length ? `not installed: ${absent.join(', ')} (CI installs them)` : false;
}

async function tool(name: string, args: string[]): Promise<string> {
  const bin = findTool(name);
  if (!bin) throw new Error(`${name} missing`);
  const { stdout } = await run(bin, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  return stdout;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of the DER certificate, as apksigner --print-certs prints it. */
function certSha256(pemFile: string): string {
  return new X509Certificate(readFileSync(pemFile)).fingerprint256.replaceAll(':', '').toLowerCase();
}

interface ApkExpectation {
  file: string;
  pkg: string;
  versionCode: string;
  versionName: string;
  sdk: string;
  targetSdk: string;
  label: string;
  permissions: string[];
  key: 'platform' | 'release';
}

const APKS: ApkExpectation[] = [
  {
    file: 'SelfRegister.apk', pkg: 'com.example.selfregister', versionCode: '3', versionName: '1.2.0',
    sdk: '19', targetSdk: '28', label: 'SelfRegister', key: 'release',
    permissions: [
      'android.permission.READ_PHONE_STATE', 'android.permission.READ_PRIVILEGED_PHONE_STATE',
      'android.permission.ACCESS_FINE_LOCATION', 'android.permission.INTERNET',
      'android.permission.RECEIVE_BOOT_COMPLETED',
    ],
  },
  {
    file: 'Weather.apk', pkg: 'com.example.weather', versionCode: '12', versionName: '2.4.1',
    sdk: '21', targetSdk: '29', label: 'Weather', key: 'release',
    permissions: ['android.permission.INTERNET'],
  },
  {
    file: 'DemoSettings.apk', pkg: 'com.example.demo.settings', versionCode: '29', versionName: '10',
    sdk: '29', targetSdk: '29', label: 'Demo Settings', key: 'platform',
    permissions: [
      'android.permission.WRITE_SECURE_SETTINGS', 'android.permission.MANAGE_USERS', 'android.permission.INTERNET',
    ],
  },
  {
    file: 'framework-res.apk', pkg: 'android', versionCode: '29', versionName: '10',
    sdk: '29', targetSdk: '29', label: 'Android System', key: 'platform', permissions: [],
  },
];

describe('samples: committed bytes', () => {
  test('every sample matches samples/SHA256SUMS (rebuilt only with the recorded tool versions)', () => {
    const lines = readFileSync(join(SAMPLES, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.ok(lines.length >= 6);
    for (const line of lines) {
      const [hash, rel] = line.split(/\s+/);
      const bytes = readFileSync(join(SAMPLES, rel!));
      assert.equal(sha256(bytes), hash, rel);
      assert.ok(bytes.length < 200 * 1024, `${rel} is ${bytes.length} bytes; samples stay < 200 KB`);
    }
  });
});

describe('samples: APKs (aapt, apksigner)', () => {
  for (const exp of APKS) {
    test(`${exp.file}: aapt dump badging`, { skip: missing('aapt') }, async () => {
      const out = await tool('aapt', ['dump', 'badging', join(APK_DIR, exp.file)]);
      assert.match(out, new RegExp(`^package: name='${exp.pkg.replaceAll('.', '\\.')}' versionCode='${exp.versionCode}' versionName='${exp.versionName.replaceAll('.', '\\.')}'`, 'm'));
      assert.match(out, new RegExp(`^sdkVersion:'${exp.sdk}'$`, 'm'));
      assert.match(out, new RegExp(`^targetSdkVersion:'${exp.targetSdk}'$`, 'm'));
      assert.match(out, new RegExp(`^application-label:'${exp.label}'$`, 'm'));
      const perms = [...out.matchAll(/^uses-permission: name='([^']+)'/gm)].map((m) => m[1]);
      assert.deepEqual(perms, exp.permissions);
    });

    test(`${exp.file}: apksigner verify (v1 + v2, ${exp.key} key)`, { skip: missing('apksigner') }, async () => {
      // --min-sdk-version 23 makes apksigner check the v1 (JAR) signature even when minSdk >= 24.
      const out = await tool('apksigner', ['verify', '--min-sdk-version', '23', '--print-certs', '-v', join(APK_DIR, exp.file)]);
      assert.match(out, /^Verified using v1 scheme \(JAR signing\): true$/m);
      assert.match(out, /^Verified using v2 scheme \(APK Signature Scheme v2\): true$/m);
      assert.match(out, /^Number of signers: 1$/m);
      const digest = /^Signer #1 certificate SHA-256 digest: ([0-9a-f]{64})$/m.exec(out)?.[1];
      assert.equal(digest, certSha256(join(KEYS, `${exp.key}.x509.pem`)));
      assert.match(out, new RegExp(`^Signer #1 certificate DN: CN=romscan demo ${exp.key} key`, 'm'));
    });
  }

  test('SelfRegister.apk: manifest has the exported, unprotected trigger receiver', { skip: missing('aapt') }, async () => {
    const xml = await tool('aapt', ['dump', 'xmltree', join(APK_DIR, 'SelfRegister.apk'), 'AndroidManifest.xml']);
    const receiver = /E: receiver[\s\S]*?(?=\n\s+E: service)/.exec(xml)?.[0] ?? '';
    assert.match(receiver, /android:name\(0x01010003\)="\.BootReceiver"/);
    assert.match(receiver, /android:exported\(0x01010010\)=\(type 0x12\)0xffffffff/);
    assert.doesNotMatch(receiver, /android:permission/);
    const actions = [...receiver.matchAll(/E: action[^\n]*\n\s+A: android:name\(0x01010003\)="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(actions, [
      'android.intent.action.BOOT_COMPLETED', 'android.intent.action.USER_PRESENT', 'android.intent.action.SIM_STATE_CHANGED',
    ]);
    assert.match(xml, /android:usesCleartextTraffic\(0x010104ec\)=\(type 0x12\)0xffffffff/);
    assert.match(xml, /E: service[\s\S]*android:name\(0x01010003\)="\.RegisterService"[\s\S]*android:exported\(0x01010010\)=\(type 0x12\)0x0/);
    assert.doesNotMatch(xml, /sharedUserId/);
  });

  test('DemoSettings.apk and framework-res.apk share android.uid.system; Weather has no receiver', { skip: missing('aapt') }, async () => {
    const settings = await tool('aapt', ['dump', 'xmltree', join(APK_DIR, 'DemoSettings.apk'), 'AndroidManifest.xml']);
    assert.match(settings, /android:sharedUserId\(0x0101000b\)="android\.uid\.system"/);
    assert.match(settings, /"android\.settings\.SETTINGS"/);
    const fw = await tool('aapt', ['dump', 'xmltree', join(APK_DIR, 'framework-res.apk'), 'AndroidManifest.xml']);
    assert.match(fw, /android:sharedUserId\(0x0101000b\)="android\.uid\.system"/);
    assert.match(fw, /android:hasCode\(0x0101000c\)=\(type 0x12\)0x0/);
    const declared = [...fw.matchAll(/E: permission[^\n]*\n\s+A: android:name\(0x01010003\)="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(declared.length, 7);
    assert.ok(declared.includes('android.permission.READ_PRIVILEGED_PHONE_STATE'));
    const weather = await tool('aapt', ['dump', 'xmltree', join(APK_DIR, 'Weather.apk'), 'AndroidManifest.xml']);
    assert.doesNotMatch(weather, /E: receiver/);
    assert.doesNotMatch(weather, /usesCleartextTraffic/);
  });
});

/** Per method ("pkg.Class.method"): its const-string values and the methods it invokes, from dexdump -d. */
interface MethodFacts { strings: string[]; invokes: string[] }

function parseDexdump(text: string): Map<string, MethodFacts> {
  const methods = new Map<string, MethodFacts>();
  let current: MethodFacts | null = null;
  for (const line of text.split('\n')) {
    // e.g. "000d54:                |[000d44] com.example.selfregister.Registrar.post:(Ljava/net/URL;Ljava/lang/String;)V"
    const head = /\|\[[0-9a-f]+\] ([^:]+):\(/.exec(line);
    if (head) {
      current = { strings: [], invokes: [] };
      methods.set(head[1]!, current);
      continue;
    }
    if (!current) continue;
    const str = /\|[0-9a-f]+: const-string(?:\/jumbo)? v\d+, "(.*)" \/\/ string@/.exec(line);
    if (str) current.strings.push(str[1]!);
    const inv = /\|[0-9a-f]+: invoke-\w+(?:\/range)? \{[^}]*\}, L([^;]+);\.([^:]+):/.exec(line);
    if (inv) current.invokes.push(`${inv[1]!.replaceAll('/', '.')}.${inv[2]}`);
  }
  return methods;
}

describe('samples: dex code (dexdump -d)', { skip: missing('dexdump', 'unzip') }, () => {
  let dir = '';
  const dex = new Map<string, Map<string, MethodFacts>>();
  const magic = new Map<string, string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'romscan-samples-dex-'));
    for (const apk of ['SelfRegister', 'Weather', 'DemoSettings']) {
      const bytes = (await run('unzip', ['-p', join(APK_DIR, `${apk}.apk`), 'classes.dex'], { encoding: 'buffer', maxBuffer: 1 << 24 })).stdout;
      const file = join(dir, `${apk}.dex`);
      writeFileSync(file, bytes);
      magic.set(apk, bytes.subarray(0, 8).toString('latin1'));
      dex.set(apk, parseDexdump(await tool('dexdump', ['-d', file])));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const facts = (apk: string, method: string): MethodFacts => {
    const m = dex.get(apk)?.get(method);
    assert.ok(m, `${apk}: no method ${method} in dexdump output`);
    return m;
  };

  test('SelfRegister: endpoints sit in the expected methods', () => {
    assert.equal(magic.get('SelfRegister'), 'dex\n035\0');
    assert.deepEqual(facts('SelfRegister', 'com.example.selfregister.Registrar.send').strings, ['http://zzhc.vnet.cn:9998/']);
    assert.ok(facts('SelfRegister', 'com.example.selfregister.Registrar.sendFallback').strings.includes('203.0.113.7'));
    assert.deepEqual(facts('SelfRegister', 'com.umeng.analytics.MobclickAgent.onEvent').strings[0], 'https://ulogs.umeng.com/unify_logs');
    const all = [...dex.get('SelfRegister')!.values()].flatMap((m) => m.strings).filter((s) => /^https?:\/\//.test(s)).sort();
    assert.deepEqual(all, ['http://zzhc.vnet.cn:9998/', 'https://ulogs.umeng.com/unify_logs']);
  });

  test('SelfRegister: identifier and location reads in Registrar.collect, HTTP post in Registrar.post', () => {
    const collect = facts('SelfRegister', 'com.example.selfregister.Registrar.collect').invokes;
    for (const api of ['getDeviceId', 'getSubscriberId', 'getSimSerialNumber', 'getLine1Number']) {
      assert.ok(collect.includes(`android.telephony.TelephonyManager.${api}`), api);
    }
    assert.ok(collect.includes('android.location.LocationManager.getLastKnownLocation'));
    const post = facts('SelfRegister', 'com.example.selfregister.Registrar.post').invokes;
    assert.ok(post.includes('java.net.URL.openConnection'));
    assert.ok(post.includes('java.net.HttpURLConnection.setRequestMethod'));
    assert.ok(post.includes('java.net.HttpURLConnection.getOutputStream'));
    assert.ok(facts('SelfRegister', 'com.example.selfregister.BootReceiver.onReceive').invokes.includes('android.content.Context.startService'));
    assert.ok(facts('SelfRegister', 'com.example.selfregister.Registrar.run').invokes.includes('com.umeng.analytics.MobclickAgent.onEvent'));
  });

  test('Weather: one HTTPS endpoint, no identifier reads', () => {
    assert.deepEqual(facts('Weather', 'com.example.weather.ForecastFetcher.run').strings, ['https://api.example.com/forecast']);
    const invokes = [...dex.get('Weather')!.values()].flatMap((m) => m.invokes);
    assert.ok(invokes.includes('java.net.URL.openConnection'));
    assert.ok(!invokes.some((i) => i.startsWith('android.telephony.') || i.startsWith('android.location.')));
  });

  test('DemoSettings: dex 039 with the help URL in SettingsActivity.openHelp', () => {
    assert.equal(magic.get('DemoSettings'), 'dex\n039\0');
    assert.deepEqual(facts('DemoSettings', 'com.example.demo.settings.SettingsActivity.openHelp').strings,
      ['android.intent.action.VIEW', 'https://support.example.com/settings-help']);
  });
});

interface RomExpectation {
  variant: 'demo-global' | 'demo-regional';
  privApps: string[];
  props: Record<string, string>;
  privappPackages: string[];
  defaultGrants: string[];
}

const ROMS: RomExpectation[] = [
  {
    variant: 'demo-global', privApps: ['DemoSettings'],
    props: {
      'ro.product.model': 'Demo Phone 1', 'ro.product.brand': 'demo', 'ro.product.name': 'demo_global',
      'ro.product.locale': 'en-US', 'ro.build.version.release': '10', 'ro.build.version.security_patch': '2020-01-05',
      'ro.build.tags': 'release-keys',
      'ro.build.fingerprint': 'demo/demo_global/demo:10/DQ1A.200101.001/6012345:user/release-keys',
    },
    privappPackages: ['com.example.demo.settings'],
    defaultGrants: [],
  },
  {
    variant: 'demo-regional', privApps: ['DemoSettings', 'SelfRegister'],
    props: {
      'ro.product.model': 'Demo Phone 1', 'ro.product.brand': 'demo', 'ro.product.name': 'demo_cn',
      'ro.product.locale': 'zh-CN', 'ro.build.version.release': '10', 'ro.build.version.security_patch': '2020-01-05',
      'ro.build.tags': 'release-keys',
      'ro.build.fingerprint': 'demo/demo_cn/demo:10/DQ1A.200101.001.CN/6012345:user/release-keys',
    },
    privappPackages: ['com.example.demo.settings', 'com.example.selfregister'],
    defaultGrants: ['com.example.selfregister:android.permission.READ_PHONE_STATE', 'com.example.selfregister:android.permission.ACCESS_FINE_LOCATION'],
  },
];

/** Names from `debugfs -R 'ls -l DIR'`, without . and .. (the name is the last column). */
function lsNames(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/).at(-1)!)
    .filter((n) => n !== '.' && n !== '..').sort();
}

describe('samples: ROMs (unzip, simg2img, e2fsck, debugfs)', { skip: missing('unzip', 'simg2img', 'debugfs', 'e2fsck') }, () => {
  for (const rom of ROMS) {
    describe(rom.variant, () => {
      let dir = '';
      let system = '';
      const debugfs = (image: string, cmd: string) => tool('debugfs', ['-R', cmd, image]);

      before(async () => {
        dir = mkdtempSync(join(tmpdir(), `romscan-samples-${rom.variant}-`));
        await run('unzip', ['-q', join(SAMPLES, 'rom', rom.variant, `image-${rom.variant}.zip`), '-d', dir]);
        system = join(dir, 'system.raw');
        await tool('simg2img', [join(dir, 'system.img'), system]);
        await tool('simg2img', [join(dir, 'vendor.img'), join(dir, 'vendor.raw')]);
      });
      after(() => rmSync(dir, { recursive: true, force: true }));

      test('zip holds android-info.txt and two Android sparse images of clean ext4 filesystems', async () => {
        const list = await run('unzip', ['-Z1', join(SAMPLES, 'rom', rom.variant, `image-${rom.variant}.zip`)], { encoding: 'utf8' });
        assert.deepEqual(list.stdout.trim().split('\n'), ['android-info.txt', 'system.img', 'vendor.img']);
        for (const img of ['system', 'vendor']) {
          assert.equal(readFileSync(join(dir, `${img}.img`)).readUInt32LE(0), 0xed26ff3a, `${img}.img sparse magic`);
          const raw = join(dir, `${img}.raw`);
          assert.equal(statSync(raw).size, img === 'system' ? 8 << 20 : 4 << 20);
          await tool('e2fsck', ['-fn', raw]); // exit status 0 only when the filesystem is clean
          const stats = await tool('debugfs', ['-R', 'stats', raw]);
          assert.match(stats, new RegExp(`^Filesystem volume name:\\s+${img}$`, 'm'));
        }
      });

      test('priv-app, app and framework hold the expected APKs, byte-identical to samples/apk', async () => {
        assert.deepEqual(lsNames(await debugfs(system, 'ls -l /system/priv-app')), rom.privApps);
        assert.deepEqual(lsNames(await debugfs(system, 'ls -l /system/app')), ['Weather']);
        assert.deepEqual(lsNames(await debugfs(system, 'ls -l /system/framework')), ['framework-res.apk']);
        assert.deepEqual(lsNames(await debugfs(system, 'ls -l /')), ['etc', 'lost+found', 'system']);
        assert.match(await debugfs(system, 'stat /etc'), /Fast link dest: "\/system\/etc"/);
        const apks = [
          ...rom.privApps.map((n) => `/system/priv-app/${n}/${n}.apk`),
          '/system/app/Weather/Weather.apk', '/system/framework/framework-res.apk',
        ];
        for (const path of apks) {
          const out = join(dir, 'dump.apk');
          await debugfs(system, `dump ${path} ${out}`);
          const name = path.split('/').at(-1)!;
          assert.equal(sha256(readFileSync(out)), sha256(readFileSync(join(APK_DIR, name))), path);
        }
      });

      test('build.prop values', async () => {
        const text = await debugfs(system, 'cat /system/build.prop');
        const props = new Map(text.split('\n').filter((l) => /^[^#\s][^=]*=/.test(l)).map((l) => {
          const i = l.indexOf('=');
          return [l.slice(0, i), l.slice(i + 1)] as const;
        }));
        for (const [k, v] of Object.entries(rom.props)) assert.equal(props.get(k), v, k);
        const vendor = await debugfs(join(dir, 'vendor.raw'), 'cat /build.prop');
        assert.match(vendor, new RegExp(`^ro\\.vendor\\.build\\.fingerprint=${rom.props['ro.build.fingerprint']!.replaceAll('.', '\\.')}$`, 'm'));
      });

      test('privapp-permissions and default-permissions XML', async () => {
        const privapp = await debugfs(system, 'cat /system/etc/permissions/privapp-permissions-demo.xml');
        assert.deepEqual([...privapp.matchAll(/<privapp-permissions package="([^"]+)"/g)].map((m) => m[1]), rom.privappPackages);
        const defaults = await debugfs(system, 'cat /system/etc/default-permissions/default-permissions-demo.xml');
        const grants: string[] = [];
        for (const ex of defaults.matchAll(/<exception package="([^"]+)">([\s\S]*?)<\/exception>/g)) {
          for (const p of ex[2]!.matchAll(/<permission name="([^"]+)" fixed="false"\/>/g)) grants.push(`${ex[1]}:${p[1]}`);
        }
        assert.deepEqual(grants, rom.defaultGrants);
      });
    });
  }
});

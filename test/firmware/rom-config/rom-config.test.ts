import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRomscanError, LimitError } from '../../../src/io/errors/index.js';
import type { Anomaly } from '../../../src/io/anomaly.js';
import { LIMITS } from '../../../src/io/limits.js';
import { parseBuildProp, parseDefaultPermissions, parsePrivappPermissions } from '../../../src/firmware/rom-config/index.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'rules');

// Shaped like AOSP frameworks/base/data/etc/privapp-permissions-platform.xml and a vendor
// default-permissions file, with the oddities real ROMs carry: comments, CRLF, tabs, duplicate
// blocks for one package, deny-permission, attributes spread over lines.
const PRIVAPP = `<?xml version="1.0" encoding="utf-8"?>\r
<!--\r
  Copyright (C) 2017 The Android Open Source Project\r
  -->\r
<!-- This XML file declares which signature|privileged permissions should be granted to privileged\r
     applications that come with the platform -->\r
<permissions>\r
    <privapp-permissions package="com.android.phone">\r
        <permission name="android.permission.ACCESS_IMS_CALL_SERVICE"/>\r
        <permission name="android.permission.BIND_CARRIER_MESSAGING_SERVICE"/>\r
\t\t<permission   name = "android.permission.READ_PRIVILEGED_PHONE_STATE" />\r
        <deny-permission name="android.permission.BIND_CARRIER_MESSAGING_SERVICE"/>\r
    </privapp-permissions>\r
    <privapp-permissions package="com.qualcomm.qti.autoregistration">\r
        <permission\r
            name="android.permission.READ_PRIVILEGED_PHONE_STATE"/>\r
    </privapp-permissions>\r
    <privapp-permissions package="com.android.phone">\r
        <permission name="android.permission.CALL_PRIVILEGED"/>\r
        <permission name="android.permission.ACCESS_IMS_CALL_SERVICE"/>\r
    </privapp-permissions>\r
    <privapp-permissions>\r
        <permission name="android.permission.NO_PACKAGE"/>\r
    </privapp-permissions>\r
</permissions>\r
`;

const DEFAULTS = `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<exceptions>
    <!-- This is an example of an exception: -->
    <exception package="com.example.dialer" sha256-cert-digest="AB:CD">
        <permission name="android.permission.READ_CONTACTS" fixed="false"/>
        <permission name="android.permission.READ_CALL_LOG" fixed="false" whitelisted="true"/>
    </exception>
    <exception
        brand="generic"
        package="com.example.activation">
        <permission name="android.permission.READ_PHONE_STATE" fixed="true"/>
        <permission name="android.permission.ACCESS_FINE_LOCATION" fixed="false"/>
    </exception>
    <exception package="com.example.dialer"><permission name="android.permission.CALL_PHONE"/></exception>
</exceptions>
`;

describe('parseBuildProp', () => {
  test('the QRD system build.prop: comments, imports, blank values, duplicates', () => {
    const anomalies: Anomaly[] = [];
    const p = parseBuildProp(readFileSync(join(fixtures, 'qrd8953-system.build.prop'), 'utf8'), anomalies);
    assert.equal(p['ro.build.fingerprint'], 'Android/msm8953_64/msm8953_64:8.1.0/OPM1.171019.026/lnxbui09070644:userdebug/test-keys');
    assert.equal(p['ro.build.date'], 'Fri Sep  7 06:44:17 PDT 2018');
    assert.equal(p['ro.build.version.base_os'], '');
    assert.equal(p['ro.cutoff_voltage_mv'], '3400');
    assert.equal(p['import'], undefined);
    assert.equal(Object.keys(p).length, 44);
    assert.deepEqual(anomalies, []);
  });

  test('trimming, CRLF, later definitions win and are recorded, junk lines are anomalies', () => {
    const anomalies: Anomaly[] = [];
    const p = parseBuildProp('  ro.a = 1 \r\n# c\n! also a comment\nro.b=x=y\nro.a=2\njunk line\n=novalue\n__proto__=p\n', anomalies);
    // JSON.parse makes "__proto__" an own data property, as parseBuildProp must.
    assert.deepEqual(p, JSON.parse('{"ro.a":"2","ro.b":"x=y","__proto__":"p"}'));
    assert.equal(Object.getPrototypeOf(p), Object.prototype);
    assert.deepEqual(anomalies.map((a) => a.message), ['ro.a redefined: "1" → "2"', 'line without key=value: "junk line"', 'line without key=value: "=novalue"']);
    assert.equal(anomalies[0]!.offset, 43);
  });

  test('refuses input over MAX_METADATA_BYTES', () => {
    assert.throws(() => parseBuildProp('a'.repeat(LIMITS.MAX_METADATA_BYTES + 1)), LimitError);
  });
});

describe('permission XML', () => {
  test('privapp-permissions: merged per package, denies applied, package-less blocks skipped', () => {
    assert.deepEqual([...parsePrivappPermissions(PRIVAPP)], [
      ['com.android.phone', ['android.permission.ACCESS_IMS_CALL_SERVICE', 'android.permission.CALL_PRIVILEGED', 'android.permission.READ_PRIVILEGED_PHONE_STATE']],
      ['com.qualcomm.qti.autoregistration', ['android.permission.READ_PRIVILEGED_PHONE_STATE']],
    ]);
  });

  test('default-permissions: exceptions merged per package', () => {
    assert.deepEqual([...parseDefaultPermissions(DEFAULTS)], [
      ['com.example.activation', ['android.permission.ACCESS_FINE_LOCATION', 'android.permission.READ_PHONE_STATE']],
      ['com.example.dialer', ['android.permission.CALL_PHONE', 'android.permission.READ_CALL_LOG', 'android.permission.READ_CONTACTS']],
    ]);
  });

  test('entities are not expanded (no billion laughs)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<permissions><privapp-permissions package="&c;"><permission name="x"/></privapp-permissions></permissions>`;
    const t0 = Date.now();
    let out: Map<string, string[]> | undefined;
    try { out = parsePrivappPermissions(bomb); } catch (e) { assert.ok(isRomscanError(e)); }
    assert.ok(Date.now() - t0 < 1000);
    if (out) for (const k of out.keys()) assert.ok(k.length < 100);
  });

  test('does not hang on truncations and bit flips: a result or a RomscanError', () => {
    const inputs = [PRIVAPP, DEFAULTS];
    const t0 = Date.now();
    let n = 0;
    for (const src of inputs) {
      const bytes = Buffer.from(src, 'utf8');
      const variants: string[] = [];
      for (let cut = 0; cut < bytes.length; cut += 7) variants.push(bytes.subarray(0, cut).toString('latin1'));
      let seed = 12345;
      for (let i = 0; i < 400; i++) {
        const b = Buffer.from(bytes);
        for (let k = 0; k < 3; k++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          b[seed % b.length] ^= 1 << (seed >>> 29);
        }
        variants.push(b.toString('latin1'));
      }
      variants.push('<'.repeat(5000), '<a>'.repeat(100), `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`);
      for (const v of variants) {
        for (const parse of [parsePrivappPermissions, parseDefaultPermissions, parseBuildProp]) {
          n++;
          try { parse(v); } catch (e) { if (!isRomscanError(e)) throw e; }
        }
      }
    }
    assert.ok(n > 2000);
    assert.ok(Date.now() - t0 < 15_000, `${Date.now() - t0} ms`);
  });
});

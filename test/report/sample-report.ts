// A hand-built firmware report exercising every renderer path: ROM-level and app-level findings,
// odd characters in paths and evidence, container and app errors.
import type { Report } from '../../src/report/model.js';
import { blankApp, blankReport } from '../rules/helpers.js';

export function sampleReport(): Report {
  const reg = blankApp({
    path: 'update.zip!/system.new.dat.br!/system/app/AutoReg/AutoReg.apk', package: 'com.x.reg', versionCode: 3, versionName: '3.0',
    sharedUserId: 'android.uid.phone', partition: 'system', platformSigned: true,
    findings: [
      {
        rule: 'phone-home', severity: 'critical', title: 'Phone-home behaviour: sends imei, imsi to a hardcoded endpoint, starts on BOOT_COMPLETED',
        evidence: ['reads imei at com.x.reg.Collector.collect (classes.dex) via android.telephony.TelephonyManager.getImei', 'sends to http://zzhc.vnet.cn:9998/ from com.x.reg.Net.post', 'linked: com.x.reg.Task.run → com.x.reg.Collector.collect; com.x.reg.Task.run → com.x.reg.Net.post'],
        references: ['https://github.com/nrfconnect/sdk-nrf/blob/main/doc/nrf/libraries/modem/zzhc.rst'],
      },
      { rule: 'tracker-sdk', severity: 'info', title: 'Tracker SDK: Umeng Analytics (analytics)', evidence: ['class com.umeng.analytics.MobclickAgent matches com.umeng.analytics.*'], references: ['https://developer.umeng.com/docs/119267/detail/118588'] },
    ],
  });
  const odd = blankApp({
    path: 'update.zip!/system.new.dat.br!/system/priv-app/We|ird App#1/We|ird App#1.apk', package: 'com.odd_name.app', versionCode: 7, versionName: null,
    privileged: true, partition: 'system',
    findings: [{ rule: 'exported-unprotected', severity: 'medium', title: 'Privileged app exports components without a permission', evidence: ['service com.odd_name.app.Svc$Inner exported without permission (actions: a|b, *star*)'], references: ['https://developer.android.com/privacy-and-security/risks/android-exported'] }],
    errors: [{ stage: 'dex', message: 'dex: bad map_off 0x9f3e10', offset: 0x70 }],
  });
  return blankReport({
    tool: { name: 'romscan', version: '0.1.0' },
    input: { name: 'update.zip', kind: 'firmware', sha256: 'ab'.repeat(32) },
    firmware: {
      containers: [{ path: 'update.zip', format: 'zip' }, { path: 'update.zip!/system.new.dat.br', format: 'sdat' }],
      buildProps: { 'ro.product.brand': 'Android', 'ro.product.system.model': 'msm8953 for arm64', 'ro.build.fingerprint': 'Android/msm8953_64/msm8953_64:8.1.0/OPM1/1:userdebug/test-keys', 'ro.build.version.security_patch': '2018-07-05', 'ro.build.tags': 'test-keys' },
    },
    apps: [reg, odd],
    findings: [{ rule: 'build-test-keys', severity: 'high', title: 'Build signed with test keys', evidence: ['ro.build.tags=test-keys'], references: ['https://source.android.com/docs/core/ota/sign_builds'] }],
    errors: [{ stage: 'sdat', message: 'transfer list truncated', path: 'update.zip!/vendor.new.dat.br' }],
  });
}

// The rules over the real vendor apps of the corpus, with facts taken from aapt and dexdump (not
// from romscan's parsers, so this checks the rules alone). The one real activation client must be
// flagged with code-level evidence; the ten ordinary Qualcomm system apps — including DeviceInfo,
// which reads IMEI/MEID/IMSI but sends nothing — must not get a high finding even when placed in
// a ROM as privileged apps.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateApp } from '../../src/rules/evaluate-app.js';
import { atOrAbove } from '../../src/rules/severity.js';
import { apiWatchList, loadSignatures } from '../../src/rules/signatures.js';
import { haveTools, toolFacts } from './tool-facts.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'vendor');
const sigs = loadSignatures();
const watch = apiWatchList(sigs);
const tools = haveTools();
const apks = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.apk')).sort() : [];

describe('vendor corpus apps', () => {
  test('the Qualcomm China Telecom autoregistration client phones home', (t) => {
    if (!tools) return t.skip('aapt/dexdump/unzip not installed');
    const file = apks.find((f) => f.startsWith('PHONEHOME_qcom_autoregistration'));
    if (!file) return t.skip('corpus vendor APK missing');
    const { app, ctx } = toolFacts(join(dir, file), watch);
    const preinstalled = { ...app, path: 'rom.zip!/system/app/AutoRegistration/AutoRegistration.apk', partition: 'system' };
    const f = evaluateApp(preinstalled, { ...ctx, inFirmware: true }, sigs).find((x) => x.rule === 'phone-home')!;
    assert.ok(f && atOrAbove(f.severity, 'high'), JSON.stringify(f));
    assert.equal(f.severity, 'critical');
    for (const kind of ['imei', 'meid', 'imsi', 'iccid']) assert.ok(f.evidence.some((e) => e.startsWith(`reads ${kind} at com.qualcomm.qti.`)), kind);
    assert.ok(f.evidence.includes('sends to http://zzhc.vnet.cn from com.qualcomm.qti.autoregistration.RegistrationTask.post'));
    assert.ok(f.evidence.includes('wakes on android.intent.action.BOOT_COMPLETED via receiver com.qualcomm.qti.autoregistration.AutoRegReceiver'));
    // The device info reaches RegistrationTask through the app's own DeviceInfoProvider.
    assert.ok(f.evidence.some((e) => e.startsWith('linked (class level): com.qualcomm.qti.autoregistration.RegistrationTask → com.qualcomm.qti.autoregistration.RegistrationPairs → com.qualcomm.qti.service.DeviceInfoProvider → com.qualcomm.qti.service.DeviceInfoPool')), f.evidence.join('\n'));
    // Scanned on its own it is still high: sharedUserId android.uid.phone only runs as platform code.
    const loose = evaluateApp(app, ctx, sigs).find((x) => x.rule === 'phone-home')!;
    assert.equal(loose.severity, 'high');
  });

  test('ordinary vendor system apps get no high finding, even pre-installed and privileged', (t) => {
    if (!tools) return t.skip('aapt/dexdump/unzip not installed');
    const controls = apks.filter((f) => f.startsWith('control_'));
    if (!controls.length) return t.skip('corpus vendor APKs missing');
    for (const file of controls) {
      const { app, ctx } = toolFacts(join(dir, file), watch);
      for (const inFirmware of [false, true]) {
        const fs = evaluateApp({ ...app, privileged: inFirmware, partition: inFirmware ? 'system' : null }, { ...ctx, inFirmware }, sigs);
        const high = fs.filter((f) => atOrAbove(f.severity, 'high'));
        assert.deepEqual(high, [], `${file} (inFirmware ${inFirmware})`);
        assert.equal(fs.find((f) => f.rule === 'phone-home'), undefined, file);
      }
    }
  });
});

// Where a ROM keeps an APK's or jar's compiled code (companionCodePaths), checked against the
// layouts of the real ROM dumps the fixtures come from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { companionCodePaths, findCompanionCode, companionDexPrefix } from '../../../src/android/vdex/companions.js';

test('Android 8–13 and 6–7 layouts: oat/<isa>/<apk name>.{vdex,odex}, vdex first, 64-bit first', () => {
  const have = new Set([
    'system/app/AutoRegistration/oat/arm64/AutoRegistration.vdex', 'system/app/AutoRegistration/oat/arm64/AutoRegistration.odex',
    'system/app/AutoRegistration/oat/arm/AutoRegistration.vdex',
  ]);
  assert.deepEqual(findCompanionCode('system/app/AutoRegistration/AutoRegistration.apk', (p) => have.has(p)), [
    'system/app/AutoRegistration/oat/arm64/AutoRegistration.vdex', 'system/app/AutoRegistration/oat/arm/AutoRegistration.vdex',
    'system/app/AutoRegistration/oat/arm64/AutoRegistration.odex',
  ]);
});

test('the file name follows the APK, not its folder; Android 5 keeps <isa>/X.odex beside the APK', () => {
  const paths = companionCodePaths('system/priv-app/Dir/Name.apk');
  assert.ok(paths.includes('system/priv-app/Dir/oat/arm64/Name.vdex'));
  assert.ok(paths.includes('system/priv-app/Dir/arm/Name.odex'));
  assert.ok(paths.includes('system/priv-app/Dir/Name.dm'));
  assert.ok(!paths.some((p) => p.includes('/Dir.')));
});

test('framework jars: oat/<isa>/X and the boot image boot-X files', () => {
  const paths = companionCodePaths('system/framework/telephony-common.jar');
  for (const p of ['system/framework/oat/arm64/telephony-common.vdex', 'system/framework/boot-telephony-common.vdex',
    'system/framework/arm64/boot-telephony-common.vdex', 'system/framework/arm/boot-telephony-common.oat']) assert.ok(paths.includes(p), p);
  assert.deepEqual(companionCodePaths('system/etc/x.xml'), []);
});

test('dex name prefix: the companion relative to the APK folder', () => {
  assert.equal(companionDexPrefix('system/app/X/X.apk', 'system/app/X/oat/arm64/X.vdex'), 'oat/arm64/X.vdex!/');
  assert.equal(companionDexPrefix('X.apk', 'oat/arm/X.odex'), 'oat/arm/X.odex!/');
});

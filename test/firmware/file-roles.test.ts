import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roleOf, partitionOf, partitionFromImageName, isPrivAppPath } from '../../src/firmware/file-roles.js';

test('roles follow the device layout', () => {
  assert.equal(roleOf('system/priv-app/Foo/Foo.apk'), 'apk');
  assert.equal(roleOf('system/framework/services.jar'), 'jar');
  assert.equal(roleOf('system/build.prop'), 'build-prop');
  assert.equal(roleOf('vendor/etc/permissions/privapp-permissions-qti.xml'), 'permissions-xml');
  assert.equal(roleOf('system/etc/sysconfig/hiddenapi-package-whitelist.xml'), 'permissions-xml');
  assert.equal(roleOf('system/etc/default-permissions/default-permissions-google.xml'), 'default-permissions-xml');
  assert.equal(roleOf('system/priv-app/Foo/oat/arm64/Foo.vdex'), 'vdex');
  assert.equal(roleOf('system/app/Foo/oat/arm/Foo.odex'), 'odex');
  assert.equal(roleOf('system/app/Foo/arm/Foo.odex'), 'odex');
  assert.equal(roleOf('system/app/Foo/lib/Foo.odex'), null);
  assert.equal(roleOf('system/lib64/libfoo.so'), null);
  assert.equal(roleOf('system/etc/other.xml'), 'config');
});

test('partitions come from the path first, then from the image name', () => {
  assert.equal(partitionOf('system/app/X/X.apk', 'system'), 'system');
  assert.equal(partitionOf('app/X/X.apk', 'vendor'), 'vendor');
  assert.equal(partitionOf('dump/vendor.new_extracted/app/X/X.apk', null), 'vendor');
  assert.equal(partitionOf('product_a/app/X/X.apk', null), 'product');
  assert.equal(partitionOf('X.apk', null), null);
  assert.equal(partitionFromImageName('system_a'), 'system');
  assert.equal(partitionFromImageName('image-x.zip!/vendor.img'), 'vendor');
  assert.equal(partitionFromImageName('system_ext.new.dat.br'), 'system_ext');
  assert.equal(partitionFromImageName('boot.img'), null);
});

test('priv-app placement', () => {
  assert.equal(isPrivAppPath('system/priv-app/Foo/Foo.apk'), true);
  assert.equal(isPrivAppPath('priv-app/Foo/Foo.apk'), true);
  assert.equal(isPrivAppPath('system/app/priv-app-ish/Foo.apk'), false);
});

test('ROM config and daemons are read for endpoints, the APN list and CA store are not', () => {
  assert.equal(roleOf('system/etc/gps.conf'), 'config');
  assert.equal(roleOf('vendor/etc/init/hw/init.qcom.rc'), 'config');
  assert.equal(roleOf('system/etc/apns-conf.xml'), null);
  assert.equal(roleOf('system/etc/security/cacerts/00673b5b.0'), null);
  assert.equal(roleOf('system/bin/qmuxd'), 'daemon');
  assert.equal(roleOf('bin/cnd'), 'daemon');
  assert.equal(roleOf('system/app/X/bin/x'), null);
});

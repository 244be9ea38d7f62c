// Resource ids of the framework attributes (android.R.attr, frameworks/base/core/res/res/values/public.xml)
// that the manifest model reads. Android resolves manifest attributes by these ids, never by name.

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

export const ATTR = {
  label: 0x01010001,
  icon: 0x01010002,
  name: 0x01010003,
  permission: 0x01010006,
  readPermission: 0x01010007,
  writePermission: 0x01010008,
  protectionLevel: 0x01010009,
  permissionGroup: 0x0101000a,
  sharedUserId: 0x0101000b,
  hasCode: 0x0101000c,
  persistent: 0x0101000d,
  enabled: 0x0101000e,
  debuggable: 0x0101000f,
  exported: 0x01010010,
  process: 0x01010011,
  authorities: 0x01010018,
  grantUriPermissions: 0x0101001b,
  priority: 0x0101001c,
  value: 0x01010024,
  resource: 0x01010025,
  mimeType: 0x01010026,
  scheme: 0x01010027,
  host: 0x01010028,
  port: 0x01010029,
  path: 0x0101002a,
  targetActivity: 0x01010202,
  minSdkVersion: 0x0101020c,
  versionCode: 0x0101021b,
  versionName: 0x0101021c,
  sharedUserLabel: 0x01010261,
  targetSdkVersion: 0x01010270,
  maxSdkVersion: 0x01010271,
  testOnly: 0x01010272,
  allowBackup: 0x01010280,
  installLocation: 0x010102b7,
  usesCleartextTraffic: 0x010104ec,
  networkSecurityConfig: 0x01010527,
  compileSdkVersion: 0x01010572,
  compileSdkVersionCodename: 0x01010573,
  versionCodeMajor: 0x01010576,
} as const;

/** id → attribute name, to notice names that were renamed or masked in the string pool. */
export const ATTR_NAME_BY_ID: ReadonlyMap<number, string> = new Map(Object.entries(ATTR).map(([k, v]) => [v, k]));

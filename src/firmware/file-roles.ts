// Which files inside a firmware filesystem the analyzer reads, decided by their place in the
// device layout (the way PackageManager and SystemConfig find them on a phone).

import { COMPANION_CODE } from '../android/vdex/companions.js';

export type FileRole = 'apk' | 'jar' | 'build-prop' | 'permissions-xml' | 'default-permissions-xml' | 'vdex' | 'odex' | 'config' | 'daemon';

export const PARTITIONS = ['system', 'vendor', 'product', 'system_ext', 'odm', 'oem'] as const;

/** ROM configuration read for hardcoded endpoints: /system/etc, /vendor/etc, … (any depth below etc/). */
const CONFIG_DIR = /(^|\/)etc\//;
/**
 * Files under etc/ whose URLs are not the vendor's servers: the carrier APN list (~1,300 MMSC
 * URLs on every phone) and the CA store (CRL and policy URLs).
 */
const CONFIG_NOISE = /(^|\/)(apns-conf[^/]*\.xml|security\/cacerts[^/]*\/.*)$/;
/** Native daemons and tools: /system/bin, /vendor/bin (vendor daemons phone home too). */
const DAEMON_DIR = /(^|\/)(system|vendor|product|system_ext|odm)\/bin\/|^bin\//;

export function roleOf(innerPath: string): FileRole | null {
  const lower = innerPath.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  if (base.endsWith('.apk')) return 'apk';
  if (base.endsWith('.jar')) return 'jar';
  if (base === 'build.prop' || base === 'default.prop' || base === 'prop.default') return 'build-prop';
  if (COMPANION_CODE.test(lower)) return lower.endsWith('.vdex') ? 'vdex' : 'odex';
  if (base.endsWith('.xml')) {
    if (/(^|\/)etc\/default-permissions\//.test(lower)) return 'default-permissions-xml';
    if (/(^|\/)etc\/(permissions|sysconfig)\//.test(lower)) return 'permissions-xml';
  }
  if (CONFIG_DIR.test(lower) && !CONFIG_NOISE.test(lower)) return 'config';
  if (DAEMON_DIR.test(lower)) return 'daemon';
  return null;
}

/**
 * The partition a file lives in: the first path component when it names a partition
 * (system-as-root images hold "system/…"; unpacked ROM folders hold "vendor/…"), else the
 * partition the image itself was named after ("vendor.img", "system_a", "product.new.dat.br").
 */
export function partitionOf(innerPath: string, imagePartition: string | null): string | null {
  const parts = innerPath.split('/');
  for (let i = 0; i < Math.min(parts.length - 1, 4); i++) {
    // Unpacked dumps name folders after images: "vendor", "vendor_a", "vendor.new_extracted".
    const p = partitionFromImageName(parts[i].replace(/[._-](new_)?extracted$/i, ''));
    if (p) return p;
  }
  return imagePartition;
}

/** "system.img" / "system_a" / "vendor.new.dat.br" / "image-x.zip!/product.img" → partition name or null. */
export function partitionFromImageName(name: string): string | null {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase()
    .replace(/\.(new\.dat(\.br)?|img|ext4|raw|sparse|erofs|lz4|bin)$/g, '')
    .replace(/\.(img|ext4|raw)$/g, '')
    .replace(/_(a|b)$/, '');
  return (PARTITIONS as readonly string[]).includes(base) ? base : null;
}

/** True when the file sits in a priv-app directory (privileged placement). */
export function isPrivAppPath(innerPath: string): boolean {
  return /(^|\/)priv-app\//.test(innerPath);
}

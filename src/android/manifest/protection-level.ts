// android:protectionLevel flags → names, as in frameworks/base/core/res/res/values/attrs_manifest.xml
// and android.content.pm.PermissionInfo (PROTECTION_MASK_BASE = 0xf, flags above it).

const BASE_NAMES = ['normal', 'dangerous', 'signature', 'signatureOrSystem', 'internal'];

const FLAG_NAMES: [number, string][] = [
  [0x10, 'privileged'],
  [0x20, 'development'],
  [0x40, 'appop'],
  [0x80, 'pre23'],
  [0x100, 'installer'],
  [0x200, 'verifier'],
  [0x400, 'preinstalled'],
  [0x800, 'setup'],
  [0x1000, 'instant'],
  [0x2000, 'runtime'],
  [0x4000, 'oem'],
  [0x8000, 'vendorPrivileged'],
  [0x10000, 'textClassifier'],
  [0x20000, 'wellbeing'],
  [0x40000, 'documenter'],
  [0x80000, 'configurator'],
  [0x100000, 'incidentReportApprover'],
  [0x200000, 'appPredictor'],
  [0x400000, 'module'],
  [0x800000, 'companion'],
  [0x1000000, 'retailDemo'],
  [0x2000000, 'recents'],
  [0x4000000, 'role'],
  [0x8000000, 'knownSigner'],
];

/**
 * "signature|privileged" style text. Like PermissionInfo.fixProtectionLevel, the legacy base
 * signatureOrSystem (3) becomes signature|privileged.
 */
export function protectionLevelToString(level: number): string {
  let base = level & 0xf;
  let flags = level & ~0xf;
  if (base === 3) { base = 2; flags |= 0x10; }
  const parts = [BASE_NAMES[base] ?? `0x${base.toString(16)}`];
  for (const [bit, name] of FLAG_NAMES) {
    if (flags & bit) { parts.push(name); flags &= ~bit; }
  }
  if (flags !== 0) parts.push(`0x${(flags >>> 0).toString(16)}`);
  return parts.join('|');
}

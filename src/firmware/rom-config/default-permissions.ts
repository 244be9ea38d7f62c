// /etc/default-permissions/*.xml: runtime (dangerous) permissions the system grants to pre-installed
// apps at first boot without asking the user (AOSP frameworks/base/services/core/java/com/android/
// server/pm/permission/DefaultPermissionGrantPolicy.java, parseExceptions):
// <exceptions><exception package="…"><permission name="…" fixed="…"/></exception></exceptions>.
import { findElements, parseXmlElements } from './xml-elements.js';

export function parseDefaultPermissions(xml: string, path?: string): Map<string, string[]> {
  const grants = new Map<string, Set<string>>();
  for (const block of findElements(parseXmlElements(xml, path), 'exception')) {
    const pkg = block.attrs.package?.trim();
    if (!pkg) continue;
    for (const child of block.children) {
      const name = child.attrs.name?.trim();
      if (child.name !== 'permission' || !name) continue;
      if (!grants.has(pkg)) grants.set(pkg, new Set());
      grants.get(pkg)!.add(name);
    }
  }
  return new Map([...grants].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, [...v].sort()]));
}

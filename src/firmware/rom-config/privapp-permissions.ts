// /etc/permissions/privapp-permissions-*.xml: which signature|privileged permissions each priv-app
// may hold (AOSP frameworks/base/core/java/com/android/server/SystemConfig.java,
// readPrivAppPermissions). <permission name> grants, <deny-permission name> revokes; several
// blocks for one package are merged, as SystemConfig merges them.
import { findElements, parseXmlElements } from './xml-elements.js';

export function parsePrivappPermissions(xml: string, path?: string): Map<string, string[]> {
  const granted = new Map<string, Set<string>>();
  const denied = new Map<string, Set<string>>();
  for (const block of findElements(parseXmlElements(xml, path), 'privapp-permissions')) {
    const pkg = block.attrs.package?.trim();
    if (!pkg) continue; // SystemConfig logs and skips a block without a package
    for (const child of block.children) {
      const name = child.attrs.name?.trim();
      if (!name) continue;
      const into = child.name === 'permission' ? granted : child.name === 'deny-permission' ? denied : null;
      if (!into) continue;
      if (!into.has(pkg)) into.set(pkg, new Set());
      into.get(pkg)!.add(name);
    }
  }
  const out = new Map<string, string[]>();
  for (const pkg of [...new Set([...granted.keys(), ...denied.keys()])].sort()) {
    const deny = denied.get(pkg) ?? new Set<string>();
    out.set(pkg, [...(granted.get(pkg) ?? [])].filter((p) => !deny.has(p)).sort());
  }
  return out;
}

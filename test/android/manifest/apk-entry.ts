// Test helper: one entry of an APK, via `unzip -p` (Info-ZIP), falling back to adm-zip, because the
// project's own zip reader is written in parallel and these tests must not depend on it.
import { execFileSync } from 'node:child_process';
import AdmZip from 'adm-zip';

export function apkEntry(apk: string, name: string): Uint8Array | null {
  try {
    const out = execFileSync('unzip', ['-p', apk, name], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
    if (out.length > 0) return new Uint8Array(out);
  } catch { /* fall through to adm-zip */ }
  try {
    const zip = new AdmZip(apk);
    const e = zip.getEntry(name);
    if (e) return new Uint8Array(e.getData());
  } catch { /* unreadable zip */ }
  return null;
}

// Where a ROM keeps the compiled ("odexed") code of an APK or jar, by the layouts dex2oat and the
// build system (build/make/core/dex_preopt_odex_install.mk, dexpreopt) used on Android 5–13:
//
//   Android 5.x       app/Foo/Foo.apk   → app/Foo/<isa>/Foo.odex              (ELF OAT, dex inside)
//   Android 6–7       app/Foo/Foo.apk   → app/Foo/oat/<isa>/Foo.odex          (ELF OAT, dex inside)
//   Android 8–13      app/Foo/Foo.apk   → app/Foo/oat/<isa>/Foo.vdex (+ .odex, which has no dex)
//   framework jars    framework/bar.jar → framework/oat/<isa>/bar.{vdex,odex}
//   boot class path   framework/bar.jar → framework/<isa>/boot-bar.{vdex,oat}, and from
//                     Android 9 framework/boot-bar.vdex (the <isa>/ copies are symlinks to it)
//   Android 12+       app/Foo/Foo.dm: a dex-metadata zip whose `primary.vdex` entry is a vdex 027
//                     (cloud-compiled profiles; its dex section is usually empty)
//
// The file name follows the APK's (not its folder's), and any instruction set may be present
// (a 64-bit ROM often has arm and arm64). The .vdex comes first: from Android 8 on the .odex
// next to it holds only native code and points into the .vdex for the dex.

/** The entry of a .dm (dex metadata) zip that holds its vdex. */
export const DM_VDEX_ENTRY = 'primary.vdex';

/** Instruction-set folder names dex2oat uses, 64-bit first (the primary ABI of most ROMs). */
export const ISA_DIRS = ['arm64', 'arm', 'x86_64', 'x86', 'mips64', 'mips', 'riscv64'] as const;

function splitPath(p: string): { dir: string; stem: string; ext: string } {
  const slash = p.lastIndexOf('/');
  const dir = slash >= 0 ? p.slice(0, slash) : '';
  const file = p.slice(slash + 1);
  const dot = file.lastIndexOf('.');
  return { dir, stem: dot > 0 ? file.slice(0, dot) : file, ext: dot > 0 ? file.slice(dot + 1).toLowerCase() : '' };
}

/**
 * Paths (relative to the same root as `apkPath`, '/'-separated) where the compiled code of the
 * APK or jar at `apkPath` may be, most likely first. The caller keeps the ones that exist and
 * reads the first that holds dex code (detectVdex / detectOat; a .dm is a zip: read its
 * DM_VDEX_ENTRY).
 */
export function companionCodePaths(apkPath: string): string[] {
  const { dir, stem, ext } = splitPath(apkPath);
  if (ext !== 'apk' && ext !== 'jar') return [];
  const at = (rel: string) => (dir ? `${dir}/${rel}` : rel);
  const out: string[] = [];
  for (const isa of ISA_DIRS) out.push(at(`oat/${isa}/${stem}.vdex`));
  for (const isa of ISA_DIRS) out.push(at(`oat/${isa}/${stem}.odex`));
  for (const isa of ISA_DIRS) out.push(at(`${isa}/${stem}.odex`));
  out.push(at(`${stem}.dm`));
  if (ext === 'jar') {
    out.push(at(`boot-${stem}.vdex`));
    for (const isa of ISA_DIRS) out.push(at(`${isa}/boot-${stem}.vdex`));
    for (const isa of ISA_DIRS) out.push(at(`${isa}/boot-${stem}.oat`));
  }
  return out;
}

/** The companion code paths of `apkPath` that `exists` says are there, in the order above. */
export function findCompanionCode(apkPath: string, exists: (path: string) => boolean): string[] {
  return companionCodePaths(apkPath).filter(exists);
}

/**
 * The dex name prefix for code read from `companionPath` on behalf of `apkPath`: the companion's
 * path relative to the APK's folder, then "!/" (e.g. "oat/arm64/Foo.vdex!/"), so a location
 * reads "oat/arm64/Foo.vdex!/classes.dex".
 */
export function companionDexPrefix(apkPath: string, companionPath: string): string {
  const { dir } = splitPath(apkPath);
  const rel = dir && companionPath.startsWith(`${dir}/`) ? companionPath.slice(dir.length + 1) : companionPath;
  return `${rel}!/`;
}

/**
 * The per-app companion code files `companionCodePaths` lists, as a pattern over a path:
 * "oat/<isa>/<name>.vdex|.odex" (Android 6–13) or "<isa>/<name>.odex" (Android 5).
 */
export const COMPANION_CODE = new RegExp(`(^|/)(oat/[^/]+|${ISA_DIRS.join('|')})/[^/]+\\.(vdex|odex)$`);

/**
 * The owner of a companion code file, as "<dir>/<stem>", the same key `companionOwnerKey`
 * gives its APK or jar: "app/Foo/oat/arm64/Foo.vdex" and "app/Foo/Foo.apk" → "app/Foo/Foo".
 */
export function companionOwnerKey(path: string): string | null {
  const m = COMPANION_CODE.exec(path);
  if (m) {
    const dir = path.slice(0, m.index);
    const { stem } = splitPath(path);
    return dir ? `${dir}/${stem}` : stem;
  }
  const { dir, stem, ext } = splitPath(path);
  if (ext !== 'apk' && ext !== 'jar') return null;
  return dir ? `${dir}/${stem}` : stem;
}

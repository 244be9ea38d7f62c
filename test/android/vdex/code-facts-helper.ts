// Test-side version of what the firmware scan does with odexed apps: find the APK's companion
// .vdex/.odex (companionCodePaths), read its dex files with the container named in the dex names,
// and collect the same code facts as for the APK's own classes*.dex.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseVdex, detectVdex } from '../../../src/android/vdex/parse-vdex.js';
import { parseOat, detectOat } from '../../../src/android/oat/parse-oat.js';
import { findCompanionCode, companionDexPrefix } from '../../../src/android/vdex/companions.js';
import { parseDex, type DexFile } from '../../../src/android/dex/dex-file.js';
import { collectCodeFacts, type CodeFacts } from '../../../src/analysis/code-facts.js';
import { callLists } from '../../analysis/call-lists.js';
import { apiWatchList, loadSignatures } from '../../../src/rules/signatures.js';

export const WATCH = apiWatchList(loadSignatures('signatures'));

/** classes.dex, classes2.dex, … of an APK file, in order (read with `unzip`). */
export function apkDexes(apkFile: string): DexFile[] {
  const names = execFileSync('unzip', ['-Z1', apkFile], { encoding: 'utf8' }).split('\n').filter((e) => /^classes\d*\.dex$/.test(e))
    .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  return names.map((e) => {
    const b = execFileSync('unzip', ['-p', apkFile, e], { maxBuffer: 1 << 30 });
    return parseDex(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), e, `${apkFile}!/${e}`);
  });
}

/** The dex files of compiled code (vdex or OAT) read from `bytes`, named "<prefix>classesN.dex". */
export function companionDexes(bytes: Uint8Array, path: string, prefix: string): DexFile[] {
  if (detectVdex(bytes)) return parseVdex(bytes, path, { dexNamePrefix: prefix }).dexes;
  if (detectOat(bytes)) return parseOat(bytes, path, { dexNamePrefix: prefix }).dexes;
  return [];
}

/**
 * Code facts of the APK at `root/apkRel` as a ROM scan sees them: its own dex files, else the
 * first companion (in companionCodePaths order) that holds dex code.
 */
export function romAppFacts(root: string, apkRel: string): { facts: CodeFacts; from: string } {
  const own = apkDexes(join(root, apkRel));
  if (own.length) return { facts: collectCodeFacts(own, WATCH), from: apkRel };
  for (const rel of findCompanionCode(apkRel, (p) => existsSync(join(root, p)))) {
    const dexes = companionDexes(new Uint8Array(readFileSync(join(root, rel))), rel, companionDexPrefix(apkRel, rel));
    if (dexes.length) return { facts: collectCodeFacts(dexes, WATCH), from: rel };
  }
  return { facts: collectCodeFacts([], WATCH), from: '' };
}

/**
 * Facts in a comparable form, with `prefix` taken off every dex name and the dex format version
 * left out (a CompactDex says "001" where the APK's dex says "035").
 */
export function comparable(f: CodeFacts, prefix = ''): unknown {
  const name = (n: string) => (n.startsWith(prefix) ? n.slice(prefix.length) : `!${n}`);
  const locs = (l: { dex: string; class: string; method: string }[]) => l.map((x) => ({ ...x, dex: name(x.dex) }));
  return {
    dex: f.dex.map((d) => ({ name: name(d.name), strings: d.strings, classes: d.classes, methods: d.methods })),
    endpoints: f.endpoints.map((e) => ({ ...e, locations: locs(e.locations) })),
    apis: f.apis.map((a) => ({ ...a, locations: locs(a.locations) })),
    classNames: f.classNames,
    calls: callLists(f.calls),
    stringCount: f.stringCount,
  };
}


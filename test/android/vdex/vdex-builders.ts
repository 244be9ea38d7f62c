// Test-side builders of vdex layouts we have no real file of (006, 021, 027, 019 without a dex
// section), each derived from a real vdex of the corpus so the dex code inside stays real.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from '../dex/helpers.js';
import { walkInsns, emptyRefs } from '../../../src/android/dex/code-walker.js';
import { parseDex } from '../../../src/android/dex/dex-file.js';
import { parseClassData } from '../../../src/android/dex/class-data.js';

export function corpusVdex(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS, 'vdex', name)));
}

const u32 = (b: Uint8Array, p: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(p, true);
function put32(b: Uint8Array, p: number, v: number): void { new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(p, v, true); }
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
function uleb(v: number): number[] {
  const out: number[] = [];
  do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
  return out;
}

/** A 019 vdex turned into 021: two more u32 header fields (both 0); everything after shifts by 8. */
export function vdex021From019(v019: Uint8Array): Uint8Array {
  const head = v019.slice(0, 20);
  head.set([0x30, 0x32, 0x31, 0], 4); // "021\0"
  return concat([head, new Uint8Array(8), v019.subarray(20)]);
}

/** A 019 vdex header with dex section version "000": checksums and verifier deps only. */
export function vdex019WithoutDex(checksums: number[]): Uint8Array {
  const b = new Uint8Array(20 + 4 * checksums.length + 4);
  b.set([0x76, 0x64, 0x65, 0x78, 0x30, 0x31, 0x39, 0, 0x30, 0x30, 0x30, 0]);
  put32(b, 12, checksums.length);
  put32(b, 16, 4);
  checksums.forEach((c, i) => put32(b, 20 + 4 * i, c));
  return b;
}

/** A 027 vdex: the section table, the checksums and the given dex files (4-byte aligned). */
export function vdex027(dexes: Uint8Array[]): Uint8Array {
  const headerSize = 12 + 12 * 4;
  const checksums = new Uint8Array(4 * dexes.length);
  dexes.forEach((d, i) => put32(checksums, 4 * i, u32(d, 8)));
  const dexParts: Uint8Array[] = [];
  for (const d of dexes) { dexParts.push(d); if (d.length % 4) dexParts.push(new Uint8Array(4 - (d.length % 4))); }
  const dexSection = concat(dexParts);
  const head = new Uint8Array(headerSize);
  head.set([0x76, 0x64, 0x65, 0x78, 0x30, 0x32, 0x37, 0]);
  put32(head, 8, 4);
  const sections = [[0, headerSize, checksums.length], [1, headerSize + checksums.length, dexSection.length], [2, 0, 0], [3, 0, 0]];
  sections.forEach(([kind, off, size], i) => { put32(head, 12 + 12 * i, kind); put32(head, 16 + 12 * i, off); put32(head, 20 + 12 * i, size); });
  return concat([head, checksums, dexSection]);
}

/**
 * A 010 vdex (one dex) turned into 006: the same quickened dex, its quickening info rewritten
 * from 010's (code_item offset → u16 index list) into 006's per-method (dex_pc, index) pairs.
 */
export function vdex006From010(v010: Uint8Array): Uint8Array {
  assert(u32(v010, 8) === 1, 'one dex');
  const dexSize = u32(v010, 12), depsSize = u32(v010, 16), qSize = u32(v010, 20);
  const dexBegin = 28, q = dexBegin + dexSize + depsSize;
  const dexBytes = v010.subarray(dexBegin, dexBegin + dexSize);
  // 010 info: (code_item_offset, data_offset) pairs, then one u32 per dex (start of its pairs).
  const pairsEnd = q + qSize - 4;
  const byCode = new Map<number, number[]>();
  for (let p = q + u32(v010, pairsEnd); p < pairsEnd; p += 8) {
    const data = q + u32(v010, p + 4);
    const n = u32(v010, data) / 2;
    byCode.set(u32(v010, p), Array.from({ length: n }, (_, i) => v010[data + 4 + 2 * i] | (v010[data + 5 + 2 * i] << 8)));
  }
  const dex = parseDex(new Uint8Array(dexBytes), 'classes.dex', 'x');
  const blobs: number[] = [];
  for (const cd of dex.classes) {
    if (!cd.classDataOff) continue;
    for (const m of parseClassData(dex.bytes, cd.classDataOff, dex.bytes.length, dex.methods).methods) {
      if (!m.codeOff) continue;
      const indices = byCode.get(m.codeOff) ?? [];
      const units = u32(dex.bytes, m.codeOff + 12);
      const starts: number[] = [];
      walkInsns(dex.bytes, m.codeOff + 16, units, emptyRefs(), starts);
      const pairs: number[] = [];
      let k = 0, skip = -1;
      for (const pc of starts) {
        if (pc === skip) continue;
        const op = dex.bytes[m.codeOff + 16 + 2 * pc];
        if (op === 0x00) {
          if (!indices.length || k >= indices.length) continue;
          const ref = indices[k++];
          if (ref === 0xffff) continue;
          pairs.push(...uleb(pc), ...uleb(ref), ...uleb(pc), ...uleb(indices[k++]));
          skip = pc + 1; // the elided check-cast's second nop
        } else if ((op >= 0xe3 && op <= 0xf2)) {
          pairs.push(...uleb(pc), ...uleb(indices[k++]));
        }
      }
      assert(k === indices.length, `all indices of code at 0x${m.codeOff.toString(16)} used`);
      const size = new Uint8Array(4);
      put32(size, 0, pairs.length);
      blobs.push(...size, ...pairs);
    }
  }
  const quick = new Uint8Array(blobs);
  const out = concat([v010.subarray(0, q), quick]);
  out.set([0x30, 0x30, 0x36], 4);
  put32(out, 20, quick.length);
  return out;
}

function assert(ok: boolean, what: string): void { if (!ok) throw new Error(`vdex006From010: ${what}`); }

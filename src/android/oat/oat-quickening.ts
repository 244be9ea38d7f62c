// Quickening info of Android 7 OAT files (OAT 079–088; AOSP nougat art/runtime/oat_file.cc
// OatClass::GetOatMethodOffsets, oat_quick_method_header.h, compiler/dex/dex_to_dex_compiler.cc).
//
// With the interpret-only / verify-profile filters, dex2oat 7.x quickened the embedded dex in place
// and kept, for each quickened method, a CompiledMethod with no code whose "vmap table" is the
// list of (uleb128 dex_pc, uleb128 index) pairs it replaced (the vdex 006 format). It is found
// through the OAT's per-class tables:
//   OatDexFile.class_offsets_offset → u32 per class_def → OatClass {i16 status, u16 type
//   (0 all compiled, 1 some compiled: u32 bitmap_size + bitmap over the class's methods,
//   2 none), u32 code_offset per compiled method}; code_offset (bit 0 = Thumb) points just past
//   an OatQuickMethodHeader {u32 vmap_table_offset, 3×u32 frame info, u32 code_size}; with
//   code_size 0 the vmap table (at code − vmap_table_offset) is the quickening info.
// Methods are numbered in class_data order (direct, then virtual), with or without code.
// Android 5–6 kept no such info (the runtime re-derived targets from vtables), so their quickened
// instructions stay unresolved.
import type { Anomaly } from '../../io/anomaly.js';
import type { DexFile } from '../dex/dex-file.js';
import { readStandardCodeItem } from '../dex/dex-file.js';
import { parseClassData } from '../dex/class-data.js';
import { unquickenCode, PcIndexPairs } from '../vdex/unquicken.js';

/** sizeof(OatQuickMethodHeader) in Android 7: vmap_table_offset, frame info (3 × u32), code_size. */
const METHOD_HEADER_N = 20;
const OAT_CLASS_ALL_COMPILED = 0;
const OAT_CLASS_SOME_COMPILED = 1;

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/**
 * Unquickens `dex` (a private copy of an embedded dex) in place from the quickening info of OAT
 * data starting at `begin` of `oat`. Returns the number of instructions restored.
 */
export function unquickenOatDex(oat: Uint8Array, begin: number, classOffsetsOffset: number, dex: DexFile, anomalies: Anomaly[]): number {
  const tablePos = begin + classOffsetsOffset;
  if (classOffsetsOffset === 0 || tablePos + 4 * dex.classes.length > oat.length) {
    anomalies.push({ stage: 'oat', message: `${dex.name}: class offsets table at 0x${classOffsetsOffset.toString(16)} outside the file; quickened instructions stay unresolved` });
    return 0;
  }
  const { bytes } = dex;
  const { dataBase, end } = dex.layout;
  let restored = 0, damaged = 0;
  for (const cd of dex.classes) {
    if (cd.classDataOff === 0 || dataBase + cd.classDataOff >= end) continue;
    const classPos = begin + u32(oat, tablePos + 4 * cd.index);
    if (classPos + 4 > oat.length) { damaged++; continue; }
    const type = oat[classPos + 2] | (oat[classPos + 3] << 8);
    let bitmapPos = -1, bitmapSize = 0, methodsPos = classPos + 4;
    if (type !== OAT_CLASS_ALL_COMPILED && type !== OAT_CLASS_SOME_COMPILED) { bitmapPos = classPos + 4; bitmapSize = 0; }
    if (type === OAT_CLASS_SOME_COMPILED) {
      if (classPos + 8 > oat.length) { damaged++; continue; }
      bitmapSize = u32(oat, classPos + 4);
      bitmapPos = classPos + 8;
      methodsPos = bitmapPos + bitmapSize;
      if (methodsPos > oat.length) { damaged++; continue; }
    }
    const methods = parseClassData(bytes, dataBase + cd.classDataOff, end, dex.methods).methods;
    let compiledBefore = 0;
    for (let k = 0; k < methods.length; k++) {
      let slot = k;
      if (bitmapPos >= 0) {
        const set = (k >> 3) < bitmapSize && (oat[bitmapPos + (k >> 3)] & (1 << (k & 7))) !== 0;
        slot = set ? compiledBefore++ : -1;
      }
      const m = methods[k];
      if (m.codeOff === 0) continue;
      const item = readStandardCodeItem(bytes, dataBase + m.codeOff, end);
      if (typeof item === 'string') continue; // walkCode reports it
      const vmap = slot >= 0 ? quickeningInfo(oat, begin, methodsPos + 4 * slot) : -1;
      if (vmap === -2) { damaged++; continue; }
      // Without info, still restore return-void-no-barrier, which needs none.
      const r = unquickenCode(bytes, item.insnsPos, item.insnsUnits, vmap >= 0 ? new PcIndexPairs(oat, vmap, oat.length) : null);
      restored += r.rewritten;
      if (r.problem) damaged++;
    }
  }
  if (damaged) anomalies.push({ stage: 'oat', message: `${dex.name}: quickening info of ${damaged} methods or classes is damaged` });
  return restored;
}

/**
 * Position of the quickening info of the method whose OatMethodOffsets is at `offPos`: -1 when
 * it has none (not compiled, or compiled to native code), -2 when the tables are damaged.
 */
function quickeningInfo(oat: Uint8Array, begin: number, offPos: number): number {
  if (offPos + 4 > oat.length) return -2;
  const codeOffset = u32(oat, offPos) & ~1; // bit 0 marks Thumb code
  if (codeOffset === 0) return -1;
  const code = begin + codeOffset;
  if (code - METHOD_HEADER_N < begin || code > oat.length) return -2;
  if (u32(oat, code - 4) !== 0) return -1; // native code: its vmap table is a stack map
  const vmapOffset = u32(oat, code - METHOD_HEADER_N);
  if (vmapOffset === 0) return -1;
  return vmapOffset > code - begin ? -2 : code - vmapOffset;
}

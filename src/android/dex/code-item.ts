// The standard DEX code_item (spec: "Dalvik executable format", section "code_item"): the
// insns array is what the walkers need. CompactDex has its own (src/android/cdex).

export interface CodeItemInsns { insnsPos: number; insnsUnits: number }

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** The standard DEX code_item: registers, ins, outs, tries (u16 each), debug_info_off, insns_size (u32), insns. */
export function readStandardCodeItem(bytes: Uint8Array, pos: number, end: number): CodeItemInsns | string {
  const out: CodeItemInsns = { insnsPos: 0, insnsUnits: 0 };
  return readStandardCodeItemInto(bytes, pos, end, out) ?? out;
}

/** readStandardCodeItem into a caller's object (no allocation per method): null, or the problem. */
export function readStandardCodeItemInto(bytes: Uint8Array, pos: number, end: number, out: CodeItemInsns): string | null {
  if (pos + 16 > end) return `code_item header at 0x${pos.toString(16)} runs past the end`;
  const insnsUnits = u32(bytes, pos + 12);
  const insnsPos = pos + 16;
  if (insnsUnits > (end - insnsPos) / 2) return `code_item insns_size ${insnsUnits} at 0x${pos.toString(16)} runs past the end`;
  out.insnsPos = insnsPos;
  out.insnsUnits = insnsUnits;
  return null;
}

// Undoes dex2oat's "quickening" of dex code stored in vdex files (Android 8.0–11), so that
// invoke-virtual and iget/iput name their method_ids / field_ids again and the code reads as in
// the APK. Layouts of the quickening info: AOSP art/runtime/vdex_file.cc and
// art/compiler/dex/dex_to_dex_decompiler.cc of each release; vdexExtractor (anestisb) reads the same.
//
// Quickening rewrote, in place and without changing any instruction's width:
//   iget*/iput* (22c)             → iget*-quick/iput*-quick, field index → field byte offset
//   invoke-virtual{,/range}       → invoke-virtual{,/range}-quick, method index → vtable slot
//   return-void (in constructors) → return-void-no-barrier
//   check-cast proven redundant   → two nops
// and kept the replaced indices, in code order, in the vdex's quickening info. Every nop (payload
// pseudo-instructions included, their opcode byte is 0 too) has an entry: 0xffff for a real nop,
// else the check-cast's register and type index. Decompiling walks the code in the same order and
// puts each index back; the instruction that follows is found from the *rewritten* instruction,
// so a restored check-cast (2 units) swallows its second nop, as ART's decompiler does.
import { OPCODE_UNITS } from '../dex/opcodes.js';

/** Quickened opcode → the opcode it replaced (0 = not quickened). */
const UNQUICK = new Uint8Array(256);
UNQUICK[0x73] = 0x0e; // return-void-no-barrier → return-void
UNQUICK[0xe3] = 0x52; UNQUICK[0xe4] = 0x53; UNQUICK[0xe5] = 0x54; // iget, iget-wide, iget-object
UNQUICK[0xe6] = 0x59; UNQUICK[0xe7] = 0x5a; UNQUICK[0xe8] = 0x5b; // iput, iput-wide, iput-object
UNQUICK[0xe9] = 0x6e; UNQUICK[0xea] = 0x74;                       // invoke-virtual, invoke-virtual/range
UNQUICK[0xeb] = 0x5c; UNQUICK[0xec] = 0x5d; UNQUICK[0xed] = 0x5e; UNQUICK[0xee] = 0x5f; // iput-boolean/byte/char/short
UNQUICK[0xef] = 0x55; UNQUICK[0xf0] = 0x56; UNQUICK[0xf1] = 0x57; UNQUICK[0xf2] = 0x58; // iget-boolean/byte/char/short
const OP_NOP = 0x00;
const OP_CHECK_CAST = 0x1f;
const OP_RETURN_VOID_NO_BARRIER = 0x73;
/** The index a real nop records (DexFile::kDexNoIndex16). */
const NO_INDEX16 = 0xffff;

/** The recorded indices of one method, in code order. */
export interface QuickenIndices {
  /** The index recorded for the quickened instruction at `pc`, or -1 when there is none. */
  take(pc: number): number;
  /** For a nop at `pc`: the elided check-cast's [register, type index], or null for a real nop. */
  nop(pc: number): [number, number] | null;
  /** Indices not consumed yet. */
  left(): number;
}

/** Vdex 010/019/021 (QuickenInfoTable): u16 indices, one per quickened instruction or nop. */
export class IndexList implements QuickenIndices {
  private i = 0;
  constructor(private readonly bytes: Uint8Array, private readonly pos: number, private readonly count: number) {}
  take(): number {
    if (this.i >= this.count) return -1;
    const p = this.pos + 2 * this.i++;
    return this.bytes[p] | (this.bytes[p + 1] << 8);
  }
  nop(): [number, number] | null {
    // No indices at all: the method was quickened only for return-void-no-barrier.
    if (this.count === 0 || this.i >= this.count) return null;
    const ref = this.take();
    if (ref === NO_INDEX16) return null;
    const type = this.take();
    return type < 0 ? null : [ref, type];
  }
  left(): number { return this.count - this.i; }
}

/** Vdex 006: (uleb128 dex_pc, uleb128 index) pairs; an elided check-cast has two pairs at its pc. */
export class PcIndexPairs implements QuickenIndices {
  private p: number;
  constructor(private readonly bytes: Uint8Array, pos: number, private readonly end: number) { this.p = pos; }
  private uleb(at: number): [number, number] | null {
    let v = 0;
    for (let k = 0, p = at; k < 5; k++) {
      if (p >= this.end) return null;
      const b = this.bytes[p++];
      v |= (b & 0x7f) << (7 * k);
      if (!(b & 0x80)) return [v >>> 0, p];
    }
    return null;
  }
  private peekPc(): [number, number] | null { return this.uleb(this.p); }
  take(pc: number): number {
    const a = this.peekPc();
    if (!a || a[0] !== pc) return -1;
    const b = this.uleb(a[1]);
    if (!b) return -1;
    this.p = b[1];
    return b[0] & 0xffff;
  }
  nop(pc: number): [number, number] | null {
    const a = this.peekPc();
    if (!a || a[0] !== pc) return null;
    const ref = this.take(pc), type = this.take(pc);
    return ref < 0 || type < 0 ? null : [ref, type];
  }
  left(): number { return this.p < this.end ? 1 : 0; }
}

export interface UnquickenResult {
  /** Instructions rewritten. */
  rewritten: number;
  /** Quickened instructions left as they were (their index was missing). */
  unresolved: number;
  /** Set when the code or the indices are damaged. */
  problem?: string;
}

/**
 * Rewrites the quickened instructions of one code item (`units` code units at byte position
 * `pos` of `b`, all inside `b`) back to their originals. `indices` may be null: then only
 * return-void-no-barrier, which needs no index, is restored.
 */
export function unquickenCode(b: Uint8Array, pos: number, units: number, indices: QuickenIndices | null): UnquickenResult {
  let rewritten = 0, unresolved = 0;
  let pc = 0;
  while (pc < units) {
    const p = pos + 2 * pc;
    let op = b[p];
    if (op === OP_NOP) {
      const ident = b[p + 1];
      if (indices && ident === 0) {
        const cc = indices.nop(pc);
        if (cc) {
          if (pc + 2 > units) return { rewritten, unresolved, problem: `restored check-cast at pc 0x${pc.toString(16)} runs past the end of the code` };
          b[p] = OP_CHECK_CAST; b[p + 1] = cc[0] & 0xff;
          b[p + 2] = cc[1] & 0xff; b[p + 3] = cc[1] >>> 8;
          op = OP_CHECK_CAST;
          rewritten++;
        }
      } else if (indices && ident >= 1 && ident <= 3) {
        // A payload is "a nop" to the quickener as well, and got a real-nop entry.
        indices.nop(pc);
      }
    } else if (UNQUICK[op] !== 0) {
      if (op === OP_RETURN_VOID_NO_BARRIER) {
        b[p] = UNQUICK[op];
        rewritten++;
      } else {
        const idx = indices ? indices.take(pc) : -1;
        if (idx < 0) unresolved++;
        else {
          b[p] = UNQUICK[op];
          b[p + 2] = idx & 0xff; b[p + 3] = idx >>> 8;
          rewritten++;
        }
      }
    }
    const width = insnWidth(b, pos, pc, units);
    if (width < 0) return { rewritten, unresolved, problem: `instruction at pc 0x${pc.toString(16)} runs past the end of the code (${units} units)` };
    pc += width;
  }
  return { rewritten, unresolved };
}

/** Width in code units of the instruction or payload at `pc`, or -1 when it overruns `units`. */
function insnWidth(b: Uint8Array, pos: number, pc: number, units: number): number {
  const p = pos + 2 * pc;
  const op = b[p];
  let width: number;
  if (op === OP_NOP && b[p + 1] >= 1 && b[p + 1] <= 3) {
    const ident = b[p + 1];
    if (ident === 3) {
      if (pc + 4 > units) return -1;
      const elementWidth = b[p + 2] | (b[p + 3] << 8);
      const size = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
      width = 4 + Math.ceil((size * elementWidth) / 2);
    } else {
      if (pc + 2 > units) return -1;
      const size = b[p + 2] | (b[p + 3] << 8);
      width = ident === 1 ? 4 + 2 * size : 2 + 4 * size;
    }
  } else {
    width = OPCODE_UNITS[op];
  }
  return pc + width > units ? -1 : width;
}

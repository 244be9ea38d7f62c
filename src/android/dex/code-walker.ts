// Linear walk over one method's insns array (spec: "Dalvik bytecode" and "Dalvik executable
// instruction formats"). It steps by each instruction's width, payload pseudo-instructions
// included, and picks out the references the analysis needs: const-string, field reads,
// invokes and call sites. It does not follow branches: every code unit belongs to exactly one
// instruction or payload when walked linearly, which is how dexdump disassembles too.
import {
  OPCODE_UNITS, UNUSED_OPCODE, QUICK_OPCODE, OP_CONST_STRING, OP_CONST_STRING_JUMBO, OP_IGET_FIRST, OP_IGET_LAST,
  OP_SGET_FIRST, OP_SGET_LAST, OP_INVOKE_FIRST, OP_INVOKE_LAST, OP_INVOKE_RANGE_FIRST, OP_INVOKE_RANGE_LAST,
  OP_INVOKE_POLYMORPHIC, OP_INVOKE_POLYMORPHIC_RANGE, OP_INVOKE_CUSTOM, OP_INVOKE_CUSTOM_RANGE,
} from './opcodes.js';

/** What one method's code refers to, in code order (duplicates kept). */
export interface InsnRefs {
  /** string_ids indices of const-string / const-string/jumbo. */
  strings: number[];
  /** method_ids indices of invoke-* (35c, 3rc, invoke-polymorphic 45cc/4rcc). */
  invokes: number[];
  /** field_ids indices read by sget-* and iget-*. */
  fieldReads: number[];
  /** call_site_ids indices of invoke-custom and invoke-custom/range. */
  callSites: number[];
  /** Number of unused (unassigned) opcodes met: a compiler never emits them. */
  unusedOpcodes: number;
  /** Number of quickened opcodes met (odex/vdex of Android 8..11; their operands are vtable indices and field offsets, not refs). */
  quickenedOpcodes: number;
}

// Module-local copies: hot loops then read plain locals, not (possibly getter-backed) import bindings.
const UNITS: Uint8Array = OPCODE_UNITS.slice();
/**
 * One lookup per instruction: bits 0..2 say what the walker does with the opcode (0 nothing,
 * 1 string16, 2 string32, 3 invoke, 4 field read, 5 call site), bit 3 marks an unused opcode,
 * bit 4 a quickened one.
 */
const INFO_UNUSED = 8;
const INFO_QUICK = 16;
const INFO: Uint8Array = buildInfo();

function buildInfo(): Uint8Array {
  const a = new Uint8Array(256);
  a[OP_CONST_STRING] = 1;
  a[OP_CONST_STRING_JUMBO] = 2;
  for (let op = OP_INVOKE_FIRST; op <= OP_INVOKE_LAST; op++) a[op] = 3;
  for (let op = OP_INVOKE_RANGE_FIRST; op <= OP_INVOKE_RANGE_LAST; op++) a[op] = 3;
  a[OP_INVOKE_POLYMORPHIC] = 3;
  a[OP_INVOKE_POLYMORPHIC_RANGE] = 3;
  for (let op = OP_SGET_FIRST; op <= OP_SGET_LAST; op++) a[op] = 4;
  for (let op = OP_IGET_FIRST; op <= OP_IGET_LAST; op++) a[op] = 4;
  a[OP_INVOKE_CUSTOM] = 5;
  a[OP_INVOKE_CUSTOM_RANGE] = 5;
  for (let op = 1; op < 256; op++) {
    // An opcode is either unused, quickened or one the walker reads, never two of these.
    if (UNUSED_OPCODE[op]) a[op] |= INFO_UNUSED;
    else if (QUICK_OPCODE[op]) a[op] |= INFO_QUICK;
  }
  return a;
}

export function emptyRefs(): InsnRefs {
  return { strings: [], invokes: [], fieldReads: [], callSites: [], unusedOpcodes: 0, quickenedOpcodes: 0 };
}

/**
 * One method's refs in reusable typed arrays: `strings[0, stringCount)` and so on. A walk over
 * a whole dex fills the same buffer for every method, so nothing is allocated per method; the
 * contents are valid only until the next walk into the buffer (copy what must outlive it).
 */
export class RefsBuffer {
  /** string_ids indices of const-string / const-string/jumbo. */
  strings: Uint32Array = new Uint32Array(16);
  stringCount = 0;
  /** method_ids indices of invoke-* (35c, 3rc, invoke-polymorphic 45cc/4rcc). */
  invokes: Uint32Array = new Uint32Array(64);
  invokeCount = 0;
  /** field_ids indices read by sget-* and iget-*. */
  fieldReads: Uint32Array = new Uint32Array(32);
  fieldReadCount = 0;
  /** call_site_ids indices of invoke-custom and invoke-custom/range. */
  callSites: Uint32Array = new Uint32Array(4);
  callSiteCount = 0;
  unusedOpcodes = 0;
  quickenedOpcodes = 0;

  /** Doubles one full array (0 strings, 1 invokes, 2 field reads, 3 call sites) and returns it; growth is bounded by the refs actually found. */
  grow(which: number): Uint32Array {
    const old = which === 0 ? this.strings : which === 1 ? this.invokes : which === 2 ? this.fieldReads : this.callSites;
    const next = new Uint32Array(old.length * 2);
    next.set(old);
    if (which === 0) this.strings = next;
    else if (which === 1) this.invokes = next;
    else if (which === 2) this.fieldReads = next;
    else this.callSites = next;
    return next;
  }
}

/**
 * Walks `units` 16-bit code units starting at byte position `pos` of `bytes` (the caller has
 * checked that they are all inside `bytes`) and appends the refs found to `out` (existing
 * arrays and counts grow). Returns null, or a message when an instruction or payload runs past
 * the end of the array (the refs found before that point are kept).
 * `starts`, when given, receives the pc (in code units) of every instruction and payload.
 */
export function walkInsns(bytes: Uint8Array, pos: number, units: number, out: InsnRefs, starts?: number[]): string | null {
  const buf = new RefsBuffer();
  const problem = walkInsnsInto(bytes, pos, units, buf, starts);
  for (let i = 0; i < buf.stringCount; i++) out.strings.push(buf.strings[i]);
  for (let i = 0; i < buf.invokeCount; i++) out.invokes.push(buf.invokes[i]);
  for (let i = 0; i < buf.fieldReadCount; i++) out.fieldReads.push(buf.fieldReads[i]);
  for (let i = 0; i < buf.callSiteCount; i++) out.callSites.push(buf.callSites[i]);
  out.unusedOpcodes += buf.unusedOpcodes;
  out.quickenedOpcodes += buf.quickenedOpcodes;
  return problem;
}

/**
 * walkInsns into a RefsBuffer, which is emptied first: the walk every dex analysis runs, with
 * no allocation per method. Returns null or the problem, as walkInsns does.
 */
export function walkInsnsInto(bytes: Uint8Array, pos: number, units: number, out: RefsBuffer, starts?: number[]): string | null {
  let strings = out.strings, invokes = out.invokes, fieldReads = out.fieldReads, callSites = out.callSites;
  let nStrings = 0, nInvokes = 0, nFieldReads = 0, nCallSites = 0, unused = 0, quickened = 0;
  let problem: string | null = null;
  let pc = 0;
  while (pc < units) {
    const p = pos + 2 * pc;
    const op = bytes[p];
    let width: number;
    if (op === 0) {
      const ident = bytes[p + 1];
      if (ident === 0) width = 1;
      else if (ident === 1 || ident === 2) {
        // packed-switch-payload: ident, size, first_key (2 units), targets[size] (2 units each)
        // sparse-switch-payload: ident, size, keys[size], targets[size]
        if (pc + 2 > units) { problem = `switch payload header at pc 0x${pc.toString(16)} runs past the end of the code`; break; }
        const size = bytes[p + 2] | (bytes[p + 3] << 8);
        width = ident === 1 ? 4 + 2 * size : 2 + 4 * size;
      } else if (ident === 3) {
        // fill-array-data-payload: ident, element_width, size (2 units), data (size*width bytes, padded to units)
        if (pc + 4 > units) { problem = `fill-array-data payload header at pc 0x${pc.toString(16)} runs past the end of the code`; break; }
        const elementWidth = bytes[p + 2] | (bytes[p + 3] << 8);
        const size = (bytes[p + 4] | (bytes[p + 5] << 8) | (bytes[p + 6] << 16) | (bytes[p + 7] << 24)) >>> 0;
        width = 4 + Math.ceil((size * elementWidth) / 2); // < 2^49: exact in a double
      } else {
        width = 1; // a nop with a stray high byte: the verifier rejects it; it is still one unit
        unused++;
      }
    } else {
      width = UNITS[op];
      const info = INFO[op];
      if (info & INFO_UNUSED) unused++;
      else if (info & INFO_QUICK) quickened++;
    }
    if (pc + width > units) {
      problem = `instruction 0x${op.toString(16).padStart(2, '0')} (${width} units) at pc 0x${pc.toString(16)} runs past the end of the code (${units} units)`;
      break;
    }
    if (starts) starts.push(pc);
    const action = INFO[op] & 7;
    if (action !== 0) {
      const idx = bytes[p + 2] | (bytes[p + 3] << 8);
      if (action === 3) {
        if (nInvokes === invokes.length) invokes = out.grow(1);
        invokes[nInvokes++] = idx;
      } else if (action === 4) {
        if (nFieldReads === fieldReads.length) fieldReads = out.grow(2);
        fieldReads[nFieldReads++] = idx;
      } else if (action === 1 || action === 2) {
        if (nStrings === strings.length) strings = out.grow(0);
        strings[nStrings++] = action === 1 ? idx : (idx | (bytes[p + 4] << 16) | (bytes[p + 5] << 24)) >>> 0;
      } else {
        if (nCallSites === callSites.length) callSites = out.grow(3);
        callSites[nCallSites++] = idx;
      }
    }
    pc += width;
  }
  out.stringCount = nStrings;
  out.invokeCount = nInvokes;
  out.fieldReadCount = nFieldReads;
  out.callSiteCount = nCallSites;
  out.unusedOpcodes = unused;
  out.quickenedOpcodes = quickened;
  return problem;
}

// A cursor over every method with code in a dex (class_defs order; direct methods, then virtual
// ones): the allocation-free form of DexFile.walkCode, for analyses that visit every method.
// The class_data_item of the current class and the refs of the current method live in buffers
// the cursor reuses, so they are valid only until the next call of next().
//
// Damage is recorded on the dex exactly as walkCode records it (same messages, same order):
// a class_data_item problem before that class's methods, a bad code_item or an instruction
// that overruns the code with the method, and the counts of unused and quickened opcodes
// when the walk is exhausted.
import { LIMITS } from '../../io/limits.js';
import { ClassDataBuffer } from './class-data.js';
import { RefsBuffer, walkInsnsInto } from './code-walker.js';
import { readStandardCodeItem, readStandardCodeItemInto, type CodeItemInsns } from './code-item.js';
import type { ClassDef, DexFile } from './dex-file.js';

export class CodeCursor {
  /** The current method's class. */
  classDef!: ClassDef;
  /** method_ids index of the current method. */
  methodIdx = -1;
  accessFlags = 0;
  /** Position of the current method's code_item in the dex's bytes (its absolute offset is dex.base + codePos). */
  codePos = -1;
  /** What the current method's code refers to (reused: read it before the next call of next()). */
  readonly refs = new RefsBuffer();

  /** The placeholder name of a method whose name_idx is bad (recorded once), else null. */
  private badName: string | null = null;
  private readonly classData = new ClassDataBuffer();
  private readonly codeItem: CodeItemInsns = { insnsPos: 0, insnsUnits: 0 };
  private classIndex = -1;
  private methodPos = 0;
  private unusedOpcodes = 0;
  private quickenedOpcodes = 0;
  private done = false;

  constructor(private readonly dex: DexFile) {}

  /** Name of the current method (decoded on first use, then cached by the dex). */
  name(): string {
    return this.badName ?? this.dex.methodName(this.methodIdx);
  }

  /** Moves to the next method with code; false (once the totals are recorded) when there is none. */
  next(): boolean {
    const dex = this.dex;
    const { bytes, classes } = dex;
    const { dataBase, end } = dex.layout;
    const data = this.classData;
    const standard = dex.readCodeItem === readStandardCodeItem;
    for (;;) {
      while (this.methodPos < data.methodCount) {
        const k = this.methodPos++;
        const codeOff = data.codeOff[k];
        if (codeOff === 0) continue;
        const methodIdx = data.methodIdx[k];
        const cd = this.classDef;
        this.methodIdx = methodIdx;
        // Every method is named (walkCode always did, and a bad name index is an anomaly each
        // time it is looked up), but a good name is decoded only when asked for.
        this.badName = dex.methodNameIdx(methodIdx) < dex.strings ? null : dex.methodName(methodIdx);
        const codePos = dataBase + codeOff;
        let code: CodeItemInsns | string;
        if (codePos >= end) code = `code_off 0x${codeOff.toString(16)} outside the file`;
        else if (standard) code = readStandardCodeItemInto(bytes, codePos, end, this.codeItem) ?? this.codeItem;
        else code = dex.readCodeItem(bytes, codePos, end);
        if (typeof code === 'string') {
          dex.note(`${cd.descriptor}->${this.name()}: ${code}`, codePos < end ? codePos : undefined);
          continue;
        }
        if (code.insnsUnits > LIMITS.MAX_CODE_UNITS) {
          dex.note(`${cd.descriptor}->${this.name()}: insns_size ${code.insnsUnits} over MAX_CODE_UNITS; method skipped`, codePos);
          continue;
        }
        const refs = this.refs;
        const problem = walkInsnsInto(bytes, code.insnsPos, code.insnsUnits, refs);
        if (problem) dex.note(`${cd.descriptor}->${this.name()}: ${problem}`, code.insnsPos);
        this.unusedOpcodes += refs.unusedOpcodes;
        this.quickenedOpcodes += refs.quickenedOpcodes;
        this.accessFlags = data.accessFlags[k];
        this.codePos = codePos;
        return true;
      }
      data.methodCount = 0;
      this.methodPos = 0;
      if (++this.classIndex >= classes.length) {
        if (!this.done) {
          this.done = true;
          if (this.unusedOpcodes > 0) dex.note(`${this.unusedOpcodes} unused opcodes in code (never emitted by a compiler: hand-made or obfuscated bytecode)`);
          if (this.quickenedOpcodes > 0) dex.note(`${this.quickenedOpcodes} quickened opcodes (dex from an odex/vdex of Android 8..11; invoke-virtual-quick targets are vtable slots and are not resolved)`);
        }
        return false;
      }
      const cd = classes[this.classIndex];
      this.classDef = cd;
      if (cd.classDataOff === 0) continue;
      const pos = dataBase + cd.classDataOff;
      if (pos >= end) { dex.note(`class_defs[${cd.index}] class_data_off 0x${cd.classDataOff.toString(16)} outside the file`); continue; }
      const problem = data.parse(bytes, pos, end, dex.methods);
      if (problem) dex.note(`class_defs[${cd.index}] ${cd.descriptor}: ${problem}`, pos);
    }
  }
}

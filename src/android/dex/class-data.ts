// class_data_item (spec: "Dalvik executable format", section "class_data_item"): four uleb128
// counts, then encoded_field / encoded_method lists whose indices are deltas from the previous
// entry of the same list (the first is absolute).

export interface EncodedMethod {
  methodIdx: number;
  accessFlags: number;
  /** code_off as stored: relative to the dex's data base, 0 for abstract and native methods. */
  codeOff: number;
  direct: boolean;
}

export interface ClassData {
  staticFieldsSize: number;
  instanceFieldsSize: number;
  methods: EncodedMethod[];
  /** Set when the item is damaged; `methods` then holds those read before the damage. */
  problem?: string;
}

/** A cursor over uleb128 sequences that reports overruns as -1 instead of throwing; `end` is exclusive. */
class UlebCursor {
  constructor(readonly bytes: Uint8Array, public pos: number, readonly end: number) {}
  /** Returns -1 when the value runs past `end` or is longer than 5 bytes. */
  uleb(): number {
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) return -1;
      const b = this.bytes[this.pos++];
      result |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return result >>> 0;
    }
    return -1;
  }
}

/**
 * The methods of one class_data_item in reusable typed arrays (entries [0, methodCount)), so a
 * walk over every class of a dex allocates nothing per method. Entries [0, directCount) come
 * from the direct_methods list.
 */
export class ClassDataBuffer {
  methodIdx: Uint32Array = new Uint32Array(32);
  accessFlags: Uint32Array = new Uint32Array(32);
  /** code_off as stored: relative to the dex's data base, 0 for abstract and native methods. */
  codeOff: Uint32Array = new Uint32Array(32);
  methodCount = 0;
  directCount = 0;
  staticFieldsSize = 0;
  instanceFieldsSize = 0;

  private push(methodIdx: number, accessFlags: number, codeOff: number): void {
    const n = this.methodCount;
    if (n === this.methodIdx.length) {
      // Doubling: what is allocated stays proportional to the entries actually read.
      const grow = (a: Uint32Array) => { const b = new Uint32Array(2 * a.length); b.set(a); return b; };
      this.methodIdx = grow(this.methodIdx);
      this.accessFlags = grow(this.accessFlags);
      this.codeOff = grow(this.codeOff);
    }
    this.methodIdx[n] = methodIdx;
    this.accessFlags[n] = accessFlags;
    this.codeOff[n] = codeOff;
    this.methodCount = n + 1;
  }

  /**
   * Parses the class_data_item at byte position `pos`, reading no further than `end`, into this
   * buffer (emptied first). Never throws: returns a description of the damage, or undefined;
   * the methods read before the damage are kept.
   */
  parse(bytes: Uint8Array, pos: number, end: number, methodIdsSize: number): string | undefined {
    this.methodCount = 0;
    this.directCount = 0;
    this.staticFieldsSize = 0;
    this.instanceFieldsSize = 0;
    const c = new UlebCursor(bytes, pos, end);
    const staticFieldsSize = c.uleb(), instanceFieldsSize = c.uleb();
    const directMethodsSize = c.uleb(), virtualMethodsSize = c.uleb();
    if (staticFieldsSize < 0 || instanceFieldsSize < 0 || directMethodsSize < 0 || virtualMethodsSize < 0) {
      return 'class_data_item header runs past the end or has a bad uleb128';
    }
    this.staticFieldsSize = staticFieldsSize;
    this.instanceFieldsSize = instanceFieldsSize;
    // Never trust counts: an encoded_field takes at least 2 bytes, an encoded_method at least 3.
    const minBytes = 2 * (staticFieldsSize + instanceFieldsSize) + 3 * (directMethodsSize + virtualMethodsSize);
    if (minBytes > end - c.pos) {
      return `class_data_item counts ${staticFieldsSize}/${instanceFieldsSize}/${directMethodsSize}/${virtualMethodsSize} need at least ${minBytes} bytes, ${end - c.pos} left`;
    }
    for (let i = 0, n = staticFieldsSize + instanceFieldsSize; i < n; i++) {
      if (c.uleb() < 0 || c.uleb() < 0) return 'encoded_field runs past the end or has a bad uleb128';
    }
    for (let list = 0; list < 2; list++) {
      const count = list === 0 ? directMethodsSize : virtualMethodsSize;
      let methodIdx = 0;
      for (let i = 0; i < count; i++) {
        const diff = c.uleb(), accessFlags = c.uleb(), codeOff = c.uleb();
        if (diff < 0 || accessFlags < 0 || codeOff < 0) return 'encoded_method runs past the end or has a bad uleb128';
        methodIdx += diff;
        if (methodIdx >= methodIdsSize) {
          // Later deltas build on this one, so the rest of the list is meaningless too.
          return `encoded_method method_idx ${methodIdx} >= method_ids_size ${methodIdsSize}`;
        }
        this.push(methodIdx, accessFlags, codeOff);
        if (list === 0) this.directCount++;
      }
    }
    return undefined;
  }
}

/**
 * Parses the class_data_item at byte position `pos`, reading no further than `end`.
 * Never throws: damage is reported in `problem` (the caller records it as an anomaly).
 */
export function parseClassData(bytes: Uint8Array, pos: number, end: number, methodIdsSize: number): ClassData {
  const buf = new ClassDataBuffer();
  const problem = buf.parse(bytes, pos, end, methodIdsSize);
  const methods: EncodedMethod[] = new Array(buf.methodCount);
  for (let i = 0; i < buf.methodCount; i++) {
    methods[i] = { methodIdx: buf.methodIdx[i], accessFlags: buf.accessFlags[i], codeOff: buf.codeOff[i], direct: i < buf.directCount };
  }
  const out: ClassData = { staticFieldsSize: buf.staticFieldsSize, instanceFieldsSize: buf.instanceFieldsSize, methods };
  if (problem !== undefined) out.problem = problem;
  return out;
}

// DEX reader. Spec: "Dalvik executable format" (source.android.com/docs/core/runtime/dex-format),
// versions 035..041; instruction widths from "Dalvik bytecode" / "Dalvik executable instruction formats".
//
// Reading guide: parseDex() finds the header(s), checks every id table against the bytes it
// has, and returns a DexFile whose lookups (string(i), typeName(i), methodRef(i)…) decode
// lazily and cache. walkCode() parses class_data and code_item and walks each method's
// instructions once; codeCursor() is the same walk without allocation per method (its buffers
// are reused, so a visitor must copy what it keeps), and scanStrings() locates every plain-ASCII
// string's bytes so analyses can test bytes before decoding (it records string anomalies in
// index order, as decoding every string would). Where offsets count from is a parameter (DexLayout), so CompactDex (whose
// data offsets count from a separate data section) can reuse all of this with its own layout
// and code_item reader: build a DexHeader with readHeaderFields(), then `new DexFile(...)`.
//
// Error policy: a header or id table that contradicts the bytes throws FormatError /
// TruncatedError (nothing after it can be trusted). A bad index or offset inside an item
// (a string_data_off past the end, a method_idx beyond method_ids) becomes an anomaly and a
// placeholder, and parsing goes on — as androguard's MethodIdItemInvalid does.
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { parseDexHeader, DEX_CONTAINER_VERSION, type DexHeader } from './header.js';
import { decodeAscii, decodeMutf8, MUTF8_MALFORMED, MUTF8_UNTERMINATED, MUTF8_FOUR_BYTE } from './mutf8.js';
import type { InsnRefs } from './code-walker.js';
import { CodeCursor } from './code-cursor.js';
import { readStandardCodeItem, type CodeItemInsns } from './code-item.js';

import { descriptorToDotted } from './descriptor.js';
import { adler32 } from './adler32.js';

export { descriptorToDotted, readStandardCodeItem, type CodeItemInsns };
export { readStandardCodeItemInto } from './code-item.js';

/** map_item type codes (spec: "Type codes"). */
export const TYPE_CALL_SITE_ID_ITEM = 0x0007;
export const TYPE_METHOD_HANDLE_ITEM = 0x0008;
export const NO_INDEX = 0xffffffff;

/** Most anomalies kept per dex; past this only a count is kept (a hostile file may have millions). */
const MAX_ANOMALIES = 200;
/** Dex files read from one v41 container. d8 splits at 64k methods, so even huge apps stay far below this. */
const MAX_CONTAINER_PARTS = 1024;

/** Where a dex's offsets count from. Positions are indices into the `bytes` given to the DexFile. */
export interface DexLayout {
  /** Position of the header. */
  headerPos: number;
  /** Position the header's section offsets (string_ids_off, …, class_defs_off) count from. */
  sectionBase: number;
  /** Position data offsets (string_data_off, class_data_off, code_off, map_off, type_list offsets) count from. */
  dataBase: number;
  /** Exclusive end of the bytes this dex may refer to. */
  end: number;
  /** Reads the code_item at a position; a string is a problem. Defaults to the standard DEX code_item. */
  readCodeItem?: (bytes: Uint8Array, pos: number, end: number) => CodeItemInsns | string;
}


export interface MapItem { type: number; size: number; offset: number }

export interface ClassDef {
  index: number;
  classIdx: number;
  /** Type descriptor, e.g. "Lcom/example/Reg;". */
  descriptor: string;
  accessFlags: number;
  superclassIdx: number;
  interfacesOff: number;
  sourceFileIdx: number;
  annotationsOff: number;
  classDataOff: number;
  staticValuesOff: number;
}

export interface MethodRef { classIdx: number; classDescriptor: string; name: string; proto: string }
export interface FieldRef { classIdx: number; classDescriptor: string; name: string; type: string }

/** One method with code, as walkCode reports it. The arrays are fresh for each call (CodeCursor reuses them instead). */
export interface MethodCode extends InsnRefs {
  classDef: ClassDef;
  /** Descriptor of the defining class ("Lcom/a/B;"). */
  classDescriptor: string;
  methodIdx: number;
  methodName: string;
  accessFlags: number;
  /** Absolute offset of the code_item. */
  codeOffset: number;
}

export type CodeVisitor = (m: MethodCode) => void;

/**
 * Per string_ids index, where a plain ASCII string's bytes are: `pos` (a position in the dex's
 * `bytes`, or -1 when the string is not plain ASCII or is damaged: use string(i)) and `length`
 * (bytes = UTF-16 units, no terminator).
 */
export interface StringSpans { pos: Int32Array; length: Int32Array }

/** Scratch space for DexFile.dottedFromBytes; longer descriptors are decoded instead. */
const dottedScratch = Buffer.allocUnsafe(4096);

function u16(b: Uint8Array, p: number): number { return b[p] | (b[p + 1] << 8); }
function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

export class DexFile {
  readonly version: string;
  /** string_ids_size. */
  readonly strings: number;
  /** type_ids_size. */
  readonly types: number;
  readonly protos: number;
  readonly fields: number;
  /** method_ids_size. */
  readonly methods: number;
  readonly classes: ClassDef[];
  readonly mapList: MapItem[];
  readonly anomalies: Anomaly[];
  /** Every dex of the container this one came from (v41); [this] otherwise. Set by parseDex. */
  parts: DexFile[] = [this];

  private readonly stringCache: (string | undefined)[];
  private readonly stringIdsPos: number;
  private readonly typeIdsPos: number;
  private readonly protoIdsPos: number;
  private readonly fieldIdsPos: number;
  private readonly methodIdsPos: number;
  /** The layout's code_item reader (readStandardCodeItem unless the layout has its own). */
  readonly readCodeItem: (bytes: Uint8Array, pos: number, end: number) => CodeItemInsns | string;
  /** Filled by scanStrings(). */
  private stringSpans: StringSpans | undefined;
  private droppedAnomalies = 0;
  /** A Buffer view of `bytes` for fast string decoding; the walker keeps the plain Uint8Array (monomorphic access). */
  private readonly text: Uint8Array;

  /**
   * @param bytes the buffer holding the dex (and, for containers and CompactDex, its neighbours)
   * @param base absolute offset of bytes[0] in the Source `path` (for anomaly and error offsets)
   */
  constructor(readonly bytes: Uint8Array, readonly header: DexHeader, readonly layout: DexLayout,
    readonly name: string, readonly path: string, anomalies: Anomaly[] = [], readonly base = 0) {
    this.anomalies = anomalies;
    this.version = header.version;
    this.strings = header.stringIdsSize;
    this.types = header.typeIdsSize;
    this.protos = header.protoIdsSize;
    this.fields = header.fieldIdsSize;
    this.methods = header.methodIdsSize;
    this.readCodeItem = layout.readCodeItem ?? readStandardCodeItem;
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const h = header;
    this.stringIdsPos = this.table('string_ids', h.stringIdsOff, h.stringIdsSize, 4, 56);
    this.typeIdsPos = this.table('type_ids', h.typeIdsOff, h.typeIdsSize, 4, 64);
    this.protoIdsPos = this.table('proto_ids', h.protoIdsOff, h.protoIdsSize, 12, 72);
    this.fieldIdsPos = this.table('field_ids', h.fieldIdsOff, h.fieldIdsSize, 8, 80);
    this.methodIdsPos = this.table('method_ids', h.methodIdsOff, h.methodIdsSize, 8, 88);
    const classDefsPos = this.table('class_defs', h.classDefsOff, h.classDefsSize, 32, 96);
    // type/proto indices are u16 in every item that holds them, so more than 65535 cannot be addressed.
    if (h.typeIdsSize > 0xffff) this.note(`type_ids_size ${h.typeIdsSize} > 65535`, layout.headerPos + 64);
    if (h.protoIdsSize > 0xffff) this.note(`proto_ids_size ${h.protoIdsSize} > 65535`, layout.headerPos + 72);
    checkLimit('MAX_STRING_POOL_ENTRIES', h.stringIdsSize, 'dex string_ids_size', base + layout.headerPos + 56, path);
    this.stringCache = new Array(h.stringIdsSize);
    this.classes = this.readClassDefs(classDefsPos, h.classDefsSize);
    this.mapList = this.readMapList();
  }

  /** Records an anomaly (capped per dex). `pos` is a position in `bytes`. */
  note(message: string, pos?: number): void {
    if (this.anomalies.length < MAX_ANOMALIES) {
      this.anomalies.push({ stage: 'dex', message: `${this.name}: ${message}`, ...(pos !== undefined ? { offset: this.base + pos } : {}) });
    } else {
      this.droppedAnomalies++;
      const last = this.anomalies[this.anomalies.length - 1];
      const summary = `${this.name}: ${this.droppedAnomalies} more anomalies not listed`;
      if (last.message.endsWith('more anomalies not listed')) last.message = summary;
      else this.anomalies[this.anomalies.length - 1] = { stage: 'dex', message: summary };
    }
  }

  /** Checks that an id table lies inside the bytes; returns its position. */
  private table(what: string, off: number, count: number, itemSize: number, headerField: number): number {
    const pos = this.layout.sectionBase + off;
    if (count === 0) return pos;
    if (off === 0 || pos + count * itemSize > this.layout.end) {
      throw new FormatError(`dex: ${what} (${count} × ${itemSize} bytes at 0x${off.toString(16)}) outside the file of 0x${(this.layout.end - this.layout.sectionBase).toString(16)} bytes`,
        this.base + this.layout.headerPos + headerField + 4, this.path); // the _off field
    }
    if (pos % 4 !== 0) this.note(`${what} at 0x${off.toString(16)} is not 4-byte aligned`, pos);
    return pos;
  }

  private readClassDefs(pos: number, count: number): ClassDef[] {
    const out: ClassDef[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.classDefAt(i, pos + 32 * i);
    return out;
  }

  /**
   * class_defs[i] at `p`. A method of its own (and its descriptor decoded by string(), whose slow
   * path is apart too): V8 compiles the whole enclosing function when a loop gets hot.
   */
  private classDefAt(i: number, p: number): ClassDef {
    const b = this.bytes;
    const classIdx = u32(b, p);
    return {
      index: i, classIdx, descriptor: this.typeName(classIdx),
      accessFlags: u32(b, p + 4), superclassIdx: u32(b, p + 8), interfacesOff: u32(b, p + 12),
      sourceFileIdx: u32(b, p + 16), annotationsOff: u32(b, p + 20), classDataOff: u32(b, p + 24),
      staticValuesOff: u32(b, p + 28),
    };
  }

  private readMapList(): MapItem[] {
    const off = this.header.mapOff;
    const { dataBase, end } = this.layout;
    if (off === 0) { this.note('no map_list (map_off is 0)', this.layout.headerPos + 52); return []; }
    const pos = dataBase + off;
    if (pos + 4 > end) { this.note(`map_off 0x${off.toString(16)} outside the file`, this.layout.headerPos + 52); return []; }
    const size = u32(this.bytes, pos);
    if (size > (end - pos - 4) / 12) { this.note(`map_list size ${size} runs past the end`, pos); return []; }
    const items: MapItem[] = new Array(size);
    for (let i = 0; i < size; i++) {
      const p = pos + 4 + 12 * i;
      items[i] = { type: u16(this.bytes, p), size: u32(this.bytes, p + 4), offset: u32(this.bytes, p + 8) };
    }
    return items;
  }

  /** The string at string_ids index `i` (decoded once, then cached). Never throws: a bad index or offset gives a placeholder and an anomaly. */
  string(i: number): string {
    const cached = this.stringCache[i];
    if (cached !== undefined) return cached;
    if (!(i >= 0 && i < this.strings)) {
      this.note(`string index ${i} >= string_ids_size ${this.strings}`);
      return `<bad string index ${i}>`;
    }
    const spans = this.stringSpans;
    if (spans !== undefined && spans.pos[i] >= 0) {
      // Plain ASCII with nothing to record (scanStrings checked): one native decode.
      const p = spans.pos[i];
      const plain = decodeAscii(this.text, p, p + spans.length[i]);
      this.stringCache[i] = plain;
      return plain;
    }
    return this.decodeString(i);
  }

  /**
   * string() for a string scanStrings did not find plain: decoded with its anomalies, and cached.
   * Apart from string() so that the callers' hot loops inline only the cache and ASCII paths.
   */
  private decodeString(i: number): string {
    const b = this.bytes;
    const idPos = this.stringIdsPos + 4 * i;
    const dataOff = u32(b, idPos);
    const end = this.layout.end;
    let p = this.layout.dataBase + dataOff;
    let value: string;
    if (p >= end) {
      this.note(`string_ids[${i}] string_data_off 0x${dataOff.toString(16)} outside the file`, idPos);
      value = `<bad string offset ${i}>`;
    } else {
      // utf16_size: the length in UTF-16 units, checked against the decoded string below.
      let utf16Size = 0, shift = 0, byte = 0x80;
      for (let k = 0; k < 5 && p < end && (byte & 0x80); k++, shift += 7) {
        byte = b[p++];
        utf16Size |= (byte & 0x7f) << shift;
      }
      utf16Size >>>= 0;
      const r = decodeMutf8(this.text, p, end);
      value = r.value;
      if (r.flags & MUTF8_UNTERMINATED) this.note(`string_ids[${i}] has no terminating NUL`, p);
      if (r.flags & MUTF8_MALFORMED) this.note(`string_ids[${i}] is not valid MUTF-8`, p);
      else if (r.flags & MUTF8_FOUR_BYTE) this.note(`string_ids[${i}] uses 4-byte UTF-8 sequences (not MUTF-8; ART accepts them)`, p);
      else if (value.length !== utf16Size) this.note(`string_ids[${i}] utf16_size ${utf16Size} but ${value.length} units decoded`, p);
    }
    this.stringCache[i] = value;
    return value;
  }

  /** descriptor_idx (a string_ids index, not checked) of type_ids index `i`, or -1 for a bad type index. */
  typeDescriptorIdx(i: number): number {
    return i >= 0 && i < this.types ? u32(this.bytes, this.typeIdsPos + 4 * i) : -1;
  }
  /** Descriptor of type_ids index `i`, e.g. "Landroid/os/Build;". */
  typeName(i: number): string {
    if (!(i >= 0 && i < this.types)) {
      this.note(`type index ${i} >= type_ids_size ${this.types}`);
      return `<bad type index ${i}>`;
    }
    return this.string(u32(this.bytes, this.typeIdsPos + 4 * i));
  }

  /** Method prototype of proto_ids index `i` as a descriptor, e.g. "(Ljava/lang/String;I)V". */
  protoString(i: number): string {
    if (!(i >= 0 && i < this.protos)) {
      this.note(`proto index ${i} >= proto_ids_size ${this.protos}`);
      return `<bad proto index ${i}>`;
    }
    const p = this.protoIdsPos + 12 * i;
    const returnType = this.typeName(u32(this.bytes, p + 4));
    const paramsOff = u32(this.bytes, p + 8);
    let params = '';
    if (paramsOff !== 0) {
      const lp = this.layout.dataBase + paramsOff;
      const end = this.layout.end;
      const size = lp + 4 <= end ? u32(this.bytes, lp) : -1;
      if (size < 0 || size > (end - lp - 4) / 2) this.note(`proto_ids[${i}] parameters_off 0x${paramsOff.toString(16)} runs past the end`, p + 8);
      else for (let k = 0; k < size; k++) params += this.typeName(u16(this.bytes, lp + 4 + 2 * k));
    }
    return `(${params})${returnType}`;
  }

  /** class_idx of method_ids index `i`, or -1 for a bad index. */
  methodClassIdx(i: number): number {
    return i >= 0 && i < this.methods ? u16(this.bytes, this.methodIdsPos + 8 * i) : -1;
  }
  /** name_idx (a string_ids index, not checked) of method_ids index `i`, or -1 for a bad method index. */
  methodNameIdx(i: number): number {
    return i >= 0 && i < this.methods ? u32(this.bytes, this.methodIdsPos + 8 * i + 4) : -1;
  }
  /** Name of method_ids index `i`. */
  methodName(i: number): string {
    if (!(i >= 0 && i < this.methods)) {
      this.note(`method index ${i} >= method_ids_size ${this.methods}`);
      return `<bad method index ${i}>`;
    }
    return this.string(u32(this.bytes, this.methodIdsPos + 8 * i + 4));
  }
  /** Descriptor of the class that declares method_ids index `i`. */
  methodClass(i: number): string {
    if (!(i >= 0 && i < this.methods)) {
      this.note(`method index ${i} >= method_ids_size ${this.methods}`);
      return `<bad method index ${i}>`;
    }
    return this.typeName(u16(this.bytes, this.methodIdsPos + 8 * i));
  }
  methodRef(i: number): MethodRef {
    if (!(i >= 0 && i < this.methods)) {
      this.note(`method index ${i} >= method_ids_size ${this.methods}`);
      return { classIdx: -1, classDescriptor: `<bad method index ${i}>`, name: `<bad method index ${i}>`, proto: '()V' };
    }
    const p = this.methodIdsPos + 8 * i;
    const classIdx = u16(this.bytes, p);
    return { classIdx, classDescriptor: this.typeName(classIdx), name: this.string(u32(this.bytes, p + 4)), proto: this.protoString(u16(this.bytes, p + 2)) };
  }

  /** class_idx of field_ids index `i`, or -1 for a bad index. */
  fieldClassIdx(i: number): number {
    return i >= 0 && i < this.fields ? u16(this.bytes, this.fieldIdsPos + 8 * i) : -1;
  }
  /** name_idx (a string_ids index, not checked) of field_ids index `i`, or -1 for a bad field index. */
  fieldNameIdx(i: number): number {
    return i >= 0 && i < this.fields ? u32(this.bytes, this.fieldIdsPos + 8 * i + 4) : -1;
  }
  /** Name of field_ids index `i`. */
  fieldName(i: number): string {
    if (!(i >= 0 && i < this.fields)) {
      this.note(`field index ${i} >= field_ids_size ${this.fields}`);
      return `<bad field index ${i}>`;
    }
    return this.string(u32(this.bytes, this.fieldIdsPos + 8 * i + 4));
  }
  /** Descriptor of the class that declares field_ids index `i`. */
  fieldClass(i: number): string {
    if (!(i >= 0 && i < this.fields)) {
      this.note(`field index ${i} >= field_ids_size ${this.fields}`);
      return `<bad field index ${i}>`;
    }
    return this.typeName(u16(this.bytes, this.fieldIdsPos + 8 * i));
  }
  fieldRef(i: number): FieldRef {
    if (!(i >= 0 && i < this.fields)) {
      this.note(`field index ${i} >= field_ids_size ${this.fields}`);
      return { classIdx: -1, classDescriptor: `<bad field index ${i}>`, name: `<bad field index ${i}>`, type: 'V' };
    }
    const p = this.fieldIdsPos + 8 * i;
    const classIdx = u16(this.bytes, p);
    return { classIdx, classDescriptor: this.typeName(classIdx), type: this.typeName(u16(this.bytes, p + 2)), name: this.string(u32(this.bytes, p + 4)) };
  }

  /**
   * Calls `visit` for every method that has code, in class_defs order (direct methods, then
   * virtual ones), with the strings, invokes, field reads and call sites of its instructions.
   * Damaged class_data or code_items are skipped with an anomaly. Each visit gets fresh
   * arrays it may keep; codeCursor() is the allocation-free form.
   */
  walkCode(visit: CodeVisitor): void {
    const c = this.codeCursor();
    const refs = c.refs;
    while (c.next()) {
      visit({
        classDef: c.classDef, classDescriptor: c.classDef.descriptor, methodIdx: c.methodIdx, methodName: c.name(),
        accessFlags: c.accessFlags, codeOffset: this.base + c.codePos,
        strings: Array.from(refs.strings.subarray(0, refs.stringCount)),
        invokes: Array.from(refs.invokes.subarray(0, refs.invokeCount)),
        fieldReads: Array.from(refs.fieldReads.subarray(0, refs.fieldReadCount)),
        callSites: Array.from(refs.callSites.subarray(0, refs.callSiteCount)),
        unusedOpcodes: refs.unusedOpcodes, quickenedOpcodes: refs.quickenedOpcodes,
      });
    }
  }

  /** A cursor over the methods with code (what walkCode visits), reusing its buffers from one method to the next. */
  codeCursor(): CodeCursor { return new CodeCursor(this); }

  /**
   * Where each string's bytes are, for callers that look at the bytes of every string before
   * (or instead of) decoding it. Computed once. Every string that is not plain, well-formed
   * ASCII is decoded here, in index order, so the anomalies it causes are recorded just as a
   * loop over string(i) would record them; the rest cannot cause any.
   */
  scanStrings(): StringSpans {
    if (this.stringSpans) return this.stringSpans;
    const n = this.strings;
    const pos = new Int32Array(n);
    const length = new Int32Array(n);
    const b = this.bytes;
    const end = this.layout.end;
    const dataBase = this.layout.dataBase;
    for (let i = 0; i < n; i++) {
      let p = dataBase + u32(b, this.stringIdsPos + 4 * i);
      pos[i] = -1;
      if (p >= end) { this.string(i); continue; }
      // utf16_size, read as string(i) reads it (one byte for strings under 128 units).
      let utf16Size = b[p++];
      if (utf16Size & 0x80) {
        utf16Size &= 0x7f;
        let byte = 0x80;
        for (let k = 1, shift = 7; k < 5 && p < end && (byte & 0x80); k++, shift += 7) {
          byte = b[p++];
          utf16Size |= (byte & 0x7f) << shift;
        }
        utf16Size >>>= 0;
      }
      // Plain ASCII, terminated right after utf16_size bytes: string(i) would record nothing.
      // (c - 1) | c has bit 7 set exactly for 0x00 and for 0x80..0xff, so one OR per byte
      // checks both that no NUL ends the string early and that every byte is ASCII.
      const stop = p + utf16Size;
      let bad = stop < end && b[stop] === 0 ? 0 : 0x80;
      let q = p;
      if (bad === 0) {
        for (const stop4 = stop - 4; q <= stop4; q += 4) {
          const c0 = b[q], c1 = b[q + 1], c2 = b[q + 2], c3 = b[q + 3];
          bad |= ((c0 - 1) | c0) | ((c1 - 1) | c1) | ((c2 - 1) | c2) | ((c3 - 1) | c3);
        }
        for (; q < stop; q++) { const c = b[q]; bad |= (c - 1) | c; }
      }
      if ((bad & 0x80) === 0) {
        pos[i] = p;
        length[i] = utf16Size;
      } else {
        this.string(i);
      }
    }
    this.stringSpans = { pos, length };
    return this.stringSpans;
  }

  /** Dotted class name of a class_def ("com.example.Reg"; nested classes keep '$'). */
  className(cd: ClassDef): string { return this.dottedFromBytes(cd.classIdx) ?? descriptorToDotted(cd.descriptor); }

  /** descriptorToDotted(typeName(i)). */
  dottedTypeName(i: number): string { return this.dottedFromBytes(i) ?? descriptorToDotted(this.typeName(i)); }

  /**
   * The dotted name of type `i` built straight from the bytes, when scanStrings found its
   * descriptor a plain ASCII class descriptor ("L...;"): one decode, where decoding the
   * descriptor and then rewriting it took three native calls (tens of thousands of classes per
   * app). Undefined otherwise (the caller decodes; nothing is recorded here).
   */
  private dottedFromBytes(i: number): string | undefined {
    const spans = this.stringSpans;
    const descIdx = this.typeDescriptorIdx(i);
    if (spans === undefined || !(descIdx >= 0 && descIdx < this.strings)) return undefined;
    const p = spans.pos[descIdx], n = spans.length[descIdx], b = this.bytes;
    if (p < 0 || n < 2 || n - 2 > dottedScratch.length || b[p] !== 0x4c /* L */ || b[p + n - 1] !== 0x3b /* ; */) return undefined;
    for (let k = 1; k < n - 1; k++) { const c = b[p + k]; dottedScratch[k - 1] = c === 0x2f /* / */ ? 0x2e /* . */ : c; }
    return (dottedScratch as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(0, n - 2);
  }

  /** Map list entry of a type, if present. */
  mapItem(type: number): MapItem | undefined { return this.mapList.find((m) => m.type === type); }

  /**
   * method_ids indices named by method handles among call_site `i`'s arguments (its bootstrap
   * method and, for lambdas, the implementation method). Bad offsets give [] and an anomaly.
   */
  callSiteMethods(i: number): number[] {
    const sites = this.mapItem(TYPE_CALL_SITE_ID_ITEM);
    const handles = this.mapItem(TYPE_METHOD_HANDLE_ITEM);
    const { dataBase, end } = this.layout;
    if (!sites || i < 0 || i >= sites.size || dataBase + sites.offset + 4 * (i + 1) > end) {
      this.note(`call site index ${i} has no call_site_id_item`);
      return [];
    }
    const itemPos = dataBase + u32(this.bytes, dataBase + sites.offset + 4 * i);
    return readCallSiteHandles(this.bytes, itemPos, end).flatMap((h) => {
      if (!handles || h >= handles.size) return [];
      const hp = dataBase + handles.offset + 8 * h;
      if (hp + 8 > end) return [];
      const kind = u16(this.bytes, hp);
      // method_handle_type 0x04..0x08 are invoke-static/instance/constructor/direct/interface: field_or_method_id is a method.
      return kind >= 4 && kind <= 8 ? [u16(this.bytes, hp + 4)] : [];
    });
  }
}

/** Method-handle indices in a call_site_item (an encoded_array_item); stops quietly at anything odd. */
function readCallSiteHandles(b: Uint8Array, pos: number, end: number): number[] {
  const out: number[] = [];
  let p = pos;
  const uleb = (): number => {
    let r = 0;
    for (let k = 0; k < 5; k++) {
      if (p >= end) return -1;
      const x = b[p++];
      r |= (x & 0x7f) << (7 * k);
      if (!(x & 0x80)) return r >>> 0;
    }
    return -1;
  };
  const size = uleb();
  for (let n = 0; n < size && n < 256 && p < end; n++) {
    const head = b[p++];
    const type = head & 0x1f, arg = head >> 5;
    // encoded_value types (spec "Value formats"): 0x16 VALUE_METHOD_HANDLE; arrays/annotations are not used in call sites.
    if (type === 0x1c || type === 0x1d) return out;
    const len = type === 0x1e || type === 0x1f ? 0 : arg + 1;
    if (p + len > end) return out;
    if (type === 0x16) {
      let v = 0;
      for (let k = 0; k < len && k < 4; k++) v |= b[p + k] << (8 * k);
      out.push(v >>> 0);
    }
    p += len;
  }
  return out;
}

/**
 * Parses a DEX file (035..041). For a v041 container holding several dex files, the result is
 * the first one and `parts` lists all of them (named "<name>", "<name>#1", "<name>#2", …).
 */
export function parseDex(input: Uint8Array, name: string, path: string): DexFile {
  checkLimit('MAX_DEX_BYTES', input.length, 'dex size', 0, path);
  // A plain Uint8Array view (not a Buffer subclass) keeps every byte access in the walker monomorphic.
  const bytes = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const anomalies: Anomaly[] = [];
  const first = parseDexHeader(bytes, 0, anomalies, path);
  if (first.headerSize < 0x78 || first.versionNumber < DEX_CONTAINER_VERSION) {
    const end = Math.min(bytes.length, first.fileSize);
    if (first.fileSize > bytes.length) {
      anomalies.push({ stage: 'dex', message: `${name}: file_size 0x${first.fileSize.toString(16)} but only 0x${bytes.length.toString(16)} bytes (truncated)`, offset: 32 });
    } else if (first.fileSize < bytes.length) {
      anomalies.push({ stage: 'dex', message: `${name}: 0x${(bytes.length - first.fileSize).toString(16)} bytes after file_size`, offset: first.fileSize });
    }
    if (first.fileSize <= bytes.length && adler32(bytes, 12, first.fileSize) !== first.checksum) {
      anomalies.push({ stage: 'dex', message: `${name}: adler32 checksum mismatch (modified after build)`, offset: 8 });
    }
    return new DexFile(bytes, first, { headerPos: 0, sectionBase: 0, dataBase: 0, end }, name, path, anomalies);
  }
  // v41 container: headers follow one another, each file_size long; all offsets count from the container start.
  const containerEnd = Math.min(bytes.length, first.containerSize);
  if (first.containerSize > bytes.length) {
    anomalies.push({ stage: 'dex', message: `${name}: container_size 0x${first.containerSize.toString(16)} but only 0x${bytes.length.toString(16)} bytes`, offset: 112 });
  }
  const parts: DexFile[] = [];
  let pos = 0;
  let header = first;
  for (let i = 0; ; i++) {
    if (i >= MAX_CONTAINER_PARTS) {
      anomalies.push({ stage: 'dex', message: `${name}: container holds more than ${MAX_CONTAINER_PARTS} dex files; the rest are ignored`, offset: pos });
      break;
    }
    const partName = i === 0 ? name : `${name}#${i}`;
    parts.push(new DexFile(bytes, header, { headerPos: pos, sectionBase: 0, dataBase: 0, end: containerEnd }, partName, path, anomalies));
    pos += header.fileSize; // fileSize >= header size (checked), so this always advances
    if (pos + 0x70 > containerEnd) break;
    header = parseDexHeader(bytes, pos, anomalies, path);
    if (header.headerSize < 0x78) throw new FormatError('dex: container entry without a v41 header', pos + 36, path);
  }
  if (pos < containerEnd) anomalies.push({ stage: 'dex', message: `${name}: ${containerEnd - pos} stray bytes at the end of the container`, offset: pos });
  for (const p of parts) p.parts = parts;
  return parts[0];
}

// Dalvik opcode formats and widths, from the spec pages "Dalvik bytecode" (opcode table) and
// "Dalvik executable instruction formats" (format IDs: the first digit of an ID is the width
// in 16-bit code units, e.g. 35c = 3 units). Every one of the 256 opcodes has a width, the
// unused ones included (10x), so the walker never loses its place.
//
// e3..f2 and 73 were ART's "quickened" opcodes until Android 11 (ART dex_instruction_list.h
// before commit c5cd589, "Remove QUICK bytecodes", 2021): dex2oat rewrote iget/iput to
// iget-quick (22c, a field offset) and invoke-virtual to invoke-virtual-quick (35c/3rc, a vtable
// index) inside odex/vdex files. They never appear in an APK's dex, but vdex 010..021 hold
// quickened dex files, and dexdump 11 walks them with these widths, so we use them too.

export type InsnFormat =
  | '10x' | '12x' | '11n' | '11x' | '10t'
  | '20t' | '22x' | '21t' | '21s' | '21h' | '21c' | '23x' | '22b' | '22t' | '22s' | '22c'
  | '32x' | '30t' | '31t' | '31i' | '31c' | '35c' | '3rc'
  | '45cc' | '4rcc' | '51l';

/** Format of each opcode 0x00..0xff. */
export const OPCODE_FORMAT: readonly InsnFormat[] = buildFormats();
/** Width in code units of each opcode 0x00..0xff (payload pseudo-ops are sized separately). */
export const OPCODE_UNITS: Uint8Array = Uint8Array.from(OPCODE_FORMAT, (f) => Number(f[0]));
/** Opcodes with no assigned instruction (3e..43, 79, 7a, f3..f9): width 1, never emitted by a compiler. */
export const UNUSED_OPCODE: Uint8Array = buildUnused();
/** Quickened opcodes (73, e3..f2): only in odex/vdex files written by dex2oat up to Android 11. */
export const QUICK_OPCODE: Uint8Array = buildQuick();

// Opcodes the walker decodes.
export const OP_NOP = 0x00;
export const OP_CONST_STRING = 0x1a;
export const OP_CONST_STRING_JUMBO = 0x1b;
export const OP_IGET_FIRST = 0x52;
export const OP_IGET_LAST = 0x58;
export const OP_SGET_FIRST = 0x60;
export const OP_SGET_LAST = 0x66;
export const OP_INVOKE_FIRST = 0x6e;  // invoke-virtual .. invoke-interface (35c)
export const OP_INVOKE_LAST = 0x72;
export const OP_INVOKE_RANGE_FIRST = 0x74; // invoke-virtual/range .. invoke-interface/range (3rc)
export const OP_INVOKE_RANGE_LAST = 0x78;
export const OP_INVOKE_POLYMORPHIC = 0xfa;
export const OP_INVOKE_POLYMORPHIC_RANGE = 0xfb;
export const OP_INVOKE_CUSTOM = 0xfc;
export const OP_INVOKE_CUSTOM_RANGE = 0xfd;

// Payload pseudo-instructions: opcode 00 (nop) with an ident in the high byte.
export const PACKED_SWITCH_PAYLOAD = 0x0100;
export const SPARSE_SWITCH_PAYLOAD = 0x0200;
export const FILL_ARRAY_DATA_PAYLOAD = 0x0300;

function buildFormats(): InsnFormat[] {
  const f: InsnFormat[] = new Array(256).fill('10x');
  const set = (from: number, to: number, fmt: InsnFormat) => { for (let op = from; op <= to; op++) f[op] = fmt; };
  set(0x00, 0x00, '10x');  // nop (and payload pseudo-ops, sized by their header)
  set(0x01, 0x01, '12x'); set(0x02, 0x02, '22x'); set(0x03, 0x03, '32x');   // move
  set(0x04, 0x04, '12x'); set(0x05, 0x05, '22x'); set(0x06, 0x06, '32x');   // move-wide
  set(0x07, 0x07, '12x'); set(0x08, 0x08, '22x'); set(0x09, 0x09, '32x');   // move-object
  set(0x0a, 0x0d, '11x');  // move-result*, move-exception
  set(0x0e, 0x0e, '10x');  // return-void
  set(0x0f, 0x11, '11x');  // return, return-wide, return-object
  set(0x12, 0x12, '11n');  // const/4
  set(0x13, 0x13, '21s');  // const/16
  set(0x14, 0x14, '31i');  // const
  set(0x15, 0x15, '21h');  // const/high16
  set(0x16, 0x16, '21s');  // const-wide/16
  set(0x17, 0x17, '31i');  // const-wide/32
  set(0x18, 0x18, '51l');  // const-wide
  set(0x19, 0x19, '21h');  // const-wide/high16
  set(0x1a, 0x1a, '21c');  // const-string
  set(0x1b, 0x1b, '31c');  // const-string/jumbo
  set(0x1c, 0x1c, '21c');  // const-class
  set(0x1d, 0x1e, '11x');  // monitor-enter/exit
  set(0x1f, 0x1f, '21c');  // check-cast
  set(0x20, 0x20, '22c');  // instance-of
  set(0x21, 0x21, '12x');  // array-length
  set(0x22, 0x22, '21c');  // new-instance
  set(0x23, 0x23, '22c');  // new-array
  set(0x24, 0x24, '35c');  // filled-new-array
  set(0x25, 0x25, '3rc');  // filled-new-array/range
  set(0x26, 0x26, '31t');  // fill-array-data
  set(0x27, 0x27, '11x');  // throw
  set(0x28, 0x28, '10t');  // goto
  set(0x29, 0x29, '20t');  // goto/16
  set(0x2a, 0x2a, '30t');  // goto/32
  set(0x2b, 0x2c, '31t');  // packed-switch, sparse-switch
  set(0x2d, 0x31, '23x');  // cmpkind
  set(0x32, 0x37, '22t');  // if-test
  set(0x38, 0x3d, '21t');  // if-testz
  set(0x3e, 0x43, '10x');  // unused
  set(0x44, 0x51, '23x');  // arrayop
  set(0x52, 0x5f, '22c');  // iinstanceop
  set(0x60, 0x6d, '21c');  // sstaticop
  set(0x6e, 0x72, '35c');  // invoke-kind
  set(0x73, 0x73, '10x');  // return-void-no-barrier (quickened; unused since Android 12)
  set(0x74, 0x78, '3rc');  // invoke-kind/range
  set(0x79, 0x7a, '10x');  // unused
  set(0x7b, 0x8f, '12x');  // unop
  set(0x90, 0xaf, '23x');  // binop
  set(0xb0, 0xcf, '12x');  // binop/2addr
  set(0xd0, 0xd7, '22s');  // binop/lit16
  set(0xd8, 0xe2, '22b');  // binop/lit8
  set(0xe3, 0xe8, '22c');  // iget-quick, iget-wide-quick, iget-object-quick, iput-quick, iput-wide-quick, iput-object-quick
  set(0xe9, 0xe9, '35c');  // invoke-virtual-quick
  set(0xea, 0xea, '3rc');  // invoke-virtual/range-quick
  set(0xeb, 0xf2, '22c');  // iput-{boolean,byte,char,short}-quick, iget-{boolean,byte,char,short}-quick
  set(0xf3, 0xf9, '10x');  // unused
  set(0xfa, 0xfa, '45cc'); // invoke-polymorphic
  set(0xfb, 0xfb, '4rcc'); // invoke-polymorphic/range
  set(0xfc, 0xfc, '35c');  // invoke-custom
  set(0xfd, 0xfd, '3rc');  // invoke-custom/range
  set(0xfe, 0xff, '21c');  // const-method-handle, const-method-type
  return f;
}

function buildUnused(): Uint8Array {
  const u = new Uint8Array(256);
  for (const [a, b] of [[0x3e, 0x43], [0x79, 0x7a], [0xf3, 0xf9]]) for (let op = a; op <= b; op++) u[op] = 1;
  return u;
}

function buildQuick(): Uint8Array {
  const q = new Uint8Array(256);
  q[0x73] = 1;
  for (let op = 0xe3; op <= 0xf2; op++) q[op] = 1;
  return q;
}

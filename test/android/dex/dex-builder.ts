// A minimal DEX writer for tests: builds small, valid dex files (and v041 containers) whose
// every table, offset and instruction the test chooses, so hostile variants can be made by
// changing one field. Layout: header, id tables, then data (code items, string data, type
// lists, class data, map list), as d8 lays them out.

export interface BuildMethod { idx: number; code?: number[]; accessFlags?: number }
export interface BuildClass { type: number; direct?: BuildMethod[]; virtual?: BuildMethod[] }
export interface BuildSpec {
  version?: string;
  strings: string[];
  /** string indices */
  types: number[];
  protos: { shorty: number; ret: number; params?: number[] }[];
  fields?: { cls: number; type: number; name: number }[];
  methods: { cls: number; proto: number; name: number }[];
  classes: BuildClass[];
  /** Where this dex's header sits in its container; offsets count from the container start (v41). */
  containerBase?: number;
}

export interface Built { bytes: Uint8Array; offsets: Record<string, number> }

/** MUTF-8 of a JS string: NUL as C0 80, each UTF-16 unit on its own (surrogates as 3 bytes each). */
export function encodeMutf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0 && c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

class Buf {
  b: number[] = [];
  get pos() { return this.b.length; }
  u8(v: number) { this.b.push(v & 0xff); }
  u16(v: number) { this.u8(v); this.u8(v >> 8); }
  u32(v: number) { this.u16(v & 0xffff); this.u16(v >>> 16); }
  uleb(v: number) { do { let x = v & 0x7f; v >>>= 7; if (v) x |= 0x80; this.u8(x); } while (v); }
  align(n: number) { while (this.b.length % n) this.u8(0); }
  set32(at: number, v: number) { this.b[at] = v & 0xff; this.b[at + 1] = (v >> 8) & 0xff; this.b[at + 2] = (v >> 16) & 0xff; this.b[at + 3] = (v >>> 24) & 0xff; }
}

export function adler32(b: Uint8Array, from: number, to: number): number {
  let a = 1, s = 0;
  for (let i = from; i < to; i++) { a = (a + b[i]) % 65521; s = (s + a) % 65521; }
  return ((s << 16) | a) >>> 0;
}

export function buildDex(spec: BuildSpec): Built {
  const version = spec.version ?? '035';
  const v41 = Number(version) >= 41;
  const headerSize = v41 ? 0x78 : 0x70;
  const base = spec.containerBase ?? 0;
  const fields = spec.fields ?? [];
  const o = new Buf();
  const off: Record<string, number> = {};
  for (let i = 0; i < headerSize; i++) o.u8(0);
  const at = (name: string) => { off[name] = o.pos; };
  at('string_ids'); for (let i = 0; i < spec.strings.length; i++) o.u32(0);
  at('type_ids'); for (const t of spec.types) o.u32(t);
  at('proto_ids'); for (let i = 0; i < spec.protos.length; i++) { o.u32(spec.protos[i].shorty); o.u32(spec.protos[i].ret); o.u32(0); }
  at('field_ids'); for (const f of fields) { o.u16(f.cls); o.u16(f.type); o.u32(f.name); }
  at('method_ids'); for (const m of spec.methods) { o.u16(m.cls); o.u16(m.proto); o.u32(m.name); }
  at('class_defs'); for (let i = 0; i < spec.classes.length; i++) for (let k = 0; k < 8; k++) o.u32(k === 2 || k === 4 ? 0xffffffff : 0);
  at('data');
  // code items
  const codeOff = new Map<BuildMethod, number>();
  for (const c of spec.classes) for (const m of [...(c.direct ?? []), ...(c.virtual ?? [])]) {
    if (!m.code) continue;
    o.align(4);
    codeOff.set(m, o.pos);
    o.u16(8); o.u16(0); o.u16(8); o.u16(0); o.u32(0); o.u32(m.code.length);
    for (const u of m.code) o.u16(u);
  }
  // string data
  const stringData: number[] = [];
  for (const s of spec.strings) { stringData.push(o.pos); o.uleb(s.length); for (const x of encodeMutf8(s)) o.u8(x); o.u8(0); }
  stringData.forEach((p, i) => o.set32(off.string_ids + 4 * i, base + p));
  // type lists
  o.align(4);
  spec.protos.forEach((p, i) => {
    if (!p.params?.length) return;
    o.align(4);
    o.set32(off.proto_ids + 12 * i + 8, base + o.pos);
    o.u32(p.params.length);
    for (const t of p.params) o.u16(t);
  });
  // class data
  spec.classes.forEach((c, i) => {
    const d = o.pos;
    const direct = c.direct ?? [], virtual = c.virtual ?? [];
    o.uleb(0); o.uleb(0); o.uleb(direct.length); o.uleb(virtual.length);
    for (const list of [direct, virtual]) {
      let prev = 0;
      for (const m of list) {
        o.uleb(m.idx - prev); prev = m.idx;
        o.uleb(m.accessFlags ?? 1);
        o.uleb(codeOff.has(m) ? base + codeOff.get(m)! : 0);
      }
    }
    const p = off.class_defs + 32 * i;
    o.set32(p, c.type);
    o.set32(p + 4, 1);
    o.set32(p + 24, base + d);
  });
  // map list
  o.align(4);
  at('map');
  const items: [number, number, number][] = [
    [0x0000, 1, 0], [0x0001, spec.strings.length, off.string_ids], [0x0002, spec.types.length, off.type_ids],
    [0x0003, spec.protos.length, off.proto_ids], [0x0004, fields.length, off.field_ids],
    [0x0005, spec.methods.length, off.method_ids], [0x0006, spec.classes.length, off.class_defs], [0x1000, 1, off.map],
  ];
  const present = items.filter(([, n]) => n > 0);
  o.u32(present.length);
  for (const [type, n, p] of present) { o.u16(type); o.u16(0); o.u32(n); o.u32(base + p); }
  const bytes = Uint8Array.from(o.b);
  const h = new DataView(bytes.buffer);
  bytes.set([0x64, 0x65, 0x78, 0x0a, ...[...version].map((c) => c.charCodeAt(0)), 0]);
  const w = (p: number, v: number) => h.setUint32(p, v, true);
  w(32, bytes.length); w(36, headerSize); w(40, 0x12345678);
  w(52, base + off.map);
  const tables: [string, number][] = [['string_ids', spec.strings.length], ['type_ids', spec.types.length], ['proto_ids', spec.protos.length],
    ['field_ids', fields.length], ['method_ids', spec.methods.length], ['class_defs', spec.classes.length]];
  tables.forEach(([name, n], i) => { w(56 + 8 * i, n); w(60 + 8 * i, n ? base + off[name] : 0); });
  w(104, bytes.length - off.data); w(108, base + off.data);
  if (v41) { w(112, base + bytes.length); w(116, base); }
  if (!v41) w(8, adler32(bytes, 12, bytes.length));
  return { bytes, offsets: off };
}

/** Concatenates v41 dex files built with containerBase = their position, fixing container_size. */
export function buildContainer(specs: BuildSpec[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (const s of specs) { const b = buildDex({ ...s, version: s.version ?? '041', containerBase: pos }).bytes; parts.push(b); pos += b.length; }
  const out = new Uint8Array(pos);
  let p = 0;
  for (const b of parts) { out.set(b, p); p += b.length; }
  const v = new DataView(out.buffer);
  for (let q = 0; q < pos; q += v.getUint32(q + 32, true)) v.setUint32(q + 112, pos, true);
  return out;
}

/** A small app: two classes, const-strings, an invoke and a field read. Indices are stable for tests. */
export function sampleSpec(extra: Partial<BuildSpec> = {}): BuildSpec {
  return {
    strings: ['<init>', 'I', 'Landroid/os/Build;', 'Lcom/ex/A;', 'Lcom/ex/B$In;', 'Ljava/lang/String;', 'SERIAL', 'V',
      'http://zzhc.vnet.cn:9998/', 'run', 'caf\u00e9 \u0000 \ud83d\ude00 \u4e2d'],
    types: [1, 2, 3, 4, 5, 7],            // I, Build, A, B$In, String, V
    protos: [{ shorty: 7, ret: 5 }],      // ()V
    fields: [{ cls: 1, type: 4, name: 6 }], // Build.SERIAL:String
    methods: [{ cls: 2, proto: 0, name: 9 }, { cls: 3, proto: 0, name: 9 }], // A.run, B$In.run
    classes: [
      // A.run: const-string v0, #8; sget-object v0, field 0; invoke-static {}, method 1; return-void
      { type: 2, direct: [{ idx: 0, code: [0x001a, 8, 0x0062, 0, 0x0071, 1, 0, 0x000e] }] },
      { type: 3, virtual: [{ idx: 1, code: [0x001a, 10, 0x000e] }] },
    ],
    ...extra,
  };
}

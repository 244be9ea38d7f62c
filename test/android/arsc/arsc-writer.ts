// Test helper: writes a resources.arsc (ResourceTypes.h layout) with the type layouts Android
// supports: dense, FLAG_SPARSE, FLAG_OFFSET16, and compact / complex (map) entries.
import { Buf, chunk, stringPool } from '../axml/axml-writer.js';

export interface WValue { type: number; data?: number; str?: string }
export interface WEntry { key: string; value?: WValue; compact?: boolean; map?: { name: number; value: WValue }[] }
export interface WType { typeId: number; language?: string; flags?: number; entries: (WEntry | null)[]; entriesStartExtra?: number }
export interface WTable { packageId?: number; packageName?: string; typeNames: string[]; types: WType[]; utf8?: boolean }

export const FLAG_SPARSE = 0x01, FLAG_OFFSET16 = 0x02;
const CONFIG_SIZE = 64;


export function writeArsc(t: WTable): Uint8Array {
  const globals: string[] = [];
  const gi = (s: string) => { let i = globals.indexOf(s); if (i < 0) { i = globals.length; globals.push(s); } return i; };
  const keys: string[] = [];
  const ki = (s: string) => { let i = keys.indexOf(s); if (i < 0) { i = keys.length; keys.push(s); } return i; };
  const valueData = (v: WValue) => (v.type === 0x03 ? gi(v.str ?? '') : (v.data ?? 0));

  const typeChunks: Uint8Array[] = [];
  for (const ty of t.types) {
    const entries = new Buf();
    const offsets: (number | null)[] = [];
    for (const e of ty.entries) {
      if (e === null) { offsets.push(null); continue; }
      offsets.push(entries.length);
      if (e.compact) {
        const v = e.value!;
        entries.u16(ki(e.key)).u16(0x0008 | (v.type << 8)).u32(valueData(v));
      } else if (e.map) {
        entries.u16(16).u16(0x0001).u32(ki(e.key)).u32(0).u32(e.map.length);
        for (const m of e.map) entries.u32(m.name).u16(8).u8(0).u8(m.value.type).u32(valueData(m.value));
      } else {
        const v = e.value!;
        entries.u16(8).u16(0).u32(ki(e.key)).u16(8).u8(0).u8(v.type).u32(valueData(v));
      }
    }
    const flags = ty.flags ?? 0;
    const table = new Buf();
    let count = ty.entries.length;
    if (flags & FLAG_SPARSE) {
      const present = offsets.map((o, i) => [i, o] as const).filter(([, o]) => o !== null);
      count = present.length;
      for (const [i, o] of present) table.u16(i).u16(o! / 4);
    } else if (flags & FLAG_OFFSET16) {
      for (const o of offsets) table.u16(o === null ? 0xffff : o / 4);
      while (table.length % 4) table.u8(0);
    } else {
      for (const o of offsets) table.u32(o === null ? 0xffffffff : o);
    }
    const headerSize = 20 + CONFIG_SIZE;
    const config = new Buf().u32(CONFIG_SIZE).u32(0);
    const lang = ty.language ?? '';
    config.u8(lang.charCodeAt(0) || 0).u8(lang.charCodeAt(1) || 0).u16(0);
    config.zeros(CONFIG_SIZE - config.length);
    const extra = ty.entriesStartExtra ?? 0;
    const body = new Buf().u8(ty.typeId).u8(flags).u16(0).u32(count).u32(headerSize + table.length + extra)
      .bytes(config.parts).bytes(table.parts).zeros(extra).bytes(entries.parts);
    typeChunks.push(chunk(0x0201, headerSize, body.parts));
  }
  // Type specs, one per type id (not needed to resolve, but real tables have them).
  const specs: Uint8Array[] = [];
  for (const id of [...new Set(t.types.map((x) => x.typeId))]) {
    const n = Math.max(...t.types.filter((x) => x.typeId === id).map((x) => x.entries.length));
    const b = new Buf().u8(id).u8(0).u16(0).u32(n).zeros(n * 4);
    specs.push(chunk(0x0202, 16, b.parts));
  }
  const typePool = stringPool(t.typeNames, t.utf8 ?? true);
  const keyPool = stringPool(keys, t.utf8 ?? true);
  const pkgHeader = new Buf().u32(t.packageId ?? 0x7f);
  const name = t.packageName ?? 'com.example';
  for (let i = 0; i < 128; i++) pkgHeader.u16(i < name.length ? name.charCodeAt(i) : 0);
  pkgHeader.u32(288).u32(t.typeNames.length).u32(288 + typePool.length).u32(keys.length).u32(0);
  const pkgBody = new Buf().bytes(pkgHeader.parts).bytes(typePool).bytes(keyPool);
  for (const s of specs) pkgBody.bytes(s);
  for (const c of typeChunks) pkgBody.bytes(c);
  const pkg = chunk(0x0200, 288, pkgBody.parts);
  const gpool = stringPool(globals, t.utf8 ?? true);
  return chunk(0x0002, 12, new Buf().u32(1).bytes(gpool).bytes(pkg).parts);
}

// Just enough ELF (System V gABI, "ELF-64 Object File Format"; little-endian ELF32 and ELF64) to
// find a dynamic symbol's file range: OAT files are ELF shared objects whose `oatdata` symbol
// marks the OAT data (ART's ElfFileImpl looks it up the same way, through .dynsym).
// Section headers are tried first; when they are missing or damaged (strip tools and hand-made
// odex files drop them), the PT_DYNAMIC segment's DT_SYMTAB / DT_STRTAB / DT_HASH are used.
import { FormatError, TruncatedError, UnsupportedError } from '../../io/errors/index.js';

const SHT_DYNSYM = 11;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_STRSZ = 10;
/** Symbols examined at most: OAT files have 3–8 dynamic symbols; a crafted count must not make us loop for long. */
const MAX_SYMBOLS = 1 << 16;
/** Section / program headers examined at most (e_shnum and e_phnum are u16 anyway). */
const MAX_HEADERS = 0xffff;

export interface ElfSymbol { name: string; value: number; size: number; shndx: number }
export interface ElfRange { offset: number; size: number }

export function detectElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

interface Section { type: number; addr: number; offset: number; size: number; link: number; entsize: number }
interface Segment { type: number; offset: number; vaddr: number; filesz: number }

export class ElfFile {
  readonly is64: boolean;
  private readonly dv: DataView;
  readonly sections: Section[] = [];
  readonly segments: Segment[] = [];
  /** Problems met while reading the headers (the caller records them as anomalies). */
  readonly problems: string[] = [];

  constructor(readonly bytes: Uint8Array, readonly path: string) {
    if (bytes.length < 52) throw new TruncatedError(`elf: header needs 52 bytes, file has ${bytes.length}`, 0, path);
    if (!detectElf(bytes)) throw new FormatError('elf: bad magic', 0, path);
    const cls = bytes[4], data = bytes[5];
    if (cls !== 1 && cls !== 2) throw new FormatError(`elf: EI_CLASS ${cls}`, 4, path);
    if (data !== 1) throw new UnsupportedError(`elf: EI_DATA ${data} (only little-endian, as ART writes)`, 5, path);
    this.is64 = cls === 2;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.is64 && bytes.length < 64) throw new TruncatedError('elf: ELF64 header needs 64 bytes', 0, path);
    this.readSections();
    this.readSegments();
  }

  private u16(p: number): number { return this.dv.getUint16(p, true); }
  private u32(p: number): number { return this.dv.getUint32(p, true); }
  /** A 64-bit field as a number; values past 2^53 are returned as Infinity (never a valid offset). */
  private u64(p: number): number {
    const lo = this.dv.getUint32(p, true), hi = this.dv.getUint32(p + 4, true);
    return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  }
  private word(p: number): number { return this.is64 ? this.u64(p) : this.u32(p); }
  private fits(p: number, n: number): boolean { return p >= 0 && n >= 0 && p + n <= this.bytes.length; }

  private readSections(): void {
    const shoff = this.is64 ? this.u64(0x28) : this.u32(0x20);
    const shentsize = this.u16(this.is64 ? 0x3a : 0x2e);
    const shnum = Math.min(this.u16(this.is64 ? 0x3c : 0x30), MAX_HEADERS);
    if (shoff === 0 || shnum === 0) return;
    const want = this.is64 ? 64 : 40;
    if (shentsize < want || !this.fits(shoff, shnum * shentsize)) {
      this.problems.push(`section headers (${shnum} × ${shentsize} bytes at 0x${shoff.toString(16)}) are outside the file`);
      return;
    }
    for (let i = 0; i < shnum; i++) {
      const p = shoff + i * shentsize;
      this.sections.push(this.is64
        ? { type: this.u32(p + 4), addr: this.u64(p + 16), offset: this.u64(p + 24), size: this.u64(p + 32), link: this.u32(p + 40), entsize: this.u64(p + 56) }
        : { type: this.u32(p + 4), addr: this.u32(p + 12), offset: this.u32(p + 16), size: this.u32(p + 20), link: this.u32(p + 24), entsize: this.u32(p + 36) });
    }
  }

  private readSegments(): void {
    const phoff = this.is64 ? this.u64(0x20) : this.u32(0x1c);
    const phentsize = this.u16(this.is64 ? 0x36 : 0x2a);
    const phnum = Math.min(this.u16(this.is64 ? 0x38 : 0x2c), MAX_HEADERS);
    if (phoff === 0 || phnum === 0) return;
    const want = this.is64 ? 56 : 32;
    if (phentsize < want || !this.fits(phoff, phnum * phentsize)) {
      this.problems.push(`program headers (${phnum} × ${phentsize} bytes at 0x${phoff.toString(16)}) are outside the file`);
      return;
    }
    for (let i = 0; i < phnum; i++) {
      const p = phoff + i * phentsize;
      this.segments.push(this.is64
        ? { type: this.u32(p), offset: this.u64(p + 8), vaddr: this.u64(p + 16), filesz: this.u64(p + 32) }
        : { type: this.u32(p), offset: this.u32(p + 4), vaddr: this.u32(p + 8), filesz: this.u32(p + 16) });
    }
  }

  /** File offset of virtual address `vaddr` through the PT_LOAD segments (then the sections), or -1. */
  fileOffset(vaddr: number): number {
    for (const s of this.segments) {
      if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
    }
    for (const s of this.sections) {
      if (s.addr !== 0 && s.type !== 8 /* SHT_NOBITS */ && vaddr >= s.addr && vaddr < s.addr + s.size) return s.offset + (vaddr - s.addr);
    }
    return -1;
  }

  /** The dynamic symbols, from .dynsym (or, failing that, from PT_DYNAMIC). */
  dynamicSymbols(): ElfSymbol[] {
    const fromSections = this.symbolsFromSections();
    if (fromSections.length) return fromSections;
    return this.symbolsFromDynamic();
  }

  private symbolsFromSections(): ElfSymbol[] {
    const dynsym = this.sections.find((s) => s.type === SHT_DYNSYM);
    if (!dynsym) return [];
    const strtab = this.sections[dynsym.link];
    if (!strtab || !this.fits(strtab.offset, strtab.size) || !this.fits(dynsym.offset, dynsym.size)) {
      this.problems.push('.dynsym or its string table is outside the file');
      return [];
    }
    return this.readSymbols(dynsym.offset, Math.floor(dynsym.size / (this.is64 ? 24 : 16)), strtab.offset, strtab.size);
  }

  private symbolsFromDynamic(): ElfSymbol[] {
    const dyn = this.segments.find((s) => s.type === PT_DYNAMIC);
    if (!dyn || !this.fits(dyn.offset, dyn.filesz)) return [];
    let symtab = -1, strtab = -1, strsz = 0, hash = -1;
    const entry = this.is64 ? 16 : 8;
    for (let p = dyn.offset; p + entry <= dyn.offset + dyn.filesz; p += entry) {
      const tag = this.word(p), val = this.word(p + entry / 2);
      if (tag === DT_NULL) break;
      if (tag === DT_SYMTAB) symtab = val;
      else if (tag === DT_STRTAB) strtab = val;
      else if (tag === DT_STRSZ) strsz = val;
      else if (tag === DT_HASH) hash = val;
    }
    const symOff = symtab >= 0 ? this.fileOffset(symtab) : -1;
    const strOff = strtab >= 0 ? this.fileOffset(strtab) : -1;
    const hashOff = hash >= 0 ? this.fileOffset(hash) : -1;
    if (symOff < 0 || strOff < 0 || hashOff < 0 || !this.fits(hashOff, 8)) return [];
    // DT_HASH: nbucket, nchain; nchain is the number of symbols.
    const count = this.u32(hashOff + 4);
    return this.readSymbols(symOff, count, strOff, strsz || this.bytes.length - strOff);
  }

  private readSymbols(pos: number, count: number, strOff: number, strSize: number): ElfSymbol[] {
    const size = this.is64 ? 24 : 16;
    const n = Math.min(count, MAX_SYMBOLS, Math.floor((this.bytes.length - pos) / size));
    const strEnd = Math.min(this.bytes.length, strOff + strSize);
    const out: ElfSymbol[] = [];
    for (let i = 0; i < n; i++) {
      const p = pos + i * size;
      const nameOff = this.u32(p);
      let name = '';
      if (strOff + nameOff < strEnd) {
        let e = strOff + nameOff;
        while (e < strEnd && this.bytes[e] !== 0 && e - strOff - nameOff < 256) e++;
        name = String.fromCharCode(...this.bytes.subarray(strOff + nameOff, e));
      }
      out.push(this.is64
        ? { name, shndx: this.u16(p + 6), value: this.u64(p + 8), size: this.u64(p + 16) }
        : { name, value: this.u32(p + 4), size: this.u32(p + 8), shndx: this.u16(p + 14) });
    }
    return out;
  }

  /** File range of dynamic symbol `name` (its value mapped to a file offset, its size), or null. */
  symbolRange(name: string): ElfRange | null {
    const sym = this.dynamicSymbols().find((s) => s.name === name);
    if (!sym) return null;
    const offset = this.fileOffset(sym.value);
    return offset < 0 ? null : { offset, size: sym.size };
  }
}

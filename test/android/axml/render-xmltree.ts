// Test helper: renders our AXML tree in the line format of `aapt dump xmltree`, and normalises aapt's
// own output to the same form, so the two can be compared line by line.
import type { XmlElement } from '../../../src/android/axml/index.js';

const f32 = new DataView(new ArrayBuffer(4));
/** ResTable::normalizeForOutput, which also stops at a NUL. */
const norm = (s: string) => s.split('\0')[0].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const hex8 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

export function renderXmlTree(root: XmlElement | null): string[] {
  const out: string[] = [];
  const walk = (el: XmlElement) => {
    out.push(`E: ${el.name}`);
    for (const a of el.attributes) {
      const t = a.value;
      let v: string;
      switch (t.type) {
        case 'string': v = `"${norm(t.value)}"`; break;
        case 'reference': v = `@${hex8(t.id)}`; break;
        case 'attribute': v = `?${hex8(t.id)}`; break;
        case 'int': v = `(type 0x10)0x${(t.value >>> 0).toString(16)}`; break;
        case 'bool': v = `(type 0x12)0x${t.value ? 'ffffffff' : '0'}`; break;
        case 'float': f32.setFloat32(0, t.value, true); v = `(type 0x4)0x${f32.getUint32(0, true).toString(16)}`; break;
        default: v = t.dataType === 0 ? '(null)' : `(type 0x${t.dataType.toString(16)})0x${t.data.toString(16)}`;
      }
      out.push(`A: ${a.name}${a.resId !== null ? `(${hex8(a.resId)})` : ''}=${v}${a.raw !== null ? ` (Raw: "${norm(a.raw)}")` : ''}`);
    }
    for (const c of el.children) walk(c);
  };
  if (root) walk(root);
  return out;
}

/**
 * aapt's lines reduced to ours: element and attribute lines only, no indentation or line numbers,
 * no namespace prefix (we keep URIs), hex ints as ints, any true boolean as 0xffffffff.
 */
export function normaliseAaptXmlTree(text: string): string[] {
  return text.split('\n')
    .filter((l) => /^\s*[EA]: /.test(l))
    .map((l) => l.trim()
      .replace(/ \(line=\d+\)$/, '')
      .replace(/^([AE]): [^:(=" ]*:/, '$1: ')
      .replace(/=\(type 0x11\)/, '=(type 0x10)')
      .replace(/=\(type 0x12\)0x[1-9a-f][0-9a-f]*/, '=(type 0x12)0xffffffff'));
}

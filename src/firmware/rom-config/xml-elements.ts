// Minimal element walk over fast-xml-parser output, for the small permission XML files under
// /etc/permissions and /etc/default-permissions. Comments, processing instructions and DOCTYPEs are
// skipped; entities are not expanded (no billion-laughs); depth and element count are bounded.
import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import { FormatError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[] }

/** Permission files are a few levels deep; anything deeper is not one of them. */
const MAX_DEPTH = 32;
/** Real files hold a few thousand elements. */
const MAX_ELEMENTS = 1_000_000;

// Loaded on first use: only ROMs have permission files, and the library costs ~50 ms to load.
const require = createRequire(import.meta.url);
let parser: XMLParser | null = null;
const xmlParser = (): XMLParser => parser ??= new (require('fast-xml-parser') as typeof import('fast-xml-parser')).XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  allowBooleanAttributes: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, unknown> };

export function parseXmlElements(xml: string, path?: string): XmlElement[] {
  checkLimit('MAX_METADATA_BYTES', xml.length, 'permission XML length', undefined, path);
  let tree: Ordered[];
  try {
    tree = xmlParser().parse(xml) as Ordered[];
  } catch (e) {
    throw new FormatError(`xml: ${(e as Error).message.split('\n')[0]}`, undefined, path);
  }
  let count = 0;
  const convert = (nodes: Ordered[], depth: number): XmlElement[] => {
    if (depth > MAX_DEPTH) throw new FormatError(`xml: nesting deeper than ${MAX_DEPTH}`, undefined, path);
    const out: XmlElement[] = [];
    for (const node of Array.isArray(nodes) ? nodes : []) {
      for (const [name, value] of Object.entries(node)) {
        if (name === ':@' || name === '#text' || name.startsWith('?') || name.startsWith('!')) continue;
        if (++count > MAX_ELEMENTS) throw new FormatError(`xml: more than ${MAX_ELEMENTS} elements`, undefined, path);
        const attrs: Record<string, string> = {};
        for (const [k, v] of Object.entries(node[':@'] ?? {})) attrs[k] = typeof v === 'string' ? v : String(v);
        out.push({ name, attrs, children: convert(value as Ordered[], depth + 1) });
      }
    }
    return out;
  };
  return convert(tree, 0);
}

/** Every element named `name` anywhere in the forest, in document order. */
export function findElements(roots: XmlElement[], name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const stack = [...roots].reverse();
  while (stack.length) {
    const el = stack.pop()!;
    if (el.name === name) out.push(el);
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
  return out;
}

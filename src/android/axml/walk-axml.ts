// The one chunk walker for Android binary XML (AXML); parseAxml builds its tree on it, and scans
// that want a few strings of a document (non-dex endpoints) use it without building a tree.
// Spec: AOSP libandroidfw ResourceTypes.h (ResXMLTree_header, ResXMLTree_node, ResXMLTree_attrExt,
// ResXMLTree_attribute) and the reader that defines what Android accepts: ResourceTypes.cpp
// `ResXMLTree::setTo`, `ResXMLTree::validateNode`, `ResXMLParser::nextNode`.
//
// We walk chunks exactly as ResXMLTree does, tolerate what it tolerates and record the rest as
// anomalies. The walker decodes no string: names, values and text reach the visitor as string pool
// indices (and Res_value type/data), so a caller decodes only the strings it needs.
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError, TruncatedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { EMPTY_STRING_POOL, RES_STRING_POOL_TYPE, parseStringPool, type StringPool } from './string-pool.js';

export const RES_XML_TYPE = 0x0003;
export const RES_XML_FIRST_CHUNK_TYPE = 0x0100;
export const RES_XML_START_NAMESPACE_TYPE = 0x0100;
export const RES_XML_END_NAMESPACE_TYPE = 0x0101;
export const RES_XML_START_ELEMENT_TYPE = 0x0102;
export const RES_XML_END_ELEMENT_TYPE = 0x0103;
export const RES_XML_CDATA_TYPE = 0x0104;
export const RES_XML_LAST_CHUNK_TYPE = 0x017f;
export const RES_XML_RESOURCE_MAP_TYPE = 0x0180;

/** ResXMLTree_attrExt and friends use 0xffffffff for "no string". */
export const NO_INDEX = 0xffffffff;

const CHUNK_HEADER_SIZE = 8;
/** sizeof(ResXMLTree_node): ResChunk_header + lineNumber + comment. */
const NODE_HEADER_SIZE = 16;
/** sizeof(ResXMLTree_attrExt) */
const ATTR_EXT_SIZE = 20;
/** sizeof(ResXMLTree_attribute) */
export const ATTRIBUTE_SIZE = 20;
/** Minimum ext size of a node type, from ResXMLParser::nextNode; -1 for a type it skips. */
function minExtSize(type: number): number {
  switch (type) {
    case RES_XML_START_NAMESPACE_TYPE: case RES_XML_END_NAMESPACE_TYPE: case RES_XML_END_ELEMENT_TYPE: return 8;
    case RES_XML_START_ELEMENT_TYPE: return ATTR_EXT_SIZE;
    case RES_XML_CDATA_TYPE: return 12;
    default: return -1;
  }
}
/** One anomaly per kind of oddity is enough evidence; a tampered file may repeat it thousands of times. */
const MAX_ANOMALIES = 200;

/**
 * One start-element node (ResXMLTree_attrExt and its ResXMLTree_attribute array), read in place.
 * Strings are indices into the document's pool (NO_INDEX for none). The object stays valid after
 * the walk, so a visitor may keep it and read its attributes later.
 */
export class AxmlStartElement {
  constructor(
    private readonly dv: DataView,
    /** Window position of the node. */
    readonly pos: number,
    /** Window position of its ResXMLTree_attrExt. */
    readonly ext: number,
    /** Namespace URI index. */
    readonly namespace: number,
    /** Name index. */
    readonly name: number,
    /** ResXMLTree_attrExt.attributeSize: the stride of the attribute array. */
    readonly attributeSize: number,
    /** ResXMLTree_attrExt.attributeCount, as declared. */
    readonly attributeCount: number,
    /** Attributes that lie within the document: 0..usableAttributes-1 may be read. */
    readonly usableAttributes: number,
    private readonly attributeStart: number,
  ) {}

  /** Window position of attribute `i`'s ResXMLTree_attribute. */
  attributePos(i: number): number { return this.ext + this.attributeStart + i * this.attributeSize; }

  /** Reads attribute `i` (< usableAttributes) into `out`, which the caller reuses, and returns it. */
  readAttribute(i: number, out: AxmlAttribute): AxmlAttribute {
    const a = this.ext + this.attributeStart + i * this.attributeSize;
    const dv = this.dv;
    out.pos = a;
    out.namespace = dv.getUint32(a, true);
    out.name = dv.getUint32(a + 4, true);
    out.raw = dv.getUint32(a + 8, true);
    out.dataType = dv.getUint8(a + 15);
    out.data = dv.getUint32(a + 16, true);
    return out;
  }
}

/** One ResXMLTree_attribute: strings as pool indices (NO_INDEX for none), the value as Res_value type and data. */
export interface AxmlAttribute {
  /** Window position of the record. */
  pos: number;
  namespace: number;
  name: number;
  /** rawValue: the string XmlPullParser.getAttributeValue prefers. */
  raw: number;
  /** typedValue.dataType */
  dataType: number;
  /** typedValue.data */
  data: number;
}

/** A fresh record for AxmlStartElement.readAttribute. */
export function newAxmlAttribute(): AxmlAttribute {
  return { pos: 0, namespace: NO_INDEX, name: NO_INDEX, raw: NO_INDEX, dataType: 0, data: 0 };
}

/** What a visitor learns before the first node, and how it records an anomaly. */
export interface AxmlContext {
  /** The last string pool before the first node (as in Android), or an empty pool. */
  readonly strings: StringPool;
  /** RES_XML_RESOURCE_MAP_TYPE: attribute name index → resource id (0 = none). */
  readonly resourceIds: readonly number[];
  /** Records an anomaly in the walk's list; `kind` de-duplicates repeats of the same oddity. */
  note(message: string, offset: number, kind?: string): void;
}

/**
 * Receives the nodes of a document, in order. End and text events come only for an open element,
 * so every element a visitor hears of is one Android reads (the first top-level element's subtree).
 */
export interface AxmlVisitor {
  /** Once, before any node. */
  begin(context: AxmlContext): void;
  /** A start element (after its ResXMLTree_attrExt was validated); `depth` is 0 for the root. */
  startElement(el: AxmlStartElement, depth: number): void;
  /** The end of `el` (Android does not check that the end node names it). */
  endElement(el: AxmlStartElement): void;
  /** A CDATA node: its data string index, and the innermost open element (null outside any). */
  text(el: AxmlStartElement | null, index: number): void;
}

/** What the walk saw: its anomalies and whether any element was read. */
export interface AxmlWalk {
  anomalies: Anomaly[];
  hasRoot: boolean;
}

/**
 * Walks the binary XML document in `bytes` as ResXMLTree does and tells `visitor` its elements.
 * Throws when Android could not read the document at all (not binary XML, no node); tolerated
 * oddities become anomalies.
 */
export function walkAxml(bytes: Uint8Array, path: string, visitor: AxmlVisitor): AxmlWalk {
  checkLimit('MAX_AXML_BYTES', bytes.length, 'binary XML size', 0, path);
  if (bytes.length < CHUNK_HEADER_SIZE) throw new TruncatedError(`axml: ${bytes.length} bytes is too short for a chunk header`, 0, path);
  const walker = new AxmlWalker(bytes, path, visitor);
  const firstNode = walker.setUp();
  walker.walkNodes(firstNode);
  return { anomalies: walker.anomalies, hasRoot: walker.hasRoot };
}

/**
 * One walk of walkAxml. A class with a method per phase and per node rather than one function with
 * closures: V8 compiles a whole function when one of its loops gets hot (and again after each
 * deopt), so the node loop and its handlers are kept small and separate.
 */
class AxmlWalker {
  readonly anomalies: Anomaly[] = [];
  hasRoot = false;
  private readonly seen = new Set<string>();
  private readonly dv: DataView;
  /** ResXMLTree_header.header.type, checked by nothing in Android. */
  private fileType = 0;
  private headerSize = 0;
  /** End of the document: its declared size, or the bytes present when that is less. */
  private dataEnd = 0;
  private strings: StringPool = EMPTY_STRING_POOL;
  /** The open elements, innermost last. */
  private readonly stack: AxmlStartElement[] = [];
  private rootClosed = false;
  /** Visitors record anomalies through this (AxmlContext.note). */
  private readonly noteFn = (message: string, offset: number, kind?: string): void => this.note(message, offset, kind);

  constructor(private readonly bytes: Uint8Array, private readonly path: string, private readonly visitor: AxmlVisitor) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private u16(p: number): number { return this.dv.getUint16(p, true); }
  private u32(p: number): number { return this.dv.getUint32(p, true); }

  note(message: string, offset: number, kind = message): void {
    if (this.seen.has(kind) || this.anomalies.length >= MAX_ANOMALIES) return;
    this.seen.add(kind);
    this.anomalies.push({ stage: 'axml', message, offset });
  }

  /** Phase 1 (ResXMLTree::setTo): the header, the string pool, the resource map; returns the first node, after `begin`. */
  setUp(): number {
    this.readHeader();
    let strings: StringPool = EMPTY_STRING_POOL;
    let resourceIds: number[] = [];
    let pools = 0;
    let firstNode = -1;
    const dataEnd = this.dataEnd;
    let pos = this.headerSize;
    while (pos + CHUNK_HEADER_SIZE <= dataEnd) {
      const type = this.u16(pos);
      const problem = this.chunkProblem(pos, CHUNK_HEADER_SIZE);
      if (problem !== null) {
        const size = this.u32(pos + 4);
        // Android gives up on the whole document here. We skip the chunk when its size still lets us.
        if (size >= CHUNK_HEADER_SIZE && size <= dataEnd - pos) {
          this.note(`chunk 0x${type.toString(16)}: ${problem} (Android rejects the document); skipped`, pos);
          pos += size;
          continue;
        }
        if (type >= RES_XML_FIRST_CHUNK_TYPE && type <= RES_XML_LAST_CHUNK_TYPE) { firstNode = pos; break; }
        const Err = size > dataEnd - pos ? TruncatedError : FormatError;
        throw new Err(`axml: chunk 0x${type.toString(16)}: ${problem}`, pos, this.path);
      }
      const size = this.u32(pos + 4);
      if (type === RES_STRING_POOL_TYPE) {
        if (pools++ > 0) this.note('more than one string pool before the first node; the last one wins, as in Android', pos);
        strings = parseStringPool(this.bytes, pos, size, 0, this.path, 'axml', this.anomalies);
      } else if (type === RES_XML_RESOURCE_MAP_TYPE) {
        resourceIds = this.readResourceMap(pos, size);
      } else if (type >= RES_XML_FIRST_CHUNK_TYPE && type <= RES_XML_LAST_CHUNK_TYPE) {
        firstNode = pos;
        break;
      } else {
        this.note(`unknown chunk type 0x${type.toString(16)} (${size} bytes) skipped, as Android does`, pos, `unknown chunk 0x${type.toString(16)}`);
      }
      pos += size;
    }
    if (firstNode < 0) {
      const fileType = this.fileType;
      throw new FormatError(`axml: no XML node found${fileType !== RES_XML_TYPE ? ` (not binary XML: header type 0x${fileType.toString(16)})` : ''}`, 0, this.path);
    }
    if (pools === 0) this.note('no string pool before the first node (Android rejects the document)', firstNode);
    this.strings = strings;
    this.visitor.begin({ strings, resourceIds, note: this.noteFn });
    return firstNode;
  }

  /** ResXMLTree::setTo does not check the header type; it only needs headerSize <= size <= data. */
  private readHeader(): void {
    const length = this.bytes.length;
    const fileType = this.u16(0);
    let headerSize = this.u16(2);
    let dataEnd = this.u32(4);
    if (fileType !== RES_XML_TYPE && (headerSize < CHUNK_HEADER_SIZE || headerSize > dataEnd || dataEnd > length)) {
      // Neither the type nor the sizes fit: this is not binary XML at all (text XML, another format).
      throw new FormatError(`axml: not binary XML (header type 0x${fileType.toString(16)}, header size ${headerSize}, size ${dataEnd})`, 0, this.path);
    }
    if (fileType !== RES_XML_TYPE) {
      this.note(`header type 0x${fileType.toString(16)} is not RES_XML_TYPE (Android does not check it)`, 0);
    }
    if (dataEnd > length) {
      this.note(`header size field ${dataEnd} is larger than the ${length} bytes present (Android rejects this); using the data length`, 4);
      dataEnd = length;
    } else if (dataEnd < length) {
      this.note(`${length - dataEnd} bytes after the declared end of the document are ignored`, dataEnd, 'trailing');
    }
    if (headerSize < CHUNK_HEADER_SIZE || headerSize > dataEnd) {
      this.note(`document header size ${headerSize} is invalid; using ${CHUNK_HEADER_SIZE}`, 2);
      headerSize = CHUNK_HEADER_SIZE;
    }
    this.fileType = fileType;
    this.headerSize = headerSize;
    this.dataEnd = dataEnd;
  }

  /** RES_XML_RESOURCE_MAP_TYPE: attribute name index → resource id. */
  private readResourceMap(pos: number, size: number): number[] {
    const hs = this.u16(pos + 2);
    const n = Math.floor((size - hs) / 4);
    const ids = new Array<number>(n);
    for (let i = 0; i < n; i++) ids[i] = this.u32(pos + hs + i * 4);
    return ids;
  }

  /** Android's validate_chunk(): header >= minSize, header <= size, both 4-aligned, chunk within data. */
  private chunkProblem(p: number, minHeader: number): string | null {
    const hs = this.u16(p + 2), size = this.u32(p + 4);
    if (hs < minHeader) return `header size 0x${hs.toString(16)} is too small`;
    if (hs > size) return `size 0x${size.toString(16)} is smaller than header size 0x${hs.toString(16)}`;
    if ((hs | size) & 3) return `size 0x${size.toString(16)} or header size 0x${hs.toString(16)} is not on an integer boundary`;
    if (size > this.dataEnd - p) return `size 0x${size.toString(16)} extends beyond the document end`;
    return null;
  }

  /** Phase 2 (ResXMLParser::nextNode): walks nodes; a node Android cannot validate ends the document there. */
  walkNodes(firstNode: number): void {
    let pos = firstNode;
    while (pos + CHUNK_HEADER_SIZE <= this.dataEnd) {
      const next = this.node(pos);
      if (next < 0) break;
      pos = next;
    }
    const stack = this.stack;
    if (stack.length > 0) {
      const name = this.strings.get(stack[stack.length - 1].name) ?? '';
      this.note(`document ends inside <${name}> (${stack.length} element(s) left open)`, Math.min(pos, this.dataEnd));
    }
    if (!this.hasRoot) this.note('no element in the document', firstNode);
  }

  /** Handles the node at `pos`; returns the position of the next one, or -1 where Android stops. */
  private node(pos: number): number {
    const type = this.u16(pos);
    const problem = this.chunkProblem(pos, NODE_HEADER_SIZE);
    if (problem !== null) {
      const where = this.rootClosed ? 'after the root element closed (Android never reads it)' : 'Android stops parsing here';
      this.note(`node 0x${type.toString(16)}: ${problem}; ${where}`, pos);
      return -1;
    }
    const hs = this.u16(pos + 2), size = this.u32(pos + 4);
    const ext = pos + hs;
    const minExt = minExtSize(type);
    if (minExt < 0) {
      this.note(`unknown node type 0x${type.toString(16)} (${size} bytes) skipped, as Android does`, pos, `unknown node 0x${type.toString(16)}`);
      return pos + size;
    }
    if (size - hs < minExt) {
      this.note(`node 0x${type.toString(16)} has ${size - hs} bytes after its header, needs ${minExt}; Android stops parsing here`, pos);
      return -1;
    }
    if (type === RES_XML_START_ELEMENT_TYPE) {
      if (!this.startElementNode(pos, hs, size, ext)) return -1;
    } else if (type === RES_XML_END_ELEMENT_TYPE) {
      this.endElementNode(pos);
    } else if (type === RES_XML_CDATA_TYPE) {
      const stack = this.stack;
      this.visitor.text(stack.length > 0 ? stack[stack.length - 1] : null, this.u32(ext));
    }
    // Namespace nodes carry prefix/uri; attributes and elements name their URI directly, so nothing to track.
    return pos + size;
  }

  /** A start-element node; false where Android stops parsing. */
  private startElementNode(pos: number, hs: number, size: number, ext: number): boolean {
    const attributeStart = this.u16(ext + 8), attributeSize = this.u16(ext + 10), attributeCount = this.u16(ext + 12);
    // validateNode: the attribute array must fit in the node.
    if (attributeStart + attributeSize * attributeCount > size - hs) {
      this.note(`element attributes use ${attributeStart + attributeSize * attributeCount} bytes, node has ${size - hs}; Android stops parsing here`, pos);
      return false;
    }
    if (this.rootClosed) {
      this.note('a second top-level element; Android reads only the first', pos);
      return false;
    }
    // A record past the document end is not read (a small attributeSize packs records closely).
    let usable = attributeCount;
    if (ext + attributeStart + (attributeCount - 1) * attributeSize + ATTRIBUTE_SIZE > this.dataEnd) {
      usable = 0;
      while (ext + attributeStart + usable * attributeSize + ATTRIBUTE_SIZE <= this.dataEnd) usable++;
    }
    const stack = this.stack;
    const el = new AxmlStartElement(this.dv, pos, ext, this.u32(ext), this.u32(ext + 4), attributeSize, attributeCount, usable, attributeStart);
    this.visitor.startElement(el, stack.length);
    if (usable < attributeCount) this.note('attribute runs past the document end', el.attributePos(usable));
    this.hasRoot = true;
    checkLimit('MAX_XML_DEPTH', stack.length + 1, 'XML element depth', pos, this.path);
    stack.push(el);
    return true;
  }

  private endElementNode(pos: number): void {
    const stack = this.stack;
    // Android does not check that the end tag names the open element.
    if (stack.length === 0) this.note('end element without an open element', pos, 'unbalanced end');
    else {
      this.visitor.endElement(stack.pop()!);
      if (stack.length === 0) this.rootClosed = true;
    }
  }
}

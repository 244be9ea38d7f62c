// Android binary XML (AXML), as compiled by aapt/aapt2 into AndroidManifest.xml and res/xml/*.
// Spec: AOSP libandroidfw ResourceTypes.h (ResXMLTree_header, ResXMLTree_node, ResXMLTree_attrExt,
// ResXMLTree_attribute, Res_value) and the reader that defines what Android accepts:
// ResourceTypes.cpp `ResXMLTree::setTo`, `ResXMLTree::validateNode`, `ResXMLParser::nextNode`.
//
// Malware tampers with manifests so that strict tools fail while Android still installs the app.
// We walk chunks exactly as ResXMLTree does, tolerate what it tolerates (recorded as anomalies),
// and resolve attributes by resource id as Android's obtainAttributes does.
import type { Anomaly } from '../../io/anomaly.js';
import { FormatError, TruncatedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { ANDROID_NS, ATTR_NAME_BY_ID } from './android-attrs.js';
import { decodeResValue, type TypedValue } from './res-value.js';
import { EMPTY_STRING_POOL, RES_STRING_POOL_TYPE, parseStringPool, type StringPool } from './string-pool.js';

export type { TypedValue } from './res-value.js';

export const RES_XML_TYPE = 0x0003;
export const RES_XML_FIRST_CHUNK_TYPE = 0x0100;
export const RES_XML_START_NAMESPACE_TYPE = 0x0100;
export const RES_XML_END_NAMESPACE_TYPE = 0x0101;
export const RES_XML_START_ELEMENT_TYPE = 0x0102;
export const RES_XML_END_ELEMENT_TYPE = 0x0103;
export const RES_XML_CDATA_TYPE = 0x0104;
export const RES_XML_LAST_CHUNK_TYPE = 0x017f;
export const RES_XML_RESOURCE_MAP_TYPE = 0x0180;

const CHUNK_HEADER_SIZE = 8;
/** sizeof(ResXMLTree_node): ResChunk_header + lineNumber + comment. */
const NODE_HEADER_SIZE = 16;
/** sizeof(ResXMLTree_attrExt) */
const ATTR_EXT_SIZE = 20;
/** sizeof(ResXMLTree_attribute) */
const ATTRIBUTE_SIZE = 20;
/** Minimum ext sizes per node type, from ResXMLParser::nextNode. */
const MIN_EXT_SIZE: Record<number, number> = {
  [RES_XML_START_NAMESPACE_TYPE]: 8,
  [RES_XML_END_NAMESPACE_TYPE]: 8,
  [RES_XML_START_ELEMENT_TYPE]: ATTR_EXT_SIZE,
  [RES_XML_END_ELEMENT_TYPE]: 8,
  [RES_XML_CDATA_TYPE]: 12,
};
const NO_INDEX = 0xffffffff;
/** One anomaly per kind of oddity is enough evidence; a tampered file may repeat it thousands of times. */
const MAX_ANOMALIES = 200;

export interface XmlAttribute {
  /** Namespace URI, or null. */
  namespace: string | null;
  /** The name as it stands in the string pool (malware may mask it; `resId` is what Android uses). */
  name: string;
  /** Framework/app attribute id from the resource map, or null when the name has none. */
  resId: number | null;
  /** The typed value (Res_value), which is what Android's TypedArray reads. */
  value: TypedValue;
  /** The raw string value (rawValue), which XmlPullParser.getAttributeValue prefers. */
  raw: string | null;
}

export interface XmlElement {
  name: string;
  namespace: string | null;
  attributes: XmlAttribute[];
  children: XmlElement[];
  text?: string;
}

export interface AxmlDocument {
  /** The first top-level element (Android's parsers read only that one), or null. */
  root: XmlElement | null;
  anomalies: Anomaly[];
}

/**
 * Looks an attribute up as Android's obtainAttributes does: by resource id. AttributeResolution.cpp
 * (RetrieveAttributes) merges the sorted ids it wants with the XML attributes in document order, so
 * an attribute is seen only if its id is larger than every id before it: duplicates and attributes
 * placed after a larger id are invisible to Android, and so to us. Only when no attribute carries
 * the id at all, we fall back to the name in the android namespace among attributes without an id
 * (Android itself would see nothing there; the manifest model records that as an anomaly).
 */
export function attr(el: XmlElement, resId: number, name: string): XmlAttribute | undefined {
  let max = 0;
  for (const a of el.attributes) {
    const id = a.resId ?? 0;
    if (id === resId) return id > max ? a : undefined;
    if (id > max) max = id;
  }
  for (const a of el.attributes) if (a.resId === null && a.name === name && a.namespace === ANDROID_NS) return a;
  return undefined;
}

export function parseAxml(bytes: Uint8Array, path: string): AxmlDocument {
  const anomalies: Anomaly[] = [];
  const seen = new Set<string>();
  /** Records an anomaly; `kind` de-duplicates repeats of the same oddity. */
  const note = (message: string, offset: number, kind = message) => {
    if (seen.has(kind) || anomalies.length >= MAX_ANOMALIES) return;
    seen.add(kind);
    anomalies.push({ stage: 'axml', message, offset });
  };
  checkLimit('MAX_AXML_BYTES', bytes.length, 'binary XML size', 0, path);
  if (bytes.length < CHUNK_HEADER_SIZE) throw new TruncatedError(`axml: ${bytes.length} bytes is too short for a chunk header`, 0, path);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number) => dv.getUint16(p, true);
  const u32 = (p: number) => dv.getUint32(p, true);

  // ResXMLTree::setTo does not check the header type; it only needs headerSize <= size <= data.
  const fileType = u16(0);
  let headerSize = u16(2);
  let dataEnd = u32(4);
  if (fileType !== RES_XML_TYPE && (headerSize < CHUNK_HEADER_SIZE || headerSize > dataEnd || dataEnd > bytes.length)) {
    // Neither the type nor the sizes fit: this is not binary XML at all (text XML, another format).
    throw new FormatError(`axml: not binary XML (header type 0x${fileType.toString(16)}, header size ${headerSize}, size ${dataEnd})`, 0, path);
  }
  if (fileType !== RES_XML_TYPE) {
    note(`header type 0x${fileType.toString(16)} is not RES_XML_TYPE (Android does not check it)`, 0);
  }
  if (dataEnd > bytes.length) {
    note(`header size field ${dataEnd} is larger than the ${bytes.length} bytes present (Android rejects this); using the data length`, 4);
    dataEnd = bytes.length;
  } else if (dataEnd < bytes.length) {
    note(`${bytes.length - dataEnd} bytes after the declared end of the document are ignored`, dataEnd, 'trailing');
  }
  if (headerSize < CHUNK_HEADER_SIZE || headerSize > dataEnd) {
    note(`document header size ${headerSize} is invalid; using ${CHUNK_HEADER_SIZE}`, 2);
    headerSize = CHUNK_HEADER_SIZE;
  }

  // Android's validate_chunk(): header >= minSize, header <= size, both 4-aligned, chunk within data.
  const chunkProblem = (p: number, minHeader: number): string | null => {
    const hs = u16(p + 2), size = u32(p + 4);
    if (hs < minHeader) return `header size 0x${hs.toString(16)} is too small`;
    if (hs > size) return `size 0x${size.toString(16)} is smaller than header size 0x${hs.toString(16)}`;
    if ((hs | size) & 3) return `size 0x${size.toString(16)} or header size 0x${hs.toString(16)} is not on an integer boundary`;
    if (size > dataEnd - p) return `size 0x${size.toString(16)} extends beyond the document end`;
    return null;
  };

  // Phase 1 (setTo): find the string pool, the resource map, and the first XML node.
  let strings: StringPool = EMPTY_STRING_POOL;
  let resIds: Uint32Array | number[] = [];
  let pos = headerSize;
  let firstNode = -1;
  let pools = 0;
  while (pos + CHUNK_HEADER_SIZE <= dataEnd) {
    const type = u16(pos);
    const problem = chunkProblem(pos, CHUNK_HEADER_SIZE);
    if (problem !== null) {
      const size = u32(pos + 4);
      // Android gives up on the whole document here. We skip the chunk when its size still lets us.
      if (size >= CHUNK_HEADER_SIZE && size <= dataEnd - pos) {
        note(`chunk 0x${type.toString(16)}: ${problem} (Android rejects the document); skipped`, pos);
        pos += size;
        continue;
      }
      if (type >= RES_XML_FIRST_CHUNK_TYPE && type <= RES_XML_LAST_CHUNK_TYPE) { firstNode = pos; break; }
      const Err = size > dataEnd - pos ? TruncatedError : FormatError;
      throw new Err(`axml: chunk 0x${type.toString(16)}: ${problem}`, pos, path);
    }
    const size = u32(pos + 4);
    if (type === RES_STRING_POOL_TYPE) {
      if (pools++ > 0) note('more than one string pool before the first node; the last one wins, as in Android', pos);
      strings = parseStringPool(bytes, pos, size, 0, path, 'axml', anomalies);
    } else if (type === RES_XML_RESOURCE_MAP_TYPE) {
      const hs = u16(pos + 2);
      const n = Math.floor((size - hs) / 4);
      const ids = new Array<number>(n);
      for (let i = 0; i < n; i++) ids[i] = u32(pos + hs + i * 4);
      resIds = ids;
    } else if (type >= RES_XML_FIRST_CHUNK_TYPE && type <= RES_XML_LAST_CHUNK_TYPE) {
      firstNode = pos;
      break;
    } else {
      note(`unknown chunk type 0x${type.toString(16)} (${size} bytes) skipped, as Android does`, pos, `unknown chunk 0x${type.toString(16)}`);
    }
    pos += size;
  }
  if (firstNode < 0) {
    throw new FormatError(`axml: no XML node found${fileType !== RES_XML_TYPE ? ` (not binary XML: header type 0x${fileType.toString(16)})` : ''}`, 0, path);
  }
  if (pools === 0) note('no string pool before the first node (Android rejects the document)', firstNode);

  const str = (i: number): string | null => (i === NO_INDEX ? null : strings.get(i));
  const resIdOf = (nameIdx: number): number | null => {
    if (nameIdx >= resIds.length) return null;
    const id = resIds[nameIdx];
    return id === 0 ? null : id;
  };

  // Phase 2 (nextNode): walk nodes; a node Android cannot validate ends the document there.
  let root: XmlElement | null = null;
  const stack: XmlElement[] = [];
  let rootClosed = false;
  let unsortedNoted = false;
  pos = firstNode;
  while (pos + CHUNK_HEADER_SIZE <= dataEnd) {
    const type = u16(pos);
    const problem = chunkProblem(pos, NODE_HEADER_SIZE);
    if (problem !== null) {
      const where = rootClosed ? 'after the root element closed (Android never reads it)' : 'Android stops parsing here';
      note(`node 0x${type.toString(16)}: ${problem}; ${where}`, pos);
      break;
    }
    const hs = u16(pos + 2), size = u32(pos + 4);
    const ext = pos + hs;
    const minExt = MIN_EXT_SIZE[type];
    if (minExt === undefined) {
      note(`unknown node type 0x${type.toString(16)} (${size} bytes) skipped, as Android does`, pos, `unknown node 0x${type.toString(16)}`);
      pos += size;
      continue;
    }
    if (size - hs < minExt) {
      note(`node 0x${type.toString(16)} has ${size - hs} bytes after its header, needs ${minExt}; Android stops parsing here`, pos);
      break;
    }
    if (type === RES_XML_START_ELEMENT_TYPE) {
      const attributeStart = u16(ext + 8), attributeSize = u16(ext + 10), attributeCount = u16(ext + 12);
      // validateNode: the attribute array must fit in the node.
      if (attributeStart + attributeSize * attributeCount > size - hs) {
        note(`element attributes use ${attributeStart + attributeSize * attributeCount} bytes, node has ${size - hs}; Android stops parsing here`, pos);
        break;
      }
      if (rootClosed) {
        note('a second top-level element; Android reads only the first', pos);
        break;
      }
      const nsIdx = u32(ext), nameIdx = u32(ext + 4);
      const name = str(nameIdx);
      if (name === null) note(`element name string #${nameIdx} is unreadable`, ext + 4, 'element name');
      const el: XmlElement = { name: name ?? '', namespace: str(nsIdx), attributes: [], children: [] };
      if (attributeCount > 0 && attributeSize < ATTRIBUTE_SIZE) {
        note(`attribute size ${attributeSize} is smaller than ResXMLTree_attribute (${ATTRIBUTE_SIZE}); records overlap`, ext + 10, 'attr size');
      }
      let lastId = -1;
      for (let i = 0; i < attributeCount; i++) {
        const a = ext + attributeStart + i * attributeSize;
        if (a + ATTRIBUTE_SIZE > dataEnd) { note('attribute runs past the document end', a); break; }
        const aNs = u32(a), aName = u32(a + 4), aRaw = u32(a + 8);
        const dataType = bytes[a + 15], data = u32(a + 16);
        const resId = resIdOf(aName);
        let attrName = str(aName);
        if (attrName === null) { note(`attribute name string #${aName} is unreadable`, a + 4, 'attr name'); attrName = ''; }
        if (resId !== null) {
          const known = ATTR_NAME_BY_ID.get(resId);
          if (known !== undefined && known !== attrName) {
            note(`attribute name "${attrName}" does not match its resource id 0x${resId.toString(16)} (${known}); Android uses the id`, a + 4, `masked ${known}`);
          }
          // See attr(): Android cannot see an attribute whose id is not larger than every id before it.
          if (resId <= lastId && !unsortedNoted) {
            unsortedNoted = true;
            note(`attribute 0x${resId.toString(16)} of <${el.name}> follows a larger or equal resource id; Android does not see it`, a);
          }
          if (resId > lastId) lastId = resId;
        }
        const namespace = str(aNs);
        el.attributes.push({ namespace, name: attrName, resId, value: decodeResValue(dataType, data, str), raw: str(aRaw) });
      }
      if (stack.length > 0) stack[stack.length - 1].children.push(el);
      else root = el;
      checkLimit('MAX_XML_DEPTH', stack.length + 1, 'XML element depth', pos, path);
      stack.push(el);
    } else if (type === RES_XML_END_ELEMENT_TYPE) {
      // Android does not check that the end tag names the open element.
      if (stack.length === 0) note('end element without an open element', pos, 'unbalanced end');
      else {
        stack.pop();
        if (stack.length === 0) rootClosed = true;
      }
    } else if (type === RES_XML_CDATA_TYPE) {
      const text = str(u32(ext));
      if (text !== null && stack.length > 0) {
        const top = stack[stack.length - 1];
        top.text = (top.text ?? '') + text;
      }
    }
    // Namespace nodes carry prefix/uri; attributes and elements name their URI directly, so nothing to track.
    pos += size;
  }
  if (stack.length > 0) note(`document ends inside <${stack[stack.length - 1].name}> (${stack.length} element(s) left open)`, Math.min(pos, dataEnd));
  if (root === null) note('no element in the document', firstNode);
  return { root, anomalies };
}

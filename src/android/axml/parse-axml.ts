// Android binary XML (AXML), as compiled by aapt/aapt2 into AndroidManifest.xml and res/xml/*.
// Spec: AOSP libandroidfw ResourceTypes.h (ResXMLTree_header, ResXMLTree_node, ResXMLTree_attrExt,
// ResXMLTree_attribute, Res_value) and the reader that defines what Android accepts:
// ResourceTypes.cpp `ResXMLTree::setTo`, `ResXMLTree::validateNode`, `ResXMLParser::nextNode`.
//
// Malware tampers with manifests so that strict tools fail while Android still installs the app.
// walk-axml.ts walks chunks exactly as ResXMLTree does and tolerates what it tolerates (recorded as
// anomalies); here the tree is built and attributes resolve by resource id as Android's
// obtainAttributes does.
import type { Anomaly } from '../../io/anomaly.js';
import { ANDROID_NS, ATTR_NAME_BY_ID } from './android-attrs.js';
import { decodeResValue, type TypedValue } from './res-value.js';
import { EMPTY_STRING_POOL, type StringPool } from './string-pool.js';
import { ATTRIBUTE_SIZE, NO_INDEX, newAxmlAttribute, walkAxml, type AxmlAttribute, type AxmlContext, type AxmlStartElement, type AxmlVisitor } from './walk-axml.js';

export type { TypedValue } from './res-value.js';

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

/** Builds the element tree on walkAxml, decoding every name, value and text. */
export function parseAxml(bytes: Uint8Array, path: string): AxmlDocument {
  const builder = new TreeBuilder();
  const { anomalies } = walkAxml(bytes, path, builder);
  return { root: builder.root, anomalies };
}

/**
 * The walkAxml visitor of parseAxml. A class rather than an object of closures: its state has one
 * shape, and each step is a small method V8 can compile (and inline) on its own.
 */
class TreeBuilder implements AxmlVisitor {
  root: XmlElement | null = null;
  private strings: StringPool = EMPTY_STRING_POOL;
  private resIds: readonly number[] = [];
  private note: AxmlContext['note'] = () => {};
  private readonly stack: XmlElement[] = [];
  private unsortedNoted = false;
  /** Largest resource id among the current element's attributes so far (-1: none). */
  private lastId = -1;
  private readonly record = newAxmlAttribute();
  /** decodeResValue's string resolver, made once. */
  private readonly str = (i: number): string | null => (i === NO_INDEX ? null : this.strings.get(i));

  begin(context: AxmlContext): void {
    this.strings = context.strings;
    this.resIds = context.resourceIds;
    this.note = context.note;
  }

  startElement(node: AxmlStartElement): void {
    const str = this.str;
    const name = str(node.name);
    if (name === null) this.note(`element name string #${node.name} is unreadable`, node.ext + 4, 'element name');
    const el: XmlElement = { name: name ?? '', namespace: str(node.namespace), attributes: [], children: [] };
    if (node.attributeCount > 0 && node.attributeSize < ATTRIBUTE_SIZE) {
      this.note(`attribute size ${node.attributeSize} is smaller than ResXMLTree_attribute (${ATTRIBUTE_SIZE}); records overlap`, node.ext + 10, 'attr size');
    }
    this.lastId = -1;
    for (let i = 0; i < node.usableAttributes; i++) el.attributes.push(this.attribute(el, node.readAttribute(i, this.record)));
    const stack = this.stack;
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else this.root = el;
    stack.push(el);
  }

  private attribute(el: XmlElement, a: AxmlAttribute): XmlAttribute {
    const str = this.str;
    const resId = this.resIdOf(a.name);
    let attrName = str(a.name);
    if (attrName === null) { this.note(`attribute name string #${a.name} is unreadable`, a.pos + 4, 'attr name'); attrName = ''; }
    if (resId !== null) this.checkResId(el, a, attrName, resId);
    const namespace = str(a.namespace);
    return { namespace, name: attrName, resId, value: decodeResValue(a.dataType, a.data, str), raw: str(a.raw) };
  }

  private checkResId(el: XmlElement, a: AxmlAttribute, attrName: string, resId: number): void {
    const known = ATTR_NAME_BY_ID.get(resId);
    if (known !== undefined && known !== attrName) {
      this.note(`attribute name "${attrName}" does not match its resource id 0x${resId.toString(16)} (${known}); Android uses the id`, a.pos + 4, `masked ${known}`);
    }
    // See attr(): Android cannot see an attribute whose id is not larger than every id before it.
    if (resId <= this.lastId && !this.unsortedNoted) {
      this.unsortedNoted = true;
      this.note(`attribute 0x${resId.toString(16)} of <${el.name}> follows a larger or equal resource id; Android does not see it`, a.pos);
    }
    if (resId > this.lastId) this.lastId = resId;
  }

  private resIdOf(nameIdx: number): number | null {
    if (nameIdx >= this.resIds.length) return null;
    const id = this.resIds[nameIdx];
    return id === 0 ? null : id;
  }

  endElement(): void {
    this.stack.pop();
  }

  text(node: AxmlStartElement | null, index: number): void {
    const text = this.str(index);
    if (text !== null && node !== null) {
      const top = this.stack[this.stack.length - 1];
      top.text = (top.text ?? '') + text;
    }
  }
}

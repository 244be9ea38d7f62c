// Android binary XML: chunk walker, typed values, string pools (shared with resources.arsc).
export { parseAxml, attr, type AxmlDocument, type XmlElement, type XmlAttribute } from './parse-axml.js';
export { type TypedValue, decodeResValue, typedValueToString } from './res-value.js';
export { parseStringPool, type StringPool, type StringSpan } from './string-pool.js';
export { walkAxml, AxmlStartElement, NO_INDEX, newAxmlAttribute, type AxmlAttribute, type AxmlVisitor, type AxmlContext, type AxmlWalk } from './walk-axml.js';
export { ANDROID_NS, ATTR } from './android-attrs.js';

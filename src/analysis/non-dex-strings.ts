// Endpoints outside dex code: strings of an APK's resources.arsc, compiled XML under res/ (but
// graphics: NO_ADDRESS_RES_XML), text files under res/raw and assets/, native libraries
// (lib/<abi>/*.so), and — through classifyTextEndpoints — ROM files such as /system/etc and
// /vendor/etc configs (XML, JSON, props) and /system/bin daemons. Each endpoint's location names
// the file it came from: {dex: "<entry or file>", class: "", method: ""}.
//
// A dex string is an endpoint only as a whole (INTERFACE.md: the value as it stands in the code).
// Text is different: a config line or a binary's printable run holds an URL among other words, so
//   - URLs are found inside the text ("scheme://…" up to whitespace, quotes or brackets, minus
//     trailing punctuation; XML entities decoded) and kept when classifyEndpoint accepts them;
//   - bare hosts and IPv4 addresses are tokens between separators (whitespace, quotes, = , ; ( ) [ ]
//     { } < > | ` \), kept under classifyEndpoint's stricter bare-host rules (known TLDs, no
//     package-name roots, no version-like quads);
//   - SMS short codes and phone numbers count with SMS context only (sms-numbers.ts).
// Binaries (anything with a NUL or many control bytes in its first 8 KiB, and every ELF file) are
// read as their printable ASCII runs of 4+ bytes, as strings(1) does.
import type { Anomaly } from '../io/anomaly.js';
import { isRomscanError } from '../io/errors/index.js';
import type { ZipArchive, ZipEntryInfo } from '../formats/zip/index.js';
import type { CodeLocation, Endpoint } from '../report/model.js';
import { parseArsc, type ResourceTable } from '../android/arsc/index.js';
import { walkAxml, newAxmlAttribute, typedValueToString, decodeResValue, NO_INDEX, type AxmlContext, type AxmlStartElement, type AxmlVisitor, type StringPool, type StringSpan } from '../android/axml/index.js';
import { TYPE_STRING } from '../android/axml/res-value.js';
import { classifyEndpoint } from './endpoints.js';
import { isProbablyText, decodeText, nextPrintableRun, type PrintableRun } from './printable-strings.js';
import { smsNumbersIn, smsEndpoint } from './sms-numbers.js';

/** A text file under assets/ or res/raw larger than this is skipped: configs are KBs; bundles a few MiB. */
export const MAX_TEXT_ENTRY_BYTES = 16 * 1024 * 1024;
/** A native library larger than this is skipped (browser engines reach 100+ MiB and add only noise). */
export const MAX_NATIVE_LIB_BYTES = 64 * 1024 * 1024;
/** Bytes inflated for non-dex strings per APK: bounds time and memory for APKs with huge assets. */
export const MAX_NON_DEX_BYTES_PER_APK = 512 * 1024 * 1024;
/** Lines longer than this are cut (minified bundles): tokens are short, and regexes stay linear anyway. */
const MAX_LINE = 1 << 20;

/** Extensions of media and archives, never text. */
const BINARY_EXT = /\.(png|jpe?g|gif|webp|bmp|ico|svgz|ogg|mp3|mp4|m4a|aac|wav|flac|amr|mid|midi|3gp|webm|mkv|avi|ttf|otf|woff2?|zip|jar|apk|dex|odex|vdex|so|gz|xz|bz2|7z|rar|zst|lz4|br|pb|tflite|bin|dat|db|sqlite|realm|pak|obb|arsc|9\.png)$/i;

const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]{1,15}:\/\/[^\s"'<>`\\{}|^]+/g;
const TRAILING = /[.,;:!?)\]}*]+$/;
const LEADING = /^[.:/*#@!?(]+/;
/** smsNumbersIn's own first test: a line without a match has no SMS destination. */
const SMS_HINT = /sms|mms|short.?code/i;
const SMS_HINT_ALL = /sms|mms|short.?code/gi;

type Sink = Map<string, Endpoint>;

function add(sink: Sink, e: Omit<Endpoint, 'locations'>, loc: CodeLocation): void {
  let have = sink.get(e.value);
  if (!have) { have = { ...e, locations: [] }; sink.set(e.value, have); }
  if (!have.locations.some((l) => l.dex === loc.dex)) have.locations.push(loc);
}

function decodeEntities(s: string): string {
  return s.indexOf('&') < 0 ? s : s.replace(/&(amp|lt|gt|quot|apos|#(\d{1,7})|#x([0-9a-f]{1,6}));/gi, (m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Math.min(Number(dec), 0x10ffff));
    if (hex) return String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name.toLowerCase()] ?? m;
  });
}

/** Endpoints in one line of text (or one printable run of a binary), cut at MAX_LINE. */
function scanLine(raw: string, loc: CodeLocation, sink: Sink): void {
  const line = raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw;
  if (line.length < 4) return;
  if (line.indexOf('://') >= 0) scanUrls(line, loc, sink);
  scanHosts(line, loc, sink);
  if (SMS_HINT.test(line)) scanSms(line, loc, sink);
}

/**
 * scanLine on every '\n'-separated line of `text`, without cutting the text into lines: each rule
 * looks only where its own trigger is ("://", a dot before a label character, smsNumbersIn's
 * /sms|mms|short.?code/i), and then works on that line alone, so the result is the same.
 */
function scanText(text: string, loc: CodeLocation, sink: Sink): void {
  if (text.length > MAX_LINE) {
    // A line may need cutting: go line by line (rare: texts over 1 MiB).
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      scanLine(text.slice(start, end), loc, sink);
      start = end + 1;
    }
    return;
  }
  // A URL or an SMS match never crosses a '\n' (their patterns exclude it), and '\n' separates tokens.
  for (let i = text.indexOf('://'); i >= 0;) {
    const end = lineEnd(text, i);
    scanUrls(text.slice(text.lastIndexOf('\n', i) + 1, end), loc, sink);
    i = text.indexOf('://', end);
  }
  scanHosts(text, loc, sink);
  SMS_HINT_ALL.lastIndex = 0;
  for (let m = SMS_HINT_ALL.exec(text); m !== null; m = SMS_HINT_ALL.exec(text)) {
    const end = lineEnd(text, m.index);
    scanSms(text.slice(text.lastIndexOf('\n', m.index) + 1, end), loc, sink);
    if (end >= text.length) break;
    SMS_HINT_ALL.lastIndex = end;
  }
}

function lineEnd(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end < 0 ? text.length : end;
}

/** URLs inside one line: "scheme://…" up to whitespace, quotes or brackets, trailing punctuation and XML entities handled. */
function scanUrls(line: string, loc: CodeLocation, sink: Sink): void {
  for (const m of line.matchAll(URL_IN_TEXT)) {
    const url = decodeEntities(m[0].replace(TRAILING, ''));
    const c = classifyEndpoint(url);
    if (c) add(sink, { value: c.value, host: c.host, scheme: c.scheme, kind: c.kind }, loc);
  }
}

/**
 * Bare hosts and IPs: the tokens between TOKEN_SEP separators. Only a token with a dot followed by
 * [a-z0-9] can pass classifyEndpoint's bare-host or IPv4 rules (each label and octet starts so), so
 * only the tokens around such dots are cut out.
 */
function scanHosts(s: string, loc: CodeLocation, sink: Sink): void {
  const n = s.length;
  for (let i = s.indexOf('.'); i >= 0 && i + 1 < n;) {
    const c = s.charCodeAt(i + 1);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) { i = s.indexOf('.', i + 1); continue; }
    let a = i;
    while (a > 0 && !isTokenSep(s.charCodeAt(a - 1))) a--;
    let b = i + 2;
    while (b < n && !isTokenSep(s.charCodeAt(b))) b++;
    if (b - a >= 4) scanToken(a === 0 && b === n ? s : s.slice(a, b), loc, sink);
    i = s.indexOf('.', b);
  }
}

function scanToken(piece: string, loc: CodeLocation, sink: Sink): void {
  if (piece.indexOf('://') >= 0) return; // the URL rule's
  const token = piece.replace(TRAILING, '').replace(LEADING, '');
  if (token.length < 4) return;
  const c = classifyEndpoint(token);
  if (c && c.kind !== 'url') add(sink, { value: c.value, host: c.host, scheme: c.scheme, kind: c.kind }, loc);
}

function scanSms(line: string, loc: CodeLocation, sink: Sink): void {
  for (const m of smsNumbersIn(line)) add(sink, smsEndpoint(m, []), loc);
}

/** The separators of TOKEN_SEP ([\s"'<>=,;(){}[\]|`\\]) by char code; a test checks both agree on all of UTF-16. */
const SEP_ASCII = new Uint8Array(128);
for (const ch of ' \t\n\v\f\r"\'<>=,;(){}[]|`\\') SEP_ASCII[ch.charCodeAt(0)] = 1;

export function isTokenSep(c: number): boolean {
  if (c < 128) return SEP_ASCII[c] === 1;
  // The rest of JavaScript's \s: Unicode Zs, the line and paragraph separators, and the BOM.
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Whether the code units [start, end) of `b` — bytes of UTF-8 or Latin-1 text, or UTF-16LE when
 * `wide` — can hold anything scanLine would report. Every condition is a necessary one, read off
 * endpoints.ts and sms-numbers.ts, so strings that fail need not be decoded at all:
 *   - a URL needs "://";
 *   - a bare host ends in a TLD (2+ letters a-z after a dot) that no label character [A-Za-z0-9_-]
 *     follows, after any dots (trailing dots are stripped from tokens), and the host comes before
 *     any '/', '?' or '#' of its token (LEADING ones aside);
 *   - an IPv4 literal has three dots each between two digits, in one token, before any path;
 *   - smsNumbersIn needs /sms|mms|short.?code/i: "sms", "mms" or "short" in any letter case.
 * Only ASCII units take part: UTF-8 decoding keeps ASCII bytes as they are and makes none from others.
 */
export function mayHoldEndpoint(b: Uint8Array, start: number, end: number, wide: boolean): boolean {
  return wide ? mayHoldWide(b, start, end) : mayHoldNarrow(b, start, end);
}

/** mayHoldEndpoint over bytes; written out for speed (it sees every byte of every resource table). */
function mayHoldNarrow(b: Uint8Array, start: number, end: number): boolean {
  let lead = true, path = false, ipDots = 0;
  for (let p = start; p < end; p++) {
    const c = b[p];
    if (c >= 0x80) { lead = true; path = false; ipDots = 0; continue; }
    const k = UNIT_CLASS[c];
    if (k === 0) { lead = false; continue; }
    if (k & SEP) { lead = true; path = false; ipDots = 0; continue; }
    if (c === 0x3a && p + 2 < end && b[p + 1] === 0x2f && b[p + 2] === 0x2f) return true;
    if (lead && k & LEAD) continue;
    lead = false;
    if (k & PATH) { path = true; continue; }
    if (c === 0x2e) {
      if (path) continue;
      if (p > start && isDigit(b[p - 1]) && p + 1 < end && isDigit(b[p + 1]) && ++ipDots >= 3) return true;
      let q = p + 1;
      while (q < end && b[q] >= 0x61 && b[q] <= 0x7a) q++;
      if (q - p > 2) {
        while (q < end && b[q] === 0x2e) q++;
        if (q >= end || !isLabelChar(b[q])) return true;
      }
    } else if (c === 0x73 || c === 0x53) {
      if (p + 2 < end && (b[p + 1] | 0x20) === 0x6d && (b[p + 2] | 0x20) === 0x73) return true;
      if (p + 4 < end && (b[p + 1] | 0x20) === 0x68 && (b[p + 2] | 0x20) === 0x6f && (b[p + 3] | 0x20) === 0x72 && (b[p + 4] | 0x20) === 0x74) return true;
    } else if (c === 0x6d || c === 0x4d) {
      if (p + 2 < end && (b[p + 1] | 0x20) === 0x6d && (b[p + 2] | 0x20) === 0x73) return true;
    }
  }
  return false;
}

/** mayHoldEndpoint over UTF-16LE units (the same steps as mayHoldNarrow). */
function mayHoldWide(b: Uint8Array, start: number, end: number): boolean {
  const step = 2;
  const wide = true;
  const stop = wide ? end - 1 : end; // a wide unit needs both bytes
  const at = wide ? (p: number) => (p < stop ? b[p] | (b[p + 1] << 8) : -1) : (p: number) => (p < end ? b[p] : -1);
  let lead = true; // in the LEADING run of a token, which is stripped
  let path = false; // past a '/', '?' or '#' of this token: no host label can follow
  let ipDots = 0;
  for (let p = start; p < stop; p += step) {
    const c = wide ? b[p] | (b[p + 1] << 8) : b[p];
    const k = c < 0x80 ? UNIT_CLASS[c] : SEP; // non-ASCII: maybe a \s separator (U+00A0, U+3000, …)
    if (k === 0) { lead = false; continue; }
    if (k & SEP) { lead = true; path = false; ipDots = 0; continue; }
    if (c === 0x3a /* : */ && at(p + step) === 0x2f && at(p + 2 * step) === 0x2f) return true;
    if (lead && k & LEAD) continue;
    lead = false;
    if (k & PATH) { path = true; continue; }
    if (c === 0x2e /* . */) {
      if (path) continue;
      if (isDigit(at(p - step)) && isDigit(at(p + step)) && ++ipDots >= 3) return true;
      let q = p + step;
      for (let d = at(q); d >= 0x61 && d <= 0x7a; d = at(q)) q += step;
      if (q - p > 2 * step) {
        while (at(q) === 0x2e) q += step;
        if (!isLabelChar(at(q))) return true;
      }
    } else if (c === 0x73 || c === 0x53) { // s: "sms", "short"
      const c1 = at(p + step) | 0x20;
      if (c1 === 0x6d && (at(p + 2 * step) | 0x20) === 0x73) return true;
      if (c1 === 0x68 && (at(p + 2 * step) | 0x20) === 0x6f && (at(p + 3 * step) | 0x20) === 0x72 && (at(p + 4 * step) | 0x20) === 0x74) return true;
    } else if (c === 0x6d || c === 0x4d) { // m: "mms"
      if ((at(p + step) | 0x20) === 0x6d && (at(p + 2 * step) | 0x20) === 0x73) return true;
    }
  }
  return false;
}

/** Classes of ASCII units for mayHoldEndpoint: token separators, LEADING characters, path starts, trigger starts. */
const SEP = 1, LEAD = 2, PATH = 4, TRIGGER = 8;
const UNIT_CLASS = new Uint8Array(128);
for (const ch of ' \t\n\v\f\r"\'<>=,;(){}[]|`\\') UNIT_CLASS[ch.charCodeAt(0)] |= SEP;
for (const ch of '.:/*#@!?(') UNIT_CLASS[ch.charCodeAt(0)] |= LEAD;
for (const ch of '/?#') UNIT_CLASS[ch.charCodeAt(0)] |= PATH;
for (const ch of '.:sSmM') UNIT_CLASS[ch.charCodeAt(0)] |= TRIGGER;

/** A byte that ends a token for mayHoldNarrow: an ASCII separator, or any non-ASCII byte. */
function isSepByte(c: number): boolean {
  return c >= 0x80 || (UNIT_CLASS[c] & SEP) !== 0;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLabelChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
}

function scanBytes(bytes: Uint8Array, loc: CodeLocation, sink: Sink): void {
  if (isProbablyText(bytes)) scanText(decodeText(bytes), loc, sink);
  else scanRuns(bytes, loc, sink);
}

/** scanLine on each printable run (printableRuns), decoding only the runs whose bytes can hold an endpoint. */
function scanRuns(bytes: Uint8Array, loc: CodeLocation, sink: Sink): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const run: PrintableRun = { start: 0, end: 0 };
  for (let p = 0; nextPrintableRun(bytes, p, run); p = run.end) {
    if (mayHoldNarrow(bytes, run.start, run.end)) scanLine(buf.toString('latin1', run.start, run.end), loc, sink);
  }
}

function sorted(sink: Sink): Endpoint[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const list = [...sink.values()].sort((a, b) => cmp(a.value, b.value));
  for (const e of list) e.locations.sort((a, b) => cmp(a.dex, b.dex));
  return list;
}

/**
 * Endpoints in a text or binary file (a ROM config, a daemon, a library): URLs, bare hosts and
 * IPs by the rules of endpoints.ts, and SMS destinations (kind "sms") by those of sms-numbers.ts.
 * Bytes are decoded as text when they look like text, else read as printable runs.
 * Every endpoint has the one location {dex: file, class: "", method: ""}.
 */
export function classifyTextEndpoints(text: string | Uint8Array, file: string): Endpoint[] {
  const sink: Sink = new Map();
  const loc: CodeLocation = { dex: file, class: '', method: '' };
  if (typeof text === 'string') scanText(text, loc, sink);
  else scanBytes(text, loc, sink);
  return sorted(sink);
}

// --- Strings that can hold an endpoint ---------------------------------------------------------
// Decoding every string of a resource table or a layout costs more than everything else here, and
// almost none can hold an endpoint. So each pool string's bytes (StringPool.span) are tested with
// mayHoldEndpoint, and only the strings that pass are decoded — by StringPool.get, so the text is
// exactly what parseArsc and parseAxml give.

const SMS_WORD = /sms|mms|short/gi;

/** Filled in by StringPool.span; every use is synchronous. */
const span: StringSpan = { start: 0, end: 0 };

/** Whether string `index` of the pool can hold an endpoint (mayHoldEndpoint over its code units). */
function poolStringMayHold(pool: StringPool, index: number): boolean {
  return pool.span(index, span) && mayHoldEndpoint(pool.bytes, span.start, span.end, !pool.utf8);
}

// Scratch arrays, reused: typed-array allocation costs more than the work for a small pool. Every
// use is synchronous and ends before the next pool is looked at.
let scratchIds = new Int32Array(256), scratchStarts = new Int32Array(256), scratchEnds = new Int32Array(256);
let scratchMarks = new Uint8Array(256);

/** Zeroed marks for n strings (the same array each time). */
function markScratch(n: number): Uint8Array {
  if (scratchMarks.length < n) scratchMarks = new Uint8Array(Math.max(n, scratchMarks.length * 2));
  scratchMarks.fill(0, 0, n);
  return scratchMarks;
}

/**
 * Marks (1) every string of a UTF-8 pool that can hold an endpoint (mayHoldEndpoint), found with
 * native searches over the whole string data rather than a loop over every byte: "://" and
 * "sms"/"mms"/"short" (any case) decide alone, and around a '.' that a TLD or a digit follows only
 * its token is tested. Null when the spans are not in index order without overlaps (then the
 * caller tests string by string).
 */
function poolCandidates(pool: StringPool): Uint8Array | null {
  const search = new CandidateSearch(pool);
  return search.collectSpans() ? search.markCandidates() : null;
}

/**
 * The state of one poolCandidates search. A class with one small method per loop rather than one
 * function with closures: V8 compiles a whole function when one of its loops gets hot (and again
 * after each deopt), and a closure over many variables keeps them all in a context.
 */
class CandidateSearch {
  /** Span k (in index order) is string ids[k], bytes [starts[k], ends[k]) of pool.bytes. */
  private readonly ids: Int32Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private spanCount = 0;
  /** The result: 1 for a string that can hold an endpoint. */
  private readonly taken: Uint8Array;
  private readonly bytes: Uint8Array;

  constructor(private readonly pool: StringPool) {
    const n = pool.count;
    if (scratchIds.length < n) {
      const size = Math.max(n, scratchIds.length * 2);
      scratchIds = new Int32Array(size); scratchStarts = new Int32Array(size); scratchEnds = new Int32Array(size);
    }
    this.ids = scratchIds; this.starts = scratchStarts; this.ends = scratchEnds;
    this.taken = markScratch(n);
    this.bytes = pool.bytes;
  }

  /** Reads every string's span; false when they are not in index order without overlaps. */
  collectSpans(): boolean {
    const { pool, ids, starts, ends } = this;
    let m = 0;
    for (let i = 0; i < pool.count; i++) {
      if (!pool.span(i, span)) continue;
      if (m > 0 && span.start < ends[m - 1]) return false;
      ids[m] = i; starts[m] = span.start; ends[m] = span.end; m++;
    }
    this.spanCount = m;
    return true;
  }

  /** The marks, after the native searches over the string data [starts[0], ends[last]). */
  markCandidates(): Uint8Array {
    const m = this.spanCount;
    if (m === 0) return this.taken;
    const b = this.bytes;
    const base = this.starts[0];
    const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', base, this.ends[m - 1]);
    this.markUrls(text, base);
    this.markSmsWords(text, base);
    this.markDotTokens(text, base);
    return this.taken;
  }

  private markUrls(text: string, base: number): void {
    for (let k = text.indexOf('://'); k >= 0; k = text.indexOf('://', k + 1)) this.takeAt(base + k, 3);
  }

  private markSmsWords(text: string, base: number): void {
    // Non-unicode /i folds no Latin-1 letter to ASCII, so this finds exactly the ASCII words.
    SMS_WORD.lastIndex = 0;
    for (let w = SMS_WORD.exec(text); w !== null; w = SMS_WORD.exec(text)) this.takeAt(base + w.index, w[0].length);
  }

  /** Around each '.' that a digit or two letters a-z follow, mayHoldNarrow over its token. */
  private markDotTokens(text: string, base: number): void {
    const end = this.ends[this.spanCount - 1];
    let checked = 0;
    for (let k = text.indexOf('.'); k >= 0; k = text.indexOf('.', k + 1)) {
      const x = base + k;
      if (x >= checked && mayStartHostOrIp(this.bytes, x, end)) checked = this.markDotToken(x, checked);
    }
  }

  /** Tests the token around the dot at byte x; returns the end of what is now checked. */
  private markDotToken(x: number, checked: number): number {
    const j = this.spanAt(x);
    if (j < 0 || this.taken[this.ids[j]] === 1) return checked;
    const b = this.bytes;
    const spanStart = this.starts[j], spanEnd = this.ends[j];
    let from = x;
    while (from > spanStart && !isSepByte(b[from - 1])) from--;
    let to = x + 1;
    while (to < spanEnd && !isSepByte(b[to])) to++;
    if (mayHoldNarrow(b, from, to)) this.taken[this.ids[j]] = 1;
    return to;
  }

  /** Marks the string whose span holds bytes [x, x + length). */
  private takeAt(x: number, length: number): void {
    const j = this.spanAt(x);
    if (j >= 0 && x + length <= this.ends[j]) this.taken[this.ids[j]] = 1;
  }

  /** The span holding byte x, or -1. */
  private spanAt(x: number): number {
    const starts = this.starts;
    let lo = 0, hi = this.spanCount - 1;
    while (lo < hi) { // the last span starting at or before x
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= x) lo = mid; else hi = mid - 1;
    }
    return starts[lo] <= x && x < this.ends[lo] ? lo : -1;
  }
}

/** mayHoldNarrow's dot rules need a digit or 2+ letters a-z right after the dot at x. */
function mayStartHostOrIp(b: Uint8Array, x: number, end: number): boolean {
  const c1 = x + 1 < end ? b[x + 1] : 0;
  return isDigit(c1) || (c1 >= 0x61 && c1 <= 0x7a && x + 2 < end && b[x + 2] >= 0x61 && b[x + 2] <= 0x7a);
}

/**
 * Whether each string of a pool can hold an endpoint, worked out on first use and kept (in scratch:
 * one pool at a time). seen: 0 unknown, 1 may hold, 2 cannot.
 */
class EndpointFilter {
  private seen: Uint8Array | null = null;

  constructor(private readonly pool: StringPool) {}

  mayHold(index: number): boolean {
    if (index >= this.pool.count) return false;
    const seen = this.seen ?? this.firstUse();
    if (seen[index] === 0) seen[index] = poolStringMayHold(this.pool, index) ? 1 : 2;
    return seen[index] === 1;
  }

  /** Kept out of mayHold, which is called per attribute and should stay small enough to inline. */
  private firstUse(): Uint8Array {
    const pool = this.pool;
    const taken = pool.utf8 ? poolCandidates(pool) : null;
    if (taken !== null) for (let i = 0; i < pool.count; i++) taken[i] = taken[i] === 1 ? 1 : 2;
    this.seen = taken ?? markScratch(pool.count);
    return this.seen;
  }
}

/** resources.arsc: scanText over every string of the table's pools (those `strings()` reads) that can hold an endpoint. */
function scanArscStrings(table: ResourceTable, loc: CodeLocation, sink: Sink): void {
  for (const pool of table.stringPools()) scanPoolStrings(pool, loc, sink);
}

/**
 * scanText over the strings of one pool that can hold an endpoint. The pool-wide loops are in
 * small functions of their own (nextMark, nextMayHold) and only the few candidates reach the
 * loop here: V8 compiles a whole function when one of its loops gets hot, with all it inlines.
 */
function scanPoolStrings(pool: StringPool, loc: CodeLocation, sink: Sink): void {
  const taken = pool.utf8 ? poolCandidates(pool) : null;
  const count = pool.count;
  for (let i = nextCandidate(0); i < count; i = nextCandidate(i + 1)) scanPoolString(pool, i, loc, sink);
  function nextCandidate(from: number): number {
    return taken !== null ? nextMark(taken, from, count) : nextMayHold(pool, from);
  }
}

/** The first index at or after `from` marked 1 in `marks`, or `count`. */
function nextMark(marks: Uint8Array, from: number, count: number): number {
  let i = from;
  while (i < count && marks[i] !== 1) i++;
  return i;
}

/** The first string at or after `from` that can hold an endpoint (poolStringMayHold), or pool.count. */
function nextMayHold(pool: StringPool, from: number): number {
  let i = from;
  while (i < pool.count && !poolStringMayHold(pool, i)) i++;
  return i;
}

function scanPoolString(pool: StringPool, i: number, loc: CodeLocation, sink: Sink): void {
  const s = pool.get(i);
  if (s !== null) scanText(s, loc, sink);
}

/**
 * Lines of a compiled XML document, `<name attr="value" …>text`, one per element so key context
 * (`name="key" value="N"`) stays on the line — but only for elements whose name, attribute names
 * and values or text can hold an endpoint (the others give scanLine nothing: every piece of such a
 * line is one of these strings, or a number, a color, a dimension, a reference). Lines come in the
 * order elements close. Throws what parseAxml throws.
 */
function axmlEndpointLines(bytes: Uint8Array, path: string): string[] {
  const collector = new EndpointElements();
  walkAxml(bytes, path, collector);
  collector.closeOpenElements();
  return collector.lines();
}

/**
 * The walkAxml visitor of axmlEndpointLines: keeps the elements that can hold an endpoint, with
 * their text. A class rather than an object of closures: its methods have one shape to inline.
 */
class EndpointElements implements AxmlVisitor {
  private strings: StringPool | null = null;
  private filter: EndpointFilter | null = null;
  private readonly record = newAxmlAttribute();
  private readonly wanted: AxmlStartElement[] = [];
  private readonly wantedText: (number[] | null)[] = [];
  /** The open elements and their text indices (the walker keeps its own stack, but hands us only the top). */
  private readonly open: AxmlStartElement[] = [];
  private readonly openText: (number[] | null)[] = [];
  /** decodeResValue's string resolver, made once. */
  private readonly str = (i: number): string | null => (i === NO_INDEX || this.strings === null ? null : this.strings.get(i));

  begin(context: AxmlContext): void {
    this.strings = context.strings;
    this.filter = new EndpointFilter(context.strings);
  }

  startElement(el: AxmlStartElement): void {
    this.open.push(el);
    this.openText.push(null);
  }

  endElement(): void {
    this.close(this.open.pop()!, this.openText.pop()!);
  }

  text(el: AxmlStartElement | null, index: number): void {
    if (el === null) return;
    const top = this.openText.length - 1;
    const list = this.openText[top];
    if (list === null) this.openText[top] = [index];
    else list.push(index);
  }

  /** Elements the document leaves open count as closed at its end, outermost first. */
  closeOpenElements(): void {
    for (let i = 0; i < this.open.length; i++) this.close(this.open[i], this.openText[i]);
  }

  private mayHold(index: number): boolean {
    return this.filter !== null && this.filter.mayHold(index);
  }

  private close(el: AxmlStartElement, text: number[] | null): void {
    // Text split over several CDATA nodes could join into a host or "://" only together: keep it.
    const want = this.mayHold(el.name) || (text !== null && (text.length > 1 || this.mayHold(text[0]))) || this.someAttributeMayHold(el);
    if (want) { this.wanted.push(el); this.wantedText.push(text); }
  }

  private someAttributeMayHold(el: AxmlStartElement): boolean {
    for (let i = 0; i < el.usableAttributes; i++) {
      const a = el.readAttribute(i, this.record);
      if (this.mayHold(a.name) || this.mayHold(a.raw) || (a.dataType === TYPE_STRING && this.mayHold(a.data))) return true;
    }
    return false;
  }

  lines(): string[] {
    return this.wanted.map((el, k) => this.line(el, this.wantedText[k]));
  }

  private line(el: AxmlStartElement, text: number[] | null): string {
    const str = this.str;
    let line = `<${str(el.name) ?? ''}`;
    for (let i = 0; i < el.usableAttributes; i++) {
      const a = el.readAttribute(i, this.record);
      const raw = str(a.raw);
      line += ` ${str(a.name) ?? ''}="${raw ?? typedValueToString(decodeResValue(a.dataType, a.data, str))}"`;
    }
    line += '>';
    if (text) for (const t of text) line += str(t) ?? '';
    return line;
  }
}

/**
 * Compiled XML of the resource types that hold graphics, colours and motion (drawable, color,
 * anim, animator, interpolator, mipmap, font): their attributes are numbers, colours, path data
 * and references, never an address, so they are not read. They are over half of an APK's res/
 * XML (1490 of the corpus's 2675 entries, none with an endpoint), and inflating that many small
 * entries costs per call, not per byte (bench/README.md). A shrunk APK's paths that no longer
 * name a type (res/a1.xml) are read, as is every other type (layout, xml, menu, navigation, …).
 */
export const NO_ADDRESS_RES_XML = /^res\/(?:drawable|color|anim|animator|interpolator|mipmap|font)(?:-[^/]*)?\//;

type Kind = 'arsc' | 'xml' | 'text' | 'lib';

function kindOf(e: ZipEntryInfo): Kind | null {
  const n = e.name;
  if (e.isDirectory) return null;
  if (n === 'resources.arsc') return 'arsc';
  if (n.startsWith('res/raw/') || n.startsWith('res/raw-') || n.startsWith('assets/')) return BINARY_EXT.test(n) ? null : 'text';
  if (n.startsWith('res/') && n.endsWith('.xml')) return NO_ADDRESS_RES_XML.test(n) ? null : 'xml';
  if (/^lib\/[^/]+\/[^/]+\.so$/.test(n)) return 'lib';
  return null;
}

/**
 * Endpoints in an APK outside its dex files: every string of resources.arsc (all packages' pools),
 * attribute values and text of compiled XML under res/ (but NO_ADDRESS_RES_XML), text files under
 * res/raw and assets/ (binaries skipped), and printable strings of lib/<abi>/*.so, each located
 * by its entry name.
 * An entry that cannot be read or parsed is skipped; its RomscanError goes to `anomalies`.
 * `arsc`, when given, is the first resources.arsc entry as the manifest reader already parsed it
 * (so it is neither read nor parsed twice).
 */
export async function apkNonDexEndpoints(zip: ZipArchive, anomalies: Anomaly[] = [], arsc?: ResourceTable | null): Promise<Endpoint[]> {
  const sink: Sink = new Map();
  const budget = new EntryBudget(anomalies);
  const seen = new Set<string>();
  for (const e of zip.entries) {
    const kind = kindOf(e);
    if (!kind || seen.has(e.name)) continue; // duplicate names: Android reads the first
    seen.add(e.name);
    const verdict = budget.admit(e, kind);
    if (verdict === 'stop') break;
    if (verdict === 'scan') await scanEntry(zip, e, kind, arsc, sink, anomalies);
  }
  return sorted(sink);
}

/** The per-entry caps and the per-APK byte budget of apkNonDexEndpoints; what is skipped becomes an anomaly. */
class EntryBudget {
  private left = MAX_NON_DEX_BYTES_PER_APK;

  constructor(private readonly anomalies: Anomaly[]) {}

  /** 'scan' (and spends the entry's bytes), 'skip' this entry, or 'stop' scanning: the budget is spent. */
  admit(e: ZipEntryInfo, kind: Kind): 'scan' | 'skip' | 'stop' {
    const cap = kind === 'lib' ? MAX_NATIVE_LIB_BYTES : kind === 'text' ? MAX_TEXT_ENTRY_BYTES : Infinity;
    if (e.uncompressedSize > cap) {
      this.anomalies.push({ stage: 'strings', message: `${e.name}: ${e.uncompressedSize} bytes, over the ${cap}-byte cap for ${kind} files; not scanned for endpoints` });
      return 'skip';
    }
    if (e.uncompressedSize > this.left) {
      this.anomalies.push({ stage: 'strings', message: `non-dex string budget (${MAX_NON_DEX_BYTES_PER_APK} bytes) spent; ${e.name} and later entries not scanned` });
      return 'stop';
    }
    this.left -= e.uncompressedSize;
    return 'scan';
  }
}

/**
 * Reads and scans one entry. An entry that cannot be read or parsed is skipped; its RomscanError
 * goes to `anomalies`. Kept out of apkNonDexEndpoints' loop so that the try/catch and the scanners
 * are not compiled into it.
 */
async function scanEntry(zip: ZipArchive, e: ZipEntryInfo, kind: Kind, arsc: ResourceTable | null | undefined, sink: Sink, anomalies: Anomaly[]): Promise<void> {
  const loc: CodeLocation = { dex: e.name, class: '', method: '' };
  const path = `${zip.path}!/${e.name}`;
  try {
    if (kind === 'arsc') {
      scanArscStrings(arsc ?? parseArsc(await zip.read(e, 'MAX_ARSC_BYTES'), path), loc, sink);
    } else {
      scanEntryBytes(await zip.read(e, kind === 'xml' ? 'MAX_AXML_BYTES' : undefined), kind, path, loc, sink);
    }
  } catch (err) {
    if (!isRomscanError(err)) throw err;
    anomalies.push({ stage: 'strings', message: `${e.name}: ${err.message}`, ...(err.offset !== undefined ? { offset: err.offset } : {}) });
  }
}

/** Scans the bytes of an entry of kind xml, text or lib. */
function scanEntryBytes(bytes: Uint8Array, kind: Kind, path: string, loc: CodeLocation, sink: Sink): void {
  if (kind === 'xml') {
    if (bytes.length >= 2 && bytes[0] === 0x03 && bytes[1] === 0x00) {
      for (const line of axmlEndpointLines(bytes, path)) scanLine(line, loc, sink);
    } else if (isProbablyText(bytes)) {
      scanText(decodeText(bytes), loc, sink); // an uncompiled XML (some build tools leave them)
    }
  } else if (kind === 'text') {
    if (isProbablyText(bytes)) scanText(decodeText(bytes), loc, sink);
  } else {
    scanRuns(bytes, loc, sink);
  }
}

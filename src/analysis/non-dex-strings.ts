// Endpoints outside dex code: strings of an APK's resources.arsc, compiled XML under res/, text
// files under res/raw and assets/, native libraries (lib/<abi>/*.so), and — through
// classifyTextEndpoints — ROM files such as /system/etc and /vendor/etc configs (XML, JSON,
// props) and /system/bin daemons. Each endpoint's location names the file it came from:
// {dex: "<entry or file>", class: "", method: ""}.
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
import { parseArsc } from '../android/arsc/index.js';
import { parseAxml, typedValueToString, type XmlElement } from '../android/axml/index.js';
import { classifyEndpoint } from './endpoints.js';
import { isProbablyText, decodeText, printableRuns } from './printable-strings.js';
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
const TOKEN_SEP = /[\s"'<>=,;(){}[\]|`\\]+/;
const TRAILING = /[.,;:!?)\]}*]+$/;
const LEADING = /^[.:/*#@!?(]+/;

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

/** Endpoints in one line of text (or one printable run of a binary). */
function scanLine(raw: string, loc: CodeLocation, sink: Sink): void {
  const line = raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw;
  if (line.length < 4) return;
  if (line.indexOf('://') >= 0) {
    for (const m of line.matchAll(URL_IN_TEXT)) {
      const url = decodeEntities(m[0].replace(TRAILING, ''));
      const c = classifyEndpoint(url);
      if (c) add(sink, { value: c.value, host: c.host, scheme: c.scheme, kind: c.kind }, loc);
    }
  }
  if (line.indexOf('.') >= 0) {
    for (const piece of line.split(TOKEN_SEP)) {
      if (piece.length < 4 || piece.indexOf('.') < 0 || piece.indexOf('://') >= 0) continue;
      const token = piece.replace(TRAILING, '').replace(LEADING, '');
      if (token.length < 4) continue;
      const c = classifyEndpoint(token);
      if (c && c.kind !== 'url') add(sink, { value: c.value, host: c.host, scheme: c.scheme, kind: c.kind }, loc);
    }
  }
  for (const m of smsNumbersIn(line)) add(sink, smsEndpoint(m, []), loc);
}

function scanText(text: string, loc: CodeLocation, sink: Sink): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    scanLine(text.slice(start, end), loc, sink);
    start = end + 1;
  }
}

function scanBytes(bytes: Uint8Array, loc: CodeLocation, sink: Sink): void {
  if (isProbablyText(bytes)) scanText(decodeText(bytes), loc, sink);
  else for (const run of printableRuns(bytes)) scanLine(run, loc, sink);
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

/** Lines of a compiled XML tree: `<name attr="value" …>text`, one per element, so key context stays on the line. */
function* xmlLines(el: XmlElement, depth = 0): Generator<string> {
  if (depth > 256) return;
  let line = `<${el.name}`;
  for (const a of el.attributes) line += ` ${a.name}="${a.raw ?? typedValueToString(a.value)}"`;
  line += '>';
  if (el.text) line += el.text;
  yield line;
  for (const c of el.children) yield* xmlLines(c, depth + 1);
}

type Kind = 'arsc' | 'xml' | 'text' | 'lib';

function kindOf(e: ZipEntryInfo): Kind | null {
  const n = e.name;
  if (e.isDirectory) return null;
  if (n === 'resources.arsc') return 'arsc';
  if (n.startsWith('res/raw/') || n.startsWith('res/raw-') || n.startsWith('assets/')) return BINARY_EXT.test(n) ? null : 'text';
  if (n.startsWith('res/') && n.endsWith('.xml')) return 'xml';
  if (/^lib\/[^/]+\/[^/]+\.so$/.test(n)) return 'lib';
  return null;
}

/**
 * Endpoints in an APK outside its dex files: every string of resources.arsc (all packages' pools),
 * attribute values and text of compiled XML under res/, text files under res/raw and assets/
 * (binaries skipped), and printable strings of lib/<abi>/*.so, each located by its entry name.
 * An entry that cannot be read or parsed is skipped; its RomscanError goes to `anomalies`.
 */
export async function apkNonDexEndpoints(zip: ZipArchive, anomalies: Anomaly[] = []): Promise<Endpoint[]> {
  const sink: Sink = new Map();
  let budget = MAX_NON_DEX_BYTES_PER_APK;
  const seen = new Set<string>();
  for (const e of zip.entries) {
    const kind = kindOf(e);
    if (!kind || seen.has(e.name)) continue; // duplicate names: Android reads the first
    seen.add(e.name);
    const cap = kind === 'lib' ? MAX_NATIVE_LIB_BYTES : kind === 'text' ? MAX_TEXT_ENTRY_BYTES : Infinity;
    if (e.uncompressedSize > cap) {
      anomalies.push({ stage: 'strings', message: `${e.name}: ${e.uncompressedSize} bytes, over the ${cap}-byte cap for ${kind} files; not scanned for endpoints` });
      continue;
    }
    if (e.uncompressedSize > budget) {
      anomalies.push({ stage: 'strings', message: `non-dex string budget (${MAX_NON_DEX_BYTES_PER_APK} bytes) spent; ${e.name} and later entries not scanned` });
      break;
    }
    budget -= e.uncompressedSize;
    const loc: CodeLocation = { dex: e.name, class: '', method: '' };
    try {
      const bytes = await zip.read(e, kind === 'arsc' ? 'MAX_ARSC_BYTES' : kind === 'xml' ? 'MAX_AXML_BYTES' : undefined);
      if (kind === 'arsc') {
        for (const s of parseArsc(bytes, `${zip.path}!/${e.name}`).strings()) scanText(s, loc, sink);
      } else if (kind === 'xml') {
        if (bytes.length >= 2 && bytes[0] === 0x03 && bytes[1] === 0x00) {
          const doc = parseAxml(bytes, `${zip.path}!/${e.name}`);
          if (doc.root) for (const line of xmlLines(doc.root)) scanLine(line, loc, sink);
        } else if (isProbablyText(bytes)) {
          scanText(decodeText(bytes), loc, sink); // an uncompiled XML (some build tools leave them)
        }
      } else if (kind === 'text') {
        if (isProbablyText(bytes)) scanText(decodeText(bytes), loc, sink);
      } else {
        for (const run of printableRuns(bytes)) scanLine(run, loc, sink);
      }
    } catch (err) {
      if (!isRomscanError(err)) throw err;
      anomalies.push({ stage: 'strings', message: `${e.name}: ${err.message}`, ...(err.offset !== undefined ? { offset: err.offset } : {}) });
    }
  }
  return sorted(sink);
}

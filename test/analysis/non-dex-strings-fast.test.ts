// The fast non-dex string scan (trigger searches, pools read in place, AXML walked without a tree)
// must report exactly what the plain algorithm reports: every line split on '\n', every token of
// every line, every arsc string decoded, every XML element turned into a line. The plain algorithm
// is kept here as the oracle, and both run over edge cases, crafted XML and the corpus APKs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classifyTextEndpoints, apkNonDexEndpoints, isTokenSep, mayHoldEndpoint, NO_ADDRESS_RES_XML } from '../../src/analysis/non-dex-strings.js';
import { isProbablyText, decodeText, printableRuns } from '../../src/analysis/printable-strings.js';
import { classifyEndpoint } from '../../src/analysis/endpoints.js';
import { smsNumbersIn, smsEndpoint } from '../../src/analysis/sms-numbers.js';
import { parseArsc } from '../../src/android/arsc/index.js';
import { parseAxml, typedValueToString, type XmlElement } from '../../src/android/axml/index.js';
import { isRomscanError } from '../../src/io/errors/index.js';
import { openZip, type ZipArchive, type ZipEntryInfo } from '../../src/formats/zip/index.js';
import { FileSource } from '../../src/io/source.js';
import type { Anomaly } from '../../src/io/anomaly.js';
import type { CodeLocation, Endpoint } from '../../src/report/model.js';
import { writeAxml, el, doc, T } from '../android/axml/axml-writer.js';
import { CORPUS } from '../android/dex/helpers.js';

// --- The oracle: the scan as first written (one line at a time, whole trees, all strings) ----
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
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name.toLowerCase()] ?? m;
  });
}
function refLine(raw: string, loc: CodeLocation, sink: Sink): void {
  const line = raw.length > 1 << 20 ? raw.slice(0, 1 << 20) : raw;
  if (line.length < 4) return;
  if (line.indexOf('://') >= 0) {
    for (const m of line.matchAll(URL_IN_TEXT)) {
      const c = classifyEndpoint(decodeEntities(m[0].replace(TRAILING, '')));
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
function refText(text: string, loc: CodeLocation, sink: Sink): void {
  for (const line of text.split('\n')) refLine(line, loc, sink);
}
function* xmlLines(e: XmlElement): Generator<string> {
  let line = `<${e.name}`;
  for (const a of e.attributes) line += ` ${a.name}="${a.raw ?? typedValueToString(a.value)}"`;
  line += '>';
  if (e.text) line += e.text;
  yield line;
  for (const c of e.children) yield* xmlLines(c);
}
function sorted(sink: Sink): Endpoint[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const list = [...sink.values()].sort((a, b) => cmp(a.value, b.value));
  for (const e of list) e.locations.sort((a, b) => cmp(a.dex, b.dex));
  return list;
}
function refText1(text: string | Uint8Array): Endpoint[] {
  const sink: Sink = new Map();
  const loc = { dex: 'f', class: '', method: '' };
  if (typeof text === 'string') refText(text, loc, sink);
  else if (isProbablyText(text)) refText(decodeText(text), loc, sink);
  else for (const run of printableRuns(text)) refLine(run, loc, sink);
  return sorted(sink);
}
/** apkNonDexEndpoints as first written, for the entry kinds and order it had (and the res/ XML it now leaves out). */
async function refApk(zip: ZipArchive, anomalies: Anomaly[]): Promise<Endpoint[]> {
  const sink: Sink = new Map();
  const seen = new Set<string>();
  const binary = /\.(png|jpe?g|gif|webp|bmp|ico|svgz|ogg|mp3|mp4|m4a|aac|wav|flac|amr|mid|midi|3gp|webm|mkv|avi|ttf|otf|woff2?|zip|jar|apk|dex|odex|vdex|so|gz|xz|bz2|7z|rar|zst|lz4|br|pb|tflite|bin|dat|db|sqlite|realm|pak|obb|arsc|9\.png)$/i;
  for (const e of zip.entries) {
    const n = e.name;
    const kind = e.isDirectory ? null : n === 'resources.arsc' ? 'arsc'
      : n.startsWith('res/raw/') || n.startsWith('res/raw-') || n.startsWith('assets/') ? (binary.test(n) ? null : 'text')
        : n.startsWith('res/') && n.endsWith('.xml') ? (NO_ADDRESS_RES_XML.test(n) ? null : 'xml') : /^lib\/[^/]+\/[^/]+\.so$/.test(n) ? 'lib' : null;
    if (!kind || seen.has(n)) continue;
    seen.add(n);
    const loc = { dex: n, class: '', method: '' };
    try {
      const bytes = await zip.read(e, kind === 'arsc' ? 'MAX_ARSC_BYTES' : kind === 'xml' ? 'MAX_AXML_BYTES' : undefined);
      if (kind === 'arsc') for (const s of parseArsc(bytes, `${zip.path}!/${n}`).strings()) refText(s, loc, sink);
      else if (kind === 'xml') {
        if (bytes.length >= 2 && bytes[0] === 3 && bytes[1] === 0) {
          const d = parseAxml(bytes, `${zip.path}!/${n}`);
          if (d.root) for (const line of xmlLines(d.root)) refLine(line, loc, sink);
        } else if (isProbablyText(bytes)) refText(decodeText(bytes), loc, sink);
      } else if (kind === 'text') { if (isProbablyText(bytes)) refText(decodeText(bytes), loc, sink); }
      else for (const run of printableRuns(bytes)) refLine(run, loc, sink);
    } catch (err) {
      if (!isRomscanError(err)) throw err;
      anomalies.push({ stage: 'strings', message: `${n}: ${err.message}`, ...(err.offset !== undefined ? { offset: err.offset } : {}) });
    }
  }
  return sorted(sink);
}

function memoryZip(files: Record<string, Uint8Array | string>): ZipArchive {
  const bytesOf = (v: Uint8Array | string) => (typeof v === 'string' ? new TextEncoder().encode(v) : v);
  const entries: ZipEntryInfo[] = Object.entries(files).map(([name, v]) => ({
    name, method: 0, compressedSize: 0, crc32: 0, localHeaderOffset: 0, isDirectory: false, uncompressedSize: bytesOf(v).length,
  }));
  return {
    source: undefined as never, path: 'mem.apk', entries, anomalies: [], centralDirectoryOffset: 0, eocdOffset: 0,
    find: (n) => entries.find((e) => e.name === n),
    read: async (e) => bytesOf(files[e.name]),
    open: async () => { throw new Error('not used'); },
  };
}

const EDGE_TEXTS = [
  'host at the line end: zzhc.vnet.cn\nnext line',
  'zzhc.vnet.cn',
  'url=http://a.example.com/x?y=1&amp;z=2.\r\nother=https://b.example.org/&#x41;',
  '<a href="http://c.example.net/&quot;q&quot;">link</a>',
  'dm.sms.dest_number=10659401\nsms_center:\n 10086',
  'smsto:10086 SMSTO:+4477 mms://1234567 "shortcode": "95555", short code=12345, short\u00a0code=54321',
  'sep\u3000www.example.com\u2028tail.example.cn\u00a0x.cn',
  'nbsp\u00a0inside\u00a0res/drawable/a.png/x.com',
  '/leading/../path.com, (paren.example.com), //double.example.com; *.star.example.com',
  'ip 10.0.0.138:8080/x 1.2.3.4 8.8.8.8 192.168.1.1. 255.1.1.1 1.2.3.4.5',
  'www.example.co.uk! foo.co bar.com.tw a.io www.a.io',
  'ro.build.id=x device.info main.cc com.google.android.gms',
  'caps Example.COM www.EXAMPLE.com end.com_x end.com-y end.com1 end.com.. end.comé',
  'a'.repeat(50) + '.com ' + 'x://'.repeat(5) + 'ftp://files.example.com:21/a',
  'tab\tsep.example.com\vvt.example.com\ffeed.example.com',
  'json {"api":"https://api.example.com/v1","sms_number":"10659401","key":"ws://socket.example.com"}',
  '',
  '.com',
  'smsms mmsms shortshort',
];

describe('fast text scan equals the line-by-line scan', () => {
  test('isTokenSep is TOKEN_SEP on every UTF-16 code unit', () => {
    for (let c = 0; c < 0x10000; c++) assert.equal(isTokenSep(c), TOKEN_SEP.test(String.fromCharCode(c)), `U+${c.toString(16)}`);
  });

  test('edge cases: endpoints at line ends, entities, SMS keys, Unicode separators, paths, IPs', () => {
    for (const t of EDGE_TEXTS) {
      assert.deepEqual(classifyTextEndpoints(t, 'f'), refText1(t), JSON.stringify(t));
      const bytes = new TextEncoder().encode(t);
      assert.deepEqual(classifyTextEndpoints(bytes, 'f'), refText1(bytes), JSON.stringify(t));
    }
    assert.ok(classifyTextEndpoints(EDGE_TEXTS[0], 'f').some((e) => e.value === 'zzhc.vnet.cn'));
  });

  test('binary runs: endpoints in printable runs between NULs', () => {
    const b = Buffer.concat(EDGE_TEXTS.map((t) => Buffer.concat([Buffer.from(t, 'latin1'), Buffer.from([0, 1, 0x7f])])));
    assert.equal(isProbablyText(b), false);
    assert.deepEqual(classifyTextEndpoints(new Uint8Array(b), 'f'), refText1(new Uint8Array(b)));
  });

  test('mayHoldEndpoint is true for every string the scan finds something in (UTF-8 and UTF-16)', () => {
    const strings = EDGE_TEXTS.flatMap((t) => t.split(/[\n ]/));
    let found = 0;
    for (const s of strings) {
      if (refText1(s).length === 0) continue;
      found++;
      const u8 = Buffer.from(s, 'utf8'), u16 = Buffer.from(s, 'utf16le');
      assert.ok(mayHoldEndpoint(u8, 0, u8.length, false), s);
      assert.ok(mayHoldEndpoint(u16, 0, u16.length, true), s);
    }
    assert.ok(found > 20);
  });

  test('random mutations of the edge cases', () => {
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const alphabet = 'abcmsSMhortcode.:/ \n"=<>,;0123456789-_#?\u00a0\u3000é';
    for (let i = 0; i < 3000; i++) {
      const chars = [...EDGE_TEXTS[rnd(EDGE_TEXTS.length)]];
      for (let k = 0; k < 4; k++) chars.splice(rnd(chars.length + 1), rnd(2), alphabet[rnd(alphabet.length)]);
      const t = chars.join('');
      assert.deepEqual(classifyTextEndpoints(t, 'f'), refText1(t), JSON.stringify(t));
    }
  });
});

describe('compiled XML and resources: apkNonDexEndpoints equals the tree-and-lines scan', () => {
  const axml = (utf8: boolean) => writeAxml(doc(el('config', [{ name: 'version', type: T.INT, data: 3 }],
    el('item', [{ ns: null, name: 'name', type: T.STRING, str: 'sms_number' }, { ns: null, name: 'value', type: T.INT, data: 10659401 }]),
    el('item', [{ ns: null, name: 'name', type: T.STRING, str: 'gateway' }, { ns: null, name: 'value', type: T.STRING, str: 'sms:95555' }]),
    el('server', [{ ns: null, name: 'url', type: T.STRING, str: 'http://reg.example.com/api' }]),
    el('host', [], [{ kind: 'cdata', text: 'www.exam' }], el('b', []), [{ kind: 'cdata', text: 'ple.com' }]),
    el('short', [{ ns: null, name: 'code', type: T.INT, data: 12345 }]),
    el('dimen', [{ ns: null, name: 'size', type: T.DIM, data: 0x1001 }, { ns: null, name: 'f', type: T.FLOAT, data: 0x3fc00000 }]),
  )), { utf8 });

  for (const utf8 of [true, false]) {
    test(`SMS keys in attributes, URLs, text over two CDATA nodes (${utf8 ? 'UTF-8' : 'UTF-16'} pool)`, async () => {
      const files = { 'res/xml/config.xml': axml(utf8) };
      const a1: Anomaly[] = [], a2: Anomaly[] = [];
      const got = await apkNonDexEndpoints(memoryZip(files), a1);
      assert.deepEqual(got, await refApk(memoryZip(files), a2));
      assert.deepEqual(a1, a2);
      const values = got.map((e) => e.value);
      for (const v of ['10659401', 'sms:95555', 'http://reg.example.com/api', 'www.example.com']) assert.ok(values.includes(v), v);
    });
  }

  test('truncated and bit-flipped XML: same endpoints, same anomalies', async () => {
    const good = axml(true);
    let seed = 11;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    for (let i = 0; i < 400; i++) {
      const b = i < 100 ? good.slice(0, rnd(good.length)) : new Uint8Array(good);
      if (i >= 100) for (let k = 0; k < 1 + rnd(4); k++) b[rnd(b.length)] ^= 1 << rnd(8);
      const files = { 'res/xml/x.xml': b };
      const a1: Anomaly[] = [], a2: Anomaly[] = [];
      assert.deepEqual(await apkNonDexEndpoints(memoryZip(files), a1), await refApk(memoryZip(files), a2), `case ${i}`);
      assert.deepEqual(a1, a2, `case ${i}`);
    }
  });
});

test('corpus APKs: the same endpoints and anomalies as the plain scan, with and without the parsed resources.arsc', async () => {
  const dir = join(CORPUS, 'apk');
  let apks = 0;
  for (const apk of readdirSync(dir).filter((f) => f.endsWith('.apk')).sort()) {
    const open = async () => openZip(await FileSource.open(join(dir, apk), apk));
    let zip: ZipArchive;
    try { zip = await open(); } catch { continue; }
    const want: Anomaly[] = [];
    const ref = await refApk(zip, want);
    const a1: Anomaly[] = [];
    assert.deepEqual(await apkNonDexEndpoints(await open(), a1), ref, apk);
    assert.deepEqual(a1, want, apk);
    const z = await open();
    const e = z.find('resources.arsc');
    let arsc = null;
    if (e) try { arsc = parseArsc(await z.read(e, 'MAX_ARSC_BYTES'), `${z.path}!/resources.arsc`); } catch { /* scanned as before */ }
    const a2: Anomaly[] = [];
    assert.deepEqual(await apkNonDexEndpoints(z, a2, arsc), ref, apk);
    assert.deepEqual(a2, want, apk);
    apks++;
  }
  assert.ok(apks > 60);
});

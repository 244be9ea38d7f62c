// SMS as a data channel: short codes and phone numbers that an app or a ROM config sends text
// messages to (self-registration by SMS: China Telecom's 10659401, Xiaomi's activation number
// +447786209730, carrier "register by SMS" clients). They are endpoints of kind "sms".
//
// Bare numbers are everywhere (timeouts, ids, sizes), so a number counts only with SMS context:
// 1. An SMS URI: "sms:", "smsto:", "mms:" or "mmsto:" followed by 3–15 digits (optional "+").
//    The endpoint value is the URI as written.
// 2. The value of a key that names an SMS destination — in a config line, a JSON member, an XML
//    attribute/element, a property: the key contains "sms", "smsc" or "short(_)code" and a
//    destination word (number, num, addr, phone, dest, recipient, receiver, gateway, center, code,
//    target, "…to", "…no"), or is just "sms"/"smsc"/"shortcode"; and it has no word that marks a
//    non-destination number (timeout, interval, delay, retry, count, max, min, size, port, version,
//    time, period, limit, enable, flag, mode, type, state, status, priority, index, slot, id).
//    Key and number must be adjacent: `key=N`, `key: N`, `"key": "N"`, `<key>N<`, `name="key" value="N"`,
//    `#define KEY "N"`.
//    The value is the number as written.
// 3. In dex code (smsEndpointsFromCode): a const-string that is a whole number (3–15 digits,
//    optional "+") in a method that calls SmsManager.sendTextMessage / sendDataMessage /
//    sendMultipartTextMessage (android.telephony or the old android.telephony.gsm class).
// Phone-number formatting with spaces or dashes is not recognised (configs and code store digits).
import type { CodeCursor } from '../android/dex/code-cursor.js';
import type { RefsBuffer } from '../android/dex/code-walker.js';
import type { DexFile } from '../android/dex/dex-file.js';
import type { CodeLocation, Endpoint } from '../report/model.js';

export interface SmsMatch {
  /** The endpoint value: the URI, or the number, as written. */
  value: string;
  /** The digits (with "+" if given). */
  number: string;
  /** "sms", "smsto", "mms", "mmsto" for URIs; "sms" for keyed numbers. */
  scheme: string;
}

const SMS_URI = /\b(sms|smsto|mms|mmsto):(?:\/\/)?(\+?[0-9]{3,15})(?![0-9])/gi;
const KEYED = /([A-Za-z_][\w.-]*)["']?(?:\s*(?:=|:|>|,)\s*|\s+value\s*=\s*|\s+(?=["']))["']?(\+?[0-9]{3,15})(?![0-9.\w])/g;
const SMS_KEY = /sms|smsc|short[_.-]?code/i;
const DEST_WORD = /num|addr|phone|dest|recipient|receiver|gateway|cent(?:er|re)|code|target|to$|no$/i;
const NOT_DEST = /timeout|interval|delay|retry|count|max|min|size|len|port|version|time|period|limit|enable|flag|mode|type|state|status|priority|index|slot|(?:^|[_.-])id$/i;
const BARE_KEYS = new Set(['sms', 'smsc', 'shortcode']);
const WHOLE_NUMBER = /^\+?[0-9]{3,15}$/;

/** Whether `key` names an SMS destination (rule 2). */
export function isSmsKey(key: string): boolean {
  if (!SMS_KEY.test(key) || NOT_DEST.test(key)) return false;
  const last = key.split('.').pop() ?? key;
  return BARE_KEYS.has(last.replace(/[^a-z]/gi, '').toLowerCase()) || DEST_WORD.test(key.replace(/sms|smsc/gi, ''));
}

/** SMS destinations in one line of text (rules 1 and 2). */
export function smsNumbersIn(line: string): SmsMatch[] {
  const out: SmsMatch[] = [];
  // Cheap test first: almost no line mentions SMS.
  if (!/sms|mms|short.?code/i.test(line)) return out;
  const uriEnds = new Set<number>();
  for (const m of line.matchAll(SMS_URI)) {
    out.push({ value: m[0], number: m[2], scheme: m[1].toLowerCase() });
    uriEnds.add(m.index! + m[0].length);
  }
  for (const m of line.matchAll(KEYED)) {
    // "smsto:10086" is the URI above, not a key "smsto" with a value.
    if (uriEnds.has(m.index! + m[0].length)) continue;
    if (isSmsKey(m[1]) && !/^0+$/.test(m[2].replace('+', ''))) out.push({ value: m[2], number: m[2], scheme: 'sms' });
  }
  return out;
}

/** An sms Endpoint for a match (host: the number, as a URI's "host" would be). */
export function smsEndpoint(m: SmsMatch, locations: CodeLocation[]): Endpoint {
  return { value: m.value, host: m.number, scheme: m.scheme, kind: 'sms', locations };
}

const SEND_METHODS = new Set(['sendTextMessage', 'sendDataMessage', 'sendMultipartTextMessage']);
const SMS_MANAGERS = new Set(['Landroid/telephony/SmsManager;', 'Landroid/telephony/gsm/SmsManager;']);

/**
 * Rule 3 and SMS URIs in code: numbers an app's code texts to. Returns one endpoint per value,
 * with the methods as locations (the dex names as given). Dex files that reference no
 * SmsManager send method are skipped without walking their code.
 */
export function smsEndpointsFromCode(dexes: DexFile[]): Endpoint[] {
  const found = new SmsEndpointsFromCode();
  for (const d of dexes) found.scanDex(d);
  return found.sorted();
}

/**
 * The work of smsEndpointsFromCode, one small method per loop: V8 compiles a whole function when
 * one of its loops gets hot (and again after each deopt), so three loops in one function cost
 * three times over. Class fields rather than closures keep the state in one fixed shape.
 */
class SmsEndpointsFromCode {
  private readonly byValue = new Map<string, Endpoint>();
  /** Per dex: 1 for the string ids that name a send method. */
  private sendName = new Uint8Array(0);
  /** Per dex: string ids that may be SMS URIs. */
  private readonly uriStrings = new Set<number>();
  /** Per dex: method ids of the SmsManager send methods. */
  private readonly senders = new Set<number>();

  scanDex(d: DexFile): void {
    this.sendName = new Uint8Array(d.strings);
    this.uriStrings.clear();
    this.senders.clear();
    this.markStrings(d);
    this.findSenders(d);
    if (this.senders.size === 0 && this.uriStrings.size === 0) return;
    const cursor = d.codeCursor();
    while (cursor.next()) this.scanMethod(d, cursor);
  }

  /**
   * Strings are looked at on their bytes first (most never need decoding): the send methods'
   * names and the candidates for SMS URIs. Damaged or non-ASCII strings are decoded.
   */
  private markStrings(d: DexFile): void {
    const { pos, length } = d.scanStrings();
    const bytes = d.bytes;
    for (let i = 0; i < d.strings; i++) {
      const p = pos[i];
      if (p < 0 || mayBeSendNameOrUri(bytes, p, length[i])) this.markString(d, i);
    }
  }

  private markString(d: DexFile, i: number): void {
    const s = d.string(i);
    if (SEND_METHODS.has(s)) this.sendName[i] = 1;
    if (s.length < 64 && SMS_URI_START.test(s)) this.uriStrings.add(i);
  }

  private findSenders(d: DexFile): void {
    for (let i = 0; i < d.methods; i++) {
      const nameIdx = d.methodNameIdx(i);
      if (!(nameIdx < d.strings)) { d.methodName(i); continue; } // records the bad index
      if (this.sendName[nameIdx] === 1 && SMS_MANAGERS.has(d.methodClass(i))) this.senders.add(i);
    }
  }

  private scanMethod(d: DexFile, cursor: CodeCursor): void {
    const refs = cursor.refs;
    if (refs.stringCount === 0) return;
    const sends = this.callsSender(refs);
    for (let k = 0; k < refs.stringCount; k++) {
      const si = refs.strings[k];
      if (this.uriStrings.has(si)) for (const u of smsNumbersIn(d.string(si))) this.add(u, location(d, cursor));
      if (sends) {
        const s = d.string(si);
        if (WHOLE_NUMBER.test(s) && !ALL_ZEROS.test(s)) this.add({ value: s, number: s, scheme: 'sms' }, location(d, cursor));
      }
    }
  }

  private callsSender(refs: RefsBuffer): boolean {
    for (let k = 0; k < refs.invokeCount; k++) if (this.senders.has(refs.invokes[k])) return true;
    return false;
  }

  private add(m: SmsMatch, loc: CodeLocation): void {
    let e = this.byValue.get(m.value);
    if (!e) { e = smsEndpoint(m, []); this.byValue.set(m.value, e); }
    if (!e.locations.some((l) => l.dex === loc.dex && l.class === loc.class && l.method === loc.method)) e.locations.push(loc);
  }

  sorted(): Endpoint[] {
    const list = [...this.byValue.values()].sort((a, b) => cmp(a.value, b.value));
    for (const e of list) e.locations.sort((a, b) => cmp(a.dex, b.dex) || cmp(a.class, b.class) || cmp(a.method, b.method));
    return list;
  }
}

const SMS_URI_START = /^(sms|smsto|mms|mmsto):/i;
const ALL_ZEROS = /^\+?0+$/;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The current method of `cursor` as a location. */
function location(d: DexFile, cursor: CodeCursor): CodeLocation {
  return { dex: d.name, class: d.className(cursor.classDef), method: cursor.name() };
}

/**
 * Whether the plain-ASCII string of `n` bytes at `p` may be a send method's name
 * (sendTextMessage, sendDataMessage: 15 bytes; sendMultipartTextMessage: 24) or start with
 * "sms:", "smsto:", "mms:" or "mmsto:" in any letter case.
 */
function mayBeSendNameOrUri(bytes: Uint8Array, p: number, n: number): boolean {
  const c = bytes[p] | 0x20;
  const mayBeSend = c === 0x73 /* s */ && (n === 15 || n === 24);
  const mayBeUri = n >= 4 && n < 64 && (c === 0x73 || c === 0x6d /* m */) && (bytes[p + 3] === 0x3a || (n >= 6 && bytes[p + 5] === 0x3a));
  return mayBeSend || mayBeUri;
}

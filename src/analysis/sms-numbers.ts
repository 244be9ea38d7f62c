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
  const byValue = new Map<string, Endpoint>();
  const add = (m: SmsMatch, loc: CodeLocation) => {
    let e = byValue.get(m.value);
    if (!e) { e = smsEndpoint(m, []); byValue.set(m.value, e); }
    if (!e.locations.some((l) => l.dex === loc.dex && l.class === loc.class && l.method === loc.method)) e.locations.push(loc);
  };
  for (const d of dexes) {
    // Strings are looked at on their bytes first (most never need decoding): the send methods'
    // names and the candidates for SMS URIs. Damaged or non-ASCII strings are decoded.
    const { pos, length } = d.scanStrings();
    const bytes = d.bytes;
    const sendName = new Uint8Array(d.strings);
    const uriStrings = new Set<number>();
    for (let i = 0; i < d.strings; i++) {
      const p = pos[i];
      if (p >= 0) {
        const n = length[i];
        const c = bytes[p] | 0x20;
        const mayBeSend = c === 0x73 /* s */ && (n === 15 || n === 24);
        // "sms:", "smsto:", "mms:", "mmsto:" in any letter case.
        const mayBeUri = n >= 4 && n < 64 && (c === 0x73 || c === 0x6d /* m */) && (bytes[p + 3] === 0x3a || (n >= 6 && bytes[p + 5] === 0x3a));
        if (!mayBeSend && !mayBeUri) continue;
      }
      const s = d.string(i);
      if (SEND_METHODS.has(s)) sendName[i] = 1;
      if (s.length < 64 && /^(sms|smsto|mms|mmsto):/i.test(s)) uriStrings.add(i);
    }
    const senders = new Set<number>();
    for (let i = 0; i < d.methods; i++) {
      const nameIdx = d.methodNameIdx(i);
      if (!(nameIdx < d.strings)) { d.methodName(i); continue; } // records the bad index
      if (sendName[nameIdx] === 1 && SMS_MANAGERS.has(d.methodClass(i))) senders.add(i);
    }
    if (!senders.size && !uriStrings.size) continue;
    const cursor = d.codeCursor();
    const refs = cursor.refs;
    while (cursor.next()) {
      let sends = false;
      for (let k = 0; k < refs.invokeCount && !sends; k++) sends = senders.has(refs.invokes[k]);
      for (let k = 0; k < refs.stringCount; k++) {
        const si = refs.strings[k];
        const loc = (): CodeLocation => ({ dex: d.name, class: d.className(cursor.classDef), method: cursor.name() });
        if (uriStrings.has(si)) for (const u of smsNumbersIn(d.string(si))) add(u, loc());
        if (sends) {
          const s = d.string(si);
          if (WHOLE_NUMBER.test(s) && !/^\+?0+$/.test(s)) add({ value: s, number: s, scheme: 'sms' }, loc());
        }
      }
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const list = [...byValue.values()].sort((a, b) => cmp(a.value, b.value));
  for (const e of list) e.locations.sort((a, b) => cmp(a.dex, b.dex) || cmp(a.class, b.class) || cmp(a.method, b.method));
  return list;
}

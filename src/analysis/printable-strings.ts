// Text out of files that are not dex: decide whether bytes are text (and decode them), or pull
// the printable ASCII runs out of a binary (ELF daemons and libraries), as `strings(1)` does.

/** Shortest printable run kept from a binary: `strings` defaults to 4; "a.cn" is 4 long. */
export const MIN_RUN = 4;
/** Longest run kept whole; longer runs (embedded text blobs) are cut, so no single string is unbounded. */
const MAX_RUN = 64 * 1024;
/** Bytes sniffed to tell text from binary. */
const SNIFF = 8192;

/**
 * True when `b` looks like text: a UTF-16 BOM, or no NUL and at most 5 % control bytes in the
 * first 8 KiB (UTF-8 multi-byte sequences count as text). ELF files are never text.
 */
export function isProbablyText(b: Uint8Array): boolean {
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) return true;
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return false;
  const n = Math.min(b.length, SNIFF);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) control++;
  }
  return control <= n / 20;
}

/** Decodes text bytes: UTF-16 by BOM, else UTF-8 (invalid sequences become U+FFFD). */
export function decodeText(b: Uint8Array): string {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

/** The runs of at least `minRun` printable ASCII bytes (space..~ and tab) of a binary, in file order. */
export function* printableRuns(b: Uint8Array, minRun = MIN_RUN): Generator<string> {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let start = -1;
  const n = b.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? b[i] : 0;
    const printable = (c >= 0x20 && c <= 0x7e) || c === 0x09;
    if (printable) {
      if (start < 0) start = i;
      else if (i - start >= MAX_RUN) { yield buf.toString('latin1', start, i); start = i; }
    } else if (start >= 0) {
      if (i - start >= minRun) yield buf.toString('latin1', start, i);
      start = -1;
    }
  }
}

/** A printable run as a byte range [start, end); filled in by nextPrintableRun. */
export interface PrintableRun {
  start: number;
  end: number;
}

/**
 * Finds the first printable run at or after byte `from` (the same runs as printableRuns, as byte
 * ranges) and puts it in `out`; false when there is none. A scan that wants only the few runs that
 * can hold an endpoint tests the bytes first and decodes none of the others. Resume at `out.end`.
 * The byte loop lives in this small function rather than in its caller (or behind a callback):
 * V8 compiles the whole enclosing function when a loop gets hot, and a callback changes per call.
 */
export function nextPrintableRun(b: Uint8Array, from: number, out: PrintableRun, minRun = MIN_RUN): boolean {
  const n = b.length;
  let i = from;
  for (;;) {
    while (i < n && !isPrintable(b[i])) i++;
    if (i >= n) return false;
    const start = i;
    // A run is cut after MAX_RUN bytes; the rest starts a new run there (as printableRuns does).
    const stop = Math.min(n, start + MAX_RUN);
    while (i < stop && isPrintable(b[i])) i++;
    if (i - start >= minRun || i - start >= MAX_RUN) { out.start = start; out.end = i; return true; }
  }
}

/** Printable ASCII (space..~) or tab. */
function isPrintable(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || c === 0x09;
}

/** The same runs as nextPrintableRun finds, as byte ranges [start, end) handed to `fn`. */
export function forEachPrintableRun(b: Uint8Array, fn: (start: number, end: number) => void, minRun = MIN_RUN): void {
  const run: PrintableRun = { start: 0, end: 0 };
  for (let p = 0; nextPrintableRun(b, p, run, minRun); p = run.end) fn(run.start, run.end);
}

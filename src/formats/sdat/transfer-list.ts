// Block OTA transfer list (`*.transfer.list`), versions 1–4.
// Spec: AOSP bootable/recovery `updater/blockimg.cpp` (PerformBlockImageUpdate) and the writer,
// build/make/tools/releasetools `blockimgdiff.py`. Layout:
//   line 1  version (1..4)
//   line 2  total blocks the commands write (recovery's progress bar; not the partition size)
//   v2+:    line 3 max simultaneous stash entries, line 4 max stashed blocks
//   then one command per line: `new|zero|erase <rangeset>`; incremental OTAs also use
//   `move`, `bsdiff`, `imgdiff`, `stash`, `free`; Android Q+ adds `compute_hash_tree`.
import { FormatError } from '../../io/errors/index.js';
import type { Anomaly } from '../../io/anomaly.js';
import { checkLimit } from '../../io/limits.js';
import { parseBlockNumber, parseRangeSet, type BlockRange } from './range-set.js';

/** Commands of a full OTA: they need nothing but the new.dat stream. */
export type FullCommandName = 'new' | 'zero' | 'erase' | 'compute_hash_tree';
/** Commands that read the device's current (source) partition: incremental OTAs only. */
export type IncrementalCommandName = 'move' | 'bsdiff' | 'imgdiff' | 'stash' | 'free' | 'abort';

export type TransferCommand =
  | { name: FullCommandName; ranges: BlockRange[]; offset: number }
  | { name: IncrementalCommandName; offset: number };

export interface TransferList {
  version: number;
  totalBlocks: number;
  /** v2+: stash entries / blocks the OTA needs at once (0 for full OTAs). */
  stashEntries?: number;
  stashMaxBlocks?: number;
  commands: TransferCommand[];
  anomalies: Anomaly[];
}

const FULL = new Set<string>(['new', 'zero', 'erase', 'compute_hash_tree']);
const INCREMENTAL = new Set<string>(['move', 'bsdiff', 'imgdiff', 'stash', 'free', 'abort']);

/**
 * True when `text` (the whole file or its first bytes) looks like a transfer list:
 * a version 1–4, a block count, the v2+ stash lines, then a known command.
 */
export function detectTransferList(text: string | Uint8Array): boolean {
  const s = typeof text === 'string' ? text.slice(0, 4096) : latin1(text.subarray(0, 4096));
  const lines = s.split('\n').map((l) => l.replace(/\r$/, ''));
  if (!/^[1-4]$/.test(lines[0] ?? '')) return false;
  const version = Number(lines[0]);
  const header = version >= 2 ? 4 : 2;
  for (let i = 1; i < header; i++) if (!/^[0-9]{1,12}$/.test(lines[i] ?? '')) return false;
  for (let i = header; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const word = lines[i].split(' ')[0];
    return FULL.has(word) || INCREMENTAL.has(word);
  }
  return false;
}

/** Parses a whole transfer list. Throws FormatError with the byte offset of the bad line. */
export function parseTransferList(text: string, path: string): TransferList {
  const anomalies: Anomaly[] = [];
  let next = 0;
  let sawCr = false;
  /** The next line and its offset, or null at the end. Lines are scanned lazily: no array of them. */
  const readLine = (): { text: string; offset: number } | null => {
    if (next > text.length) return null;
    const offset = next;
    let nl = text.indexOf('\n', offset);
    if (nl < 0) nl = text.length;
    let line = text.slice(offset, nl);
    if (line.endsWith('\r')) {
      line = line.slice(0, -1);
      sawCr = true;
    }
    next = nl + 1;
    return { text: line, offset };
  };

  const headerLine = (what: string): number => {
    const l = readLine();
    if (!l || l.text === '') throw new FormatError(`transfer list: missing ${what} line`, l?.offset ?? text.length, path);
    return parseBlockNumber(l.text.trim(), what, l.offset, path);
  };
  const version = headerLine('version');
  if (version < 1 || version > 4) throw new FormatError(`transfer list: unknown version ${version}`, 0, path);
  const totalBlocks = headerLine('total blocks');
  let stashEntries: number | undefined;
  let stashMaxBlocks: number | undefined;
  if (version >= 2) {
    stashEntries = headerLine('stash entries');
    stashMaxBlocks = headerLine('max stash blocks');
  }

  const commands: TransferCommand[] = [];
  // Bounded by the text length, which the caller limited (MAX_METADATA_BYTES).
  for (let l = readLine(); l; l = readLine()) {
    const { text: line, offset } = l;
    // recovery skips empty lines (the file ends with a newline, so the last one is always empty)
    if (line === '') continue;
    const words = line.split(' ').filter((w) => w !== '');
    const name = words[0] ?? '';
    checkLimit('MAX_EXTENTS', commands.length, 'transfer list commands', offset, path);
    if (FULL.has(name)) {
      if (words.length < 2) throw new FormatError(`transfer list: "${name}" without a range set`, offset, path);
      // compute_hash_tree <hash_tree_ranges> <source_ranges> <algorithm> <salt> <root_hash>: the
      // first range set is what it writes; the rest we do not need.
      if (name !== 'compute_hash_tree' && words.length > 2) {
        anomalies.push({ stage: 'sdat', message: `"${name}" line has ${words.length - 2} extra word(s)`, offset });
      }
      const ranges = parseRangeSet(words[1], offset + line.indexOf(words[1]), path);
      commands.push({ name: name as FullCommandName, ranges, offset });
    } else if (INCREMENTAL.has(name)) {
      commands.push({ name: name as IncrementalCommandName, offset });
    } else {
      throw new FormatError(`transfer list: unknown command ${JSON.stringify(name.slice(0, 32))}`, offset, path);
    }
  }
  if (sawCr) anomalies.push({ stage: 'sdat', message: 'transfer list has CRLF line endings (recovery splits on LF only)' });
  return { version, totalBlocks, stashEntries, stashMaxBlocks, commands, anomalies };
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

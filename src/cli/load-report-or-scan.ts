// `diff` and `tui` take either a report JSON or an input to scan first.
import { open } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../io/errors/index.js';
import type { Report } from '../report/model.js';
import { scanInput, type ScanOptions } from '../scan/scan-input.js';

/** A report is a JSON file whose first non-blank byte is '{' and that has schemaVersion. */
export async function loadReportOrScan(path: string, opts: ScanOptions): Promise<Report> {
  const first = await firstByte(path);
  if (first === '{') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new UsageError(`${path}: not valid report JSON (${(e as Error).message})`);
    }
    const r = parsed as Partial<Report>;
    if (r.schemaVersion !== 1 || !Array.isArray(r.apps)) throw new UsageError(`${path}: not a romscan report (schemaVersion 1)`);
    return r as Report;
  }
  return scanInput(path, opts);
}

async function firstByte(path: string): Promise<string | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const st = await fh.stat();
    if (!st.isFile()) return null;
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, 64, 0);
    const s = buf.subarray(0, bytesRead).toString('latin1').trimStart();
    return s[0] ?? null;
  } finally {
    await fh.close();
  }
}

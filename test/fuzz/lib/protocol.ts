// Messages between the fuzz runner and its workers.
import type { CaseOutcome } from './targets.js';
import type { FuzzFormat, Seed } from './seeds.js';

export interface WorkerData {
  entry: string;
  /** A temp folder for this run (inputs written for scanInput, extract outputs). */
  tmpRoot: string;
  seeds: Record<FuzzFormat, Seed[]>;
  /** A real dex file, prepended to zips by the Janus-shaped mutation. */
  janusDex: Uint8Array | null;
}

export type CaseMode = 'scan' | 'extract' | 'both';

export interface CaseRequest {
  id: number;
  format: FuzzFormat;
  seedIndex: number;
  caseSeed: number;
  /** scan: scanInput only; extract: extract --out only (and check where files landed); both: one then the other. */
  mode: CaseMode;
  /** Replay these exact bytes instead of mutating (regression fixtures). */
  raw?: Uint8Array;
  /** Or read (and gunzip / bunzip2) this file in the worker. */
  file?: string;
}

export type CaseReply =
  | { id: number; ok: true; outcome: CaseOutcome; ms: number; steps: string[] }
  | { id: number; ok: false; kind: 'crash' | 'property'; message: string; stack: string; ms: number; steps: string[] };

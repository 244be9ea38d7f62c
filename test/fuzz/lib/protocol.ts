// Messages between the fuzz runner and its workers.
import type { CaseOutcome } from './targets.js';
import type { FuzzFormat, Seed } from './seeds.js';

export interface WorkerData {
  entry: string;
  seeds: Record<FuzzFormat, Seed[]>;
  /** A real dex file, prepended to zips by the Janus-shaped mutation. */
  janusDex: Uint8Array | null;
}

export interface CaseRequest {
  id: number;
  format: FuzzFormat;
  seedIndex: number;
  caseSeed: number;
  /** Also run `extract --out` and check where files landed. */
  extract: boolean;
  /** Replay these exact bytes instead of mutating (regression fixtures). */
  raw?: Uint8Array;
}

export type CaseReply =
  | { id: number; ok: true; outcome: CaseOutcome; ms: number; steps: string[] }
  | { id: number; ok: false; kind: 'crash' | 'property'; message: string; stack: string; ms: number; steps: string[] };

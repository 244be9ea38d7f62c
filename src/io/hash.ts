import { createHash } from 'node:crypto';
import type { Source } from './source.js';

/** Reads are 4 MiB: large enough to amortise per-read cost, small enough to keep memory flat. */
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

/** SHA-256 (hex) of a whole Source, read in bounded chunks. */
export async function sha256Source(source: Source): Promise<string> {
  const h = createHash('sha256');
  for (let off = 0; off < source.size; off += HASH_CHUNK_BYTES) {
    h.update(await source.read(off, Math.min(HASH_CHUNK_BYTES, source.size - off)));
  }
  return h.digest('hex');
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

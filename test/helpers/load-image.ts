// Loads a corpus image into memory, decompressing .gz (zlib) or .bz2 (seek-bzip) by suffix.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

// seek-bzip ships no types; decode(Buffer) → Buffer.
const Bunzip = createRequire(import.meta.url)('seek-bzip') as { decode(input: Buffer): Buffer };

/** The corpus holds .image.gz (most), .image.bz2 and a few raw .image files. */
export function loadImage(file: string): Uint8Array {
  const raw = readFileSync(file);
  if (file.endsWith('.gz')) return new Uint8Array(gunzipSync(raw));
  if (file.endsWith('.bz2')) return new Uint8Array(Bunzip.decode(raw));
  return new Uint8Array(raw);
}


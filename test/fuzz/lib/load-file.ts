// Reads a corpus file, decompressing .gz (zlib) or .bz2 (seek-bzip) by suffix, in the worker that
// needs it: the e2fsprogs images are ~1 GiB unpacked, too much to hold in the runner.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const Bunzip = createRequire(import.meta.url)('seek-bzip') as { decode(input: Buffer): Buffer };

export function loadFile(file: string): Uint8Array {
  const raw = readFileSync(file);
  // Buffers are returned as they are (no copy: some images unpack to 140 MB); callers only read them.
  if (file.endsWith('.gz')) return gunzipSync(raw);
  if (file.endsWith('.bz2')) return Bunzip.decode(raw);
  return raw;
}

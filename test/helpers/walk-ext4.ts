// Lists an ext4 image and reads (a capped prefix of) every file, for hostile-corpus tests
// and measurements: only RomscanErrors are expected; anything else propagates as a bug.
import { BufferSource } from '../../src/io/source.js';
import { RomscanError } from '../../src/io/errors/index.js';
import { openExt4 } from '../../src/formats/ext4/index.js';

export interface ImageOutcome { files: number; dirs: number; links: number; anomalies: number; error?: string; bytes: number }

export async function walkExt4Image(bytes: Uint8Array, name: string, readCap: number): Promise<ImageOutcome> {
  const out: ImageOutcome = { files: 0, dirs: 0, links: 0, anomalies: 0, bytes: 0 };
  try {
    const c = await openExt4(new BufferSource(bytes, name));
    try {
      for await (const e of c.entries()) {
        if (e.type === 'dir') { out.dirs++; continue; }
        if (e.type === 'link') { out.links++; continue; }
        out.files++;
        try {
          const s = await e.open();
          const n = Math.min(s.size, readCap);
          out.bytes += (await s.read(0, n)).length;
        } catch (err) {
          if (!(err instanceof RomscanError)) throw err;
        }
      }
    } finally {
      out.anomalies = c.anomalies?.length ?? 0;
    }
  } catch (err) {
    if (!(err instanceof RomscanError)) throw err;
    out.error = err.code;
  }
  return out;
}


// A tiny Android sparse image writer (AOSP libsparse sparse_format.h), for chunk kinds that
// img2simg never emits on its own (CRC32, non-zero FILL next to RAW) and for crafted input.
export type SparseChunk =
  | { type: 'raw'; data: Uint8Array }
  | { type: 'fill'; blocks: number; value: number }
  | { type: 'dontcare'; blocks: number }
  | { type: 'crc32'; value: number };

export function writeSparse(blockSize: number, chunks: SparseChunk[], opts: { totalBlocks?: number; chunkHeaderSize?: number } = {}): Uint8Array {
  const chs = opts.chunkHeaderSize ?? 12;
  let blocks = 0;
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const n = c.type === 'raw' ? c.data.length / blockSize : c.type === 'crc32' ? 0 : c.blocks;
    const body = c.type === 'raw' ? c.data : c.type === 'dontcare' ? new Uint8Array(0) : u32(c.value);
    const h = new Uint8Array(chs);
    const v = new DataView(h.buffer);
    v.setUint16(0, { raw: 0xcac1, fill: 0xcac2, dontcare: 0xcac3, crc32: 0xcac4 }[c.type], true);
    v.setUint32(4, n, true);
    v.setUint32(8, chs + body.length, true);
    parts.push(h, body);
    blocks += n;
  }
  const hdr = new Uint8Array(28);
  const v = new DataView(hdr.buffer);
  v.setUint32(0, 0xed26ff3a, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 0, true);
  v.setUint16(8, 28, true);
  v.setUint16(10, chs, true);
  v.setUint32(12, blockSize, true);
  v.setUint32(16, opts.totalBlocks ?? blocks, true);
  v.setUint32(20, chunks.length, true);
  return concat([hdr, ...parts]);
}

function u32(x: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, x >>> 0, true);
  return b;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

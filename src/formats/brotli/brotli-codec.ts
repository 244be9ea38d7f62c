// Brotli (RFC 7932) as a forward-only stream codec for StreamDecodedSource: block OTAs ship
// `system.new.dat.br`, a brotli stream of the new.dat blocks that expands to 2–4 GiB. Decoding is
// Node's built-in decoder (`zlib.createBrotliDecompress`); what this file adds is the cost of one
// live decoder, read from the stream header, so the Source knows how many it can keep parked.
import { createBrotliDecompress } from 'node:zlib';
import { transformDecoder, type StreamCodec } from '../../io/stream-source.js';

/** Brotli streams: one decoder holds a 2^WBITS ring buffer (≤ 16 MiB; Node rejects large windows). */
export const BROTLI_CODEC: StreamCodec = {
  name: 'brotli',
  open: (compressed, inputChunkBytes) => transformDecoder(createBrotliDecompress({ chunkSize: 64 * 1024 }), compressed, inputChunkBytes),
  // Ring buffer plus the decoder's own tables and block buffers (~ 0.5 MiB measured for lgwin 22–24).
  stateBytes: (head) => 2 ** brotliWindowBits(head) + 512 * 1024,
};

/**
 * WBITS from a brotli stream header (RFC 7932 §9.2): the decoder's ring buffer is 2^WBITS bytes.
 * Large-window streams (which Node rejects) and short input count as the largest normal window.
 */
export function brotliWindowBits(head: Uint8Array): number {
  if (head.length === 0) return 24;
  const b = head[0] | ((head[1] ?? 0) << 8);
  if ((b & 1) === 0) return 16;
  const n = (b >> 1) & 7;
  if (n !== 0) return 17 + n;
  const m = (b >> 4) & 7;
  if (m === 1) return 24; // large window marker
  return m === 0 ? 17 : 8 + m;
}

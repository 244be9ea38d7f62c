// Brotli (RFC 7932) streams, read through StreamDecodedSource (src/io/stream-source.ts).
export { BROTLI_CODEC, brotliWindowBits } from './brotli-codec.js';

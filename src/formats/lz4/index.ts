// LZ4 (lz4/doc: Block and Frame format descriptions): public entry points of this folder.
export { detectLz4Frame, openLz4Frame, readLz4Layout, Lz4BlockSource } from './lz4-frame.js';
export { decodeLz4Block, lz4BlockDecodedLength } from './lz4-block.js';
export { xxh32 } from './xxh32.js';

export { detectSparse, openSparse, readSparseLayout, type SparseLayout } from './sparse.js';
export { SPARSE_MAGIC, parseSparseHeader, type SparseHeader } from './header.js';

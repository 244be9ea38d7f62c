// Deterministic pseudo-random numbers for hostile-input tests (truncations, bit flips): a failing
// case reproduces from its seed.

/** xorshift32 (Marsaglia): unsigned 32-bit values. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** The same sequence as numbers in [0, 1). */
export function xorshift01(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 0x1_0000_0000;
}

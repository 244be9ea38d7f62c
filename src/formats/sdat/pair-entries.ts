// Pairs the members of a block OTA zip: `X.transfer.list` with `X.new.dat.br` or `X.new.dat`
// (and `X.patch.dat`, which only incremental OTAs fill). Names follow AOSP releasetools
// `common.py` (BlockDifference): the prefix X is the partition ("system", "vendor", …).

export interface BlockOtaPair {
  /** The shared prefix, e.g. "system" or "firmware/vendor" (directories kept). */
  name: string;
  /** Entry name of the transfer list. */
  transferList: string;
  /** Entry name of the new data stream. */
  newDat: string;
  /** True when `newDat` is brotli-compressed (`.new.dat.br`). */
  brotli: boolean;
  /** Entry name of the patch data, when present. */
  patchDat?: string;
}

/**
 * Finds every complete block OTA triple among zip entry names, in the order the transfer lists
 * appear. A plain `.new.dat` is preferred over `.new.dat.br` when both exist: it reads in place.
 * Transfer lists without new data are left out (nothing to rebuild).
 */
export function pairBlockOtaEntries(names: string[]): BlockOtaPair[] {
  const present = new Set(names);
  const pairs: BlockOtaPair[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (!n.endsWith('.transfer.list')) continue;
    const base = n.slice(0, -'.transfer.list'.length);
    if (base === '' || base.endsWith('/') || seen.has(base)) continue;
    seen.add(base);
    const plain = `${base}.new.dat`;
    const br = `${base}.new.dat.br`;
    const newDat = present.has(plain) ? plain : present.has(br) ? br : undefined;
    if (!newDat) continue;
    const patch = `${base}.patch.dat`;
    pairs.push({ name: base, transferList: n, newDat, brotli: newDat === br, ...(present.has(patch) ? { patchDat: patch } : {}) });
  }
  return pairs;
}

// Named safety limits for every size, count and depth that input decides. Each value says why.
// All are checked through `checkLimit`, so a hit is always a LimitError naming the limit.
import { LimitError } from './errors/index.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const LIMITS = {
  /** Containers inside containers (zip in sparse in zip…). Real ROMs nest 4–5 deep. */
  MAX_NESTING_DEPTH: 8,
  /** Central-directory entries in one zip. Big real APKs have ~30k (resources); 200k leaves room. */
  MAX_ZIP_ENTRIES: 200_000,
  /** Bytes one zip entry may inflate to when we buffer it (dex, manifest, arsc). Largest real dex ~ 12 MiB. */
  MAX_INFLATED_ENTRY_BYTES: 512 * MiB,
  /** Inflate ratio: deflate tops out near 1032:1, so more is a crafted bomb. */
  MAX_INFLATE_RATIO: 1100,
  /** One APK or jar read into memory for analysis (Node buffers stop at 4 GiB; real APKs are < 2 GiB). */
  MAX_APK_BYTES: 2 * GiB,
  /**
   * APKs up to this size are read whole and analysed on the worker pool; bigger ones are analysed
   * in place over their Source (only the entries the analyzer needs are inflated), so the pool's
   * memory stays a small multiple of this whatever an image claims.
   */
  MAX_POOLED_APK_BYTES: 256 * MiB,
  /** A single DEX file we parse in memory (dex format caps method ids at 64k per file anyway). */
  MAX_DEX_BYTES: 256 * MiB,
  /** A binary XML document (manifests are KBs; res/xml rarely over 1 MiB). */
  MAX_AXML_BYTES: 64 * MiB,
  /** resources.arsc; large apps reach ~20 MiB. */
  MAX_ARSC_BYTES: 256 * MiB,
  /** Entries in any string pool. */
  MAX_STRING_POOL_ENTRIES: 4_000_000,
  /** AXML element nesting. Real manifests are < 10 deep; Android's parser has no hard cap but the stack does. */
  MAX_XML_DEPTH: 256,
  /** Entries in one directory of a filesystem image. */
  MAX_DIR_ENTRIES: 1_000_000,
  /** Files walked in one filesystem image. */
  MAX_FS_FILES: 5_000_000,
  /** Extents / chunks / operations mapping one virtual source. */
  MAX_EXTENTS: 10_000_000,
  /** Extents (or extent-tree nodes / indirect blocks) of one file: an 8 GiB file fragmented into single 4 KiB blocks. */
  MAX_FILE_EXTENTS: 2_000_000,
  /** Directory nesting in one filesystem image. Real system images are < 30 deep; Linux paths stop at 4096 bytes. */
  MAX_FS_DEPTH: 128,
  /** ext4 extent tree depth; the kernel caps it at 5. */
  MAX_EXTENT_DEPTH: 5,
  /** Virtual size of an expanded image (sparse, super, sdat). Largest real partitions ~ 16 GiB. */
  MAX_EXPANDED_BYTES: 64 * GiB,
  /** Bytes a compressed member (lz4/xz/bz2/brotli) is decoded to when it must be held in memory. */
  MAX_DECODED_BYTES: 2 * GiB,
  /**
   * A compressed member with no random access (a deflated zip entry, a linked-block lz4 frame)
   * opened as a Source is decoded whole up to this size (fast, exact, checksums verified: every
   * dex, arsc and APK-sized member); larger ones (a factory zip's system.img or super.img, 1–4 GiB)
   * are decoded as a stream with bounded memory (io/stream-source.ts).
   */
  MAX_BUFFERED_DECODE_BYTES: 64 * MiB,
  /** Small metadata files read whole (build.prop, permission XML, transfer.list). */
  MAX_METADATA_BYTES: 16 * MiB,
  /** Instructions walked in one method's code (insns_size is u32; real methods are < 64k units). */
  MAX_CODE_UNITS: 16 * MiB,
} as const;

export type LimitName = keyof typeof LIMITS;

/** Throws a LimitError when `value` exceeds the named limit. */
export function checkLimit(name: LimitName, value: number, what: string, offset?: number, path?: string): void {
  const max = LIMITS[name];
  if (!(value <= max)) {
    throw new LimitError(`${what} is ${value}, over ${name} (${max})`, offset, path, { limit: name, value, max });
  }
}

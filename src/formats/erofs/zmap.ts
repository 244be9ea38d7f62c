// EROFS compressed-file block map (Linux fs/erofs/zmap.c, erofs_fs.h `z_erofs_map_header`,
// `z_erofs_lcluster_index`): turns the logical-cluster (lcluster) indexes of a COMPRESSED_FULL or
// COMPRESSED_COMPACT inode into the list of extents [la, la+llen) each decoded from one physical
// cluster (pcluster) [pa, pa+plen). The per-lcluster decoding follows the kernel exactly; the
// walk is forward over all lclusters (the kernel looks back from each offset instead), which gives
// the same extents for a well-formed image and costs one pass.
import { ByteReader } from '../../io/byte-reader.js';
import { FormatError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import type { Source } from '../../io/source.js';
import { EROFS_INODE_COMPRESSED_FULL, type ErofsInode } from './inode.js';
import {
  EROFS_FEATURE_INCOMPAT_BIG_PCLUSTER, EROFS_FEATURE_INCOMPAT_FRAGMENTS, EROFS_FEATURE_INCOMPAT_ZTAILPACKING,
  type ErofsSuperblock,
} from './superblock.js';

const Z_EROFS_ADVISE_COMPACTED_2B = 0x0001;
const Z_EROFS_ADVISE_BIG_PCLUSTER_1 = 0x0002;
const Z_EROFS_ADVISE_BIG_PCLUSTER_2 = 0x0004;
const Z_EROFS_ADVISE_INLINE_PCLUSTER = 0x0008;
const Z_EROFS_ADVISE_INTERLACED_PCLUSTER = 0x0010;
const Z_EROFS_ADVISE_FRAGMENT_PCLUSTER = 0x0020;
const Z_EROFS_FRAGMENT_INODE_BIT = 7;

export const Z_EROFS_LCLUSTER_TYPE_PLAIN = 0;
export const Z_EROFS_LCLUSTER_TYPE_HEAD1 = 1;
export const Z_EROFS_LCLUSTER_TYPE_NONHEAD = 2;
export const Z_EROFS_LCLUSTER_TYPE_HEAD2 = 3;
const Z_EROFS_LI_PARTIAL_REF = 1 << 15;
const Z_EROFS_LI_D0_CBLKCNT = 1 << 11;

const Z_EROFS_MAP_HEADER_SIZE = 8;
const Z_EROFS_LCLUSTER_INDEX_SIZE = 8;
/** Spec limits (erofs_fs.h): larger pclusters or extents are refused by the kernel (-EOPNOTSUPP). */
export const Z_EROFS_PCLUSTER_MAX_SIZE = 1024 * 1024;
export const Z_EROFS_PCLUSTER_MAX_DSIZE = 12 * 1024 * 1024;

export const COMPRESSION_NAMES = ['lz4', 'lzma', 'deflate', 'zstd'];
const Z_EROFS_COMPRESSION_LZ4 = 0;

/** How an extent's pcluster turns into its bytes. */
export const Z_KIND_LZ4 = 0;
/** Stored uncompressed, from the start of the pcluster (Z_EROFS_COMPRESSION_SHIFTED). */
export const Z_KIND_SHIFTED = 1;
/** Stored uncompressed, rotated so each byte keeps its in-block offset (Z_EROFS_COMPRESSION_INTERLACED). */
export const Z_KIND_INTERLACED = 2;

/** Extents of one compressed file, sorted by `la`, covering [0, size) without gaps. */
export interface ZExtents {
  count: number;
  la: Float64Array;
  llen: Float64Array;
  pa: Float64Array;
  plen: Float64Array;
  kind: Uint8Array;
}

interface MapHeader {
  advise: number;
  algorithms: [number, number];
  lclusterbits: number;
  idataSize: number;
}

/** One decoded lcluster index (the kernel's z_erofs_maprecorder fields). */
interface Lcluster {
  type: number;
  clusterofs: number;
  delta0: number;
  pblk: number;
  compressedblks: number;
  partialref: boolean;
  nextpackoff: number;
}

/** Reads the map header and all lcluster indexes of `inode`, and returns its extents. */
export async function readZExtents(source: Source, sb: ErofsSuperblock, inode: ErofsInode): Promise<ZExtents> {
  const path = source.path;
  const headerPos = align8(inode.tailOffset);
  const hdrBytes = await source.read(headerPos, Z_EROFS_MAP_HEADER_SIZE);
  const header = parseMapHeader(new ByteReader(hdrBytes, headerPos, path), sb, inode);
  if (inode.size === 0) return emptyExtents();
  const layout = new IndexLayout(sb, inode, header, headerPos);
  const lastLcn = Math.floor((inode.size - 1) / 2 ** header.lclusterbits);
  const end = layout.nextPackOff(lastLcn);
  checkLimit('MAX_METADATA_BYTES', end - layout.start, 'erofs lcluster index bytes', layout.start, path);
  const bytes = await source.read(layout.start, end - layout.start);
  return buildExtents(new ByteReader(bytes, layout.start, path), sb, inode, header, layout);
}

function emptyExtents(): ZExtents {
  return { count: 0, la: new Float64Array(0), llen: new Float64Array(0), pa: new Float64Array(0), plen: new Float64Array(0), kind: new Uint8Array(0) };
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function parseMapHeader(r: ByteReader, sb: ErofsSuperblock, inode: ErofsInode): MapHeader {
  const clusterbits = r.u8At(7);
  const advise = r.u16At(4);
  // Whole-file fragment (bit 7 of h_clusterbits) or tail fragment: data lives in the packed inode.
  if (clusterbits >> Z_EROFS_FRAGMENT_INODE_BIT || advise & Z_EROFS_ADVISE_FRAGMENT_PCLUSTER) {
    throw new UnsupportedError(`erofs: inode ${inode.nid} uses fragments (packed inode)`, r.base, r.path, { feature: 'fragments' });
  }
  // Pre-big-pcluster kernels ignore the header of full-index inodes on images without these
  // features (old mkfs left it unset): 4 KiB-style lclusters of LZ4.
  const legacy = inode.dataLayout === EROFS_INODE_COMPRESSED_FULL &&
    !(sb.featureIncompat & (EROFS_FEATURE_INCOMPAT_BIG_PCLUSTER | EROFS_FEATURE_INCOMPAT_ZTAILPACKING | EROFS_FEATURE_INCOMPAT_FRAGMENTS));
  if (legacy) return { advise: 0, algorithms: [0, 0], lclusterbits: sb.blkszbits, idataSize: 0 };

  const algorithmtype = r.u8At(6);
  const algorithms: [number, number] = [algorithmtype & 15, algorithmtype >> 4];
  for (const a of algorithms) {
    if (a >= COMPRESSION_NAMES.length) {
      throw new UnsupportedError(`erofs: inode ${inode.nid} compression algorithm ${a}`, r.base + 6, r.path, { algorithm: a });
    }
  }
  const lclusterbits = sb.blkszbits + (clusterbits & 7);
  if (inode.dataLayout !== EROFS_INODE_COMPRESSED_FULL) {
    if (!(advise & Z_EROFS_ADVISE_BIG_PCLUSTER_1) !== !(advise & Z_EROFS_ADVISE_BIG_PCLUSTER_2)) {
      throw new FormatError(`erofs: inode ${inode.nid} big pcluster head1/head2 flags differ`, r.base + 4, r.path);
    }
    if (lclusterbits > 14) throw new UnsupportedError(`erofs: inode ${inode.nid} compact indexes with lcluster 2^${lclusterbits}`, r.base + 7, r.path);
  }
  const idataSize = advise & Z_EROFS_ADVISE_INLINE_PCLUSTER ? r.u16At(2) : 0;
  return { advise, algorithms, lclusterbits, idataSize };
}

/** Where each lcluster's index lives (z_erofs_load_full_lcluster / z_erofs_load_compact_lcluster). */
class IndexLayout {
  readonly full: boolean;
  readonly start: number;
  private readonly initial4b: number;
  private readonly compacted2b: number;

  constructor(sb: ErofsSuperblock, inode: ErofsInode, header: MapHeader, headerPos: number) {
    this.full = inode.dataLayout === EROFS_INODE_COMPRESSED_FULL;
    if (this.full) {
      // Z_EROFS_FULL_INDEX_ALIGN: the map header, then 8 reserved bytes.
      this.start = headerPos + Z_EROFS_MAP_HEADER_SIZE + 8;
      this.initial4b = this.compacted2b = 0;
      return;
    }
    const ebase = headerPos + Z_EROFS_MAP_HEADER_SIZE;
    this.start = ebase;
    const totalidx = Math.ceil(inode.size / sb.blockSize);
    // 4-byte entries until the 2-byte packs can start 32-byte aligned.
    this.initial4b = ((32 - (ebase % 32)) / 4) & 7;
    this.compacted2b = header.advise & Z_EROFS_ADVISE_COMPACTED_2B && this.initial4b < totalidx
      ? Math.floor((totalidx - this.initial4b) / 16) * 16 : 0;
  }

  /** Absolute position of lcluster `lcn`'s index, and the entry size (compact only). */
  pos(lcn: number): { pos: number; amortizedshift: number } {
    if (this.full) return { pos: this.start + lcn * Z_EROFS_LCLUSTER_INDEX_SIZE, amortizedshift: 3 };
    let pos = this.start;
    let amortizedshift = 2;
    if (lcn >= this.initial4b) {
      pos += this.initial4b * 4;
      lcn -= this.initial4b;
      if (lcn < this.compacted2b) amortizedshift = 1;
      else {
        pos += this.compacted2b * 2;
        lcn -= this.compacted2b;
      }
    }
    return { pos: pos + lcn * 2 ** amortizedshift, amortizedshift };
  }

  /** End of the index (pack) holding lcluster `lcn`: where ztailpacking inline data starts. */
  nextPackOff(lcn: number): number {
    const { pos, amortizedshift } = this.pos(lcn);
    if (this.full) return pos + Z_EROFS_LCLUSTER_INDEX_SIZE;
    const packBytes = amortizedshift === 2 ? 8 : 32;
    return pos - (pos % packBytes) + packBytes;
  }
}

function loadLcluster(r: ByteReader, layout: IndexLayout, header: MapHeader, lcn: number, out: Lcluster): void {
  const lclusterbits = header.lclusterbits;
  const { pos, amortizedshift } = layout.pos(lcn);
  const w = pos - r.base;
  out.compressedblks = 0;
  out.partialref = false;
  out.delta0 = 0;
  if (layout.full) {
    out.nextpackoff = pos + Z_EROFS_LCLUSTER_INDEX_SIZE;
    const advise = r.u16At(w);
    out.type = advise & 3;
    if (out.type === Z_EROFS_LCLUSTER_TYPE_NONHEAD) {
      out.clusterofs = 2 ** lclusterbits;
      let d0 = r.u16At(w + 4);
      if (d0 & Z_EROFS_LI_D0_CBLKCNT) {
        if (!(header.advise & (Z_EROFS_ADVISE_BIG_PCLUSTER_1 | Z_EROFS_ADVISE_BIG_PCLUSTER_2))) {
          throw new FormatError(`erofs: CBLKCNT in lcluster ${lcn} without big pcluster`, pos, r.path);
        }
        out.compressedblks = d0 & ~Z_EROFS_LI_D0_CBLKCNT;
        d0 = 1;
      }
      out.delta0 = d0;
    } else {
      out.partialref = (advise & Z_EROFS_LI_PARTIAL_REF) !== 0;
      out.clusterofs = r.u16At(w + 2);
      if (out.clusterofs >= 2 ** lclusterbits) throw new FormatError(`erofs: lcluster ${lcn} clusterofs ${out.clusterofs}`, pos + 2, r.path);
      out.pblk = r.u32At(w + 4);
    }
    return;
  }

  // Compact indexes come in packs: vcnt entries of `encodebits` bits, then a 4-byte base blkaddr.
  const vcnt = amortizedshift === 2 ? 2 : 16;
  if (amortizedshift === 1 && lclusterbits > 12) throw new UnsupportedError(`erofs: 2-byte compact indexes with lcluster 2^${lclusterbits}`, pos, r.path);
  const packBytes = vcnt << amortizedshift;
  out.nextpackoff = pos - (pos % packBytes) + packBytes;
  const lobits = Math.max(lclusterbits, 12);
  const encodebits = ((packBytes - 4) * 8) / vcnt;
  const inW = pos - (pos % packBytes) - r.base;
  let i = (pos % packBytes) >> amortizedshift;
  const bigPcluster = (header.advise & Z_EROFS_ADVISE_BIG_PCLUSTER_1) !== 0;
  const lomask = 2 ** lobits - 1;
  const decode = (idx: number): [number, number] => {
    const bit = encodebits * idx;
    const v = r.u32At(inW + (bit >> 3)) >>> (bit & 7);
    return [v & lomask, (v >>> lobits) & 3];
  };

  let [lo, type] = decode(i);
  out.type = type;
  if (type === Z_EROFS_LCLUSTER_TYPE_NONHEAD) {
    out.clusterofs = 2 ** lclusterbits;
    if (lo & Z_EROFS_LI_D0_CBLKCNT) {
      if (!bigPcluster) throw new FormatError(`erofs: CBLKCNT in lcluster ${lcn} without big pcluster`, pos, r.path);
      out.compressedblks = lo & ~Z_EROFS_LI_D0_CBLKCNT;
      out.delta0 = 1;
      return;
    }
    if (i + 1 !== vcnt) {
      out.delta0 = lo;
      return;
    }
    // The last entry of a pack stores delta[1]; delta[0] comes from the entry before it.
    [lo, type] = decode(i - 1);
    if (type !== Z_EROFS_LCLUSTER_TYPE_NONHEAD) lo = 0;
    else if (lo & Z_EROFS_LI_D0_CBLKCNT) lo = 1;
    out.delta0 = lo + 1;
    return;
  }
  out.clusterofs = lo;
  // A head's pblk: the pack's base blkaddr plus the blocks of the pclusters before it in the pack.
  let nblk: number;
  if (!bigPcluster) {
    nblk = 1;
    while (i > 0) {
      --i;
      [lo, type] = decode(i);
      if (type === Z_EROFS_LCLUSTER_TYPE_NONHEAD) i -= lo;
      if (i >= 0) ++nblk;
    }
  } else {
    nblk = 0;
    while (i > 0) {
      --i;
      [lo, type] = decode(i);
      if (type === Z_EROFS_LCLUSTER_TYPE_NONHEAD) {
        if (lo & Z_EROFS_LI_D0_CBLKCNT) {
          --i;
          nblk += lo & ~Z_EROFS_LI_D0_CBLKCNT;
          continue;
        }
        if (lo <= 1) throw new FormatError(`erofs: big pcluster lcluster ${lcn} has plain delta ${lo}`, pos, r.path);
        i -= lo - 2;
        continue;
      }
      ++nblk;
    }
  }
  out.pblk = r.u32At(inW + packBytes - 4) + nblk;
}

function buildExtents(r: ByteReader, sb: ErofsSuperblock, inode: ErofsInode, header: MapHeader, layout: IndexLayout): ZExtents {
  const { lclusterbits } = header;
  const lclusterSize = 2 ** lclusterbits;
  const size = inode.size;
  const lclusterCount = Math.ceil(size / lclusterSize);
  checkLimit('MAX_EXTENTS', lclusterCount, 'erofs lcluster count', layout.start, r.path);
  const m: Lcluster = { type: 0, clusterofs: 0, delta0: 0, pblk: 0, compressedblks: 0, partialref: false, nextpackoff: 0 };
  const nxt: Lcluster = { ...m };

  // First pass: the heads (every extent starts at one) — at most one per lcluster.
  const headLcn: number[] = [];
  const headType: number[] = [];
  const headLa: number[] = [];
  const headPblk: number[] = [];
  for (let lcn = 0; lcn < lclusterCount; lcn++) {
    loadLcluster(r, layout, header, lcn, m);
    if (m.type === Z_EROFS_LCLUSTER_TYPE_NONHEAD) {
      if (lcn === 0) throw new FormatError(`erofs: inode ${inode.nid} starts with a NONHEAD lcluster`, layout.pos(0).pos, r.path);
      continue;
    }
    const la = lcn * lclusterSize + m.clusterofs;
    if (lcn === 0 && la !== 0) throw new FormatError(`erofs: inode ${inode.nid} lcluster 0 starts at ${la}`, layout.pos(0).pos, r.path);
    // A head past EOF in the last lcluster is unreachable (the kernel never maps it).
    if (la >= size) continue;
    headLcn.push(lcn);
    headType.push(m.type);
    headLa.push(la);
    headPblk.push(m.pblk);
  }

  const count = headLa.length;
  const ext: ZExtents = {
    count, la: new Float64Array(count), llen: new Float64Array(count), pa: new Float64Array(count),
    plen: new Float64Array(count), kind: new Uint8Array(count),
  };
  const blockSize = sb.blockSize;
  const bigpcl1 = (header.advise & Z_EROFS_ADVISE_BIG_PCLUSTER_1) !== 0;
  const bigpcl2 = (header.advise & Z_EROFS_ADVISE_BIG_PCLUSTER_2) !== 0;
  let idataOff = -1;
  if (header.idataSize) {
    idataOff = layout.nextPackOff(lclusterCount - 1);
    if ((idataOff % blockSize) + header.idataSize > blockSize) {
      throw new FormatError(`erofs: inode ${inode.nid} tail-packing pcluster of ${header.idataSize} bytes crosses a block`, idataOff, r.path);
    }
  }
  for (let k = 0; k < count; k++) {
    const la = headLa[k];
    const llen = (k + 1 < count ? headLa[k + 1] : size) - la;
    const type = headType[k];
    const lcn = headLcn[k];
    let pa: number, plen: number;
    if (idataOff >= 0 && k === count - 1) {
      pa = idataOff;
      plen = header.idataSize;
    } else {
      pa = headPblk[k] * blockSize;
      let cblks = 0;
      if ((type === Z_EROFS_LCLUSTER_TYPE_HEAD1 && !bigpcl1) ||
          ((type === Z_EROFS_LCLUSTER_TYPE_PLAIN || type === Z_EROFS_LCLUSTER_TYPE_HEAD2) && !bigpcl2) ||
          (lcn + 1) * lclusterSize >= size) {
        cblks = 1;
      } else {
        loadLcluster(r, layout, header, lcn + 1, nxt);
        if (nxt.type === Z_EROFS_LCLUSTER_TYPE_NONHEAD) {
          if (nxt.delta0 !== 1 || !nxt.compressedblks) {
            throw new FormatError(`erofs: inode ${inode.nid} lcluster ${lcn + 1} lacks CBLKCNT`, layout.pos(lcn + 1).pos, r.path);
          }
          cblks = nxt.compressedblks;
        } else {
          cblks = 1;
        }
      }
      plen = cblks * blockSize;
      if (plen > Z_EROFS_PCLUSTER_MAX_SIZE) {
        throw new UnsupportedError(`erofs: inode ${inode.nid} pcluster of ${plen} bytes`, layout.pos(lcn).pos, r.path);
      }
    }
    if (llen > Z_EROFS_PCLUSTER_MAX_DSIZE) {
      throw new UnsupportedError(`erofs: inode ${inode.nid} extent of ${llen} decoded bytes`, layout.pos(lcn).pos, r.path);
    }
    let kind: number;
    if (type === Z_EROFS_LCLUSTER_TYPE_PLAIN) {
      if (llen > plen) throw new FormatError(`erofs: inode ${inode.nid} plain extent of ${llen} bytes in a ${plen}-byte pcluster`, layout.pos(lcn).pos, r.path);
      kind = header.advise & Z_EROFS_ADVISE_INTERLACED_PCLUSTER ? Z_KIND_INTERLACED : Z_KIND_SHIFTED;
    } else {
      const alg = header.algorithms[type === Z_EROFS_LCLUSTER_TYPE_HEAD2 ? 1 : 0];
      if (alg !== Z_EROFS_COMPRESSION_LZ4) {
        throw new UnsupportedError(`erofs: compression algorithm ${COMPRESSION_NAMES[alg]} (inode ${inode.nid})`, layout.pos(lcn).pos, r.path,
          { algorithm: COMPRESSION_NAMES[alg] });
      }
      kind = Z_KIND_LZ4;
    }
    ext.la[k] = la;
    ext.llen[k] = llen;
    ext.pa[k] = pa;
    ext.plen[k] = plen;
    ext.kind[k] = kind;
  }
  return ext;
}

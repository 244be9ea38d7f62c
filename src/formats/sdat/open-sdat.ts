// Block OTA (`X.transfer.list` + `X.new.dat[.br]`) as a virtual block device of 4096-byte blocks.
// Spec: AOSP bootable/recovery `updater/blockimg.cpp` — `new` writes the next blocks of the
// new.dat stream to its ranges, in the order the ranges are listed; `zero` writes zeros;
// `erase` discards (reads back as zeros here, as on eMMC/UFS with discard-zeroes-data).
// Only full OTAs can be rebuilt: incremental commands patch the device's current partition.
import { ExtentSource, readAll, type Extent, type Source } from '../../io/source.js';
import type { Anomaly } from '../../io/anomaly.js';
import { TruncatedError, UnsupportedError } from '../../io/errors/index.js';
import { checkLimit } from '../../io/limits.js';
import { StreamDecodedSource, type StreamSourceOptions } from '../../io/stream-source.js';
import { BROTLI_CODEC } from '../brotli/brotli-codec.js';
import { parseTransferList, type TransferList } from './transfer-list.js';
import { layoutSegments, type Segment } from './layout-segments.js';

/** recovery's BLOCKSIZE: transfer lists count 4 KiB blocks whatever the filesystem's block size. */
export const SDAT_BLOCK_SIZE = 4096;

/** The rebuilt partition: a Source plus what the transfer list said and the oddities met. */
export interface SdatSource extends Source {
  readonly transferList: TransferList;
  readonly anomalies: Anomaly[];
  /** Bytes of new.dat (decoded) that `new` commands consume. */
  readonly newDataBytes: number;
  /**
   * True when new.dat is brotli: reads behind the decoders' positions cost a re-decode from the
   * start, so a filesystem walker should read files in ascending offset order when it can.
   */
  readonly prefersSequentialReads: boolean;
}

/** Where each logical block range of the partition comes from. */
export interface SdatLayout {
  /** Byte extents of the partition; `data` extents point into the (decoded) new.dat stream. */
  extents: Extent[];
  /** Partition size in bytes. */
  size: number;
  /** Bytes of new.dat the `new` commands consume. */
  newDataBytes: number;
  anomalies: Anomaly[];
}

/**
 * Maps a parsed transfer list onto the partition: pure, no I/O. Throws UnsupportedError for an
 * incremental OTA.
 */
export function layoutSdat(tl: TransferList, path: string): SdatLayout {
  const anomalies: Anomaly[] = [...tl.anomalies];
  const segments: Segment[] = [];
  const B = SDAT_BLOCK_SIZE;
  let streamBytes = 0;
  let maxEnd = 0;
  for (let order = 0; order < tl.commands.length; order++) {
    const cmd = tl.commands[order];
    switch (cmd.name) {
      case 'new':
        for (const r of cmd.ranges) {
          segments.push({ start: r.start * B, end: r.end * B, order, zero: false, parentOffset: streamBytes });
          streamBytes += (r.end - r.start) * B;
          maxEnd = Math.max(maxEnd, r.end);
        }
        break;
      case 'zero':
        for (const r of cmd.ranges) {
          segments.push({ start: r.start * B, end: r.end * B, order, zero: true, parentOffset: 0 });
          maxEnd = Math.max(maxEnd, r.end);
        }
        break;
      case 'erase':
        // Discarded blocks hold no data, but they are part of the partition: a full OTA erases
        // the filesystem's free blocks (iris_hp4024: ext4 of 5120 blocks, data up to 2198,
        // `erase 2,2198,5120`), so they set the size, as sdat2img does.
        for (const r of cmd.ranges) maxEnd = Math.max(maxEnd, r.end);
        break;
      case 'compute_hash_tree':
        // The dm-verity hash tree recovery computes on the device: not filesystem data.
        anomalies.push({ stage: 'sdat', message: 'compute_hash_tree blocks (verity hash tree) read as zeros', offset: cmd.offset });
        for (const r of cmd.ranges) {
          segments.push({ start: r.start * B, end: r.end * B, order, zero: true, parentOffset: 0 });
          maxEnd = Math.max(maxEnd, r.end);
        }
        break;
      default:
        throw new UnsupportedError(`incremental OTA: needs source build ("${cmd.name}" command)`, cmd.offset, path, { command: cmd.name });
    }
    checkLimit('MAX_EXTENTS', segments.length, 'transfer list ranges', cmd.offset, path);
  }
  // total_blocks counts the blocks the commands write (recovery's progress bar), not the
  // partition's size: the OPPO K3 system list says 1111389 but writes up to block 1458176.
  const blocks = maxEnd;
  const size = blocks * SDAT_BLOCK_SIZE;
  checkLimit('MAX_EXPANDED_BYTES', size, 'block OTA partition size', undefined, path);
  const { extents, overlapped } = layoutSegments(segments);
  if (overlapped) anomalies.push({ stage: 'sdat', message: 'transfer list writes some blocks twice; the later command wins' });
  return { extents, size, newDataBytes: streamBytes, anomalies };
}

class SdatDevice implements SdatSource {
  readonly size: number;
  constructor(
    private readonly inner: ExtentSource,
    readonly path: string,
    readonly transferList: TransferList,
    readonly anomalies: Anomaly[],
    readonly newDataBytes: number,
    readonly prefersSequentialReads: boolean,
  ) {
    this.size = inner.size;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    return this.inner.read(offset, length);
  }
}

/**
 * Opens a block OTA partition. `newDat` is `X.new.dat` (plain) or `X.new.dat.br` (`compressed`);
 * a brotli stream is decoded forward on demand with bounded memory (see StreamDecodedSource).
 * `path` is the virtual path of the resulting block device.
 */
export async function openSdat(
  transferList: Source,
  newDat: Source,
  compressed: boolean,
  path: string,
  brotliOptions?: StreamSourceOptions,
): Promise<SdatSource> {
  const bytes = await readAll(transferList, 'MAX_METADATA_BYTES');
  const tl = parseTransferList(new TextDecoder('latin1').decode(bytes), transferList.path);
  const layout = layoutSdat(tl, transferList.path);
  const anomalies = layout.anomalies;
  let stream: Source | null = null;
  if (layout.newDataBytes > 0) {
    if (compressed) {
      // exactSize false: recovery's new-data reader stops once the commands have their blocks, so
      // a longer stream is not an error there (a plain new.dat's surplus is only an anomaly).
      stream = new StreamDecodedSource(BROTLI_CODEC, newDat, layout.newDataBytes, newDat.path, { exactSize: false, ...brotliOptions });
    } else {
      if (newDat.size < layout.newDataBytes) {
        throw new TruncatedError(`new.dat has ${newDat.size} bytes, transfer list needs ${layout.newDataBytes}`, newDat.size, newDat.path);
      }
      if (newDat.size > layout.newDataBytes) {
        anomalies.push({ stage: 'sdat', message: `new.dat has ${newDat.size - layout.newDataBytes} bytes more than the transfer list uses` });
      }
      stream = newDat;
    }
  }
  const inner = new ExtentSource(stream, layout.extents, layout.size, path);
  return new SdatDevice(inner, path, tl, anomalies, layout.newDataBytes, compressed && layout.newDataBytes > 0);
}

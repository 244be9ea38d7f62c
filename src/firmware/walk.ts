// The firmware walker: detect → open → recurse, naming everything by its chain of containers
// ("update.zip!/system.new.dat.br!/system/priv-app/Foo/Foo.apk"). Wrappers that only change the
// encoding of the same bytes (sparse, lz4 frame) add no path level. Every container failure is
// recorded at its virtual path and the walk goes on with the rest.
import type { Source } from '../io/source.js';
import { LIMITS } from '../io/limits.js';
import type { Container, Entry } from '../formats/container.js';
import type { ReportError } from '../report/model.js';
import { toReportError } from '../scan/record-error.js';
import { detectFormat, type OpenedFormat } from './formats.js';
import { roleOf, partitionOf, partitionFromImageName, type FileRole } from './file-roles.js';
import { pairBlockOtaEntries, openSdat } from '../formats/sdat/index.js';


export interface FoundFile {
  /** Full virtual path. */
  path: string;
  /** Path inside the innermost filesystem or archive. */
  innerPath: string;
  role: FileRole;
  partition: string | null;
  source: Source;
}

export interface WalkEvents {
  onFile(file: FoundFile): Promise<void>;
  onContainer?(c: { path: string; format: string }): void;
}

export interface WalkResult {
  containers: { path: string; format: string }[];
  errors: ReportError[];
}

/** Names of zip / directory entries worth sniffing as nested images. */
const NESTED_IMAGE_NAME = /\.(img|zip|bin|lz4|tar|md5|ext4|erofs|raw|sparse)$/i;

export interface WalkOptions {
  /**
   * Hand the files of a directory or zip to onFile smallest first, after the listing. A scan
   * wants this: the analyser's code is compiled (V8's JIT) while it runs on the small apps, so
   * the big ones, most of the work, run on compiled code (a directory of 90 APKs: ~8 % faster
   * than name order; bench/README.md). Only there is the reading order free: a filesystem
   * image is read fastest in its listing order (its block and cluster caches follow it), and
   * extract keeps listing order, in which the first of two clashing names is the one written.
   */
  smallestFirst?: boolean;
}

export class FirmwareWalker {
  readonly containers: { path: string; format: string }[] = [];
  readonly errors: ReportError[] = [];

  constructor(private readonly events: WalkEvents, private readonly options: WalkOptions = {}) {}

  /** Walks a source whose format is already known (or detects it). Returns false when nothing was recognised. */
  async walkSource(source: Source, path: string, depth: number, imagePartition: string | null, opened?: OpenedFormat | null, sequential = false): Promise<boolean> {
    sequential ||= source.prefersSequentialReads === true;
    if (depth > LIMITS.MAX_NESTING_DEPTH) {
      this.errors.push({ stage: 'walk', code: 'E_LIMIT', message: `nesting deeper than MAX_NESTING_DEPTH (${LIMITS.MAX_NESTING_DEPTH})`, path });
      return true;
    }
    let fmt: OpenedFormat | null;
    try {
      fmt = opened ?? (await detectFormat(source));
    } catch (e) {
      this.errors.push(toReportError('detect', e, path));
      return true;
    }
    if (!fmt) return false;
    this.containers.push({ path, format: fmt.format });
    this.events.onContainer?.({ path, format: fmt.format });
    try {
      const inner = await fmt.open(source);
      if (inner.kind === 'source') {
        // Same bytes, another encoding: no new path level.
        const ok = await this.walkSource(inner.source, path, depth + 1, imagePartition, null, sequential);
        if (!ok) this.errors.push({ stage: 'detect', code: 'E_FORMAT', message: `${fmt.format} image holds no recognised filesystem`, path });
      } else {
        await this.walkContainer(inner.container, path, depth, imagePartition, sequential);
      }
    } catch (e) {
      this.errors.push(toReportError(fmt.format, e, path));
    }
    return true;
  }

  /** Walks an already opened container (a directory input starts here). */
  async walkContainer(container: Container, path: string, depth: number, imagePartition: string | null, sequential = false): Promise<void> {
    const isArchive = container.format === 'zip' || container.format === 'tar' || container.format === 'directory';
    const isPartitionTable = container.format === 'super' || container.format === 'payload';
    const names: Entry[] = [];
    // Over a forward-decoded stream, files are visited in disk order after the listing, so the
    // stream is decoded about once instead of restarting for every file behind the decoder.
    const deferred: { entry: Entry; role: FileRole; source: Source }[] = [];
    const smallestFirst = this.options.smallestFirst === true && !sequential && (container.format === 'directory' || container.format === 'zip');
    const bySize: { entry: Entry; role: FileRole }[] = [];
    try {
      for await (const entry of container.entries()) {
        if (entry.type !== 'file') continue;
        if (isPartitionTable) {
          // Each entry is a whole partition image: "super.img!/system_a".
          await this.walkNested(entry, `${path}!/${entry.name}`, depth, partitionFromImageName(entry.name));
          continue;
        }
        const role = roleOf(entry.name);
        if (role) {
          if (smallestFirst) { bySize.push({ entry, role }); continue; }
          const source = await this.openEntry(entry, childPath(path, entry.name, container.format));
          if (source && sequential) deferred.push({ entry, role, source });
          else if (source) await this.emit(entry, source, path, role, imagePartition, container.format);
          continue;
        }
        if (isArchive) {
          names.push(entry); // block OTA pairing below
          if (container.format === 'directory' || NESTED_IMAGE_NAME.test(entry.name)) {
            await this.walkNested(entry, childPath(path, entry.name, container.format), depth, partitionFromImageName(entry.name) ?? imagePartition);
          }
        }
      }
    } catch (e) {
      this.errors.push(toReportError(container.format, e, path));
    }
    deferred.sort((a, b) => diskOrder(a.source) - diskOrder(b.source));
    for (const d of deferred) await this.emit(d.entry, d.source, path, d.role, imagePartition, container.format);
    bySize.sort((a, b) => a.entry.size - b.entry.size); // stable: equal sizes keep listing order
    for (const { entry, role } of bySize) {
      const source = await this.openEntry(entry, childPath(path, entry.name, container.format));
      if (source) await this.emit(entry, source, path, role, imagePartition, container.format);
    }
    for (const a of container.anomalies ?? []) {
      this.errors.push({ stage: container.format, code: 'E_ANOMALY', message: a.message, offset: a.offset, path: a.path || path });
    }
    if (names.length) await this.walkBlockOta(names, path, depth, container.format);
  }

  /** Block OTA: X.transfer.list + X.new.dat[.br] → a virtual block device named after the data file. */
  private async walkBlockOta(entries: Entry[], path: string, depth: number, format: string): Promise<void> {
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const pair of pairBlockOtaEntries(entries.map((e) => e.name))) {
      const dataPath = childPath(path, pair.newDat, format);
      const opened: Source[] = [];
      try {
        const list = await byName.get(pair.transferList)!.open();
        opened.push(list);
        const data = await byName.get(pair.newDat)!.open();
        opened.push(data);
        const device = await openSdat(list, data, pair.brotli, dataPath);
        this.containers.push({ path: dataPath, format: 'sdat' });
        this.events.onContainer?.({ path: dataPath, format: 'sdat' });
        const ok = await this.walkSource(device, dataPath, depth + 1, partitionFromImageName(pair.name));
        if (!ok) this.errors.push({ stage: 'sdat', code: 'E_FORMAT', message: 'block device holds no recognised filesystem', path: dataPath });
      } catch (e) {
        this.errors.push(toReportError('sdat', e, dataPath));
      } finally {
        for (const s of opened) await closeIfFile(s);
      }
    }
  }

  private async walkNested(entry: Entry, path: string, depth: number, imagePartition: string | null): Promise<void> {
    try {
      const source = await entry.open();
      try {
        await this.walkSource(source, path, depth + 1, imagePartition);
      } finally {
        await closeIfFile(source);
      }
    } catch (e) {
      this.errors.push(toReportError('open', e, path));
    }
  }

  private async openEntry(entry: Entry, path: string): Promise<Source | null> {
    try {
      return await entry.open();
    } catch (e) {
      this.errors.push(toReportError('open', e, path));
      return null;
    }
  }

  private async emit(entry: Entry, source: Source, containerPath: string, role: FileRole, imagePartition: string | null, format: string): Promise<void> {
    const path = childPath(containerPath, entry.name, format);
    try {
      await this.events.onFile({ path, innerPath: entry.name, role, partition: partitionOf(entry.name, imagePartition), source });
    } catch (e) {
      this.errors.push(toReportError('open', e, path));
    } finally {
      await closeIfFile(source);
    }
  }
}

/** Offset of a file's first byte in its image, when the file is mapped in place; else 0. */
function diskOrder(source: Source): number {
  return (source as { firstParentOffset?: number | null }).firstParentOffset ?? 0;
}

/** Directories are not containers in the virtual path sense: "rom/system/app/X.apk", not "rom!/system/…". */
function childPath(containerPath: string, name: string, format: string): string {
  return format === 'directory' ? `${containerPath}/${name}` : `${containerPath}!/${name}`;
}

async function closeIfFile(source: Source): Promise<void> {
  const c = (source as { close?: () => Promise<void> }).close;
  if (typeof c === 'function') await c.call(source);
}

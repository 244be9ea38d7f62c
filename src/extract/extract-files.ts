// `extract`: list (with sha256) or write out every file the analyzer reads from an input.
// The input is hostile, so writing is defensive:
// - names are mapped by `destinationFor`, which refuses anything that could leave the folder;
// - nothing is ever followed: each folder on the way is checked with lstat, and files are created
//   with O_CREAT|O_EXCL|O_NOFOLLOW, so a symlink planted at the destination is never written through;
// - an existing file is replaced only with `force`, and then unlinked first and created anew, so a
//   hard link to a file outside the folder is never written through either;
// - two names that would be one file on a case-insensitive or Unicode-normalising file system
//   (Foo.apk / foo.apk, NFC / NFD), or the same name twice (duplicate zip entries), are written once:
//   the first wins, the others are errors, even with `force`;
// - the walker emits regular files only, so no link or device node is ever created;
// - a file is refused when it is larger than the analyzer would read (MAX_APK_BYTES for APKs, jars,
//   vdex/odex, daemons; MAX_METADATA_BYTES for build.prop, permission XML, etc/ configs): a 100 KB image can declare a
//   3 GB file of holes, and writing (or hashing) it would be a disk and time bomb;
// - runs of zeros are not written but left as holes (the file is sized at the end), so a sparse
//   file inside an image stays sparse on disk.
import { constants } from 'node:fs';
import { lstat, mkdir, open, stat, unlink } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { FileSource, type Source } from '../io/source.js';
import { sha256Source } from '../io/hash.js';
import { UsageError } from '../io/errors/index.js';
import { checkLimit, type LimitName } from '../io/limits.js';
import { FirmwareWalker } from '../firmware/walk.js';
import type { FileRole } from '../firmware/file-roles.js';
import { openDirectory } from '../formats/directory/open-directory.js';
import { detectFormat } from '../firmware/formats.js';
import type { ReportError } from '../report/model.js';
import { toReportError } from '../scan/record-error.js';
import { clashKey, destinationFor, ExtractWriteError, UnsafePathError } from './safe-path.js';

export interface ListedFile { path: string; bytes: number; sha256: string }
export interface ExtractResult { files: ListedFile[]; errors: ReportError[] }

/** Copies are done in 4 MiB reads so memory stays flat for big files. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(COPY_CHUNK_BYTES);

/** The most the analyzer reads of a file of this role (a named limit at least as large); extract takes no more. */
function sizeLimitOf(role: FileRole): LimitName {
  switch (role) {
    case 'build-prop': case 'permissions-xml': case 'default-permissions-xml': case 'config':
      return 'MAX_METADATA_BYTES'; // config: the scan reads up to MAX_TEXT_ENTRY_BYTES, the same 16 MiB
    default:
      return 'MAX_APK_BYTES'; // APKs, jars, vdex/odex, daemons
  }
}

export async function extractInput(inputPath: string, outDir: string | null, force = false): Promise<ExtractResult> {
  const st = await stat(inputPath).catch(() => null);
  if (!st) throw new UsageError(`cannot read input: ${inputPath}`);
  const name = basename(inputPath);
  if (outDir !== null && st.isDirectory() && overlaps(resolve(inputPath), resolve(outDir))) {
    // Writing into the tree being walked would walk (and write) its own output again.
    throw new UsageError(`--out ${outDir} overlaps the input folder ${inputPath}`);
  }
  const files: ListedFile[] = [];
  const errors: ReportError[] = [];
  const folder = outDir !== null ? new OutputFolder(resolve(outDir), force) : null;
  const handle = async (path: string, role: FileRole, source: Source) => {
    try {
      checkLimit(sizeLimitOf(role), source.size, `${role} size`, undefined, path);
      if (folder) await folder.write(path, source);
      files.push({ path, bytes: source.size, sha256: await sha256Source(source) });
    } catch (e) {
      errors.push(toReportError('extract', e, path));
    }
  };
  const walker = new FirmwareWalker({ onFile: (f) => handle(f.path, f.role, f.source) });
  if (st.isDirectory()) {
    await walker.walkContainer(openDirectory(inputPath, name), name, 0, null);
  } else {
    const source = await FileSource.open(inputPath, name);
    try {
      if (await detectFormat(source)) {
        const recognised = await walker.walkSource(source, name, 0, null);
        if (!recognised) throw new UsageError(`unrecognised input: ${inputPath}`);
      } else {
        throw new UsageError(`unrecognised input (not a firmware image or archive romscan reads): ${inputPath}`);
      }
    } finally {
      await source.close();
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, errors: [...walker.errors, ...errors] };
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + sep) || b.startsWith(a + sep);
}

/** The output folder of one extraction: what it wrote, so names never collide or overwrite each other. */
class OutputFolder {
  /** clashKey(relative path) → virtual path, for files and for folders this run created or passed through. */
  private readonly files = new Map<string, string>();
  private readonly dirs = new Map<string, string>();

  constructor(private readonly root: string, private readonly force: boolean) {}

  async write(virtualPath: string, source: Source): Promise<void> {
    const dest = destinationFor(this.root, virtualPath);
    const rel = relative(this.root, dest).split(sep);
    this.claim(virtualPath, rel);
    await this.mkdirNoFollow(dirname(dest), virtualPath);
    const existing = await lstat(dest).catch(() => null);
    if (existing) {
      if (existing.isSymbolicLink()) throw new UnsafePathError(virtualPath, 'destination is a symlink');
      if (!existing.isFile()) throw new UnsafePathError(virtualPath, 'destination exists and is not a regular file');
      if (!this.force) throw new UnsafePathError(virtualPath, 'file exists (use --force to overwrite)');
      // Unlink, then create: writing into the old inode would go through a hard link to wherever it points.
      await unlink(dest).catch((e: NodeJS.ErrnoException) => { throw new ExtractWriteError(virtualPath, e); });
    }
    const fh = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644)
      .catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') throw new UnsafePathError(virtualPath, 'file appeared while extracting');
        throw new ExtractWriteError(virtualPath, e);
      });
    let complete = false;
    const failed = (e: NodeJS.ErrnoException) => { throw new ExtractWriteError(virtualPath, e); };
    try {
      for (let off = 0; off < source.size; off += COPY_CHUNK_BYTES) {
        const chunk = await source.read(off, Math.min(COPY_CHUNK_BYTES, source.size - off));
        const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        if (!view.equals(ZEROS.subarray(0, chunk.length))) await fh.write(chunk, 0, chunk.length, off).catch(failed);
      }
      await fh.truncate(source.size).catch(failed);
      complete = true;
    } finally {
      await fh.close();
      // A file cut short by damaged input would pass for a complete one: remove it.
      if (!complete) await unlink(dest).catch(() => undefined);
    }
  }

  /** Reserves the file's name and the folders above it, or throws when they clash with earlier ones. */
  private claim(virtualPath: string, rel: string[]): void {
    const fileKey = clashKey(rel.join('/'));
    const earlier = this.files.get(fileKey) ?? this.dirs.get(fileKey);
    if (earlier !== undefined) {
      throw new UnsafePathError(virtualPath, earlier === virtualPath ? 'duplicate name (the first one was written)'
        : `name clashes with ${JSON.stringify(earlier)} (same file on a case-insensitive file system; the first one was written)`);
    }
    for (let i = 1; i < rel.length; i++) {
      const dirKey = clashKey(rel.slice(0, i).join('/'));
      const file = this.files.get(dirKey);
      if (file !== undefined) throw new UnsafePathError(virtualPath, `a folder on its path clashes with the file ${JSON.stringify(file)}`);
      const dir = this.dirs.get(dirKey);
      if (dir !== undefined && dir !== rel.slice(0, i).join('/')) {
        throw new UnsafePathError(virtualPath, `folder ${JSON.stringify(rel.slice(0, i).join('/'))} clashes with ${JSON.stringify(dir)} (case-insensitive file systems)`);
      }
    }
    for (let i = 1; i < rel.length; i++) this.dirs.set(clashKey(rel.slice(0, i).join('/')), rel.slice(0, i).join('/'));
    this.files.set(fileKey, virtualPath);
  }

  /** mkdir -p that refuses to pass through a symlink (or anything but a folder) below the root. */
  private async mkdirNoFollow(dir: string, virtualPath: string): Promise<void> {
    await mkdir(this.root, { recursive: true }).catch((e: NodeJS.ErrnoException) => { throw new ExtractWriteError(virtualPath, e); });
    const rel = dir.slice(this.root.length).split(sep).filter(Boolean);
    let cur = this.root;
    for (const part of rel) {
      cur = `${cur}${sep}${part}`;
      const st = await lstat(cur).catch(() => null);
      if (!st) {
        await mkdir(cur).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw new ExtractWriteError(virtualPath, e);
        });
        const again = await lstat(cur);
        if (!again.isDirectory()) throw new UnsafePathError(virtualPath, `${cur} was replaced while extracting`);
      } else if (st.isSymbolicLink()) throw new UnsafePathError(virtualPath, `${cur} is a symlink`);
      else if (!st.isDirectory()) throw new UnsafePathError(virtualPath, `${cur} is not a directory`);
    }
  }
}


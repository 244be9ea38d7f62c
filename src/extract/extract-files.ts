// `extract`: list (with sha256) or write out every file the analyzer reads from an input.
// Writing never follows a symlink (each directory on the way is checked with lstat), never
// overwrites an existing file unless `force`, and never leaves the output folder.
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { FileSource, type Source } from '../io/source.js';
import { sha256Source } from '../io/hash.js';
import { UsageError } from '../io/errors/index.js';
import { FirmwareWalker } from '../firmware/walk.js';
import { openDirectory } from '../formats/directory/open-directory.js';
import { detectFormat } from '../firmware/formats.js';
import type { ReportError } from '../report/model.js';
import { toReportError } from '../scan/record-error.js';
import { destinationFor, UnsafePathError } from './safe-path.js';

export interface ListedFile { path: string; bytes: number; sha256: string }
export interface ExtractResult { files: ListedFile[]; errors: ReportError[] }

/** Copies are done in 4 MiB reads so memory stays flat for big files. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

export async function extractInput(inputPath: string, outDir: string | null, force = false): Promise<ExtractResult> {
  const st = await stat(inputPath).catch(() => null);
  if (!st) throw new UsageError(`cannot read input: ${inputPath}`);
  const name = basename(inputPath);
  const files: ListedFile[] = [];
  const errors: ReportError[] = [];
  const handle = async (path: string, source: Source) => {
    try {
      if (outDir) await writeOut(outDir, path, source, force);
      files.push({ path, bytes: source.size, sha256: await sha256Source(source) });
    } catch (e) {
      errors.push(toReportError('extract', e, path));
    }
  };
  const walker = new FirmwareWalker({ onFile: (f) => handle(f.path, f.source) });
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

async function writeOut(outDir: string, virtualPath: string, source: Source, force: boolean): Promise<void> {
  const dest = destinationFor(outDir, virtualPath);
  await mkdirNoFollow(resolve(outDir), dirname(dest), virtualPath);
  // 'wx' fails on an existing file (and on a symlink planted there); with --force we replace a
  // regular file but still refuse a symlink.
  if (force) {
    const existing = await lstat(dest).catch(() => null);
    if (existing?.isSymbolicLink()) throw new UnsafePathError(virtualPath, 'destination is a symlink');
  }
  const fh = await open(dest, force ? 'w' : 'wx').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EEXIST') throw new UnsafePathError(virtualPath, 'file exists (use --force to overwrite)');
    throw e;
  });
  try {
    for (let off = 0; off < source.size; off += COPY_CHUNK_BYTES) {
      const chunk = await source.read(off, Math.min(COPY_CHUNK_BYTES, source.size - off));
      await fh.write(chunk, 0, chunk.length);
    }
  } finally {
    await fh.close();
  }
}

/** mkdir -p that refuses to pass through a symlink anywhere below `root`. */
async function mkdirNoFollow(root: string, dir: string, virtualPath: string): Promise<void> {
  await mkdir(root, { recursive: true });
  const rel = dir.slice(root.length).split(sep).filter(Boolean);
  let cur = root;
  for (const part of rel) {
    cur = `${cur}${sep}${part}`;
    const st = await lstat(cur).catch(() => null);
    if (!st) await mkdir(cur);
    else if (st.isSymbolicLink()) throw new UnsafePathError(virtualPath, `${cur} is a symlink`);
    else if (!st.isDirectory()) throw new UnsafePathError(virtualPath, `${cur} is not a directory`);
  }
}

// Format detection by magic bytes (never by name), as file-type does: an ordered list of
// detectors over the first HEAD_BYTES of a Source. Order matters: formats with a magic at
// offset 0 come first; ext4/EROFS (magic at 1024) and super (geometry at 4096) after.
import type { Source } from '../io/source.js';
import type { Container, ContainerFormat } from '../formats/container.js';
import { detectSparse, openSparse } from '../formats/sparse/index.js';
import { detectExt4, openExt4 } from '../formats/ext4/index.js';
import { detectSuper, openSuper } from '../formats/super/index.js';
import { detectErofs, openErofs } from '../formats/erofs/index.js';
import { detectTar, openTar } from '../formats/tar/index.js';
import { detectLz4Frame, openLz4Frame } from '../formats/lz4/index.js';
import { detectPayload, openPayload } from '../formats/payload/index.js';
import { detectZip, openZipContainer } from '../formats/zip/index.js';

/** 64 KiB covers every magic we look for (super's geometry sits at 4096). */
export const HEAD_BYTES = 64 * 1024;

export type Opened = { kind: 'container'; container: Container } | { kind: 'source'; source: Source };

export interface OpenedFormat {
  format: ContainerFormat;
  open(source: Source): Promise<Opened>;
}

interface Detector extends OpenedFormat {
  detect(head: Uint8Array): boolean;
}

const asContainer = (f: (s: Source) => Promise<Container>) => async (s: Source): Promise<Opened> => ({ kind: 'container', container: await f(s) });
const asSource = (f: (s: Source) => Promise<Source>) => async (s: Source): Promise<Opened> => ({ kind: 'source', source: await f(s) });

const DETECTORS: Detector[] = [
  { format: 'sparse', detect: detectSparse, open: asSource(openSparse) },
  { format: 'lz4', detect: detectLz4Frame, open: asSource(openLz4Frame) },
  { format: 'payload', detect: detectPayload, open: asContainer(openPayload) },
  { format: 'zip', detect: detectZip, open: asContainer(openZipContainer) },
  { format: 'ext4', detect: detectExt4, open: asContainer(openExt4) },
  { format: 'erofs', detect: detectErofs, open: asContainer(openErofs) },
  { format: 'super', detect: detectSuper, open: asContainer(openSuper) },
  { format: 'tar', detect: detectTar, open: asContainer(openTar) },
];

export function detectHead(head: Uint8Array): OpenedFormat | null {
  for (const d of DETECTORS) if (d.detect(head)) return d;
  return null;
}

export async function readHead(source: Source): Promise<Uint8Array> {
  return source.read(0, Math.min(HEAD_BYTES, source.size));
}

export async function detectFormat(source: Source): Promise<OpenedFormat | null> {
  if (source.size === 0) return null;
  return detectHead(await readHead(source));
}

// What every container format yields: entries whose contents are Sources, nested arbitrarily.
import type { Source } from '../io/source.js';

export type ContainerFormat =
  | 'zip' | 'sparse' | 'ext4' | 'erofs' | 'super' | 'payload' | 'sdat' | 'tar' | 'lz4' | 'brotli' | 'directory';

export interface Entry {
  /** Path inside the container, '/'-separated, no leading '/' (e.g. "system/app/Foo/Foo.apk"). */
  readonly name: string;
  readonly size: number;
  readonly type: 'file' | 'dir' | 'link';
  /** For links: the target as stored (never followed outside the container). */
  readonly linkTarget?: string;
  /** Unix mode bits when the format has them. */
  readonly mode?: number;
  /** The entry's bytes (files only). */
  open(): Promise<Source>;
}

export interface Container {
  readonly format: ContainerFormat;
  /** Virtual path of the container itself. */
  readonly path: string;
  /** Entries in a stable order. Recoverable per-entry problems go to `anomalies`, not throws. */
  entries(): AsyncIterable<Entry>;
  /** Problems met while listing that did not stop it (e.g. a bad directory block skipped). */
  readonly anomalies?: { message: string; offset?: number; path?: string }[];
}

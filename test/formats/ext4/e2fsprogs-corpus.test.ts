// Hostile corpus: the 231 e2fsprogs regression images (most deliberately corrupt). Each must
// list its files or end with a RomscanError — never another exception, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BufferSource } from '../../../src/io/source.js';
import { openExt4 } from '../../../src/formats/ext4/index.js';
import { debugfsRdump, findTool, makeTempDir, removeDir, type TreeItem } from '../../helpers/build-ext4.js';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ImageOutcome } from '../../helpers/walk-ext4.js';
import { loadImage } from '../../helpers/load-image.js';

const CORPUS = join(process.cwd(), '../shared/corpus/firmware-real/e2fsprogs');
/**
 * No progress for this long means a hang. Images walk in milliseconds to ~1.5 s (f_many_subdirs:
 * 130 k entries) on an idle machine; CI runs test files in parallel, hence the margin.
 */
const STALL_MS = 15_000;
/** Bytes read per file: enough to walk every extent of these small images. */
const READ_CAP = 1 << 20;

type Msg =
  | { kind: 'start'; name: string }
  | { kind: 'done'; name: string; ms: number; outcome: ImageOutcome }
  | { kind: 'crash'; name: string; message: string }
  | { kind: 'end' };

test('does not crash or hang on the e2fsprogs corrupt-image corpus', { skip: existsSync(CORPUS) ? false : 'corpus not present' }, async () => {
  const names = readdirSync(CORPUS).filter((n) => /\.image(\.gz|\.bz2)?$/.test(n)).sort();
  assert.ok(names.length >= 200, `only ${names.length} images`);
  const worker = new Worker(new URL('../../helpers/ts-worker.mjs', import.meta.url), {
    workerData: { script: new URL('../../helpers/ext4-corpus-worker.ts', import.meta.url).href, dir: CORPUS, names, readCap: READ_CAP },
  });
  const results = new Map<string, ImageOutcome>();
  const crashes: string[] = [];
  let current = '';
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => { void worker.terminate(); reject(new Error(`no progress for ${STALL_MS} ms on ${current}: hang`)); }, STALL_MS);
    };
    arm();
    worker.on('message', (m: Msg) => {
      arm();
      if (m.kind === 'start') current = m.name;
      else if (m.kind === 'done') results.set(m.name, m.outcome);
      else if (m.kind === 'crash') crashes.push(`${m.name}: ${m.message}`);
      else { clearTimeout(timer); resolve(); }
    });
    worker.on('error', (e) => { clearTimeout(timer); reject(e); });
    worker.on('exit', (code) => { clearTimeout(timer); if (code !== 0) reject(new Error(`worker exited ${code} during ${current}`)); });
  });
  await worker.terminate();
  assert.deepEqual(crashes, [], 'only RomscanErrors may escape');
  assert.equal(results.size, names.length);
  const listed = [...results.values()].filter((r) => !r.error);
  const files = listed.reduce((a, r) => a + r.files, 0);
  // Most of these images are mountable despite their damage: we must list the large majority.
  assert.ok(listed.length > names.length * 0.85, `listed ${listed.length} of ${names.length}`);
  assert.ok(files > 100_000, `only ${files} files`);
});

/**
 * Images of that corpus that debugfs reads cleanly (journals, orphans, bigalloc, EA inodes,
 * fast symlinks with EA inodes, 1 343-entry trees, rehashed htrees): our listing and bytes must
 * equal `debugfs rdump`.
 */
const CLEAN = [
  'f_badcluster.image.gz', 'f_badorphan.image.gz', 'f_bbinode.image.gz', 'f_bigalloc_symlink_with_xattr.image.gz',
  'f_dup_de.image.gz', 'f_ea_inode.image.gz', 'f_ea_inode_fast_symlink.image.gz', 'f_eofblocks.image.gz',
  'f_ext_journal.image.gz', 'f_jnl_32bit.image.gz', 'f_jnl_64bit.image.gz', 'f_nospc_create_lnf.image.gz',
  'f_rehash_dir.image.gz', 'f_salvage_dir.image.gz', 'f_unshare_blocks_no_space.image.gz', 'f_valid_ea_in_inode.image.gz',
  'i_bitmaps.image.bz2', 'd_inline_dump.image.gz',
];

test('clean corpus images list and read exactly like debugfs rdump', { skip: existsSync(CORPUS) && findTool('debugfs') ? false : 'corpus or debugfs missing' }, async () => {
  const dir = makeTempDir('e2corpus');
  try {
    for (const name of CLEAN) {
      const bytes = loadImage(join(CORPUS, name));
      const image = join(dir, name.replace(/\.(gz|bz2)$/, ''));
      writeFileSync(image, bytes);
      const theirs = debugfsRdump(image, `${image}.rdump`, 20_000);
      const ours = new Map<string, TreeItem>();
      const c = await openExt4(new BufferSource(bytes, name));
      for await (const e of c.entries()) {
        const item: TreeItem = { type: e.type, size: e.size, linkTarget: e.linkTarget };
        if (e.type === 'file') item.sha256 = createHash('sha256').update(await (await e.open()).read(0, e.size)).digest('hex');
        ours.set(e.name, item);
      }
      assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), name);
      for (const [k, t] of theirs) {
        const o = ours.get(k)!;
        assert.equal(o.type, t.type, `${name}: ${k}`);
        if (t.type === 'link') assert.equal(o.linkTarget, t.linkTarget, `${name}: ${k}`);
        // debugfs pads inline files shorter than 60 bytes to 60 (see ext4.test.ts); the rest must match.
        if (t.type === 'file' && !(o.size < 60 && t.size === 60)) assert.equal(o.sha256, t.sha256, `${name}: ${k}`);
      }
    }
  } finally {
    removeDir(dir);
  }
});

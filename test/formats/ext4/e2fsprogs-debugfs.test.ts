// The clean part of the e2fsprogs corpus, differentially: our listing and bytes against
// `debugfs rdump` of the same image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BufferSource } from '../../../src/io/source.js';
import { openExt4 } from '../../../src/formats/ext4/index.js';
import { debugfsRdump, findTool, makeTempDir, removeDir, type TreeItem } from '../../helpers/build-ext4.js';
import { loadImage } from '../../helpers/load-image.js';

const CORPUS = join(process.cwd(), '../shared/corpus/firmware-real/e2fsprogs');

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

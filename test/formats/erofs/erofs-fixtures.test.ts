// Committed fixtures (no tools needed): the listing must equal fsck.erofs's, recorded in
// expected.json; truncations and bit flips must end in a result or a RomscanError, quickly;
// unsupported features must be named in an UnsupportedError. Also the erofs-rs corpus images
// (block sizes 512..4096).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource, FileSource, type Source } from '../../../src/io/source.js';
import { openErofs } from '../../../src/formats/erofs/index.js';
import { isRomscanError, type RomscanError } from '../../../src/io/errors/index.js';
import { assertSameTree, fsckExtract, findTool, listContainer, makeTempDir, removeDir, type TreeItem } from './helpers.js';

const FIXTURES = new URL('../../fixtures/erofs/', import.meta.url).pathname;
const expected: Record<string, (TreeItem & { name: string })[]> = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
const CORPUS = new URL('../../../../shared/corpus/firmware-real/erofs-rs/', import.meta.url).pathname;

function toMap(items: (TreeItem & { name: string })[]): Map<string, TreeItem> {
  return new Map(items.map(({ name, ...rest }) => [name, rest]));
}


/** Lists everything and reads every file; returns normally or throws a RomscanError. */
async function consume(source: Source): Promise<void> {
  const c = await openErofs(source);
  for await (const e of c.entries()) {
    if (e.type !== 'file') continue;
    try {
      const s = await e.open();
      if (s.size <= 16 * 1024 * 1024) await s.read(0, s.size);
    } catch (err) {
      if (!isRomscanError(err)) throw err;
    }
  }
}

/** Finds the inode of `name` by walking with the public API, then patches bytes of its map header. */
async function patchMapHeader(image: Uint8Array, name: string, patch: (h: Uint8Array) => void): Promise<Uint8Array> {
  const { ErofsImage } = await import('../../../src/formats/erofs/erofs.js');
  const { parseErofsSuperblock } = await import('../../../src/formats/erofs/superblock.js');
  const { ByteReader } = await import('../../../src/io/byte-reader.js');
  const src = new BufferSource(image, 'x');
  const sb = parseErofsSuperblock(new ByteReader(image.subarray(1024, 1152), 1024));
  const img = new ErofsImage(src, sb);
  let nid = sb.rootNid;
  for (const part of name.split('/')) {
    const dirents = await img.readDir(await img.readInode(nid));
    nid = dirents.find((d) => new TextDecoder().decode(d.name) === part)!.nid;
  }
  const inode = await img.readInode(nid);
  assert.ok(inode.dataLayout === 1 || inode.dataLayout === 3, 'a compressed inode');
  const out = Uint8Array.from(image);
  const at = Math.ceil(inode.tailOffset / 8) * 8;
  patch(out.subarray(at, at + 8));
  return out;
}

describe('erofs: committed fixtures', () => {
  for (const name of Object.keys(expected)) {
    test(`${name} lists like fsck.erofs`, async () => {
      const source = await FileSource.open(join(FIXTURES, name));
      try {
        const c = await openErofs(source);
        assertSameTree(await listContainer(c, 5000), toMap(expected[name]));
      } finally {
        await source.close();
      }
    });
  }

  test('other compressors and fragments raise UnsupportedError naming them', async () => {
    const image = readFileSync(join(FIXTURES, 'lz4hc-compact.img'));
    for (const [alg, algName] of [[1, 'lzma'], [2, 'deflate'], [3, 'zstd']] as const) {
      const patched = await patchMapHeader(image, 'system/app/Foo/Foo.apk', (h) => { h[6] = alg; });
      const c = await openErofs(new BufferSource(patched, 'p.img'));
      for await (const e of c.entries()) {
        if (e.name !== 'system/app/Foo/Foo.apk') continue;
        await assert.rejects(e.open(), (err: RomscanError) => err.code === 'E_UNSUPPORTED' && err.message.includes(algName) && err.data?.algorithm === algName);
      }
    }
    const frag = await patchMapHeader(image, 'system/app/Foo/Foo.apk', (h) => { h[4] |= 0x20; });
    const c = await openErofs(new BufferSource(frag, 'p.img'));
    for await (const e of c.entries()) {
      if (e.name === 'system/app/Foo/Foo.apk') await assert.rejects(e.open(), (err: RomscanError) => err.code === 'E_UNSUPPORTED' && err.data?.feature === 'fragments');
    }
    // A later kernel's incompatible feature bit is refused up front, by name.
    const sb = Uint8Array.from(image);
    sb[1024 + 80] |= 0x80;
    await assert.rejects(openErofs(new BufferSource(sb, 'p.img')), (err: RomscanError) => err.code === 'E_UNSUPPORTED' && err.message.includes('48bit'));
  });
});

describe('erofs: hostile input', () => {
  for (const name of Object.keys(expected)) {
    test(`does not hang or crash on truncations and bit flips of ${name}`, async () => {
      const good = readFileSync(join(FIXTURES, name));
      const variants: Uint8Array[] = [];
      for (let cut = 0; cut < good.length; cut += 1100) variants.push(good.subarray(0, cut));
      let x = name.length * 7919;
      for (let k = 0; k < 300; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const m = Uint8Array.from(good);
        // Half the flips land in the first 8 KiB, where the superblock, inodes and indexes are.
        const at = k & 1 ? x % Math.min(8192, m.length) : x % m.length;
        m[at] ^= 1 << ((x >>> 16) & 7);
        if (k % 5 === 0) m[(at * 31) % m.length] = (x >>> 8) & 0xff;
        variants.push(m);
      }
      const started = Date.now();
      let failures = 0;
      for (const v of variants) {
        const t = Date.now();
        try {
          await consume(new BufferSource(v, 'fuzz.img'));
        } catch (e) {
          if (!isRomscanError(e)) throw e;
          failures++;
        }
        assert.ok(Date.now() - t < 2000, 'one input took over 2 s');
      }
      assert.ok(failures > 0);
      assert.ok(Date.now() - started < 15_000);
    });
  }
});

describe('erofs: erofs-rs corpus (block sizes 512..4096)', { skip: existsSync(CORPUS) ? false : 'corpus not present' }, () => {
  test('every image lists the same files as fsck.erofs extracts from the 4 KiB one', async (t) => {
    let oracle: Map<string, TreeItem> | null = null;
    let noxattrs: Map<string, TreeItem> | null = null;
    if (findTool('fsck.erofs')) {
      const dir = makeTempDir('romscan-erofs-corpus-');
      try {
        oracle = fsckExtract(join(CORPUS, 'sample_4096.img'), join(dir, 'a'));
        noxattrs = fsckExtract(join(CORPUS, 'sample_noxattrs.img'), join(dir, 'b'));
      } finally {
        removeDir(dir);
      }
    } else {
      t.diagnostic('fsck.erofs missing: checking the images agree with each other only');
    }
    const lists = new Map<string, Map<string, TreeItem>>();
    for (const f of readdirSync(CORPUS).filter((n) => n.endsWith('.img')).sort()) {
      const source = await FileSource.open(join(CORPUS, f));
      try {
        const c = await openErofs(source);
        lists.set(f, await listContainer(c, 1000));
        assert.deepEqual(c.anomalies, [], f);
      } finally {
        await source.close();
      }
    }
    const reference = oracle ?? lists.get('sample_4096.img')!;
    for (const [f, list] of lists) assertSameTree(list, f === 'sample_noxattrs.img' ? (noxattrs ?? list) : reference);
    assert.ok(lists.size >= 6);
  });
});
